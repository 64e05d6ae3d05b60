"""The municipality's inbox: envelopes kiosks deliver (``kompass sync``) and the review opens
(``kompass inbox``).

A kiosk connects with a role that may only insert into ``inbox`` (:func:`kiosk_role_sql`); it
cannot read the inbox, or anything else. On PostgreSQL the table's trigger (migration 0007)
makes delivery idempotent on (record id, content hash) without that role reading anything:
an envelope delivered again is dropped, the same record id with other content is refused
with SQLSTATE ``KP409`` (:class:`DeliveryConflict`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage.database import Database, describe_error, make_engines, safe_url
from kompass_tui.storage.delivery import Envelope
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import utcnow

INBOX = SQLModel.metadata.tables["inbox"]
#: What a kiosk's role may write; ``delivered_at`` and ``opened_at`` are the server's.
KIOSK_COLUMNS = ("record_id", "content_hash", "envelope", "kiosk", "sealed_at")
CONFLICT_STATE = "KP409"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class DeliveryConflict(StorageError):
    """The server holds another record under this id."""


def check_server_url(url: str) -> None:
    """Refuse, before anything is done, a URL that is not PostgreSQL's."""
    from sqlalchemy.engine import make_url

    try:
        backend = make_url(url).get_backend_name()
    except sa.exc.ArgumentError:
        backend = ""
    if backend != "postgresql":
        raise StorageError(
            Msg(
                N_("Kiosks deliver to PostgreSQL only: %(url)s is not a postgresql:// URL."),
                {"url": safe_url(url)},
            )
        )


@contextmanager
def server(url: str) -> Iterator[Engine]:
    """An engine for delivering to the municipality's PostgreSQL; nothing is read there, so its
    schema is not checked (a kiosk's role may not read it)."""
    check_server_url(url)
    engine, _reader = make_engines(url)
    try:
        yield engine
    finally:
        engine.dispose()


def check_reachable(url: str) -> None:
    """Log in to the server (a scheduled sync with a wrong password or host should say so
    even on a day with nothing to deliver)."""
    with server(url) as engine:
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            raise StorageError(describe_error(exc, url)) from None


def deliver(engine: Engine, url: str, envelopes: Sequence[Envelope]) -> None:
    """Insert ``envelopes`` in one transaction; when this returns, the server has every one.
    :class:`DeliveryConflict` when one of them names a record the server holds with other
    content (nothing of the batch is kept then)."""
    # psycopg takes UUIDs, bytes and aware times as they are: the rows go to the driver
    # without SQLAlchemy's work for each (one batch is sent in one pipeline).
    rows = [
        (sent.record_id, sent.content_hash, sent.envelope, sent.kiosk, sent.sealed_at)
        for sent in envelopes
    ]
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(_INSERT, rows)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == CONFLICT_STATE:
            raise DeliveryConflict(
                Msg(
                    N_(
                        "The server already holds record %(id)s with other content; it stays on this kiosk."
                    ),
                    {"id": _conflicting(exc, envelopes)},
                )
            ) from None
        if getattr(exc.orig, "sqlstate", None) in ("42501", "42P01"):
            raise StorageError(
                Msg(
                    N_(
                        "The server refused the delivery (%(detail)s): is its database upgraded, and is the role one made with kompass db kiosk-role?"
                    ),
                    {"detail": str(exc.orig).strip().splitlines()[0][:200]},
                )
            ) from None
        raise StorageError(describe_error(exc, url)) from None


_INSERT = (
    f"INSERT INTO inbox ({', '.join(KIOSK_COLUMNS)}) "  # noqa: S608 - this module's own names
    f"VALUES ({', '.join('%s' for _ in KIOSK_COLUMNS)})"
)


def _conflicting(exc: DBAPIError, envelopes: Sequence[Envelope]) -> str:
    text = str(exc.orig)
    for sent in envelopes:
        if str(sent.record_id) in text:
            return str(sent.record_id)
    return "?"


@dataclass(frozen=True)
class Waiting:
    """An envelope in the inbox, as listed: nothing in it is readable without the key."""

    record_id: uuid.UUID
    kiosk: str | None
    delivered_at: dt.datetime


def waiting(db: Database) -> list[Waiting]:
    """The envelopes not opened yet, oldest delivery first."""
    with db.session() as session:
        return [
            Waiting(*row)
            for row in session.execute(
                sa.select(
                    INBOX.c.record_id,
                    INBOX.c.kiosk,
                    INBOX.c.delivered_at,
                )
                .where(INBOX.c.opened_at.is_(None))
                .order_by(INBOX.c.delivered_at, INBOX.c.record_id)
            )
        ]


def envelope(db: Database, record_id: uuid.UUID) -> tuple[bytes, str] | None:
    """A waiting envelope and its content hash; ``None`` when it was opened."""
    with db.session() as session:
        found = session.execute(
            sa.select(INBOX.c.envelope, INBOX.c.content_hash).where(
                INBOX.c.record_id == record_id, INBOX.c.opened_at.is_(None)
            )
        ).first()
        return None if found is None else (found.envelope, found.content_hash)


def claim(
    session: Session, record_id: uuid.UUID
) -> sa.Row[tuple[str | None, dt.datetime, str]] | None:
    """In ``session``'s transaction: the waiting envelope's kiosk, delivery time and hash, the
    row locked so that two openers do not both open it; ``None`` when it was opened meanwhile."""
    query = sa.select(INBOX.c.kiosk, INBOX.c.delivered_at, INBOX.c.content_hash).where(
        INBOX.c.record_id == record_id, INBOX.c.opened_at.is_(None)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).first()


def mark_opened(session: Session, record_id: uuid.UUID) -> None:
    session.execute(
        sa.update(INBOX).where(INBOX.c.record_id == record_id).values(opened_at=utcnow())
    )


def check_role_name(name: str) -> str:
    if not _ROLE_NAME.fullmatch(name):
        raise StorageError(
            Msg(
                N_(
                    "'%(name)s' is not a role name: use lowercase letters, digits and _, starting with a letter."
                ),
                {"name": name},
            )
        )
    return name


def kiosk_role_sql(name: str, password: str, schema: str) -> list[str]:
    """The statements that make ``name`` a kiosk's role: it logs in, finds the inbox, and may
    insert the kiosk's columns into it and nothing else."""
    check_role_name(name)
    quoted = password.replace("'", "''")
    schema_name = '"' + schema.replace('"', '""') + '"'
    return [
        f"CREATE ROLE {name} LOGIN PASSWORD '{quoted}' NOINHERIT",
        f"ALTER ROLE {name} SET search_path = {schema_name}",
        f"GRANT USAGE ON SCHEMA {schema_name} TO {name}",
        f"GRANT INSERT ({', '.join(KIOSK_COLUMNS)}) ON {schema_name}.inbox TO {name}",
    ]


def current_schema(db: Database) -> str:
    with db.session() as session:
        schema: str = session.execute(sa.text("SELECT current_schema()")).scalar_one()
        return schema


def create_kiosk_role(db: Database, statements: Sequence[str]) -> None:
    try:
        with db.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state == "42710":
            raise StorageError(Msg(N_("That role exists already."), {})) from None
        if state == "42501":
            raise StorageError(
                Msg(
                    N_(
                        "This database user may not create roles. Give the statements of kompass db kiosk-role --sql to the database administrator."
                    ),
                    {},
                )
            ) from None
        raise StorageError(describe_error(exc, db.url)) from None
