"""Opening the database: which one, with which settings, at which schema version.

The database is chosen by ``--db URL``, else ``KOMPASS_DB``, else an SQLite file in the
user data directory. Nothing connects at import time: :func:`open_database` makes the
engine, checks the schema (a new database is migrated to the current schema; an older
one asks for ``kompass db upgrade``; an unknown, newer one is refused) and returns a
:class:`Database`. Every failure is a :class:`StorageError` with a translatable message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs
import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    NoSuchModuleError,
    SQLAlchemyError,
)
from sqlmodel import Session

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import DB_ENV_VAR
from kompass_tui.storage.errors import StorageError as StorageError
from kompass_tui.storage.errors import file_problem
from sporreskjema.files import make_private_dir

#: How long a writer waits for another program's write to finish (milliseconds).
BUSY_TIMEOUT_MS: Final = 15_000
MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("kompass", appauthor=False)) / "kompass.sqlite3"


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the one given, else ``KOMPASS_DB``, else the default SQLite file."""
    chosen = url or os.environ.get(DB_ENV_VAR) or ""
    return chosen.strip() or f"sqlite:///{default_path()}"


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            Msg(
                N_("'%(url)s' is not a database URL. Use sqlite:///PATH or postgresql+psycopg://…"),
                {"url": url},
            )
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(
            Msg(
                N_("'%(backend)s' databases are not supported; use SQLite or PostgreSQL."),
                {"backend": parsed.get_backend_name()},
            )
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _prepare_sqlite_file(url: URL) -> None:
    """Create the folder (owner only) and the file (owner read/write only) before connecting."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    try:
        make_private_dir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except PermissionError:
        raise StorageError(
            Msg(N_("No permission to write the database file %(path)s."), {"path": str(path)})
        ) from None
    except OSError as exc:
        raise StorageError(
            file_problem(N_("Cannot create the database file %(path)s: %(reason)s."), path, exc)
        ) from None


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own transaction handling is off; the dialect's do_begin starts them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows and freed pages are overwritten with zeros: a sealed or purged record's
        # names do not linger in the file's free space.
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _sqlite_engine(url: URL, begin: str) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    sa.event.listen(engine, "connect", _sqlite_on_connect)

    def do_begin(dbapi_connection: Any) -> None:
        dbapi_connection.execute(begin)

    # Set on this engine's own dialect object; no per-statement event is needed.
    engine.dialect.do_begin = do_begin  # type: ignore[method-assign]
    return engine


def make_engines(url: str) -> tuple[Engine, Engine]:
    """Engines for writing and for reading ``url``, with the project's settings; both lazy.

    On SQLite a writer takes the write lock at ``BEGIN IMMEDIATE``, so it waits (busy
    timeout) instead of failing with "database is locked" when it writes after reading;
    readers begin deferred and never block one another or a writer (WAL). On
    PostgreSQL one engine does both.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        return _sqlite_engine(parsed, "BEGIN IMMEDIATE"), _sqlite_engine(parsed, "BEGIN")
    # psycopg's own log lines (a connection lost while it cleans up) would reach the terminal
    # through logging's last resort; the error that follows says what happened, in one line.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    try:
        engine = sa.create_engine(parsed, connect_args={"connect_timeout": 10})
    except ImportError:
        # The driver is the optional kompass-tui[postgres]: a kiosk on SQLite does without it.
        raise StorageError(
            Msg(
                N_(
                    "PostgreSQL support is not installed. Install it with: pip install 'kompass-tui[postgres]'"
                ),
                {},
            )
        ) from None
    sa.event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    sa.event.listen(engine, "checkin", _note_last_use)
    sa.event.listen(engine, "connect", _note_last_use)  # a new connection needs no ping
    return engine, engine


#: A pooled PostgreSQL connection idle for longer than this is pinged before it is used.
IDLE_PING_SECONDS: Final = 5.0


def _note_last_use(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned"] = time.monotonic()


def _ping_if_idle(dialect: sa.Dialect) -> Any:
    """The pool's pessimistic check, for a connection that has been idle: a server restarted
    or a firewall that dropped the connection meanwhile gives a fresh connection instead of a
    failed save (the pool retries on :class:`DisconnectionError`). A connection handed back
    moments ago is used as it is: the kiosk saves an answer a time, and a ping before each
    would be a second round trip to the server for every one (SQLAlchemy's ``pool_pre_ping``
    pings every time). The documented recipe: SQLAlchemy's "Disconnect Handling".
    """

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned")
        if returned is not None and time.monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError() from exc
            raise

    return checkout


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def _known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def describe_error(exc: BaseException, url: str) -> Msg:
    """A one-line message for a database failure."""
    text = (
        str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if str(exc).strip()
        else type(exc).__name__
    )
    lowered = text.lower()
    shown = safe_url(url)
    if "file is not a database" in lowered or "malformed" in lowered:
        return Msg(
            N_("The database file is damaged or is not a Kompass database: %(url)s"), {"url": shown}
        )
    if "readonly" in lowered or "read-only" in lowered:
        return Msg(N_("The database is read-only: %(url)s"), {"url": shown})
    if "unable to open" in lowered:
        return Msg(N_("Cannot open the database: %(url)s"), {"url": shown})
    if "disk" in lowered and "full" in lowered:
        return Msg(N_("The disk is full; nothing was saved."), {})
    if "locked" in lowered or "busy" in lowered:
        return Msg(N_("The database is busy in another program; try again."), {})
    if "password authentication failed" in lowered or "authentication" in lowered:
        return Msg(N_("The database refused the user name or password: %(url)s"), {"url": shown})
    if "connection" in lowered or "could not" in lowered or "timeout" in lowered:
        return Msg(N_("Cannot reach the database server: %(url)s"), {"url": shown})
    return Msg(N_("Database error (%(detail)s): %(url)s"), {"detail": text[:200], "url": shown})


@dataclass
class Database:
    """An open, checked database."""

    #: Writes (and migrations).
    engine: Engine
    url: str
    #: Reads; on SQLite a second engine whose transactions begin deferred.
    reader: Engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session."""
        with self._guard(), Session(self.reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with (
            self._guard(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """One write transaction on a plain connection, for the few hot paths written in Core."""
        with self._guard(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def sqlite_write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the SQLite driver's own connection (``BEGIN IMMEDIATE`` …
        ``COMMIT``, rolled back on any error), for the kiosk's hottest path, where SQLAlchemy's
        work for each statement costs about as much as the statement itself."""
        with self._guard():
            pooled = self.engine.raw_connection()
            try:
                connection: sqlite3.Connection = pooled.driver_connection  # type: ignore[assignment]
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield connection
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            finally:
                pooled.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise  # a broken uniqueness rule: the caller knows what it means
        except (DBAPIError, sqlite3.Error) as exc:
            raise StorageError(describe_error(exc, self.url)) from exc

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
        self.reader.dispose()


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _has_tables(engine: Engine) -> bool:
    return bool(sa.inspect(engine).get_table_names())


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (``kompass db upgrade``)."""
    from alembic import command

    current = schema_revision(engine)
    if current is not None and current not in _known_revisions():
        raise _newer_schema(current)
    command.upgrade(alembic_config(engine), "head")


def _newer_schema(revision: str) -> StorageError:
    return StorageError(
        Msg(
            N_(
                "The database has schema version %(revision)s, which this version of Kompass does not know. Use a newer Kompass."
            ),
            {"revision": revision},
        )
    )


def open_database(
    url: str | None = None, *, migrate_new: bool = True, allow_older: bool = False
) -> Database:
    """Open the database and check its schema.

    ``migrate_new``: a new, empty database is created at the newest schema, and an SQLite file
    at an older schema is upgraded. ``allow_older``: an older schema is opened as it is (for
    ``kompass db upgrade``)."""
    chosen = resolve_url(url)
    engine, reader = make_engines(chosen)
    try:
        current = schema_revision(engine)
        if current is None:
            if _has_tables(engine):
                raise StorageError(
                    Msg(
                        N_("The database has tables but no Kompass schema version: %(url)s"),
                        {"url": safe_url(chosen)},
                    )
                )
            if migrate_new:
                upgrade(engine)
        elif current not in _known_revisions():
            raise _newer_schema(current)
        elif current not in _heads() and not allow_older:
            if migrate_new and engine.dialect.name == "sqlite":
                # A kiosk's own file follows the installed Kompass: nobody else shares it, and
                # the migrations run in one transaction, so a failed upgrade changes nothing.
                # A shared PostgreSQL database is upgraded on purpose, with kompass db upgrade.
                upgrade(engine)
            else:
                raise StorageError(
                    Msg(
                        N_(
                            "The database schema is older than this version of Kompass. Run: kompass db upgrade"
                        ),
                        {},
                    )
                )
    except StorageError:
        engine.dispose()
        reader.dispose()
        raise
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        reader.dispose()
        if isinstance(exc, NoSuchModuleError):
            raise StorageError(
                Msg(
                    N_(
                        "'%(url)s' is not a database URL. Use sqlite:///PATH or postgresql+psycopg://…"
                    ),
                    {"url": safe_url(chosen)},
                )
            ) from None
        raise StorageError(describe_error(exc, chosen)) from None
    return Database(engine, chosen, reader)
