"""The calendars of people's papers (``sporreskjema.calendars``): conversions both ways,
days that do not exist, years that overlap two Gregorian ones, and a date or year typed in
another calendar stored as Gregorian with what was written beside it. Every expected
Gregorian day is convertdate's own (``persian``; ``coptic`` with the Ethiopian era's years),
never a table of this test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from convertdate import coptic, persian
from hypothesis import given, settings
from hypothesis import strategies as st

from sporreskjema import Form, FormError, Questionnaire, translator, values
from sporreskjema.calendars import (
    AS_WRITTEN_SUFFIX,
    Calendar,
    Typed,
    Written,
    for_locale,
    from_gregorian,
    gregorian_years,
    is_date,
    main_gregorian_year,
    month_length,
    to_gregorian,
)
from tests.support.helpers import TODAY

#: The Ethiopian year of a Coptic one (Amete Mihret against the Era of the Martyrs).
ETHIOPIAN_AHEAD = 276


def test_the_two_dates_of_the_issue() -> None:
    assert to_gregorian(Calendar.persian, 1369, 10, 30) == dt.date(
        *persian.to_gregorian(1369, 10, 30)
    )
    assert to_gregorian(Calendar.persian, 1369, 10, 30) == dt.date(1991, 1, 20)
    assert to_gregorian(Calendar.ethiopian, 1982, 5, 12) == dt.date(
        *coptic.to_gregorian(1982 - ETHIOPIAN_AHEAD, 5, 12)
    )
    assert to_gregorian(Calendar.ethiopian, 1982, 5, 12) == dt.date(1990, 1, 20)


def test_new_years_days() -> None:
    """Nowruz and Enkutatash as the calendars' users know them."""
    assert to_gregorian(Calendar.persian, 1403, 1, 1) == dt.date(2024, 3, 20)
    assert to_gregorian(Calendar.ethiopian, 2016, 1, 1) == dt.date(2023, 9, 12)
    assert from_gregorian(Calendar.ethiopian, dt.date(2023, 9, 11)) == (2015, 13, 6)


@pytest.mark.parametrize(
    ("calendar", "year", "month", "day"),
    [
        (Calendar.persian, 1369, 13, 1),  # twelve months
        (Calendar.persian, 1369, 0, 1),
        (Calendar.persian, 1369, 7, 31),  # the second half's months have 30 days
        (Calendar.persian, 1402, 12, 30),  # Esfand has 30 days in leap years only
        (Calendar.ethiopian, 1982, 5, 31),  # twelve months of 30 days
        (Calendar.ethiopian, 1982, 13, 6),  # Pagume: 5 days, 6 in a leap year
        (Calendar.ethiopian, 1982, 14, 1),
        (Calendar.ethiopian, 1982, 1, 0),
        (Calendar.gregorian, 1990, 2, 29),
        (Calendar.gregorian, 0, 1, 1),
    ],
)
def test_days_that_do_not_exist(calendar: Calendar, year: int, month: int, day: int) -> None:
    assert not is_date(calendar, year, month, day)
    with pytest.raises(ValueError):
        to_gregorian(calendar, year, month, day)


def test_month_lengths_and_leap_years_are_the_librarys() -> None:
    assert month_length(Calendar.ethiopian, 2015, 13) == coptic.month_length(2015 - 276, 13) == 6
    assert month_length(Calendar.ethiopian, 2016, 13) == 5
    assert is_date(Calendar.ethiopian, 2015, 13, 6)
    assert month_length(Calendar.persian, 1403, 12) == persian.month_length(1403, 12) == 30
    assert month_length(Calendar.persian, 1402, 12) == 29
    assert is_date(Calendar.persian, 1403, 12, 30)
    assert month_length(Calendar.gregorian, 9999, 12) == 31


def test_a_year_overlaps_two_gregorian_years() -> None:
    assert gregorian_years(Calendar.persian, 1369) == (1990, 1991)
    assert main_gregorian_year(Calendar.persian, 1369) == 1990  # from 21 March 1990
    assert gregorian_years(Calendar.ethiopian, 1982) == (1989, 1990)
    assert main_gregorian_year(Calendar.ethiopian, 1982) == 1990  # from 11 September 1989
    assert gregorian_years(Calendar.gregorian, 1990) == (1990,)


@pytest.mark.parametrize(
    ("locale", "calendar"),
    [
        ("fa_AF", Calendar.persian),
        ("ps", Calendar.persian),
        ("am", Calendar.ethiopian),
        ("ti", Calendar.ethiopian),
        ("uk", Calendar.gregorian),
        ("ar", Calendar.gregorian),
        ("nb", Calendar.gregorian),
    ],
)
def test_the_preselected_calendar(locale: str, calendar: Calendar) -> None:
    assert for_locale(locale) is calendar


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([Calendar.persian, Calendar.ethiopian, Calendar.gregorian]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)
def test_a_day_goes_there_and_back(calendar: Calendar, day: dt.date) -> None:
    year, month, day_of_month = from_gregorian(calendar, day)
    assert is_date(calendar, year, month, day_of_month)
    assert to_gregorian(calendar, year, month, day_of_month) == day
    written = Written(calendar, year, month, day_of_month) if calendar != "gregorian" else None
    if written is not None:
        assert Written.parse(written.text()) == written
        assert written.gregorian() == day


# ------------------------------------------------------------------ the engine


