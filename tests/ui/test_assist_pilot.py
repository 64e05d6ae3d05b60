"""`kompass assist` through the real app: a caseworker logs in, notes the interpreter, and goes
through the survey with the person, the page in Norwegian beside the person's language.
The stored record must carry the mode, the caseworker, the interpreter and who gave each answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from sqlmodel import select
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Button, RadioSet

from kompass_tui.assist.app import AssistApp
from kompass_tui.assist.screens.dialogs import LockScreen, ProvenanceDialog
from kompass_tui.assist.screens.start import AssistStartScreen
from kompass_tui.exchange.records import without_derived
from kompass_tui.i18n import _
from kompass_tui.record_view import CHANNELS, interpreter_text
from kompass_tui.storage import accounts, audit, records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Caseworker, Mode, Record, Status
from kompass_tui.widgets.login import LoginScreen
from kompass_tui.widgets.visual import Checkbox, Input, OptionList, RadioButton
from kompass_tui.wizard.app import RECOVERIES
from kompass_tui.wizard.mirror import Mirror, MirrorText
from kompass_tui.wizard.registration import Registration
from kompass_tui.wizard.screens.language import LanguageScreen
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema.i18n import available_locales, translator
from tests.support.kiosk_pilot import (
    TODAY,
    add_entry,
    answered_without_schooling,
    choose,
    click,
    finish_entry,
    make_app,
    next_step,
    pick,
    pick_language,
    press_and_let_it_end,
    press_button,
    reach,
    register_without_schooling_from_person_id,
    steady,
    tick,
    type_text,
    wait_for_screen,
)
from tests.support.odk import round_trip
from tests.support.slow_work import Held, responsive, ticking, until

PASSWORD = "a long passphrase"
WIDE = (120, 40)
NARROW = (80, 24)


@pytest.fixture
def desk(sqlite_db: Database) -> Database:
    accounts.add_user(sqlite_db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    return sqlite_db


def kari(db: Database) -> Caseworker:
    return next(user for user in accounts.list_users(db) if user.username == "kari")


def make_desk(db: Database, *, lock_seconds: int = 0) -> AssistApp:
    return AssistApp(db, lock_seconds=lock_seconds, today=TODAY)


async def log_in(pilot: Pilot[None]) -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, LoginScreen)
    await pilot.press(*"kari", "enter", *PASSWORD, "enter")
    # the password is checked off the event loop: wait for it, not for a fixed time
    await wait_for_screen(pilot, AssistStartScreen)


async def set_up_session(
    pilot: Pilot[None],
    locale: str,
    *,
    interpreter: str | None = None,
    registry: str = "",
    channel: str = "on_site",
) -> None:
    """On the start screen: the person's language and the interpreter, as a caseworker does."""
    screen = pilot.app.screen
    options = screen.query_one("#person-language", OptionList)
    options.focus()
    await pilot.press("home", *["down"] * available_locales().index(locale), "enter")
    await pilot.pause()
    if interpreter is None:
        return
    await click(pilot, screen.query_one("#interpreter", Checkbox))
    search = screen.query_one("#q-interpreter_language .picker-search", Input)
    search.focus()
    await pilot.press(*interpreter, "enter")
    await pilot.pause()
    box = screen.query_one("#registry", Input)
    box.focus()
    await pilot.press(*registry)
    await click(pilot, next(b for b in screen.query(RadioButton) if b.name == channel))


def mirror_text(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(MirrorText).render())


def stored(db: Database) -> Record:
    with db.session() as session:
        (record,) = session.exec(select(Record)).all()
    return record


def provenance(db: Database, record: Record) -> dict[str, str]:
    assert record.id is not None
    return {row.path: row.provenance for row in records.answer_rows(db, record.id)}


