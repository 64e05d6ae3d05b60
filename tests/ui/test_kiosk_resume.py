"""Coming back with the resume code, in the person's language: the resume screen speaks the
language chosen on the picker, F2 works there, and the registration continues in the language
it was begun in (or the one chosen on the resume screen)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from kompass_tui.i18n import current
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from kompass_tui.wizard.screens.language import LanguageScreen
from kompass_tui.wizard.screens.resume import ResumeScreen
from kompass_tui.wizard.screens.section import SectionScreen
from sporreskjema import Form, load_builtin, values
from sporreskjema.calendars import Calendar
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import (
    TODAY,
    checked,
    choose_calendar,
    make_app,
    next_step,
    open_resume,
    pick_language,
    press_button,
    tick,
    type_text,
)
from tests.support.slow_work import Held, responsive, ticking, until

SIZE = (100, 32)
LOCALES = ["nb", "uk", "ar", "ti"]
BIRTH_DATE = "03.04.1996"
#: What the resume screen says, each in the screen's language.
RESUME_TEXTS = [
    "Continue an unfinished registration",
    "Your code (8 letters and digits)",
    "Date of birth",
    "Back",
    "Continue",
    "Language",
]


def shown(screen: Screen[Any]) -> str:
    """Every text on the screen, placeholders too, as written (before right-to-left shaping)."""
    texts = [str(widget.render()) for widget in screen.query("Static, Label, Button")]
    texts += [str(box.placeholder) for box in screen.query(Input)]
    return "\n".join(texts)


def assert_speaks(screen: Screen[Any], locale: str) -> None:
    tr = translator(locale)
    text = shown(screen)
    for msgid in RESUME_TEXTS:
        assert tr.gettext(msgid) in text, (locale, msgid, text)
    # the date's hint, with a day of the calendar chosen
    assert isinstance(screen, ResumeScreen)
    assert values.calendar_hint(screen.calendar).render(tr) in text


async def begin(pilot: Pilot[None], locale: str) -> str:
    """Amina begins a registration in ``locale``, walks away, and the kiosk resets; her code."""
    app = pilot.app
    assert isinstance(app, KioskApp)
    await pick_language(pilot, locale)
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Amina Yusuf")
    await type_text(pilot, "birth_date", BIRTH_DATE)
    assert app.registration is not None
    code = app.registration.resume_code
    assert code
    app.reset()
    await pilot.pause()
    assert isinstance(app.screen, LanguageScreen)
    # the next person is not offered her language
    assert app.screen.highlighted_locale() == "nb"
    return code


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    await pilot.pause()
    await pilot.press(*text)


async def switch_language(pilot: Pilot[None], locale: str) -> None:
    """F2, and the language, as a person on the resume screen would."""
    await pilot.press("f2")
    await pilot.pause()
    await pick_language(pilot, locale)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ResumeScreen)


def assert_continues_in(app: KioskApp, locale: str) -> None:
    """The registration's pages are in ``locale``, right-aligned for Arabic, and the record
    remembers it."""
    assert isinstance(app.screen, SectionScreen), app.screen
    assert current().locale == locale
    assert app.screen.built_in == locale
    assert app.has_class("-rtl") == (locale == "ar")
    where = str(app.screen.query_one("#where").render())
    steps = translator(locale).gettext("Step %(step)d of %(steps)d")
    assert steps % {"step": 2, "steps": 8} in where
    assert app.registration is not None
    assert app.registration.locale == locale
    assert app.registration.record_id is not None
    assert records.get_record(app.registration.db, app.registration.record_id).locale == locale


async def test_the_code_is_checked_off_the_event_loop(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code is an Argon2id hash: while it is checked the kiosk says so in the person's
    language and goes on ticking, and a second Enter is not a second try."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        code = await begin(pilot, "uk")
        await open_resume(pilot, "uk")
        ticks = ticking(app)
        held = Held(monkeypatch, records, "resume")
        screen = app.screen
        await pilot.press(*code.lower(), "enter", *BIRTH_DATE, "enter")
        await until(pilot, lambda: held.started == 1)
        assert app.screen is screen
        error = str(screen.query_one("#resume-error").render())
        assert error == translator("uk").gettext("Checking…")
        await responsive(pilot, ticks, held)
        await pilot.press("enter")
        await press_button(pilot, "#continue")
        assert app.screen is screen
        held.go_on()
        await until(pilot, lambda: isinstance(app.screen, SectionScreen))
        await pilot.pause()
        assert_continues_in(app, "uk")
    assert held.started == 1


@pytest.mark.parametrize("locale", LOCALES)
async def test_resume_speaks_the_language_chosen_and_continues_in_it(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        code = await begin(pilot, locale)
        await open_resume(pilot, locale)
        assert isinstance(app.screen, ResumeScreen)
        assert_speaks(app.screen, locale)
        assert app.has_class("-rtl") == (locale == "ar")
        assert app.focused is app.screen.query_one("#code")
        await pilot.press(*code.lower(), "enter", *BIRTH_DATE, "enter")
        await checked(pilot)
        assert_continues_in(app, locale)
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Amina Yusuf"


@pytest.mark.parametrize("locale", LOCALES)
async def test_resumed_registration_continues_in_the_language_it_was_begun_in(
    sqlite_db: Database, locale: str
) -> None:
    """Read in English on the picker's way in, the registration itself is in Amina's language."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        code = await begin(pilot, locale)
        await open_resume(pilot, "en")
        assert isinstance(app.screen, ResumeScreen)
        assert_speaks(app.screen, "en")
        assert not app.has_class("-rtl")
        await type_into(pilot, "#code", code)
        await pilot.press("enter", *BIRTH_DATE, "enter")
        await checked(pilot)
        assert_continues_in(app, locale)


