"""Dates in the calendar of the person's papers, typed at the kiosk: the calendar is
preselected for the language and chosen once per registration, the Gregorian date is shown
while the date is typed, and the stored answer is Gregorian with the date as written beside
it. The expected Gregorian days come from convertdate itself, not from this program.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from babel.dates import format_date
from convertdate import coptic, persian
from textual.pilot import Pilot
from textual.widgets import Input

from kompass_tui.storage.database import Database
from kompass_tui.widgets.questions import CalendarChoice, CalendarField
from kompass_tui.wizard.registration import Registration
from kompass_tui.wizard.screens.resume import ResumeScreen
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema import calendars, translator
from sporreskjema.calendars import Calendar, Typed
from tests.support.kiosk_pilot import (
    SIZE,
    TODAY,
    checked,
    choose_calendar,
    make_app,
    next_step,
    open_resume,
    pick_language,
    reach,
    register_without_schooling_from_person_id,
    show,
    steady,
    stored,
    tick,
    type_text,
)

#: 1369-10-30 in the solar Hijri calendar (Dey 30), as convertdate reckons it.
HIJRI_DAY = dt.date(*persian.to_gregorian(1369, 10, 30))
#: 1982-05-12 in the Ethiopian calendar (Tir 12): the Coptic year 1982 - 276.
ETHIOPIAN_DAY = dt.date(*coptic.to_gregorian(1982 - 276, 5, 12))


def shown_text(pilot: Pilot[None]) -> str:
    return " ".join(str(w.render()) for w in pilot.app.screen.query("Static, Label"))


def note_of(field: CalendarField) -> str:
    return str(field.query_one(".calendar-note").render())


async def to_birth_date(pilot: Pilot[None], locale: str) -> CalendarField:
    await pick_language(pilot, locale)
    assert isinstance(pilot.app.screen, SectionScreen)
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Test Person")
    field = await reach(pilot, "birth_date")
    assert isinstance(field, CalendarField)
    return field


async def type_keys(pilot: Pilot[None], field: CalendarField, text: str) -> None:
    """Type into the field's line, key by key, without leaving it."""
    box = field.query_one(Input)
    await show(pilot, box)
    box.focus()
    box.value = ""
    await pilot.press(*text)
    await pilot.pause()