@pytest.mark.parametrize(
    ("locale", "interpreter", "registry", "channel", "companion_word"),
    [
        ("uk", "uk", "12 345", "phone", "Fødselsdato"),
        # A Dari speaker with a Dari interpreter by video: right to left on the person's side.
        ("fa_AF", "prs", "", "video", "Fødselsdato"),
    ],
)
async def test_an_assisted_registration_with_an_interpreter(
    desk: Database,
    tmp_path: Path,
    locale: str,
    interpreter: str,
    registry: str,
    channel: str,
    companion_word: str,
) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(
            pilot, locale, interpreter=interpreter, registry=registry, channel=channel
        )
        await press_button(pilot, "#new")
        assert isinstance(app.screen, SectionScreen)
        assert app.screen.query_one(Mirror)  # the Norwegian side is there from the first page
        # The page in the person's language, the same question in Norwegian beside it; a wrong
        # answer is explained on both sides.
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Olena Kovalenko")
        await type_text(pilot, "birth_date", "31.02.1990")
        assert companion_word in mirror_text(pilot)
        assert "Denne datoen finnes ikke" in mirror_text(pilot)
        await type_text(pilot, "birth_date", "03.04.1990")
        assert "Denne datoen finnes ikke" not in mirror_text(pilot)
        assert "3. april 1990" in mirror_text(pilot)
        assert "Med tolk" in mirror_text(pilot)  # who gave it, set by the session
        # The person typed this one alone: F6 on its page says so.
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceDialog)
        await pilot.press("home", "enter")
        await pilot.pause()
        assert "Personen alene" in mirror_text(pilot)
        await next_step(pilot)
        await register_without_schooling_from_person_id(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Om deg" in mirror_text(pilot)  # the summary in Norwegian too
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen)
        await press_button(pilot, "#finish")
        assert isinstance(app.screen, AssistStartScreen)  # ready for the next person
        assert app.registration is None
    record = stored(desk)
    worker = kari(desk)
    assert worker is not None
    assert record.status == Status.submitted
    assert record.mode == Mode.assisted
    assert record.locale == locale
    assert record.caseworker_id == worker.id
    assert record.interpreter_used is True
    assert record.interpreter_language == interpreter
    assert record.interpreter_registry_number == (registry.replace(" ", "") or None)
    assert record.interpreter_channel == channel
    given = provenance(desk, record)
    assert given["birth_date"] == "self"
    assert {path: who for path, who in given.items() if path != "birth_date"} == dict.fromkeys(
        set(given) - {"birth_date"}, "interpreter"
    )
    shown = interpreter_text(record, translator("en"))
    assert shown == {"uk": "Ukrainian, By phone, Nasjonalt tolkeregister no. 12345",
                     "fa_AF": "Dari, By video"}[locale]  # fmt: skip
    changed = audit.events(desk, record_id=record.id, action=audit.Action.provenance_changed)
    assert [(e.actor_id, e.detail["paths"], e.detail["provenance"]) for e in changed] == [
        (worker.id, ["birth_date"], "self")
    ]
    # The same registration collected on a tablet (the instance ODK Collect would send for
    # the same answers, imported with --from-odk) has the same answers; who helped (the
    # interpreter, the caseworker) is the desk's to record, not the form's.
    assert record.id is not None
    answers = records.load_answers(desk, record.id)
    collected = round_trip(tmp_path, answers, locale)
    assert without_derived(collected["answers"]) == answers


async def test_a_registration_begun_at_the_kiosk_is_finished_at_the_desk(desk: Database) -> None:
    # At the kiosk, in Tigrinya, Dawit gave his name and date of birth, then needed help.
    kiosk = make_app(desk)
    async with kiosk.run_test(size=WIDE) as pilot:
        await pick_language(pilot, "ti")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Dawit Haile")
        await type_text(pilot, "birth_date", "01.01.2000")
        assert kiosk.registration is not None
        code = kiosk.registration.resume_code
        assert code is not None
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        # Without an interpreter; a wrong code first.
        key = app.screen.query_one("#key", Input)
        key.focus()
        await pilot.press(*"AAAA-AAAA", "enter")
        assert "Ingen uferdig registrering" in str(app.screen.query_one("#assist-error").render())
        key.value = ""
        await pilot.press(*code.lower(), "enter")
        await pilot.pause()
        assert isinstance(app.screen, SectionScreen), app.screen
        # In his language, at the first question still missing, with what he gave at the kiosk.
        assert app.registration is not None
        assert app.registration.locale == "ti"
        assert app.screen.query("#q-person_id")
        assert app.registration.form.get("full_name") == "Dawit Haile"
        await register_without_schooling_from_person_id(pilot)
        assert isinstance(app.screen, SummaryScreen)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen)
    record = stored(desk)
    assert record.status == Status.submitted
    assert record.mode == Mode.assisted
    assert record.interpreter_used is False
    given = provenance(desk, record)
    assert {given[p] for p in ("acknowledged", "full_name", "birth_date")} == {"self"}
    assert given["person_id"] == given["long_term_goal"] == "self_with_help"
    opened = audit.events(desk, record_id=record.id, action=audit.Action.record_resumed)
    assert [event.actor_id for event in opened] == [kari(desk).id]


