"""The municipality's figures (``kompass stats``): how many people were surveyed in a period,
how soon after the residence permit, in which languages, with or without an interpreter, and
how many are overdue; with the anonymous counts that purges kept.

A record belongs to the period by the day its registration began (UTC). Every figure is counted
by the database, one query per family of figures; what is read back is already grouped (a count
per status, per day, per number of days, per language), so the figures of 100,000 records cost
about what those of 1,000 do. Nothing here names a person.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from kompass_tui.storage import deadlines as municipal
from kompass_tui.storage import purge
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import RemarkKind, UTCDateTime
from kompass_tui.storage.status import Status

_RECORD = sa.table(
    "record",
    sa.column("id"),
    sa.column("status"),
    sa.column("mode"),
    sa.column("locale"),
    sa.column("interpreter_used"),
    sa.column("permit_date"),
    sa.column("settlement_date"),
    sa.column("started_at"),
    sa.column("submitted_at"),
)
_ANSWER = sa.table("answer", sa.column("record_id"), sa.column("path"), sa.column("value"))
_REMARK = sa.table("remark", sa.column("record_id"), sa.column("kind"))
#: Weeks ahead that the overview counts career guidance as due soon.
GUIDANCE_SOON_DAYS = 28

#: The answers the language and education figures count.
MOTHER_TONGUES = "mother_tongues"
EDUCATION_LEVEL = "educations[%].level"


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included (``None``: no bound)."""

    first: dt.date | None = None
    last: dt.date | None = None


@dataclass
class Stats:
    period: Period
    statuses: frozenset[Status]
    today: dt.date
    #: The municipality's deadlines the figures are reckoned by.
    deadlines: municipal.Deadlines = field(default_factory=municipal.Deadlines)
    records: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    #: ISO week (``2026-W48``) → records begun in it.
    by_week: dict[str, int] = field(default_factory=dict)
    #: Sent records with a permit date: how many, the median of the days from the permit to
    #: sending, and how many were sent within the deadline.
    sent_with_permit: int = 0
    median_days_to_sent: float | None = None
    sent_within_deadline: int = 0
    #: Not sent yet, and the deadline has passed.
    overdue_now: int = 0
    #: Records sent back for clarification at least once (whatever their status now).
    sent_back: int = 0
    #: Records with a settlement date; of those not exported yet, how many have the career
    #: guidance's deadline behind them, and how many within :data:`GUIDANCE_SOON_DAYS`.
    with_settlement_date: int = 0
    guidance_overdue: int = 0
    guidance_due_soon: int = 0
    mother_tongues: dict[str, int] = field(default_factory=dict)
    answered_in: dict[str, int] = field(default_factory=dict)
    education_levels: dict[str, int] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    #: ``yes``, ``no``, ``unknown`` (not asked: a registration alone at a kiosk).
    interpreter: dict[str, int] = field(default_factory=dict)
    #: The anonymous counts purges kept (every purge so far; they have no day of their own).
    purged: dict[str, int] = field(default_factory=dict)

    @property
    def share_within_deadline(self) -> float | None:
        if not self.sent_with_permit:
            return None
        return self.sent_within_deadline / self.sent_with_permit