@pytest.mark.parametrize("locale", LOCALES)
async def test_f2_on_the_resume_screen_keeps_what_was_typed(
    sqlite_db: Database, locale: str
) -> None:
    """F2 there rebuilds the screen in the chosen language, with the code and the cursor where
    they were; the language chosen there is the one the registration goes on in."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        code = await begin(pilot, "en")
        await open_resume(pilot, "en")
        await type_into(pilot, "#code", code)
        await switch_language(pilot, locale)
        screen = app.screen
        assert isinstance(screen, ResumeScreen)
        assert_speaks(screen, locale)
        assert app.has_class("-rtl") == (locale == "ar")
        assert screen.query_one("#code", Input).value == code
        assert app.focused is screen.query_one("#code")
        if screen.calendar is not Calendar.gregorian:  # preselected for the language
            # her date of birth is Gregorian, in the calendar she began in: she chooses it
            await choose_calendar(pilot, screen, "gregorian")
            screen.query_one("#code", Input).focus()
        await pilot.press("enter", *BIRTH_DATE, "enter")
        await checked(pilot)
        assert_continues_in(app, locale)
        assert app.registration is not None
        assert app.registration.record_id is not None
        record = records.get_record(sqlite_db, app.registration.record_id)
        assert set(record.locales_used) == {"en", locale}


@pytest.mark.parametrize("locale", LOCALES)
async def test_wrong_code_or_date_is_told_in_the_language_and_the_code_can_be_typed_again(
    sqlite_db: Database, locale: str
) -> None:
    tr = translator(locale)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        code = await begin(pilot, locale)
        await open_resume(pilot, locale)
        screen = app.screen
        assert isinstance(screen, ResumeScreen)
        error = screen.query_one("#resume-error")
        # a date that is no date
        await pilot.press(*code, "enter", *"31.02.1996", "enter")
        await pilot.pause()
        _value, wrong_date = Form(load_builtin(), today=TODAY).check("birth_date", "31.02.1996")
        assert wrong_date is not None
        assert str(error.render()) == wrong_date.render(tr)
        assert app.focused is screen.query_one("#birth-date")
        # a code that is not hers
        screen.query_one("#code", Input).value = "AAAA-AAAA"
        await type_into(pilot, "#birth-date", "")
        screen.query_one("#birth-date", Input).value = ""
        await pilot.press(*BIRTH_DATE, "enter")
        await checked(pilot)
        assert isinstance(app.screen, ResumeScreen)
        assert str(error.render()) == records.ResumeFailed().message.render(tr)
        assert app.focused is screen.query_one("#code")
        assert screen.query_one("#code", Input).value == ""
        # the message follows a change of language
        await switch_language(pilot, "en")
        assert str(app.screen.query_one("#resume-error").render()) == (
            records.ResumeFailed().message.render(translator("en"))
        )
        # she types her own code at once
        await pilot.press(*code, "enter")
        app.screen.query_one("#birth-date", Input).value = ""
        await pilot.press(*BIRTH_DATE, "enter")
        await checked(pilot)
        assert isinstance(app.screen, SectionScreen)


@pytest.mark.parametrize("locale", LOCALES)
async def test_back_from_the_resume_screen_returns_to_the_picker_in_bokmal(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_resume(pilot, locale)
        assert isinstance(app.screen, ResumeScreen)
        await press_button(pilot, "#cancel")
        assert isinstance(app.screen, LanguageScreen)
        assert current().locale == "nb"
        assert not app.has_class("-rtl")
        # the picker's own language question has a way back too
        await press_button(pilot, "#resume")
        assert isinstance(app.screen, LanguageScreen)
        assert app.screen.switching
        await press_button(pilot, "#cancel")
        assert isinstance(app.screen, LanguageScreen)
        assert not app.screen.switching