async def test_a_kiosk_registration_is_found_by_the_person_s_identifier(desk: Database) -> None:
    kiosk = Registration(desk, locale="so", today=TODAY)
    assert kiosk.answer("person_id", "2024 5555 1111") is None
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, "so", interpreter="so", channel="video")
        app.screen.query_one("#key", Input).focus()
        await pilot.press(*"202455551111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SectionScreen), app.screen
    record = stored(desk)
    assert (record.mode, record.interpreter_language, record.interpreter_channel) == (
        Mode.assisted,
        "so",
        "video",
    )


async def test_the_desk_finds_a_kiosk_registration_off_the_event_loop(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking a registration up (a resume code is an Argon2id hash) leaves the desk
    responsive; it says it is checking, and neither a second Enter nor a new registration
    starts meanwhile."""
    kiosk = Registration(desk, locale="so", today=TODAY)
    assert kiosk.answer("person_id", "2024 5555 1111") is None
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, "uk")
        ticks = ticking(app)
        held = Held(monkeypatch, records, "continue_assisted")
        start = app.screen
        start.query_one("#key", Input).focus()
        await pilot.press(*"202455551111", "enter")
        await until(pilot, lambda: held.started == 1)
        assert app.screen is start
        assert str(start.query_one("#assist-error").render()) == _("Checking…")
        await responsive(pilot, ticks, held)
        await pilot.press("enter")
        await press_button(pilot, "#new")
        assert app.screen is start
        held.go_on()
        await wait_for_screen(pilot, SectionScreen)
        assert app.registration is not None
        assert app.registration.record_id == kiosk.record_id
    assert held.started == 1
    assert stored(desk).mode == Mode.assisted


async def test_the_start_screen_says_what_is_missing(desk: Database) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await press_button(pilot, "#new")
        error = app.screen.query_one("#assist-error")
        assert "Velg personens språk" in str(error.render())
        await set_up_session(pilot, "uk")
        await click(pilot, app.screen.query_one("#interpreter", Checkbox))
        await press_button(pilot, "#new")
        assert "tolkens språk" in str(error.render())
        search = app.screen.query_one("#q-interpreter_language .picker-search", Input)
        search.focus()
        await pilot.press(*"uk", "enter")
        box = app.screen.query_one("#registry", Input)
        box.focus()
        await pilot.press(*"T-123")
        await press_button(pilot, "#new")
        assert "Nasjonalt tolkeregister" in str(error.render())
        assert isinstance(app.screen, AssistStartScreen)
    with desk.session() as session:
        assert session.exec(select(Record)).all() == []


async def test_the_same_person_is_not_registered_twice(desk: Database) -> None:
    first = Registration(desk, locale="nb", today=TODAY)
    assert first.answer("person_id", "2024 1234 5678") is None
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, "nb")
        await press_button(pilot, "#new")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "person_id", "202412345678")
        # The caseworker is told which record it is, on both sides.
        assert str(first.record_id) in mirror_text(pilot)


async def test_the_screen_locks_until_the_password(desk: Database) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await lock_on_a_page(pilot)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Ahmad" not in shown
        lock = app.screen
        await pilot.press(*"wrong password", "enter")
        checking = app.desk_language.gettext("Checking…")
        await until(
            pilot, lambda: str(lock.query_one("#lock-error").render()) not in ("", checking)
        )
        assert app.screen is lock
        await pilot.press(*PASSWORD, "enter")
        await wait_for_screen(pilot, SectionScreen)
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Ahmad Karimi"
    failed = audit.events(desk, action=audit.Action.login_failed)
    assert failed


async def lock_on_a_page(pilot: Pilot[None]) -> AssistApp:
    """Log in, begin a registration with a name typed, and wait for the lock."""
    app = pilot.app
    assert isinstance(app, AssistApp)
    await log_in(pilot)
    await set_up_session(pilot, "en")
    await press_button(pilot, "#new")
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Ahmad Karimi")
    app.lock_seconds = 1
    await wait_for_screen(pilot, LockScreen)
    return app


async def test_the_lock_checks_the_password_off_the_event_loop(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the password is checked (Argon2id) the lock says so and the desk goes on ticking;
    a second Enter does not try it again."""
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await lock_on_a_page(pilot)
        lock = app.screen
        ticks = ticking(app)
        held = Held(monkeypatch, accounts, "authenticate")
        await pilot.press(*PASSWORD, "enter")
        await until(pilot, lambda: held.started == 1)
        assert app.screen is lock
        checking = app.desk_language.gettext("Checking…")
        assert str(lock.query_one("#lock-error").render()) == checking
        await responsive(pilot, ticks, held)
        await pilot.press("enter")
        held.go_on()
        await wait_for_screen(pilot, SectionScreen)
    assert held.started == 1


#: Every key that ends, suspends or opens a way out of a Textual app, and the language keys.
WAYS_OUT = ["ctrl+q", "ctrl+c", "ctrl+z", "ctrl+p", "ctrl+backslash", "f2", "f4", "f6", "escape"]


async def test_no_key_leaves_the_locked_desk(desk: Database) -> None:
    """Each way out pressed at the lock, one after another: the desk stays locked."""
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await lock_on_a_page(pilot)
        app.lock_seconds = 0
        for key in WAYS_OUT:
            await pilot.press(key)
            await pilot.pause(0.3)
            assert app.is_running, key
            assert isinstance(app.screen, LockScreen), key
            assert app.locked, key
            assert "Ahmad" not in texts(pilot), key
        # the password, and the caseworker is back at the page; then Ctrl+Q ends the desk
        await pilot.press(*PASSWORD, "enter")
        await wait_for_screen(pilot, SectionScreen)  # the password is checked off the loop
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Ahmad Karimi"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
        assert app.left


async def test_an_error_while_locked_ends_at_the_lock(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error while the desk is locked (here: in checking the password) is
    logged, and the desk stays locked: no traceback, no shell, no page."""
    from kompass_tui.widgets.crash import crash_log_path

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug while checking the password")

    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await lock_on_a_page(pilot)
        app.lock_seconds = 0
        with monkeypatch.context() as bug:
            bug.setattr(accounts, "authenticate", broken)
            await pilot.press(*PASSWORD, "enter")
            await pilot.pause(0.3)
            assert app.is_running
            assert [type(error) for error in app.recovered] == [RuntimeError]
            assert isinstance(app.screen, LockScreen)
            assert "Ahmad" not in texts(pilot)
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running
        # the registration is gone from the screens (its answers are saved), the desk is
        # the caseworker's again with the password, and they are told what happened
        await pilot.press(*PASSWORD, "enter")
        await wait_for_screen(pilot, AssistStartScreen)  # the password is checked off the loop
        assert app.registration is None
        assert any(str(crash_log_path()) in str(n.message) for n in app._notifications)
    with desk.session() as session:
        (record,) = session.exec(select(Record)).all()
    assert record.full_name == "Ahmad Karimi"
    log = crash_log_path().read_text("utf-8")
    assert "builtins.RuntimeError" in log
    assert PASSWORD not in log


@pytest.mark.slow
async def test_errors_one_after_another_end_the_desk_to_be_started_locked(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When recovering in place fails too, the app ends without the caseworker having left
    it, and ``run_assist`` starts a new desk, locked for the same caseworker (the real
    program in tmux: tests/e2e/test_assist_terminal.py)."""

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug while checking the password")

    app = make_desk(desk)

    async def run() -> None:
        async with app.run_test(size=WIDE) as pilot:
            await lock_on_a_page(pilot)
            app.lock_seconds = 0
            monkeypatch.setattr(accounts, "authenticate", broken)
            for _ in range(RECOVERIES):
                assert isinstance(app.screen, LockScreen)
                await pilot.press(*PASSWORD, "enter")
                await pilot.pause(0.2)
            assert isinstance(app.screen, LockScreen)
            await pilot.press(*PASSWORD)
            await press_and_let_it_end(pilot, "enter")

    with pytest.raises(RuntimeError):
        await run()
    monkeypatch.undo()
    assert len(app.recovered) == RECOVERIES + 1
    assert not app.left
    assert app.logged_in
    again = AssistApp(desk, lock_seconds=0, today=TODAY, locked_for=app.caseworker)
    async with again.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, LockScreen)
        assert "Kari Nordmann" in texts(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert again.is_running
        await pilot.press(*PASSWORD, "enter")
        # the password is checked off the event loop: wait for it, not for a fixed time
        await wait_for_screen(pilot, AssistStartScreen)
        assert again._notifications  # the caseworker is told what happened


async def test_an_error_at_the_unlocked_desk_goes_back_to_the_start(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kompass_tui.wizard.registration import Registration

    def broken(self: Registration, path: str, raw: object) -> object:
        raise RuntimeError("a bug while saving")

    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, "en")
        await press_button(pilot, "#new")
        monkeypatch.setattr(Registration, "answer", broken)
        await tick(pilot, "acknowledged")
        await pilot.pause(0.3)
        assert app.is_running
        assert isinstance(app.screen, AssistStartScreen)
        assert not app.locked
        assert app._notifications


async def test_either_language_switches_at_any_time(desk: Database) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, "uk")
        await press_button(pilot, "#new")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Olena Kovalenko")
        # The caseworker's side in English …
        await pilot.press("f4")
        await pilot.pause()
        await pick_language(pilot, "en")
        assert "Full name" in mirror_text(pilot)
        assert "Olena Kovalenko" in mirror_text(pilot)
        # … and the person's side in Russian; nothing typed is lost.
        await pilot.press("f2")
        await pilot.pause()
        await pick_language(pilot, "ru")
        assert isinstance(app.screen, SectionScreen)
        assert app.registration is not None
        assert app.registration.locale == "ru"
        assert "Full name" in mirror_text(pilot)
        assert app.registration.form.get("full_name") == "Olena Kovalenko"
    assert stored(desk).locales_used == ["uk", "ru"]


# ---------------------------------------------------------------- both languages where it counts


#: The interpreter's language (its code in the language picker) for the person's locale.
INTERPRETED = {"fa_AF": "prs", "ti": "ti"}


def labels(pilot: Pilot[None], selector: str) -> list[str]:
    return [str(button.label) for button in pilot.app.screen.query(selector).results(Button)]


def texts(pilot: Pilot[None]) -> str:
    return "\n".join(str(w.render()) for w in pilot.app.screen.query("Static, Label"))


async def answer_up_to_other_languages(pilot: Pilot[None], country: str, language: str) -> None:
    """From the first page to "Other languages", as a person with one more language would."""
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Zahra Ahmadi")
    await type_text(pilot, "birth_date", "01.01.1995")
    await type_text(pilot, "person_id", "2024 1234 5678")
    await type_text(pilot, "permit_date", "10.11.2026")
    await pick(pilot, "citizenship", country)
    await type_text(pilot, "residence", "Mottak Nord")
    await next_step(pilot)
    await pick(pilot, "mother_tongues", language)
    await choose(pilot, "mother_tongue_literacy", "a_little")
    await choose(pilot, "latin_literacy", "no")
    await choose(pilot, "has_other_languages", "yes")
    await reach(pilot, "other_languages")


async def add_pashto(pilot: Pilot[None]) -> None:
    await add_entry(pilot, "other_languages")
    await pick(pilot, "other_languages[0].language", "ps")
    for skill in ("understanding", "speaking", "reading", "writing"):
        await choose(pilot, f"other_languages[0].{skill}", "a_little")
    await finish_entry(pilot)


@pytest.mark.parametrize(("locale", "country"), [("fa_AF", "AF"), ("ti", "ER"), ("nb", "AF")])
async def test_the_caseworker_can_tell_the_buttons_and_entries_apart(
    desk: Database, locale: str, country: str
) -> None:
    """Next, Back, + Add, Change and Remove say what they are in Norwegian too, and the
    Norwegian side lists the entries saved so far (once only when the person speaks it)."""
    person = translator(locale)
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, locale, interpreter=INTERPRETED.get(locale))
        await press_button(pilot, "#new")
        (next_label,) = labels(pilot, "#next")
        assert "Neste" in next_label
        assert person.gettext("Next") in next_label
        await answer_up_to_other_languages(pilot, country, "prs")
        (back_label,) = labels(pilot, "#back")
        assert "Tilbake" in back_label
        assert person.gettext("Back") in back_label
        assert labels(pilot, ".entry-add") == [
            "+ Legg til" if locale == "nb" else f"{person.gettext('+ Add')} · + Legg til"
        ]
        assert "Andre språk *" in mirror_text(pilot)
        assert "Ingenting er lagt til ennå." in mirror_text(pilot)
        await add_pashto(pilot)
        # Back on the list: the entry by its title on both sides, its buttons in both languages.
        assert isinstance(app.screen, SectionScreen)
        assert "1. pashto" in mirror_text(pilot)
        assert "Ingenting er lagt til ennå." not in mirror_text(pilot)
        (change,) = labels(pilot, ".entry-edit")
        (remove,) = labels(pilot, ".entry-remove")
        assert "Endre" in change
        assert "Fjern" in remove
        if locale == "nb":  # the caseworker's language is the person's: each word once
            assert (change, remove) == ("Endre", "Fjern")
            assert "·" not in next_label + back_label


@pytest.mark.parametrize("locale", ["fa_AF", "ti"])
async def test_the_summary_says_in_norwegian_what_is_ticked_and_why_it_was_not_sent(
    desk: Database, locale: str
) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, locale, interpreter=INTERPRETED.get(locale))
        await press_button(pilot, "#new")
        await answered_without_schooling(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        box = "Svarene mine er riktige, og jeg vil sende dem *"
        assert f"☐ {box}" in mirror_text(pilot)
        # Send before the box is ticked: why not, on both sides.
        await press_button(pilot, "#next")
        assert isinstance(app.screen, SummaryScreen)
        assert screen.send_error is not None
        assert screen.send_error.render(translator(locale)) in texts(pilot)
        assert screen.send_error.render(translator("nb")) in mirror_text(pilot)
        assert "Ikke sendt ennå" in mirror_text(pilot)
        await tick(pilot, "confirmed")
        assert f"☑ {box}" in mirror_text(pilot)
        assert f"☐ {box}" not in mirror_text(pilot)


@pytest.mark.parametrize("locale", ["fa_AF", "ti"])
async def test_the_two_sides_scroll_together(desk: Database, locale: str) -> None:
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, locale, interpreter=INTERPRETED.get(locale))
        await press_button(pilot, "#new")
        await answered_without_schooling(pilot)
        assert isinstance(app.screen, SummaryScreen)
        body = app.screen.query_one("#body", VerticalScroll)
        mirror = app.screen.query_one(Mirror)
        assert body.max_scroll_y > 0  # the summary is long on both sides
        assert mirror.max_scroll_y > 0
        body.scroll_home(animate=False)
        await pilot.pause()
        assert mirror.scroll_y == 0
        # The person scrolls down to the box to tick: the Norwegian side shows its end too.
        body.scroll_end(animate=False)
        await pilot.pause()
        assert mirror.scroll_y == mirror.max_scroll_y
        body.scroll_to(y=body.max_scroll_y // 2, animate=False)
        await pilot.pause()
        assert abs(mirror.scroll_y / mirror.max_scroll_y - 0.5) < 0.1


@pytest.mark.parametrize("locale", ["fa_AF", "ti"])
async def test_the_receipt_the_language_picker_and_the_lock_speak_norwegian_too(
    desk: Database, locale: str
) -> None:
    person = translator(locale)
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, locale, interpreter=INTERPRETED.get(locale))
        await press_button(pilot, "#new")
        app.lock_seconds = 1
        # The lock: for the caseworker, and the person sees what it is.
        await wait_for_screen(pilot, LockScreen)
        assert "Låst" in texts(pilot)
        assert person.gettext("Locked") in texts(pilot)
        assert "skriv passordet ditt" in texts(pilot)
        await pilot.press(*PASSWORD, "enter")
        await pilot.pause()
        app.lock_seconds = 0
        # F4: the caseworker's own choice, asked in the caseworker's language.
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, LanguageScreen)
        prompt = str(app.screen.query_one("#language-prompt").render())
        assert prompt == "Velg språk"
        assert labels(pilot, "#cancel") == ["Tilbake"]
        await press_button(pilot, "#cancel")
        assert isinstance(app.screen, SectionScreen)
        await answered_without_schooling(pilot)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen)
        shown = texts(pilot)
        assert person.gettext("Thank you!") in shown
        assert "Takk!" in shown
        assert "Svarene dine er sendt" in shown
        assert labels(pilot, "#finish") == [f"{person.gettext('Finish')} · Avslutt"]


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
async def test_the_kiosk_shows_the_person_s_language_alone(desk: Database, locale: str) -> None:
    """Without a caseworker beside the person, the buttons are as they were: one language."""
    person = translator(locale)
    rtl = locale == "ar"
    kiosk = make_app(desk)
    async with kiosk.run_test(size=WIDE) as pilot:
        await pick_language(pilot, locale)
        assert labels(pilot, "#next") == [person.gettext("Next") + (" ←" if rtl else " →")]
        await answer_up_to_other_languages(pilot, "ER", "ti")
        assert labels(pilot, "#back") == [("→ " if rtl else "← ") + person.gettext("Back")]
        assert labels(pilot, ".entry-add") == [person.gettext("+ Add")]
        await add_pashto(pilot)
        assert labels(pilot, ".entry-edit") == [person.gettext("Change")]
        assert labels(pilot, ".entry-remove") == [person.gettext("Remove")]
        assert not kiosk.screen.query(Mirror)


