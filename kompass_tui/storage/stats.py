"""The municipality's figures (``kompass stats``): how many people were surveyed in a period,
how soon after the residence permit, in which languages, with or without an interpreter, and
how many are overdue; with the anonymous counts that purges kept.

A record belongs to the period by the day its registration began (UTC). The figures are sums
over ``figure_tally``, the counts by day, status and code that the database keeps itself as
records and answers change (``storage/tally.py``): a few hundred rows however many records
there are, so the figures of 100,000 records cost about what those of 1,000 do. Only the
records sent back are counted off the records (few have a remark of that kind). Nothing here
names a person.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

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
_REMARK = sa.table("remark", sa.column("record_id"), sa.column("kind"))
#: The counts the database keeps as records change (``storage/tally.py``).
_TALLY = sa.table(
    "figure_tally",
    sa.column("family"),
    sa.column("day", sa.Date),
    sa.column("status"),
    sa.column("code"),
    sa.column("n"),
)
#: The tally's families that the figures count by code.
_BY_CODE: Final = ("locale", "mode", "interpreter", "waited", "tongue", "level")
_INTERPRETER: Final = ("yes", "no", "unknown")
#: Weeks ahead that the overview counts career guidance as due soon.
GUIDANCE_SOON_DAYS = 28


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


def figures(
    db: Database,
    *,
    period: Period = Period(),
    statuses: frozenset[Status] = frozenset(),
    today: dt.date,
) -> Stats:
    """Every figure for the records begun in ``period`` with one of ``statuses`` (any, if
    none), as of ``today`` (which decides what is overdue)."""
    rules = municipal.load(db)
    stats = Stats(period, statuses, today, rules)
    tally = _TALLY
    where: list[Any] = []
    if period.first is not None:
        where.append(tally.c.day >= period.first)
    if period.last is not None:
        where.append(tally.c.day <= period.last)
    if statuses:
        where.append(tally.c.status.in_(sorted(statuses)))
    # The record's own period and statuses, for the one figure read off the records.
    record = _RECORD
    on_record: list[Any] = []
    started = sa.type_coerce(record.c.started_at, UTCDateTime())
    if period.first is not None:
        on_record.append(started >= _midnight(period.first))
    if period.last is not None:
        on_record.append(started < _midnight(period.last + dt.timedelta(days=1)))
    if statuses:
        on_record.append(record.c.status.in_(sorted(statuses)))
    counted = sa.func.sum(tally.c.n)

    def how_many(*condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*condition), tally.c.n), else_=0)), 0)

    code, family = tally.c.code, tally.c.family
    still_here = tally.c.status != Status.exported
    late_before = rules.guidance_late_before(today).isoformat()
    soon_before = rules.guidance_late_before(today + dt.timedelta(days=GUIDANCE_SOON_DAYS))
    with db.session() as session:
        # The families counted by code, per status (a few rows a family).
        by_code = session.execute(
            sa.select(family, tally.c.status, code, counted)
            .where(*where, family.in_(_BY_CODE))
            .group_by(family, tally.c.status, code)
        ).all()
        by_day = session.execute(
            sa.select(tally.c.day, counted).where(*where, family == "locale").group_by(tally.c.day)
        ).all()
        # What is due or late today: dates compared as ISO text, as the tally keeps them.
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
                        family == "permit",
                        tally.c.status == Status.in_progress,
                        code < rules.survey_late_before(today).isoformat(),
                    ),
                    how_many(family == "settled"),
                    how_many(family == "settled", still_here, code < late_before),
                    how_many(
                        family == "settled",
                        still_here,
                        code >= late_before,
                        code < soon_before.isoformat(),
                    ),
                ).where(*where, family.in_(("permit", "settled")))
            ).one()
        )
        stats.sent_back = int(
            session.execute(
                sa.select(sa.func.count())
                .select_from(record)
                .where(
                    *on_record,
                    record.c.id.in_(
                        sa.select(_REMARK.c.record_id).where(_REMARK.c.kind == RemarkKind.sent_back)
                    ),
                )
            ).scalar_one()
        )
    families: dict[str, Counter[str]] = {name: Counter() for name in _BY_CODE}
    by_status: Counter[str] = Counter()
    for name, status, key, n in by_code:
        families[name][str(key)] += int(n)
        if name == "locale":
            by_status[str(status)] += int(n)
    stats.by_status = {status: n for status, n in by_status.items() if n}
    stats.answered_in = _present(families["locale"])
    stats.modes = _present(families["mode"])
    stats.mother_tongues = _present(families["tongue"])
    stats.education_levels = _present(families["level"])
    stats.records = sum(stats.by_status.values())
    weeks: Counter[str] = Counter()
    for day, n in by_day:
        year, week, _weekday = day.isocalendar()
        weeks[f"{year}-W{week:02d}"] += int(n)
    stats.by_week = {week: n for week, n in sorted(weeks.items()) if n}
    stats.interpreter = {key: families["interpreter"].get(key, 0) for key in _INTERPRETER}
    _read_waits(
        stats,
        [(int(days), n) for days, n in families["waited"].items() if n],
        rules.survey_days,
    )
    kept = purge.counts(db)
    stats.purged = {"records": sum(count.records for count in kept)}
    for count in kept:
        stats.purged[count.status] = stats.purged.get(count.status, 0) + count.records
    return stats


def _present(counts: Counter[str]) -> dict[str, int]:
    """The codes that some record has (a tally row may have come down to nought)."""
    return {key: n for key, n in counts.items() if n}


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
