"""``kompass purge``: the personal data of old records deleted, anonymous counts kept.

A record is old when it has not changed for the retention period (its ``updated_at``; an
export changes it too). A purge deletes such records with their answers, remarks and
corrections in one transaction, together with:

- rows in ``purged_count`` saying how many records of which month, status, language and mode
  there were, so the municipality's statistics survive the data;
- the answers a correction's audit event kept (old and new value), which are blanked: the
  event itself stays, so the log still shows who corrected which question of which record;
- one ``purged`` audit event with who purged how many records, and with which rule.

On SQLite the file is rebuilt afterwards (``VACUUM``: deleting leaves the rows in free space, and
SQLite leaves stale copies of rows in unused parts of its pages) and the write-ahead log emptied, so the names are gone from the files too, not only from the tables.
On PostgreSQL the server's own vacuum reclaims the deleted rows' space in time.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import audit
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.models import AuditEvent, PurgedCount, Record, Status, utcnow

#: Records deleted per statement: well under every database's limit on bound parameters.
CHUNK: Final = 500
#: Audit events that keep personal data in their details, and which details those are.
PERSONAL_DETAILS: Final = {audit.Action.answer_corrected: ("old", "new")}

_RECORD = SQLModel.metadata.tables["record"]
#: The tables that hang off a record, deleted before it (not left to ON DELETE CASCADE, which a
#: database opened without foreign keys would skip).
_CHILDREN: Final = tuple(
    SQLModel.metadata.tables[name] for name in ("answer", "remark", "correction")
)


class PurgeError(StorageError):
    """A purge that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class PurgeResult:
    records: int
    #: Records not changed since this moment were deleted.
    cutoff: dt.datetime
    #: False when the SQLite file could not be rebuilt (another program kept it busy), so the
    #: deleted data may still be in its free space.
    compacted: bool = True


@dataclass(frozen=True)
class Count:
    """Records of one kind: the month they were started, their status, language and mode."""

    month: str
    status: str
    locale: str
    mode: str
    records: int


def cutoff(older_than_days: int, now: dt.datetime | None = None) -> dt.datetime:
    if older_than_days < 1:
        raise PurgeError(Msg(N_("The retention period must be at least one day.")))
    return (now or utcnow()) - dt.timedelta(days=older_than_days)


def _conditions(before: dt.datetime, statuses: Iterable[Status]) -> list[Any]:
    conditions: list[Any] = [col(Record.updated_at) < before]
    chosen = sorted(statuses)
    if chosen:
        conditions.append(col(Record.status).in_(chosen))
    return conditions


def count(
    db: Database,
    *,
    older_than_days: int,
    statuses: Iterable[Status] = (),
    now: dt.datetime | None = None,
) -> int:
    """How many records a purge with these settings would delete now (nothing is read but
    their number, so it is not audited)."""
    where = _conditions(cutoff(older_than_days, now), statuses)
    with db.session() as session:
        return int(
            session.execute(
                sa.select(sa.func.count()).select_from(Record).where(*where)
            ).scalar_one()
        )


def purge(
    db: Database,
    *,
    older_than_days: int,
    actor_id: int,
    statuses: Iterable[Status] = (),
    now: dt.datetime | None = None,
) -> PurgeResult:
    """Delete every record not changed for ``older_than_days`` days (only those with one of
    ``statuses``, when given); keep their anonymous counts. All or nothing."""
    chosen = frozenset(statuses)
    before = cutoff(older_than_days, now)
    with db.write() as session:
        rows = session.execute(
            sa.select(
                col(Record.id), col(Record.started_at), col(Record.status),
                col(Record.locale), col(Record.mode),
            ).where(*_conditions(before, chosen))
        ).all()  # fmt: skip
        kinds = Counter(
            (started.strftime("%Y-%m"), status, locale, mode)
            for _id, started, status, locale, mode in rows
        )
        ids = [row[0] for row in rows]
        for chunk in _chunks(ids):
            _blank_personal_details(session, chunk)
            for table in _CHILDREN:
                session.execute(sa.delete(table).where(table.c.record_id.in_(chunk)))
            session.execute(sa.delete(_RECORD).where(_RECORD.c.id.in_(chunk)))
        at = utcnow()
        session.add_all(
            PurgedCount(
                purged_at=at, month=month, status=status, locale=locale, mode=mode, records=n
            )
            for (month, status, locale, mode), n in sorted(kinds.items())
        )
        audit.log(
            session,
            audit.Action.purged,
            actor_id=actor_id,
            records=len(ids),
            older_than_days=older_than_days,
            statuses=[str(status) for status in sorted(chosen)],
            before=before.isoformat(),
        )
    compacted = _compact(db) if db.backend == "sqlite" and ids else True
    return PurgeResult(len(ids), before, compacted)


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _blank_personal_details(session: Session, ids: list[uuid.UUID]) -> None:
    events = session.exec(
        select(AuditEvent).where(
            col(AuditEvent.record_id).in_(ids),
            col(AuditEvent.action).in_(sorted(PERSONAL_DETAILS)),
        )
    )
    for event in events:
        keys = PERSONAL_DETAILS[audit.Action(event.action)]
        event.detail = {
            **{k: v for k, v in event.detail.items() if k not in keys},
            "purged": True,
        }
        session.add(event)


def _compact(db: Database) -> bool:
    """Rebuild the SQLite file without free space and cut the write-ahead log to nothing, so that
    the deleted data are in neither file. False when another program kept the file busy for
    longer than the busy timeout."""
    connection = db.engine.raw_connection()
    try:
        raw: Any = connection.driver_connection
        raw.execute("VACUUM")
        busy, _pages, _moved = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return not busy


def counts(db: Database) -> list[Count]:
    """The anonymous counts of every purge so far, added up by month, status, language, mode."""
    table = PurgedCount
    keys = (col(table.month), col(table.status), col(table.locale), col(table.mode))
    with db.session() as session:
        rows = session.execute(
            sa.select(*keys, sa.func.sum(col(table.records))).group_by(*keys).order_by(*keys)
        ).all()
    return [Count(month, status, locale, mode, int(n)) for month, status, locale, mode, n in rows]
