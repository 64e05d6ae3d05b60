"""A sealing kiosk's side of delivery (``kompass sync``): the envelopes waiting here, and,
once the municipality's server has confirmed them, their deletion.

A delivered envelope is deleted (its page overwritten, ``secure_delete``); the record's id,
envelope hash and identifier tag stay in ``sealed_record``, so the once-per-person rule still
holds and the audit can say what was sent where. On SQLite the two statements of a delivery
go through the driver itself (:func:`~kompass_tui.storage.statements.for_driver`): ten
thousand envelopes are marked in a fraction of what SQLAlchemy's work for each row costs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.storage import audit
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import utcnow
from kompass_tui.storage.statements import DriverStatement, for_driver

_SEALED = SQLModel.metadata.tables["sealed_record"]
_AUDIT = SQLModel.metadata.tables["audit_event"]
_WAITING = sa.and_(_SEALED.c.delivered_at.is_(None), _SEALED.c.envelope.is_not(None))


@dataclass(frozen=True)
class Envelope:
    """A sealed record as it travels to the municipality: nothing beside it names anyone."""

    record_id: uuid.UUID
    content_hash: str
    envelope: bytes
    kiosk: str | None
    sealed_at: dt.datetime


def undelivered(db: Database, *, limit: int, after: uuid.UUID | None = None) -> list[Envelope]:
    """Up to ``limit`` envelopes not delivered yet, in record id order after ``after``."""
    query = (
        sa.select(
            _SEALED.c.record_id,
            _SEALED.c.content_hash,
            _SEALED.c.envelope,
            _SEALED.c.kiosk,
            _SEALED.c.sealed_at,
        )
        .where(_WAITING)
        .order_by(_SEALED.c.record_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(_SEALED.c.record_id > after)
    with db.reader.connect() as connection:
        return [Envelope(*row) for row in connection.execute(query)]


def waiting(db: Database) -> int:
    """How many envelopes wait here for delivery."""
    with db.session() as session:
        found: int = session.execute(sa.select(sa.func.count()).where(_WAITING)).scalar_one()
        return found


_DELIVERED = (
    sa.update(_SEALED)
    .where(
        _SEALED.c.record_id == sa.bindparam("id"),
        _SEALED.c.content_hash == sa.bindparam("hash"),
    )
    .values(envelope=sa.null(), delivered_at=sa.bindparam("at"))
)
_AUDITED = sa.insert(_AUDIT)
_AUDIT_KEYS = ("at", "action", "record_id", "detail")


@cache
def _for_sqlite(dialect: sa.Dialect) -> tuple[DriverStatement, DriverStatement]:
    return (
        for_driver(_DELIVERED, dialect, ("id", "hash", "at")),
        for_driver(_AUDITED, dialect, _AUDIT_KEYS),
    )


def mark_delivered(db: Database, delivered: Sequence[Envelope], *, to: str) -> None:
    """In one transaction: the envelopes the server confirmed are deleted here (their ids,
    hashes and identifier tags stay), each delivery audited (``to``: the server, without
    its password)."""
    if not delivered:
        return
    # What differs from one envelope to the next, and what every row shares.
    marks = [{"id": sent.record_id, "hash": sent.content_hash} for sent in delivered]
    events = [
        {"record_id": sent.record_id, "detail": {"content_hash": sent.content_hash, "to": to}}
        for sent in delivered
    ]
    now = utcnow()
    marked, logged = {"at": now}, {"at": now, "action": audit.Action.record_delivered.value}
    if db.backend != "sqlite":
        with db.connection() as connection:
            connection.execute(_DELIVERED, [{**row, **marked} for row in marks])
            connection.execute(_AUDITED, [{**row, **logged} for row in events])
        return
    mark, log = _for_sqlite(db.engine.dialect)
    mark_rows, log_rows = mark.many(marks, marked), log.many(events, logged)  # before the lock
    with db.sqlite_write() as connection:
        connection.executemany(mark.sql, mark_rows)
        connection.executemany(log.sql, log_rows)


def refused(db: Database, envelope: Envelope, *, to: str) -> None:
    """The server holds another record under this envelope's id: it stays here, audited."""
    with db.write() as session:
        audit.log(
            session,
            audit.Action.delivery_refused,
            record_id=envelope.record_id,
            content_hash=envelope.content_hash,
            to=to,
        )
