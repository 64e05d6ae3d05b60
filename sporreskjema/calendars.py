"""The calendars a person's papers may be written in: Gregorian, solar Hijri and Ethiopian.

Afghan documents give dates in the solar Hijri (Persian) calendar, where 1369 is 1990/91;
Ethiopian and many Eritrean ones in the Ethiopian calendar, seven to eight years behind. A
date or year answer is always *stored* in the Gregorian calendar (what every rule, deadline,
age and export reads); a date typed in another calendar is kept beside it as it was written
(:class:`Written`, stored under the answer's name with :data:`AS_WRITTEN_SUFFIX`).

The arithmetic is ``convertdate``'s, never a month table of our own: the solar Hijri
calendar is ``convertdate.persian`` (months, leap years from the March equinox); the
Ethiopian calendar is ``convertdate.coptic``'s, whose twelve months of 30 days, Pagume of
5 or 6 days and leap rule it shares, with the Ethiopian era's years: an Ethiopian year is
the Coptic year (Era of the Martyrs) plus 276. The library is imported when first needed,
so a program that never converts a date does not load it.

The solar Hijri arithmetic reckons the March equinox astronomically (tens of milliseconds a
call), so each month's first day and length are asked of the library once and kept: a day
is its month's first day plus the days after it, as the library itself counts them.
"""

from __future__ import annotations

import calendar as gregorian_calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import ModuleType
from typing import Final

from .i18n import N_


class Calendar(StrEnum):
    gregorian = "gregorian"
    persian = "persian"
    ethiopian = "ethiopian"


#: The calendars in the order a person is offered them.
CALENDARS: Final = (Calendar.gregorian, Calendar.persian, Calendar.ethiopian)

#: A calendar's name as the person reads it (translated when shown).
NAMES: Final = {
    Calendar.gregorian: N_("Gregorian calendar (international)"),
    Calendar.persian: N_("Solar Hijri calendar (Afghanistan, Iran)"),
    Calendar.ethiopian: N_("Ethiopian calendar"),
}

#: A day and a year written in each calendar, for the example a date or year field shows:
#: one that exists in the calendar chosen (the 31st is no day of an Ethiopian month, and 2015
#: lies in the future of the solar Hijri calendar), written as its papers write it (year
#: first outside the Gregorian calendar).
EXAMPLES: Final = {
    Calendar.gregorian: ("31.12.1990", "2015"),
    Calendar.persian: ("1369-10-30", "1394"),
    Calendar.ethiopian: ("1982-05-12", "2007"),
}


def example(calendar: Calendar, *, year: bool = False) -> str:
    """A day (or a year) written in ``calendar``, for a field's hint."""
    return EXAMPLES[calendar][1 if year else 0]


#: The calendar preselected for a person's language (a preselection, not a rule: many
#: Tigrinya speakers from Eritrea use the Gregorian calendar).
_BY_LANGUAGE: Final = {
    "fa": Calendar.persian,
    "ps": Calendar.persian,
    "am": Calendar.ethiopian,
    "ti": Calendar.ethiopian,
}

#: The stored name of a date or year typed in another calendar: ``birth_date_as_written``
#: beside ``birth_date``, ``jobs[0].from_year_as_written`` beside ``jobs[0].from_year``.
AS_WRITTEN_SUFFIX: Final = "_as_written"

#: The Ethiopian era's year minus the Coptic era's (Amete Mihret against the Era of the
#: Martyrs); the two calendars share their months, their 13th month and their leap rule.
_ETHIOPIAN_YEARS_AHEAD_OF_COPTIC: Final = 276

#: The years a person may type in a calendar: four digits, from 1.
_YEAR_RANGE: Final = range(1, 10000)


def for_locale(locale: str) -> Calendar:
    """The calendar preselected for a person who chose ``locale`` (``fa_AF`` → solar Hijri)."""
    language = locale.replace("-", "_").split("_")[0].lower()
    return _BY_LANGUAGE.get(language, Calendar.gregorian)


def _library(calendar: Calendar) -> ModuleType:
    if calendar is Calendar.persian:
        from convertdate import persian

        module: ModuleType = persian
    else:
        from convertdate import coptic

        module = coptic
    return module


def _library_year(calendar: Calendar, year: int) -> int:
    if calendar is Calendar.ethiopian:
        return year - _ETHIOPIAN_YEARS_AHEAD_OF_COPTIC
    return year


def months(calendar: Calendar, year: int) -> int:
    """How many months ``year`` has in ``calendar`` (the Ethiopian 13th is Pagume)."""
    if calendar is Calendar.gregorian:
        return 12
    return len(_library(calendar).MONTHS)


@lru_cache(maxsize=4096)
def month_length(calendar: Calendar, year: int, month: int) -> int:
    """How many days ``month`` of ``year`` has; ``ValueError`` for a month the year lacks."""
    if not 1 <= month <= months(calendar, year) or year not in _YEAR_RANGE:
        raise ValueError(f"no month {month} in the year {year} of the {calendar} calendar")
    if calendar is Calendar.gregorian:
        return gregorian_calendar.monthrange(year, month)[1]
    length: int = _library(calendar).month_length(_library_year(calendar, year), month)
    return length


