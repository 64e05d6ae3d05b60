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
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from kompass_tui.storage import deadlines as municipal
from kompass_tui.storage import purge
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import RemarkKind
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


def _counts(rows: Any) -> dict[str, int]:
    return {str(key): int(n) for key, n in rows if key is not None}


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
    if period.first is not None:
        where.append(begun >= period.first)
    if period.last is not None:
        where.append(begun <= period.last)
    if statuses:
        where.append(record.c.status.in_(sorted(statuses)))
    rules = municipal.load(db)
    stats = Stats(period, statuses, today, rules)

    def grouped(key: Any, *extra: Any, source: Any = record) -> Any:
        query = sa.select(key, sa.func.count()).select_from(source).where(*where, *extra)
        return session.execute(query.group_by(key)).all()

    def counted(*extra: Any) -> int:
        query = sa.select(sa.func.count()).select_from(record).where(*where, *extra)
        return int(session.execute(query).scalar_one())

    with db.session() as session:
        stats.by_status = _counts(grouped(record.c.status))
        stats.records = sum(stats.by_status.values())
        by_day = grouped(begun)
        waited = _days_between(record.c.permit_date, record.c.submitted_at, backend)
        waits = grouped(
            waited, record.c.submitted_at.is_not(None), record.c.permit_date.is_not(None)
        )
        stats.overdue_now = counted(
            record.c.status == Status.in_progress,
            record.c.permit_date < rules.survey_late_before(today),
        )
        stats.sent_back = counted(
            record.c.id.in_(
                sa.select(_REMARK.c.record_id).where(_REMARK.c.kind == RemarkKind.sent_back)
            )
        )
        settled = record.c.settlement_date
        stats.with_settlement_date = counted(settled.is_not(None))
        still_here = record.c.status != Status.exported
        late_before = rules.guidance_late_before(today)
        stats.guidance_overdue = counted(still_here, settled < late_before)
        stats.guidance_due_soon = counted(
            still_here,
            settled >= late_before,
            settled < rules.guidance_late_before(today + dt.timedelta(days=GUIDANCE_SOON_DAYS)),
        )
        stats.answered_in = _counts(grouped(record.c.locale))
        stats.modes = _counts(grouped(record.c.mode))
        interpreter = grouped(record.c.interpreter_used)
        joined = record.join(_ANSWER, _ANSWER.c.record_id == record.c.id)
        stats.mother_tongues = _counts(_languages(session, joined, where, backend))
        stats.education_levels = {
            str(level).strip('"'): n
            for level, n in _counts(
                grouped(
                    sa.cast(_ANSWER.c.value, sa.Text),
                    _ANSWER.c.path.like(EDUCATION_LEVEL),
                    source=joined,
                )
            ).items()
        }
    for day, n in by_day:
        year, week, _weekday = day.isocalendar()
        key = f"{year}-W{week:02d}"
        stats.by_week[key] = stats.by_week.get(key, 0) + int(n)
    stats.by_week = dict(sorted(stats.by_week.items()))
    _read_waits(
        stats, [(int(days), int(n)) for days, n in waits if days is not None], rules.survey_days
    )
    stats.interpreter = {"yes": 0, "no": 0, "unknown": 0}
    for used, n in interpreter:
        stats.interpreter["unknown" if used is None else "yes" if used else "no"] += int(n)
    kept = purge.counts(db)
    stats.purged = {"records": sum(count.records for count in kept)}
    for count in kept:
        stats.purged[count.status] = stats.purged.get(count.status, 0) + count.records
    return stats


def _languages(session: Any, joined: Any, where: list[Any], backend: str) -> Any:
    """Each mother tongue named in a record's answer (a list of codes), and in how many."""
    answer = _ANSWER
    if backend == "postgresql":
        each = sa.func.json_array_elements_text(answer.c.value).table_valued("value")
        language = each.c.value
        condition = sa.func.json_typeof(answer.c.value) == "array"
    else:
        each = sa.func.json_each(answer.c.value).table_valued("value")
        language = each.c.value
        condition = sa.func.json_type(answer.c.value) == "array"
    query = (
        sa.select(language, sa.func.count())
        .select_from(joined)
        .join(each, sa.true())
        .where(*where, answer.c.path == MOTHER_TONGUES, condition)
        .group_by(language)
    )
    return session.execute(query).all()


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