# ---------------------------------------------------------------- pictures


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("locale", ["uk", "ar"])
def test_a_question_in_two_languages(
    snap_compare: Callable[..., bool], desk: Database, locale: str, size: tuple[int, int]
) -> None:
    """Side by side at 120×40, the Norwegian under the person's language at 80×24; for Arabic
    the person's side is on the right and the Norwegian side stays left to right."""
    app = make_desk(desk)

    async def open_question(pilot: Pilot[Any]) -> None:
        await pilot.press(*"kari", "enter", *PASSWORD, "enter")
        # The password is checked off the event loop: the login must be done before the
        # registration begins, or its result lands over the page.
        await wait_for_screen(pilot, AssistStartScreen)
        worker = kari(desk)
        assert worker.id is not None
        app.begin(locale, records.Assistance(caseworker_id=worker.id, interpreter_used=True))
        await pilot.pause()
        app.go_to(4)  # Work: "Have you worked?" with its choices
        await pilot.pause()
        steady(pilot)
        app.screen.query_one(RadioSet).focus()

    assert snap_compare(app, terminal_size=size, run_before=open_question)


# ---------------------------------------------------------------- the command


def test_the_command_refuses_an_unknown_language_in_one_line(desk: Database) -> None:
    from typer.testing import CliRunner

    from kompass_tui.cli import app as cli

    result = CliRunner().invoke(
        cli, ["assist", "--db", desk.url, "--language", "xx"], env={"KOMPASS_LOCALE": "en"}
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: There is no language xx. Choose one of: " + ", ".join(available_locales()) + "."
    ]
    listed = CliRunner().invoke(cli, ["--help"], env={"KOMPASS_LOCALE": "en", "COLUMNS": "120"})
    assert "assist" in listed.output