@pytest.mark.parametrize(
    ("locale", "typed", "calendar", "written", "gregorian"),
    [
        # on a Dari keyboard, year first, as the papers write it
        ("fa_AF", "۱۳۶۹/۱۰/۳۰", "persian", "1369-10-30", HIJRI_DAY),
        # chosen with the keyboard: Arabic preselects the Gregorian calendar
        ("ar", "1369-10-30", "persian", "1369-10-30", HIJRI_DAY),
        ("ti", "1982-05-12", "ethiopian", "1982-05-12", ETHIOPIAN_DAY),
    ],
)
async def test_a_date_in_the_calendar_of_the_papers_is_stored_gregorian(
    sqlite_db: Database,
    locale: str,
    typed: str,
    calendar: str,
    written: str,
    gregorian: dt.date,
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        field = await to_birth_date(pilot, locale)
        preselected = {"fa_AF": "persian", "ti": "ethiopian"}.get(locale, "gregorian")
        assert field.calendar == preselected
        choice = field.query_one(CalendarChoice)
        assert choice.chosen == preselected
        tr = translator(locale)
        # the hint is a day of the calendar chosen, written as its papers write it (no 31st in
        # an Ethiopian month, the year first)
        hints = {
            "gregorian": tr.gettext("day.month.year, for example %(example)s")
            % {"example": "31.12.1990"},
            "persian": tr.gettext("year-month-day, for example %(example)s")
            % {"example": "1369-10-30"},
            "ethiopian": tr.gettext("year-month-day, for example %(example)s")
            % {"example": "1982-05-12"},
        }
        assert field.query_one(Input).placeholder == hints[preselected]
        if calendar != preselected:  # chosen with the keyboard: Shift+Tab, arrows, Enter
            field.query_one(Input).focus()
            await pilot.press("shift+tab")
            names = [value for value, _label in choice.options]
            moves = names.index(calendar) - names.index(preselected)
            await pilot.press(*["down"] * moves, "enter")
            await pilot.pause()
            assert field.calendar == calendar
            assert field.query_one(Input).placeholder == hints[calendar]
        await type_keys(pilot, field, typed)
        # before it is confirmed, the Gregorian date in the person's language
        long_date = format_date(gregorian, format="long", locale=tr.cldr)
        assert long_date in note_of(field)
        await pilot.press("enter")
        await pilot.pause()
        answers = stored(sqlite_db)[1]
        assert answers["birth_date"] == gregorian.isoformat()
        assert answers["birth_date_as_written"] == f"{calendar}:{written}"
        # the next date or year is typed in the calendar chosen once
        assert app.registration is not None
        assert app.registration.calendar == calendar
        await register_without_schooling_from_person_id(pilot)
        assert isinstance(app.screen, SummaryScreen)
        summary = shown_text(pilot)
        assert long_date in summary
        assert written in summary


async def test_a_tigrinya_speaker_from_eritrea_types_a_gregorian_date(sqlite_db: Database) -> None:
    """The Ethiopian calendar is only preselected for Tigrinya: choosing the Gregorian one, a
    date is stored as typed, with nothing as written beside it."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await to_birth_date(pilot, "ti")
        await type_text(pilot, "birth_date", "20.01.1990", calendar="gregorian")
        answers = stored(sqlite_db)[1]
        assert answers["birth_date"] == "1990-01-20"
        assert "birth_date_as_written" not in answers


async def test_ukrainian_dates_stay_gregorian(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        field = await to_birth_date(pilot, "uk")
        assert field.calendar == "gregorian"
        await type_keys(pilot, field, "20.01.1990")
        assert note_of(field) == ""
        await pilot.press("enter")
        await pilot.pause()
        assert stored(sqlite_db)[1]["birth_date"] == "1990-01-20"


@pytest.mark.parametrize(
    ("locale", "typed", "calendar"),
    [
        ("fa_AF", "1369-13-01", Calendar.persian),  # no 13th month
        ("ti", "1982-05-31", Calendar.ethiopian),  # the months have 30 days
        ("ti", "1982-13-06", Calendar.ethiopian),  # Pagume has 6 days in leap years only
    ],
)
async def test_a_day_that_does_not_exist_in_the_calendar_is_refused(
    sqlite_db: Database, locale: str, typed: str, calendar: Calendar
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        field = await to_birth_date(pilot, locale)
        await type_keys(pilot, field, typed)
        assert note_of(field) == ""
        await pilot.press("enter")
        await pilot.pause()
        assert field.has_class("-invalid")
        assert "birth_date" not in stored(sqlite_db)[1]
        error = str(field.query_one(".question-error").render())
        assert translator(locale).gettext(calendars.NAMES[calendar]) in error


@pytest.mark.parametrize("locale", ["ti", "fa_AF"])
def test_the_confirmation_of_a_date_in_another_calendar(
    snap_compare: Callable[..., bool], sqlite_db: Database, locale: str
) -> None:
    typed = {"ti": "1982-05-12", "fa_AF": "1369-10-30"}[locale]
    app = make_app(sqlite_db)

    async def type_the_date(pilot: Pilot[Any]) -> None:
        app.start(locale)
        await pilot.pause()
        app.go_to(1)
        await pilot.pause()
        field = await reach(pilot, "birth_date")
        assert isinstance(field, CalendarField)
        await type_keys(pilot, field, typed)
        steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=type_the_date)


@pytest.mark.parametrize(("calendar", "typed"), [(None, "1369-10-30"), ("gregorian", "20.01.1991")])
async def test_a_registration_is_resumed_with_the_date_of_birth_as_in_the_papers(
    sqlite_db: Database, calendar: str | None, typed: str
) -> None:
    """The resume screen asks for the date of birth in the calendar preselected for the
    language too (or the one chosen there): the same day, whichever way it is written."""
    begun = Registration(sqlite_db, locale="fa_AF", today=TODAY)
    assert begun.answer("birth_date", Typed(Calendar.persian, "1369-10-30")) is None
    assert begun.resume_code is not None
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_resume(pilot, "fa_AF", calendar=None)
        screen = app.screen
        assert isinstance(screen, ResumeScreen)
        assert screen.calendar is Calendar.persian
        if calendar is not None:
            await choose_calendar(pilot, screen, calendar)
        screen.query_one("#code", Input).focus()
        await pilot.press(*begun.resume_code, "enter", *typed, "enter")
        await checked(pilot)
        error = " | ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert isinstance(app.screen, SectionScreen), error
        assert app.registration is not None
        assert app.registration.form.get("birth_date") == HIJRI_DAY
        assert app.registration.calendar is Calendar(calendar or "persian")
