"""The real ``kompass kiosk`` in tmux never ends at a shell without the PIN: not on an idle reset
in any script, not on an unexpected error in a screen or in the app itself."""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from kompass_tui.kiosk.screens.guard import ApologyScreen
from kompass_tui.storage import records
from kompass_tui.storage.database import open_database
from kompass_tui.storage.models import Record
from sporreskjema.i18n import available_locales, translator
from tests.support.terminal import BIRTH_DATE, BOKMAL, NAME, PIN, Kiosk, with_pin

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

#: A resume code as the top bar shows it.
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
#: The Back button of the language list that the resume button opens.
BACK = translator("nb").gettext("Back")

FAULTY = [
    sys.executable,
    str(Path(__file__).resolve().parents[1] / "support" / "faulty_kompass.py"),
]


def crash_logs(kiosk: Kiosk) -> list[Path]:
    return list(Path(kiosk.env["HOME"]).rglob("crash.log"))


def choose(kiosk: Kiosk, locale: str) -> None:
    """Pick ``locale`` on the picker with the arrow keys, as a person would."""
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys(*["Down"] * available_locales().index(locale), "Enter")


def dismiss(kiosk: Kiosk, apology: str) -> None:
    """Press Enter until the apology goes, as a person would (keys that come in its first
    second are taken as meant for the page before it)."""
    for _ in range(10):
        kiosk.keys("Enter")
        time.sleep(0.5)
        if apology not in kiosk.screen():
            return
    pytest.fail(f"the apology stayed:\n{kiosk.screen()}")


@pytest.fixture
def kiosks(tmp_path: Path) -> Iterator[list[Kiosk]]:
    made: list[Kiosk] = []
    yield made
    for kiosk in made:
        kiosk.stop()


@pytest.mark.slow
def test_an_idle_reset_and_a_resume_in_four_scripts(tmp_path: Path, kiosks: list[Kiosk]) -> None:
    """English, Ukrainian, Arabic and Tigrinya side by side (the warning alone takes 30 s): a
    person begins, walks away, the kiosk is back at the picker (it once fell to the shell
    outside bokmål), and the person comes back with the code and goes on in their language."""
    locales = ["en", "uk", "ar", "ti"]
    codes = {}
    for locale in locales:  # one after the other: each kiosk warns 5 s after its last key
        kiosk = with_pin(tmp_path / locale)
        kiosks.append(kiosk)
        kiosk.start(idle_timeout=5)
        choose(kiosk, locale)
        kiosk.wait_gone(BOKMAL)
        kiosk.keys("Space")  # the cursor is in the box to tick
        kiosk.wait_until(lambda k=kiosk: CODE.search(k.screen()) is not None, "the code")  # type: ignore[misc]
        kiosk.keys("Enter")
        on_page(kiosk, 1)
        kiosk.type(NAME)
        kiosk.keys("Enter")
        on_page(kiosk, 2)
        kiosk.type(BIRTH_DATE)
        kiosk.keys("Enter")
        on_page(kiosk, 3)
        found = CODE.search(kiosk.screen())
        assert found is not None
        codes[locale] = found.group().replace("-", "")
    for kiosk in kiosks:
        kiosk.wait_for(BOKMAL, timeout=90)  # warned, cleared, and back at the picker
        kiosk.wait_until(lambda k=kiosk: k.highlighted(BOKMAL), "the picker ready")  # type: ignore[misc]
        assert kiosk.alive()
        assert NAME not in kiosk.screen()
        assert crash_logs(kiosk) == []
    for kiosk, locale in zip(kiosks, locales, strict=True):
        kiosk.keys("Tab")  # from the list to the resume button under it
        time.sleep(0.5)
        kiosk.keys("Enter")  # it asks the language first
        kiosk.wait_for(BACK)
        kiosk.wait_until(lambda k=kiosk: k.highlighted(BOKMAL), "the language list")  # type: ignore[misc]
        kiosk.keys(*["Down"] * available_locales().index(locale), "Enter")
        kiosk.wait_gone(BOKMAL)
        kiosk.type(codes[locale])
        kiosk.keys("Enter")
        time.sleep(1)  # a person looks up from the keys: typed in the same instant as Enter,
        # the date would still go to the code (keys already sent to a field stay there)
        kiosk.type(BIRTH_DATE)
        kiosk.keys("Enter")
        on_page(kiosk, 3)  # About you, at the identifier: the first thing missing
        screen = kiosk.screen()
        if locale != "ar":  # right-to-left text is on the screen in visual order
            step = translator(locale).gettext("Step %(step)d of %(steps)d")
            assert step % {"step": 2, "steps": 8} in screen
    for kiosk in kiosks:
        assert kiosk.alive()
        database = open_database(kiosk.db_url)
        try:
            with database.session() as session:
                (record,) = session.exec(select(Record)).all()
            assert records.load_answers(database, record.id)["full_name"] == NAME
        finally:
            database.dispose()


def test_an_error_in_a_screen_apologises_in_tigrinya_and_the_kiosk_goes_on(
    tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    kiosk = with_pin(tmp_path)
    kiosks.append(kiosk)
    kiosk.start(program=[*FAULTY, "screen"])
    choose(kiosk, "ti")
    ti = translator("ti")
    kiosk.wait_for(ti.gettext(ApologyScreen.SORRY))
    assert ti.gettext(ApologyScreen.WITHOUT_CODE)[:20] in kiosk.screen()
    dismiss(kiosk, ti.gettext(ApologyScreen.SORRY))
    assert kiosk.alive()
    (log,) = crash_logs(kiosk)
    assert "builtins.RuntimeError" in log.read_text(encoding="utf-8")
    # the kiosk works on: the next person begins
    choose(kiosk, "uk")
    kiosk.wait_for(translator("uk").gettext("Step %(step)d of %(steps)d") % {"step": 1, "steps": 8})


def test_an_error_in_the_app_itself_starts_a_new_kiosk_with_the_apology(
    tmp_path: Path, kiosks: list[Kiosk]
) -> None:
    kiosk = with_pin(tmp_path)
    kiosks.append(kiosk)
    kiosk.start(program=[*FAULTY, "app"])
    choose(kiosk, "uk")
    uk = translator("uk")
    kiosk.wait_for(uk.gettext("Step %(step)d of %(steps)d") % {"step": 1, "steps": 8})
    kiosk.keys("F2")  # the fault: the app's own message loop ends
    kiosk.wait_for(uk.gettext(ApologyScreen.SORRY))
    assert kiosk.alive()
    dismiss(kiosk, uk.gettext(ApologyScreen.SORRY))
    # and still only the PIN ends it
    kiosk.keys("C-c")
    kiosk.wait_for(translator("nb").gettext("Caseworker PIN"))
    kiosk.type(PIN)
    kiosk.keys("Enter")
    assert kiosk.wait_exit() == 0


def on_page(kiosk: Kiosk, number: int) -> None:
    """Wait until the section's page ``number`` is shown ("3/8": its third page of eight)."""
    shown = re.compile(rf"\b{number}/\d+\b")
    kiosk.wait_until(lambda: shown.search(kiosk.screen()) is not None, f"page {number}")
