"""The municipality's two deadlines, and where they are kept.

- The **survey** is due within two weeks of the residence permit (integration act § 10):
  ``survey_days`` after ``record.permit_date``.
- The **career guidance** builds on the survey and is due before the decision on the
  introduction programme, at the latest three months after settlement: ``guidance_months``
  after ``record.settlement_date``, which a caseworker records.

Both are the law's defaults; a municipality that reckons otherwise sets its own with
``kompass deadlines`` (an administrator's login). They are kept in its database (table
``setting``), so that every program and machine on it reckons alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass
from typing import Final

from sqlmodel import select

from kompass_tui.storage import audit
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Setting, utcnow
from sporreskjema.i18n import N_, Msg

DEFAULT_SURVEY_DAYS: Final = 14
DEFAULT_GUIDANCE_MONTHS: Final = 3
SURVEY_DAYS_RANGE: Final = (1, 365)
GUIDANCE_MONTHS_RANGE: Final = (1, 24)
_NAME: Final = "deadlines"


class DeadlineError(StorageError):
    """A deadline outside what the law could mean; the message names the bounds."""


@dataclass(frozen=True)
class Deadlines:
    survey_days: int = DEFAULT_SURVEY_DAYS
    guidance_months: int = DEFAULT_GUIDANCE_MONTHS

    def __post_init__(self) -> None:
        low, high = SURVEY_DAYS_RANGE
        if not low <= self.survey_days <= high:
            raise DeadlineError(
                Msg(
                    N_("The survey's deadline must be %(low)d to %(high)d days."),
                    {"low": low, "high": high},
                )
            )
        low, high = GUIDANCE_MONTHS_RANGE
        if not low <= self.guidance_months <= high:
            raise DeadlineError(
                Msg(
                    N_("The career guidance's deadline must be %(low)d to %(high)d months."),
                    {"low": low, "high": high},
                )
            )

    def survey_due(self, permit_date: dt.date | None) -> dt.date | None:
        """The last day for the survey; the calendar's last day for a permit date at its end
        (the import refuses one, but a row may come some other way)."""
        if permit_date is None:
            return None
        try:
            return permit_date + dt.timedelta(days=self.survey_days)
        except OverflowError:
            return dt.date.max

    def survey_late_before(self, today: dt.date) -> dt.date:
        """Permit dates before this day have their survey deadline behind them on ``today``."""
        return today - dt.timedelta(days=self.survey_days)

    def guidance_due(self, settlement_date: dt.date | None) -> dt.date | None:
        """The last day for the career guidance: ``guidance_months`` after settlement, on the
        same day of the month or, in a shorter month, its last day."""
        if settlement_date is None:
            return None
        return _months_on(settlement_date, self.guidance_months)

    def guidance_late_before(self, today: dt.date) -> dt.date:
        """Settlement dates before this day have their guidance deadline behind them on
        ``today`` (a later settlement never has an earlier deadline)."""
        day = max(dt.date.min, _months_on(today, -self.guidance_months) - dt.timedelta(days=4))
        while (due := self.guidance_due(day)) is not None and due < today:
            day += dt.timedelta(days=1)
        return day


def _months_on(day: dt.date, months: int) -> dt.date:
    """``months`` later (earlier, when negative) on the same day of the month or, in a shorter
    month, its last day; the calendar's first or last day past its ends."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def load(db: Database) -> Deadlines:
    """The municipality's deadlines (the law's defaults until it sets its own)."""
    with db.session() as session:
        row = session.get(Setting, _NAME)
    if row is None or not isinstance(row.value, dict):
        return Deadlines()
    try:
        return Deadlines(**{k: int(v) for k, v in row.value.items() if k in _FIELDS})
    except (TypeError, ValueError, DeadlineError):  # a row written past the program
        return Deadlines()


_FIELDS: Final = frozenset(asdict(Deadlines()))


def save(db: Database, deadlines: Deadlines, *, actor_id: int) -> None:
    """Set the municipality's deadlines, audited with the old and the new."""
    with db.write() as session:
        row = session.exec(select(Setting).where(Setting.name == _NAME)).first()
        old = row.value if row is not None else None
        if row is None:
            row = Setting(name=_NAME, value={})
        row.value = asdict(deadlines)
        row.updated_at = utcnow()
        session.add(row)
        audit.log(
            session,
            audit.Action.settings_changed,
            actor_id=actor_id,
            setting=_NAME,
            old=old,
            new=asdict(deadlines),
        )