def _midnight(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in UTC (the day a record belongs to is its UTC day)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day(column: Any, backend: str) -> Any:
    """The UTC day of a timestamp column, as the database reckons it."""
    if backend == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.type_coerce(sa.func.date(column), sa.Date)  # read back as a date


def _days_between(first: Any, then: Any, backend: str) -> Any:
    """Whole days from the date ``first`` to the day of the timestamp ``then``."""
    if backend == "postgresql":
        return _day(then, backend) - first
    return sa.cast(sa.func.julianday(sa.func.date(then)) - sa.func.julianday(first), sa.Integer)


def figures(
    db: Database,
    *,
    period: Period = Period(),
    statuses: frozenset[Status] = frozenset(),
    today: dt.date,
) -> Stats:
    """Every figure for the records begun in ``period`` with one of ``statuses`` (any, if
    none), as of ``today`` (which decides what is overdue)."""
    backend = db.backend
    record = _RECORD
    begun = _day(record.c.started_at, backend)
    where: list[Any] = []
    # On the timestamp itself (not its day), so that the index on it finds the period.
    started = sa.type_coerce(record.c.started_at, UTCDateTime())
    if period.first is not None:
        where.append(started >= _midnight(period.first))
    if period.last is not None:
        where.append(started < _midnight(period.last + dt.timedelta(days=1)))
    if statuses:
        where.append(record.c.status.in_(sorted(statuses)))
    rules = municipal.load(db)
    stats = Stats(period, statuses, today, rules)

    def grouped(keys: list[Any], *extra: Any, source: Any = record) -> Any:
        query = sa.select(*keys, sa.func.count()).select_from(source).where(*where, *extra)
        return session.execute(query.group_by(*keys)).all()

    def how_many(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    settled = record.c.settlement_date
    still_here = record.c.status != Status.exported
    late_before = rules.guidance_late_before(today)
    soon_before = rules.guidance_late_before(today + dt.timedelta(days=GUIDANCE_SOON_DAYS))
    with db.session() as session:
        # The record's own columns, one by one: one pass over a combination of them sorts
        # every record, and costs more than these.
        by_status = grouped([record.c.status])
        by_day = grouped([begun])
        answered_in = grouped([record.c.locale])
        modes = grouped([record.c.mode])
        interpreter = grouped([record.c.interpreter_used])
        waited = _days_between(record.c.permit_date, record.c.submitted_at, backend)
        waits = grouped(
            [waited], record.c.submitted_at.is_not(None), record.c.permit_date.is_not(None)
        )
        # What is due or late today, in one pass.
        (
            stats.overdue_now,
            stats.with_settlement_date,
            stats.guidance_overdue,
            stats.guidance_due_soon,
        ) = (
            int(n)
            for n in session.execute(
                sa.select(
                    how_many(
                        sa.and_(
                            record.c.status == Status.in_progress,
                            record.c.permit_date < rules.survey_late_before(today),
                        )
                    ),
                    how_many(settled.is_not(None)),
                    how_many(sa.and_(still_here, settled < late_before)),
                    how_many(sa.and_(still_here, settled >= late_before, settled < soon_before)),
                ).where(*where)
            ).one()
        )
        stats.sent_back = int(
            session.execute(
                sa.select(sa.func.count())
                .select_from(record)
                .where(
                    *where,
                    record.c.id.in_(
                        sa.select(_REMARK.c.record_id).where(_REMARK.c.kind == RemarkKind.sent_back)
                    ),
                )
            ).scalar_one()
        )
        # Answers as stored, grouped by their JSON text: people share a few lists of
        # languages and a few levels, which are read apart here.
        source = record.join(_ANSWER, _ANSWER.c.record_id == record.c.id)
        as_text = sa.cast(_ANSWER.c.value, sa.Text)
        tongues = grouped([as_text], _ANSWER.c.path == MOTHER_TONGUES, source=source)
        levels = grouped([as_text], _ANSWER.c.path.like(EDUCATION_LEVEL), source=source)
    stats.by_status = {str(status): int(n) for status, n in by_status}
    stats.answered_in = {str(locale): int(n) for locale, n in answered_in}
    stats.modes = {str(mode): int(n) for mode, n in modes}
    stats.records = sum(stats.by_status.values())
    weeks: Counter[str] = Counter()
    for day, n in by_day:
        year, week, _weekday = day.isocalendar()
        weeks[f"{year}-W{week:02d}"] += int(n)
    stats.by_week = dict(sorted(weeks.items()))
    stats.interpreter = {"yes": 0, "no": 0, "unknown": 0}
    for used, n in interpreter:
        stats.interpreter["unknown" if used is None else "yes" if used else "no"] += int(n)
    _read_waits(
        stats, [(int(days), int(n)) for days, n in waits if days is not None], rules.survey_days
    )
    stats.mother_tongues = _each_code(tongues, lists=True)
    stats.education_levels = _each_code(levels, lists=False)
    kept = purge.counts(db)
    stats.purged = {"records": sum(count.records for count in kept)}
    for count in kept:
        stats.purged[count.status] = stats.purged.get(count.status, 0) + count.records
    return stats


def _each_code(rows: Any, *, lists: bool) -> dict[str, int]:
    """The codes in answers counted by their JSON text: each code of a list (``lists``), or
    the answer itself, however many answers hold it. What is not of that form is left out."""
    found: Counter[str] = Counter()
    for text, n in rows:
        try:
            value = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            continue
        codes = value if lists and isinstance(value, list) else [value] if not lists else []
        for code in codes:
            if isinstance(code, str):
                found[code] += int(n)
    return dict(found)


def _read_waits(stats: Stats, waits: list[tuple[int, int]], survey_days: int) -> None:
    """The median and the deadline's share from the count of records per number of days."""
    total = sum(n for _days, n in waits)
    stats.sent_with_permit = total
    stats.sent_within_deadline = sum(n for days, n in waits if days <= survey_days)
    if not total:
        return
    ordered = sorted(waits)

    def nth(index: int) -> int:  # the index-th wait (from 0) in order
        for days, n in ordered:
            if index < n:
                return days
            index -= n
        raise IndexError(index)

    middle = (total - 1) // 2
    stats.median_days_to_sent = (
        float(nth(middle)) if total % 2 else (nth(middle) + nth(middle + 1)) / 2
    )
