"""Saving one answer, the kiosk's hot path, in SQLAlchemy Core: its statements are built
once per dialect, and on SQLite compiled once for the driver itself.

Everything else in storage goes through the ORM session (:mod:`kompass_tui.storage.records`);
this module is the one place that writes with Core statements and, on SQLite, through the
driver. A row written either way is exactly the row the ORM would write: the statements are
compiled with SQLAlchemy's own converters of their values (UUIDs, timestamps, JSON).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from kompass_tui.storage.answers import person_column
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import DuplicatePerson, RecordClosed, RecordNotFound
from kompass_tui.storage.models import utcnow
from kompass_tui.storage.sealed_records import sealed_owner
from kompass_tui.storage.status import Status

_RECORD = SQLModel.metadata.tables["record"]
_ANSWER = SQLModel.metadata.tables["answer"]

#: The record, other than ``record_id``, that has the identifier ``person_key``.
_OWNER = (
    sa.select(_RECORD.c.id)
    .where(
        _RECORD.c.person_key == sa.bindparam("person_key"),
        _RECORD.c.id != sa.bindparam("record_id"),
    )
    .limit(1)
)


def owner_of(
    where: Session | sa.Connection, person_key: str, record_id: uuid.UUID
) -> uuid.UUID | None:
    """The other record that has this identifier (the once-per-person rule), if any: one in
    clear, or one a sealing kiosk sealed here (found by the identifier's tag)."""
    owner: uuid.UUID | None = where.execute(
        _OWNER, {"person_key": person_key, "record_id": record_id}
    ).scalar()
    if owner is None:
        owner = sealed_owner(where, person_key)
    return owner


def person_changes(
    where: Session | sa.Connection, record_id: uuid.UUID, path: str, value: Any
) -> dict[str, Any]:
    """The record's columns an answer at ``path`` changes (none for most answers), checked:
    :class:`DuplicatePerson` when the identifier is another record's. The one place that
    copies the person's name, birth date, identifier and permit date onto the record, for
    the kiosk's answers and a caseworker's corrections alike."""
    copied = person_column(path, value)
    if copied is None:
        return {}
    column, stored = copied
    if column == "person_key" and stored is not None:
        other = owner_of(where, stored, record_id)
        if other is not None:
            raise DuplicatePerson(other)
    return {column: stored}


#: An answer's row as the save writes it; on a conflict (the same record and path) all but
#: the first two are replaced.
_ANSWER_COLUMNS: Final = ("record_id", "path", "value", "provenance", "place", "answered_at")


def _on_conflict_replace(statement: Any) -> sa.Insert:
    """``… ON CONFLICT (record_id, path) DO UPDATE`` the answer's value and what goes with it."""
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=list(_ANSWER_COLUMNS[:2]),
        set_={name: statement.excluded[name] for name in _ANSWER_COLUMNS[2:]},
    )


@cache
def _upsert_statement(dialect: str) -> sa.Insert:
    """``INSERT … ON CONFLICT (record_id, path) DO UPDATE``, built once per dialect."""
    return _on_conflict_replace(
        (sqlite_insert if dialect == "sqlite" else postgresql_insert)(_ANSWER)
    )


@cache
def _touch_statement(columns: tuple[str, ...]) -> sa.Update:
    """Set ``columns`` on a record that is still in progress (0 rows when it is not)."""
    return (
        sa.update(_RECORD)
        .where(
            _RECORD.c.id == sa.bindparam("record_id"), _RECORD.c.status == Status.in_progress.value
        )
        .values({column: sa.bindparam(column) for column in columns})
    )


@cache
def _touch_and_upsert() -> sa.Insert:
    """PostgreSQL: the record's time and the answer's upsert in ONE statement, the upsert
    reading the id the update returns (no row when the record is not in progress). One round
    trip to the server instead of two for every answer a kiosk saves."""
    touched = _touch_statement(("updated_at",)).returning(_RECORD.c.id).cte("touched")
    source = sa.select(
        touched.c.id,
        *(sa.bindparam(name, type_=_ANSWER.c[name].type) for name in _ANSWER_COLUMNS[1:]),
    )
    statement = postgresql_insert(_ANSWER).from_select(list(_ANSWER_COLUMNS), source)
    return _on_conflict_replace(statement).add_cte(touched)


