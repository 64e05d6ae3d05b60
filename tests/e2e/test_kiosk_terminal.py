"""The real ``kompass kiosk`` in a real terminal: tmux types into it and reads its screen.

A person registers in Norwegian bokmål with the keyboard alone, every way out of the
kiosk asks for the caseworker PIN, only the right PIN ends the program, and the
answers typed are in the database afterwards.

The test waits for what the screen shows, never for a fixed time. Keys sent in one
burst reach the widget that had the focus when the burst began (Textual moves the focus
a moment later), so after every key that moves the focus the test waits until the move
shows (a highlight, or the frame of the next input) before typing on, as a person
reading the screen would.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from kompass_tui.storage import records
from kompass_tui.storage.database import open_database
from kompass_tui.storage.models import Mode, Record, Status
from tests.support.terminal import (
    ACKNOWLEDGE,
    BIRTH_DATE,
    BOKMAL,
    DATE_OF_BIRTH,
    EXIT_KEYS,
    FULL_NAME,
    NAME,
    NEXT,
    PERSON_ID,
    PIN,
    PIN_HELP,
    PIN_TITLE,
    RESUME_CODE,
    WRONG_PIN,
    WRONG_PIN_SHOWN,
    Kiosk,
    with_pin,
)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    kiosk = with_pin(tmp_path)
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()


def test_a_person_registers_and_only_the_pin_ends_the_kiosk(kiosk: Kiosk) -> None:
    # The language picker opens with the first language, Norsk bokmål, highlighted.
    kiosk.wait_for(BOKMAL)
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    assert not kiosk.highlighted("English")
    kiosk.keys("Enter")

    # Start: tick "I have read this"; the first saved answer creates the record and its code.
    kiosk.wait_for("Steg 1 av 8")
    kiosk.tab_to(lambda: kiosk.highlighted(ACKNOWLEDGE), "the acknowledgement box")
    kiosk.keys("Space")
    code_shown = RESUME_CODE.search(kiosk.wait_for("Koden din:"))
    assert code_shown is not None
    kiosk.tab_to(lambda: kiosk.highlighted(NEXT), "the Next button")
    kiosk.keys("Enter")

    # About you, one question at a time: the cursor is in the name at once; Enter confirms
    # each answer and moves on to the next question.
    kiosk.wait_for("Steg 2 av 8")
    kiosk.wait_for(FULL_NAME)
    kiosk.type(NAME)  # no Tab first: the cursor is in the question when the page opens
    kiosk.wait_until(kiosk.shows_in_input(FULL_NAME, NAME), "the name typed")
    kiosk.keys("Enter")
    kiosk.wait_for(DATE_OF_BIRTH)
    kiosk.type(BIRTH_DATE)
    kiosk.wait_until(kiosk.shows_in_input(DATE_OF_BIRTH, BIRTH_DATE), "the date typed")
    kiosk.keys("Enter")
    kiosk.wait_for(PERSON_ID)

    assert "Steg 2 av 8  Om deg" in kiosk.screen()
    assert code_shown.group(0) in kiosk.screen()  # the same code, still shown

    # Every way out of a Textual app asks for the PIN; Escape goes back to the form.
    for key in EXIT_KEYS:
        kiosk.keys(key)
        kiosk.wait_for(PIN_TITLE)
        assert kiosk.alive(), key
        kiosk.keys("Escape")
        kiosk.wait_gone(PIN_TITLE)
        assert kiosk.alive(), key
        assert PERSON_ID in kiosk.screen(), key

    # A wrong PIN is refused and the kiosk stays; the right one ends it.
    kiosk.keys("C-q")
    kiosk.wait_for(PIN_TITLE)
    kiosk.type(WRONG_PIN)
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(WRONG_PIN)), "the PIN typed")
    kiosk.keys("Enter")
    kiosk.wait_for(WRONG_PIN_SHOWN)
    assert kiosk.alive()
    assert PIN_TITLE in kiosk.screen()
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, ""), "the wrong PIN cleared")
    kiosk.type(PIN)
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(PIN)), "the PIN typed")
    kiosk.keys("Enter")
    assert kiosk.wait_exit() == 0

    # The database has the registration, in progress, with what was typed.
    db = open_database(kiosk.db_url)
    try:
        with db.session() as session:
            saved = session.exec(select(Record)).all()
        assert len(saved) == 1
        record = saved[0]
        assert record.status == Status.in_progress
        assert record.mode == Mode.kiosk
        assert record.locale == "nb"
        assert record.full_name == NAME
        assert record.birth_date == dt.date(1990, 5, 17)
        assert records.load_answers(db, record.id) == {
            "acknowledged": True,
            "full_name": NAME,
            "birth_date": "1990-05-17",
        }
        assert {row.provenance for row in records.answer_rows(db, record.id)} == {"self"}
        # The code the person saw continues this registration.
        resumed = records.resume(db, code=code_shown.group(1), birth_date=dt.date(1990, 5, 17))
        assert resumed.id == record.id
    finally:
        db.dispose()


#: Keys and chords that must do nothing at the kiosk: no way out, no other record, no shell.
HARMLESS_KEYS = (
    "F1", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
    "C-d", "C-w", "C-x", "C-o", "C-s", "C-t", "C-a", "C-e", "C-l", "C-r", "C-y", "C-n",
    "M-x", "M-q", "Escape", "C-Escape",
)  # fmt: skip


def mouse_click(kiosk: Kiosk, column: int, row: int) -> None:
    """A click at a cell (1-based), as the terminal reports it (SGR mouse mode)."""
    for end in ("M", "m"):  # press, release
        kiosk.type(f"\x1b[<0;{column};{row}{end}")


def test_no_key_or_click_leaves_the_kiosk(kiosk: Kiosk) -> None:
    kiosk.wait_for(BOKMAL)
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys("Enter")
    kiosk.wait_for("Steg 1 av 8")
    kiosk.tab_to(lambda: kiosk.highlighted(ACKNOWLEDGE), "the acknowledgement box")
    kiosk.keys("Space")
    kiosk.wait_for("Koden din:")
    kiosk.tab_to(lambda: kiosk.highlighted(NEXT), "the Next button")
    kiosk.keys("Enter")
    kiosk.wait_for(FULL_NAME)
    kiosk.type(NAME)
    kiosk.wait_until(kiosk.shows_in_input(FULL_NAME, NAME), "the name typed")
    for key in HARMLESS_KEYS:
        kiosk.keys(key)
        time.sleep(0.3)
        assert kiosk.alive(), key
        assert PIN_TITLE not in kiosk.screen(), key
        assert FULL_NAME in kiosk.screen(), key
    # Clicks on the top bar: the step, the section's title, the code.
    for column, row in [(1, 1), (3, 2), (10, 2), (20, 2), (40, 2), (60, 3)]:
        mouse_click(kiosk, column, row)
        time.sleep(0.3)
        assert kiosk.alive(), (column, row)
        assert FULL_NAME in kiosk.screen(), (column, row)
    # The language button on the top bar opens only the language picker, and choosing a
    # language goes back to the same question with the name still typed.
    top = kiosk.lines()[1]
    mouse_click(kiosk, top.index("Språk") + 2, 2)
    kiosk.wait_for("Choose your language")
    assert NAME not in kiosk.screen()
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys("Enter")
    kiosk.wait_for(FULL_NAME)
    # Every way out still asks for the PIN, and nothing else is shown meanwhile.
    for key in EXIT_KEYS:
        kiosk.keys(key)
        kiosk.wait_for(PIN_TITLE)
        assert NAME not in kiosk.screen().replace(PIN_TITLE, ""), key
        kiosk.keys("Escape")
        kiosk.wait_gone(PIN_TITLE)
    assert kiosk.alive()


def test_the_first_run_asks_again_until_the_pin_is_good(tmp_path: Path) -> None:
    """No PIN yet: the kiosk asks staff for one first. Two digits, and then two different
    PINs, are refused in their language and asked for again; the PIN typed the same twice is
    saved, the language picker opens, and that PIN ends the kiosk."""
    from sporreskjema import translator

    nb = translator("nb")
    new_pin = nb.gettext("New caseworker PIN (digits)")
    repeat = nb.gettext("Repeat the PIN")
    kiosk = Kiosk(tmp_path)
    kiosk.start()
    try:
        kiosk.wait_for(new_pin)
        kiosk.type("12")
        kiosk.keys("Enter")
        kiosk.wait_for(nb.gettext("A PIN has %(min)d to %(max)d digits.") % {"min": 4, "max": 12})
        kiosk.wait_until(lambda: kiosk.screen().count(new_pin) == 2, "the PIN asked for again")
        kiosk.type("1357")
        kiosk.keys("Enter")
        kiosk.wait_for(repeat)
        kiosk.type("7531")
        kiosk.keys("Enter")
        kiosk.wait_for(nb.gettext("The two PINs are not the same. Try again."))
        assert "do not match" not in kiosk.screen()
        kiosk.wait_until(lambda: kiosk.screen().count(new_pin) == 3, "the PIN asked for again")
        kiosk.type(PIN)
        kiosk.keys("Enter")
        kiosk.wait_until(lambda: kiosk.screen().count(repeat) == 2, "the PIN asked to repeat")
        kiosk.type(PIN)
        kiosk.keys("Enter")
        kiosk.wait_for(BOKMAL)
        kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
        assert (tmp_path / "config" / "kompass" / "kiosk.json").is_file()
        kiosk.keys("C-q")
        kiosk.wait_for(PIN_TITLE)
        kiosk.type(PIN)
        kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(PIN)), "the PIN typed")
        kiosk.keys("Enter")
        assert kiosk.wait_exit() == 0
    finally:
        kiosk.stop()