def is_date(calendar: Calendar, year: int, month: int, day: int) -> bool:
    """Whether the day exists in the calendar (month lengths and leap years the library's)."""
    try:
        return 1 <= day <= month_length(calendar, year, month)
    except (ValueError, OverflowError):
        return False


def to_gregorian(calendar: Calendar, year: int, month: int, day: int) -> dt.date:
    """The Gregorian day of a day in ``calendar``; ``ValueError`` if it does not exist (or
    falls outside the years Python's dates hold)."""
    if not is_date(calendar, year, month, day):
        raise ValueError(f"{year}-{month}-{day} is no day of the {calendar} calendar")
    if calendar is Calendar.gregorian:
        return dt.date(year, month, day)
    from convertdate import gregorian

    try:
        g_year, g_month, g_day = gregorian.from_jd(_month_start(calendar, year, month) + day - 1)
        return dt.date(int(g_year), int(g_month), int(g_day))
    except (ValueError, OverflowError):
        raise ValueError(f"{year}-{month}-{day} has no Gregorian day Python holds") from None


@lru_cache(maxsize=4096)
def _month_start(calendar: Calendar, year: int, month: int) -> float:
    """The Julian day of the first day of ``month`` of ``year``, as the library reckons it."""
    start: float = _library(calendar).to_jd(_library_year(calendar, year), month, 1)
    return start


@lru_cache(maxsize=4096)
def from_gregorian(calendar: Calendar, date: dt.date) -> tuple[int, int, int]:
    """A Gregorian day as (year, month, day) in ``calendar``."""
    if calendar is Calendar.gregorian:
        return date.year, date.month, date.day
    year, month, day = _library(calendar).from_gregorian(date.year, date.month, date.day)
    if calendar is Calendar.ethiopian:
        year += _ETHIOPIAN_YEARS_AHEAD_OF_COPTIC
    return int(year), int(month), int(day)


def year_span(calendar: Calendar, year: int) -> tuple[dt.date, dt.date]:
    """The first and the last Gregorian day of ``year`` in ``calendar``."""
    last_month = months(calendar, year)
    return (
        to_gregorian(calendar, year, 1, 1),
        to_gregorian(calendar, year, last_month, month_length(calendar, year, last_month)),
    )


def gregorian_years(calendar: Calendar, year: int) -> tuple[int, ...]:
    """The Gregorian years that ``year`` of ``calendar`` overlaps (solar Hijri 1369 → 1990
    and 1991); ``ValueError`` for a year outside the dates Python holds."""
    first, last = year_span(calendar, year)
    return tuple(range(first.year, last.year + 1))


def main_gregorian_year(calendar: Calendar, year: int) -> int:
    """The Gregorian year holding most days of ``year`` of ``calendar``: what a year answer
    typed in that calendar stores (solar Hijri 1369 → 1990, Ethiopian 1982 → 1990)."""
    first, last = year_span(calendar, year)
    if first.year == last.year:
        return first.year
    days_in_first = (dt.date(first.year + 1, 1, 1) - first).days
    days_in_last = (last - dt.date(last.year, 1, 1)).days + 1
    return first.year if days_in_first >= days_in_last else last.year


@dataclass(frozen=True)
class Typed:
    """What a person typed into a date or year field, in the calendar they chose: the raw
    answer a parser reads (a plain string is read as Gregorian)."""

    calendar: Calendar
    text: str


_WRITTEN = re.compile(r"^(persian|ethiopian):([0-9]{4})(?:-([0-9]{2})-([0-9]{2}))?$")
#: The JSON Schema pattern of a stored :class:`Written` (the export's and the import's).
WRITTEN_PATTERN: Final = _WRITTEN.pattern


@dataclass(frozen=True)
class Written:
    """A date (or a year: ``month`` and ``day`` ``None``) as the person wrote it, in a calendar
    other than the Gregorian. Stored as text: ``persian:1369-10-30``, ``ethiopian:1982``."""

    calendar: Calendar
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.calendar is Calendar.gregorian:
            raise ValueError("a Gregorian answer is stored as it is")
        if (self.month is None) != (self.day is None):
            raise ValueError("a date has a month and a day, a year neither")
        if self.month is not None and self.day is not None:
            to_gregorian(self.calendar, self.year, self.month, self.day)  # raises if no such day
        else:
            year_span(self.calendar, self.year)

    @property
    def is_year(self) -> bool:
        return self.month is None

    def text(self) -> str:
        """The stored form."""
        if self.month is None:
            return f"{self.calendar}:{self.year:04d}"
        return f"{self.calendar}:{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def typed(self) -> str:
        """As the person would type it again (year first, as such papers write it)."""
        if self.month is None:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def gregorian(self) -> dt.date | int:
        """The stored Gregorian value: the day, or the year holding most of this year."""
        if self.month is None or self.day is None:
            return main_gregorian_year(self.calendar, self.year)
        return to_gregorian(self.calendar, self.year, self.month, self.day)

    @classmethod
    def parse(cls, text: str) -> Written:
        """The stored form read back; ``ValueError`` for anything else (or a day that does
        not exist in its calendar)."""
        match = _WRITTEN.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a date as written: {text!r}")
        calendar, year, month, day = match.groups()
        return cls(
            Calendar(calendar),
            int(year),
            None if month is None else int(month),
            None if day is None else int(day),
        )