def test_a_date_typed_in_another_calendar_is_stored_gregorian(kompass: Questionnaire) -> None:
    form = Form(kompass, today=TODAY)
    assert form.set("birth_date", Typed(Calendar.persian, "۱۳۶۹/۱۰/۳۰")) is None
    assert form.get("birth_date") == dt.date(*persian.to_gregorian(1369, 10, 30))
    assert form.written("birth_date") == Written(Calendar.persian, 1369, 10, 30)
    answers = form.relevant_answers()
    assert answers["birth_date"] == "1991-01-20"
    assert answers["birth_date" + AS_WRITTEN_SUFFIX] == "persian:1369-10-30"
    # typed again in the Gregorian calendar: nothing as written is kept
    assert form.set("birth_date", "20.01.1990") is None
    assert form.written("birth_date") is None
    assert "birth_date" + AS_WRITTEN_SUFFIX not in form.relevant_answers()


def test_a_year_typed_in_another_calendar(kompass: Questionnaire) -> None:
    form = Form(kompass, today=TODAY)
    assert form.set("birth_date", "20.01.1980") is None
    assert form.set("has_work_experience", "yes") is None
    index = form.add_entry("jobs")
    path = f"jobs[{index}].from_year"
    assert form.set(path, Typed(Calendar.ethiopian, "1982")) is None
    assert form.get(path) == 1990
    assert form.written(path) == Written(Calendar.ethiopian, 1982)
    (entry,) = form.encoded_entries("jobs")
    assert entry == {"from_year": 1990, "from_year" + AS_WRITTEN_SUFFIX: "ethiopian:1982"}
    again = Form.from_json(kompass, form.relevant_answers(), TODAY, strict=True)
    assert again.written(path) == Written(Calendar.ethiopian, 1982)


@pytest.mark.parametrize(
    ("calendar", "example"),
    [(Calendar.gregorian, "2015"), (Calendar.persian, "1394"), (Calendar.ethiopian, "2007")],
)
def test_a_year_not_in_four_digits_is_told_with_a_year_of_its_calendar(
    kompass: Questionnaire, calendar: Calendar, example: str
) -> None:
    form = Form(kompass, today=TODAY)
    assert form.set("birth_date", "20.01.1980") is None
    assert form.set("has_work_experience", "yes") is None
    path = f"jobs[{form.add_entry('jobs')}].from_year"

    def typed(text: str) -> object:
        return text if calendar is Calendar.gregorian else Typed(calendar, text)

    error = form.set(path, typed("15"))
    assert error is not None
    assert error.msgid == "%(field)s: write the year with four digits, for example %(example)s."
    assert error.params["example"] == example
    assert form.set(path, typed(example)) is None  # the example is a year the field takes
    assert form.get(path) in (2014, 2015)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        (Typed(Calendar.persian, "1369-13-01"), "Solar Hijri"),
        (Typed(Calendar.ethiopian, "1982-05-31"), "Ethiopian"),
        (Typed(Calendar.ethiopian, "1982-13-06"), "Ethiopian"),
        (Typed(Calendar.persian, "30.10"), "year-month-day"),
    ],
)
def test_a_day_that_is_not_in_the_calendar_is_refused(
    kompass: Questionnaire, typed: Typed, words: str
) -> None:
    form = Form(kompass, today=TODAY)
    error = form.set("birth_date", typed)
    assert error is not None
    assert words in error.render(translator("en"))
    assert form.get("birth_date") is None


def test_before_the_fix_1369_was_too_long_ago(kompass: Questionnaire) -> None:
    """What the person typed from their papers, now read in their calendar."""
    question = kompass.question("birth_date")
    with pytest.raises(values.Invalid):
        values.parse(question, "1369-10-30", kompass, TODAY)
    assert values.parse(question, Typed(Calendar.persian, "1369-10-30"), kompass, TODAY) == dt.date(
        1991, 1, 20
    )


@pytest.mark.parametrize(
    "answers",
    [
        # not the same day as the answer
        {"birth_date": "1990-01-21", "birth_date_as_written": "ethiopian:1982-05-12"},
        # a day that does not exist
        {"birth_date": "1991-01-20", "birth_date_as_written": "persian:1369-13-01"},
        # a calendar that is not one
        {"birth_date": "1991-01-20", "birth_date_as_written": "julian:1991-01-07"},
        # no answer beside it
        {"birth_date_as_written": "persian:1369-10-30"},
        # beside a question that is no date or year
        {"full_name": "A", "full_name_as_written": "persian:1369-10-30"},
        # a year beside a date
        {"birth_date": "1991-01-20", "birth_date_as_written": "persian:1369"},
        {"birth_date": "1991-01-20", "birth_date_as_written": 1369},
    ],
)
def test_an_import_refuses_a_date_as_written_that_is_not_the_answers(
    kompass: Questionnaire, answers: dict[str, Any]
) -> None:
    with pytest.raises(FormError):
        Form.from_json(kompass, answers, TODAY, strict=True)


def test_the_summary_shows_the_gregorian_date_and_the_date_as_written(
    kompass: Questionnaire,
) -> None:
    form = Form(kompass, today=TODAY)
    assert form.set("birth_date", Typed(Calendar.ethiopian, "1982-05-12")) is None
    texts = [item.text for section in form.summary(translator("en")) for item in section.items]
    assert "January 20, 1990 (as written: 1982-05-12, Ethiopian calendar)" in texts
