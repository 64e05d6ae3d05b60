"""``kompass purge``: the personal data of old records deleted, anonymous counts kept.

A record is old when it has not changed for the retention period (its ``updated_at``; an
export changes it too). A purge deletes such records with their answers, remarks and
corrections in one transaction, together with:

- rows in ``purged_count`` saying how many records of which month, status, language and mode
  there were, so the municipality's statistics survive the data;
- the personal text the audit log kept (see :func:`_blank_audit_text`), which is blanked: the
  events themselves stay, so the log still shows who did what to which record, and when;
- one ``purged`` audit event with who purged how many records, and with which rule.

On SQLite the file is rebuilt afterwards (``VACUUM``: deleting leaves the rows in free space, and
SQLite leaves stale copies of rows in unused parts of its pages) and the write-ahead log emptied,
so the names are gone from the files too, not only from the tables.
On PostgreSQL the server's own vacuum reclaims the deleted rows' space in time.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import audit
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.models import (
    AuditEvent,
    Caseworker,
    Correction,
    PurgedCount,
    Record,
    Status,
    utcnow,
)
from kompass_tui.storage.review import SearchTerm
from sporreskjema.identifiers import digits_only

#: Records deleted per statement: well under every database's limit on bound parameters.
CHUNK: Final = 500
#: Audit events of a record that keep its answers in their details, and which details those are.
PERSONAL_DETAILS: Final = {audit.Action.answer_corrected: ("old", "new")}
#: What a purge writes over personal text in the audit log (a search, a file name, a user name).
PURGED_TEXT: Final = "(purged)"
#: The answers whose values are a person's name or identifier: a search may have used them.
NAME_PATHS: Final = ("full_name",)
KEY_PATHS: Final = ("person_id",)

_RECORD = SQLModel.metadata.tables["record"]
_AUDIT = SQLModel.metadata.tables["audit_event"]
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
    #: Audit events whose personal text was blanked.
    blanked: int = 0


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
    actor_id: int | None,
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
                col(Record.locale), col(Record.mode), col(Record.full_name),
                col(Record.person_key),
            ).where(*_conditions(before, chosen))
        ).all()  # fmt: skip
        kinds = Counter(
            (started.strftime("%Y-%m"), status, locale, mode)
            for _id, started, status, locale, mode, _name, _key in rows
        )
        ids = [row[0] for row in rows]
        people = _People()
        for record_id, _started, _status, _locale, _mode, name, key in rows:
            people.add(record_id, name, key)
        blanked = 0
        for chunk in _chunks(ids):
            people.add_corrections(session, chunk)
            blanked += _blank_personal_details(session, chunk)
            for table in _CHILDREN:
                session.execute(sa.delete(table).where(table.c.record_id.in_(chunk)))
            session.execute(sa.delete(_RECORD).where(_RECORD.c.id.in_(chunk)))
        blanked += _blank_audit_text(session, people, before)
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
            blanked=blanked,
        )
    compacted = compact(db) if db.backend == "sqlite" and (ids or blanked) else True
    return PurgeResult(len(ids), before, compacted, blanked)


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _blank_personal_details(session: Session, ids: list[uuid.UUID]) -> int:
    events = session.exec(
        select(AuditEvent).where(
            col(AuditEvent.record_id).in_(ids),
            col(AuditEvent.action).in_(sorted(PERSONAL_DETAILS)),
        )
    )
    blanked = 0
    for event in events:
        keys = PERSONAL_DETAILS[audit.Action(event.action)]
        event.detail = {
            **{k: v for k, v in event.detail.items() if k not in keys},
            "purged": True,
        }
        session.add(event)
        blanked += 1
    return blanked


@dataclass
class _People:
    """The purged records: their ids, and the names and identifiers a search could have used
    to find them (their last ones, and the ones corrections replaced)."""

    ids: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    #: The words of the names, so a name is recognised in another order too ("Ali, Hodan").
    words: set[str] = field(default_factory=set)
    #: Every start of every identifier: a search finds the identifiers it starts.
    key_starts: set[str] = field(default_factory=set)
    _joined: str | None = None
    #: Searches already looked at: a caseworker's searches repeat.
    _found: dict[str, bool] = field(default_factory=dict)

    def add(self, record_id: uuid.UUID | None, name: Any, key: Any) -> None:
        if record_id is not None:
            self.ids.add(str(record_id))
        if isinstance(name, str) and name:
            self.names.append(name.lower())
            self.words.update(_words(name))
            self._joined = None
        if isinstance(key, str):
            digits = "".join(ch for ch in key if ch.isdigit())
            self.key_starts.update(digits[:n] for n in range(1, len(digits) + 1))

    def add_corrections(self, session: Session, ids: list[uuid.UUID]) -> None:
        for path, old, new in session.execute(
            sa.select(
                col(Correction.path), col(Correction.old_value), col(Correction.new_value)
            ).where(
                col(Correction.record_id).in_(ids),
                col(Correction.path).in_([*NAME_PATHS, *KEY_PATHS]),
            )
        ):
            for value in (old, new):
                if path in NAME_PATHS:
                    self.add(None, value, None)
                else:
                    self.add(None, None, value)

    def found_by(self, search: str) -> bool:
        """Whether ``search`` names one of these people: the record list would find them by
        it (as a name or an identifier; record ids are no personal data), or it holds a word of
        their names or the start of their identifiers, written in another way."""
        found = self._found.get(search)
        if found is None:
            found = self._found[search] = self._finds(search)
        return found

    def _finds(self, search: str) -> bool:
        term = SearchTerm.parse(search)
        if term is None:
            return False
        if self._joined is None:
            # A search is one line: it cannot reach from one name into the next.
            self._joined = "\n".join(self.names)
        if term.name in self._joined:
            return True
        written = digits_only(term.name)
        if written.isdigit() and written in self.key_starts:  # "150790-10003"
            return True
        return any(
            word in self.words or (word.isdigit() and len(word) >= 6 and word in self.key_starts)
            for word in _words(term.name)
        )


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"\W+", text.lower()) if word}


def _blank_audit_text(session: Session, people: _People, before: dt.datetime) -> int:
    """Blank the personal text that audit events keep besides a correction's answers, wherever
    it could be about a purged record; how many events changed. The events stay.

    - A user name that is no account's (a failed login's: someone's name, a mistyped password):
      every one, at every purge. It cannot be told whom it was about.
    - A search in the record list (``records_listed``): when the listing showed a purged record,
      when the search would find one (by name or identifier, in any status), when it is older
      than the retention period, and when the event does not say which records it showed.
    - An import's file name: when the import brought or met a purged record, and when the
      event does not name every record of its file.
    """
    session.flush()  # the ORM's changes first: what follows goes round it
    accounts = sa.select(col(Caseworker.username)).scalar_subquery()
    blanked = (
        session.connection()
        .execute(
            sa.update(_AUDIT)
            .where(
                _AUDIT.c.actor_name.is_not(None),
                _AUDIT.c.actor_name != PURGED_TEXT,
                _AUDIT.c.actor_name.not_in(accounts),
            )
            .values(actor_name=PURGED_TEXT)
        )
        .rowcount
    ) or 0
    for batch in _events_with_text(session, audit.Action.records_listed, "search"):
        changes = [
            {"event": event_id, "text": {**detail, "search": PURGED_TEXT}}
            for event_id, at, detail in batch
            if at < before
            or not isinstance(shown := detail.get("records"), list)
            or not people.ids.isdisjoint(map(str, shown))
            or people.found_by(str(detail["search"]))
        ]
        blanked += _rewrite(session, changes)
    for batch in _events_with_text(session, audit.Action.imported, "file"):
        changes = [
            {"event": event_id, "text": {**detail, "file": PURGED_TEXT}}
            for event_id, _at, detail in batch
            if not isinstance(named := detail.get("records"), list)
            or len(named) < _counted(detail)
            or not people.ids.isdisjoint(map(str, named))
        ]
        blanked += _rewrite(session, changes)
    return blanked


def _counted(detail: dict[str, Any]) -> int:
    """How many records an import's event says the file had."""
    return sum(n for n in (detail.get("new"), detail.get("existing")) if isinstance(n, int))


def _events_with_text(
    session: Session, action: audit.Action, key: str, batch: int = 2000
) -> Iterator[list[tuple[int, dt.datetime, dict[str, Any]]]]:
    """Events of one kind whose detail ``key`` is text not blanked yet (their id, time and
    detail), a batch at a time: the log may be long."""
    text = _AUDIT.c.detail[key].as_string()
    after = 0
    while True:
        rows = [
            (event_id, at, detail)
            for event_id, at, detail in session.connection().execute(
                sa.select(_AUDIT.c.id, _AUDIT.c.at, _AUDIT.c.detail)
                .where(
                    _AUDIT.c.id > after,
                    _AUDIT.c.action == str(action),
                    text.not_in(["", PURGED_TEXT]),
                )
                .order_by(_AUDIT.c.id)
                .limit(batch)
            )
        ]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _rewrite(session: Session, changes: list[dict[str, Any]]) -> int:
    """Give events (``event``: id) new details (``text``); how many."""
    if changes:
        session.connection().execute(
            sa.update(_AUDIT)
            .where(_AUDIT.c.id == sa.bindparam("event"))
            .values(detail=sa.bindparam("text")),
            changes,
        )
    return len(changes)


def compact(db: Database) -> bool:
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