@dataclass(frozen=True)
class DriverStatement:
    """A Core statement compiled once for SQLite, with SQLAlchemy's own converters of its
    values, so that rows written through the driver are exactly the rows Core would write."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Any, ...]
    #: The values written into the statement itself (``status = 'in_progress'``).
    fixed: Mapping[str, Any]

    def many(self, rows: Sequence[Mapping[str, Any]], same: Mapping[str, Any]) -> list[list[Any]]:
        """The parameters of many executions: ``rows`` give what differs from one to the next,
        ``same`` what they share, converted once."""
        shared = {
            name: value if convert is None else convert(value)
            for name, convert in zip(self.names, self.converters, strict=True)
            if name in same
            for value in (same[name],)
        }
        varying = [
            (index, name, convert)
            for index, (name, convert) in enumerate(zip(self.names, self.converters, strict=True))
            if name not in same
        ]
        template = [shared.get(name, self.fixed.get(name)) for name in self.names]
        made = []
        for row in rows:
            values = template.copy()
            for index, name, convert in varying:
                value = row[name]
                values[index] = value if convert is None else convert(value)
            made.append(values)
        return made

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        given = [values[name] if name in values else self.fixed[name] for name in self.names]
        return [
            value if convert is None else convert(value)
            for value, convert in zip(given, self.converters, strict=True)
        ]


@cache
def _compiled(dialect: sa.Dialect, which: str) -> DriverStatement:
    if which == "touch":
        return for_driver(_touch_statement(("updated_at",)), dialect, ("record_id", "updated_at"))
    return for_driver(_upsert_statement("sqlite"), dialect, _ANSWER_COLUMNS)


def for_driver(statement: Any, dialect: sa.Dialect, keys: tuple[str, ...]) -> DriverStatement:
    """``statement`` compiled for SQLite's driver, as Core compiles it for an execution with
    exactly the values ``keys``."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    converters = tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds)
    fixed = {
        name: bind.effective_value
        for name, bind in zip(names, binds, strict=True)
        if not bind.required
    }
    return DriverStatement(compiled.string, names, converters, fixed)


class _NotOpen(Exception):
    """The record is not open for answers: the fast way gives up and writes nothing."""


def _save_on_sqlite(db: Database, row: dict[str, Any]) -> bool:
    """The usual answer (not a person field, not a removal) saved through the driver in one
    transaction; False, with nothing written, when the record is not open for answers."""
    dialect = db.engine.dialect
    touch, upsert = _compiled(dialect, "touch"), _compiled(dialect, "upsert")
    try:
        with db.sqlite_write() as connection:
            touched = connection.execute(
                touch.sql,
                touch.parameters({"record_id": row["record_id"], "updated_at": row["answered_at"]}),
            ).rowcount
            if not touched:
                raise _NotOpen
            connection.execute(upsert.sql, upsert.parameters(row))
    except _NotOpen:
        return False
    return True


def write_answer(
    db: Database,
    *,
    record_id: uuid.UUID,
    path: str,
    value: Any,
    provenance: str,
    place: str | None = None,
    beside: Mapping[str, Any] | None = None,
) -> None:
    """One answer (``None`` removes it) in its own transaction, on a record still in
    progress: one update of the record and one upsert of the answer. The usual answer (not
    a person field, not a removal, nothing beside it) goes the same statements through the
    driver itself on SQLite, and as one statement on PostgreSQL. ``place``: where it was
    given (a :class:`~kompass_tui.storage.models.Place`).

    ``beside``: further rows that belong to this answer (path → value, ``None`` removes
    it), written in the same transaction: a date as written in another calendar."""
    now = utcnow()
    if value is not None and not beside and person_column(path, value) is None:
        row = {"record_id": record_id, "path": path, "value": value,
               "provenance": provenance, "place": place, "answered_at": now}  # fmt: skip
        if db.backend == "sqlite":
            if _save_on_sqlite(db, row):
                return
        else:
            with db.connection() as connection:
                if connection.execute(_touch_and_upsert(), {**row, "updated_at": now}).rowcount:
                    return
        # not open for answers: the general way below says why
    try:
        with db.connection() as connection:
            changes = {"updated_at": now, **person_changes(connection, record_id, path, value)}
            updated = connection.execute(
                _touch_statement(tuple(changes)), {"record_id": record_id, **changes}
            ).rowcount
            if not updated:
                status = connection.execute(
                    sa.select(_RECORD.c.status).where(_RECORD.c.id == record_id)
                ).scalar()
                raise RecordNotFound(record_id) if status is None else RecordClosed(status)
            for one_path, one_value in {path: value, **(beside or {})}.items():
                if one_value is None:
                    connection.execute(
                        sa.delete(_ANSWER).where(
                            _ANSWER.c.record_id == record_id, _ANSWER.c.path == one_path
                        )
                    )
                else:
                    row = {"record_id": record_id, "path": one_path, "value": one_value,
                           "provenance": provenance, "place": place, "answered_at": now}  # fmt: skip
                    connection.execute(_upsert_statement(connection.dialect.name), row)
    except IntegrityError:
        # Another program registered the same person between our check and our write.
        copied = person_column(path, value)
        if copied is not None and copied[0] == "person_key" and isinstance(value, str):
            with db.session() as session:
                other = owner_of(session, value, record_id)
            if other is not None:
                raise DuplicatePerson(other) from None
        raise
