"""The one set of bounds for the dates and times a record may hold.

What the import accepts, the screens and exports can show: ``kompass import`` refuses a date
or a time outside these bounds, naming the field, and nothing inside them overflows a view (a
deadline two weeks after the permit date, a time shown in another time zone).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

#: The earliest date of a person's life that a record holds (a birth date, a permit date).
EARLIEST_DATE: Final = dt.date(1900, 1, 1)
#: The latest date any record holds, whatever the rule of its question.
LATEST_DATE: Final = dt.date(2100, 12, 31)
#: How far after today a person's date may be: the machine that wrote it may already be in
#: tomorrow, in another time zone.
DAYS_AHEAD: Final = 1
#: The earliest moment a record, a remark or a correction can have been made.
EARLIEST_TIME: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: How far ahead of this machine's clock another machine's clock may be.
CLOCK_SKEW: Final = dt.timedelta(minutes=10)


def person_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a birth date or a permit date may be: neither is in the future."""
    return EARLIEST_DATE, min(today + dt.timedelta(days=DAYS_AHEAD), LATEST_DATE)


def times(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment a timestamp may be: not before 2000, not in the future beyond
    a small difference between two machines' clocks (a record from the future would never be
    purged)."""
    return EARLIEST_TIME, now + CLOCK_SKEW


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 timestamp with a zone as an aware UTC datetime, or None if it is not one or
    lies so far out that it cannot be moved to UTC."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None or not EARLIEST_TIME.year - 1 <= value.year <= LATEST_DATE.year:
        return None
    return value.astimezone(dt.UTC)


def parse_date(text: str) -> dt.date | None:
    """An ISO 8601 day, or None if it is not one."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