def test_every_interpreter_channel_has_a_label() -> None:
    assert list(CHANNELS) == list(records.INTERPRETER_CHANNELS)
    with pytest.raises(ValueError, match="channel"):
        records.Assistance(caseworker_id=1, interpreter_used=True, channel="telepathy")


@pytest.mark.parametrize(
    ("locale", "typed", "gregorian"),
    [("fa_AF", "1369-10-30", (1991, 1, 20)), ("ti", "1982-05-12", (1990, 1, 20))],
)
async def test_the_norwegian_side_shows_the_gregorian_date_and_the_date_typed(
    desk: Database, locale: str, typed: str, gregorian: tuple[int, int, int]
) -> None:
    """A date typed in the calendar of the person's papers (preselected for the language): the
    caseworker reads the Gregorian date in Norwegian, and what the person typed beside it."""
    app = make_desk(desk)
    async with app.run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await set_up_session(pilot, locale, interpreter=INTERPRETED.get(locale))
        await press_button(pilot, "#new")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Test Person")
        await type_text(pilot, "birth_date", typed, calendar=None)
        shown = mirror_text(pilot)
        assert format_date(dt.date(*gregorian), format="long", locale="nb") in shown
        assert typed in shown
        assert app.registration is not None
        assert app.registration.form.get("birth_date") == dt.date(*gregorian)
