"""Opening databases: migrations, settings, and every way it can go wrong."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage.database import Database, StorageError, open_database, schema_revision
from sporreskjema import translator

runner = CliRunner()


def test_a_new_database_gets_the_current_schema(db: Database) -> None:
    assert schema_revision(db.engine) == "0010"
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "the migrations and the models disagree: add a migration"


def test_sqlite_settings(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'k.sqlite3'}")
    try:
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("secure_delete") == 1  # deleted rows are overwritten
            assert pragma("busy_timeout") >= 5000
    finally:
        db.dispose()
    assert stat.S_IMODE((tmp_path / "deep" / "folder" / "k.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "deep" / "folder").stat().st_mode) == 0o700


def test_default_is_a_file_in_the_user_data_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    created = Path(os.environ["XDG_DATA_HOME"]) / "kompass" / "kompass.sqlite3"
    assert created.is_file()
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    again = runner.invoke(app, ["db", "upgrade"], env={"KOMPASS_LOCALE": "en"})
    assert "up to date" in again.output


def test_kompass_db_variable_is_read(tmp_path: Path) -> None:
    target = tmp_path / "from-env.sqlite3"
    result = runner.invoke(
        app, ["db", "upgrade"], env={"KOMPASS_DB": f"sqlite:///{target}", "KOMPASS_LOCALE": "en"}
    )
    assert result.exit_code == 0
    assert target.is_file()


def test_no_engine_is_created_at_import_time(tmp_path: Path) -> None:
    code = (
        "import kompass_tui.cli, kompass_tui.storage.records, kompass_tui.storage.accounts\n"
        "import gc, sqlalchemy\n"
        "engines = [o for o in gc.get_objects() if isinstance(o, sqlalchemy.engine.Engine)]\n"
        "print(len(engines))\n"
    )
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "0"
    assert not any(tmp_path.iterdir())


def fails_in_one_line(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_corrupt_database_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database, just some text " * 200)
    line = fails_in_one_line(["user", "list", "--db", f"sqlite:///{bad}"])
    assert line.startswith("Error: The database file is damaged")
    assert bad.read_bytes().startswith(b"this is not a database")  # left as it was


def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:
        # root ignores permission bits; an immutable directory stops root too
        made = subprocess.run(["chattr", "+i", str(locked)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip("running as root on a file system without immutable directories")
    else:
        locked.chmod(0o500)
    try:
        line = fails_in_one_line(["db", "upgrade", "--db", f"sqlite:///{locked / 'k.sqlite3'}"])
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)], check=True)
        locked.chmod(0o700)
    assert line == f"Error: No permission to write the database file {locked / 'k.sqlite3'}."
    assert not (locked / "k.sqlite3").exists()


def test_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    # a file the database cannot write: a read-only open of the URL
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    result = runner.invoke(
        app, ["user", "add", "kari", "--name", "Kari", "--db", url],
        input="longpassword1\nlongpassword1\n", env={"KOMPASS_LOCALE": "en"},
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith("Error: The database is read-only: sqlite:///")
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "is not a database URL"),
        ("mysql://user@host/db", "'mysql' databases are not supported"),
        (
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/kompass",
            "Cannot reach the database server",
        ),
        ("oracle+cx://a/b", "databases are not supported"),
    ],
)
def test_wrong_url(url: str, words: str) -> None:
    line = fails_in_one_line(["user", "list", "--db", url])
    assert words in line
    assert "secret" not in line


def test_a_newer_schema_is_refused(db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    db.dispose()
    with pytest.raises(StorageError) as caught:
        open_database(db_url)
    assert caught.value.message.params["revision"] == "9999"
    line = fails_in_one_line(["user", "list", "--db", db_url])
    assert "9999" in line
    assert "newer Kompass" in line
    line = fails_in_one_line(["db", "upgrade", "--db", db_url])
    assert "9999" in line


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE invoices (id INTEGER)"))
    engine.dispose()
    line = fails_in_one_line(["user", "list", "--db", f"sqlite:///{path}"])
    assert "no Kompass schema version" in line


def test_db_upgrade_creates_and_reports(db_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", db_url], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    assert "schema upgraded from empty to 0010" in result.output
    result = runner.invoke(app, ["db", "upgrade", "--db", db_url], env={"KOMPASS_LOCALE": "en"})
    assert "up to date (version 0010)" in result.output


def at_the_first_schema(url: str) -> None:
    """A database as Kompass 0001 left it, with one caseworker in it."""
    from alembic import command

    from kompass_tui.storage.database import alembic_config, make_engines

    engine, reader = make_engines(url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO caseworker (username, full_name, password_hash, active, failed_logins,"
                    " created_at) VALUES ('kari', 'Kari', 'x', TRUE, 0, CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()
        reader.dispose()


def test_db_upgrade_upgrades_an_older_schema(db_url: str) -> None:
    at_the_first_schema(db_url)
    result = runner.invoke(app, ["db", "upgrade", "--db", db_url], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    assert "schema upgraded from 0001 to 0010" in result.output


def test_an_older_schema_when_opened(db_url: str) -> None:
    """After a new Kompass is installed, a kiosk's own SQLite file is upgraded when opened, with
    what it holds: nobody at a reception centre has to know about kompass db upgrade. A shared
    PostgreSQL database serves many desks, some perhaps still on the older Kompass: upgrading it
    is the IT department's step, and until then the newer Kompass says so and changes nothing."""
    at_the_first_schema(db_url)
    if db_url.startswith("sqlite"):
        db = open_database(db_url)
        try:
            assert schema_revision(db.engine) == "0010"
            with db.engine.connect() as connection:
                found = connection.execute(sa.text("SELECT username FROM caseworker")).scalar()
            assert found == "kari"
        finally:
            db.dispose()
        return
    with pytest.raises(StorageError) as caught:
        open_database(db_url)
    assert "kompass db upgrade" in caught.value.message.render(translator("en"))
    line = fails_in_one_line(["user", "list", "--db", db_url])
    assert "Run: kompass db upgrade" in line
    engine = sa.create_engine(db_url)
    try:
        assert schema_revision(engine) == "0001"
    finally:
        engine.dispose()


def test_the_upgrade_makes_one_administrator(db_url: str) -> None:
    """An existing database gets one administrator: the earliest active account with a real
    password; not a disabled one, and not one an import added (which no password opens)."""
    from alembic import command

    from kompass_tui.storage.database import alembic_config, make_engines

    engine, reader = make_engines(db_url)
    try:
        command.upgrade(alembic_config(engine), "0002")
        with engine.begin() as connection:
            for day, name, password_hash, active in [
                (1, "imported.author", "!imported", True),
                (2, "gone", "$argon2id$old", False),
                (3, "kari", "$argon2id$kari", True),
                (4, "ola", "$argon2id$ola", True),
            ]:
                connection.execute(
                    sa.text(
                        "INSERT INTO caseworker (username, full_name, password_hash, active,"
                        " failed_logins, created_at) VALUES (:name, :name, :hash, :active, 0, :at)"
                    ),
                    {"name": name, "hash": password_hash, "active": active,
                     "at": f"2026-01-0{day} 10:00:00+00:00"},
                )  # fmt: skip
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as connection:
            admins = connection.execute(
                sa.text("SELECT username FROM caseworker WHERE is_admin ORDER BY username")
            ).scalars()
            assert list(admins) == ["kari"]
    finally:
        engine.dispose()
        reader.dispose()


def test_the_upgrade_says_where_answers_were_given_where_it_is_certain(db_url: str) -> None:
    """0005 adds where each answer was given. For answers saved before, it is filled in only
    where it is certain: a record still in kiosk mode was answered at a kiosk, one created at
    the desk (by a caseworker) at the desk, a corrected answer in the review; a record begun
    at a kiosk and continued at the desk cannot say which answers came from where (NULL)."""
    import datetime as dt
    import uuid

    from alembic import command

    from kompass_tui.storage.database import alembic_config, make_engines

    now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    typed = {"id": sa.Uuid(), "record_id": sa.Uuid(), "locales_used": sa.JSON(),
             "value": sa.JSON(), "detail": sa.JSON(), "old_value": sa.JSON(),
             "new_value": sa.JSON(), "started_at": sa.DateTime(timezone=True),
             "updated_at": sa.DateTime(timezone=True), "answered_at": sa.DateTime(timezone=True),
             "at": sa.DateTime(timezone=True), "created_at": sa.DateTime(timezone=True)}  # fmt: skip

    def table(name: str, *columns: str) -> sa.TableClause:
        return sa.table(name, *(sa.column(column, typed.get(column)) for column in columns))

    record = table("record", "id", "questionnaire_id", "questionnaire_version", "status",
                   "needs_follow_up", "mode", "locale", "locales_used", "resume_failures",
                   "started_at", "updated_at")  # fmt: skip
    answer = table("answer", "record_id", "path", "value", "provenance", "answered_at")
    event = table("audit_event", "at", "actor_id", "action", "record_id", "detail")
    correction = table("correction", "record_id", "path", "old_value", "new_value", "reason",
                       "author_id", "created_at")  # fmt: skip
    kiosk, desk, both = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine, reader = make_engines(db_url)
    try:
        command.upgrade(alembic_config(engine), "0004")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO caseworker (username, full_name, password_hash, active,"
                    " failed_logins, created_at, is_admin) VALUES ('kari', 'Kari', 'x', TRUE, 0,"
                    " CURRENT_TIMESTAMP, TRUE)"
                )
            )
            worker = connection.execute(sa.text("SELECT id FROM caseworker")).scalar_one()
            for record_id, mode, created_by in [
                (kiosk, "kiosk", None), (desk, "assisted", worker), (both, "assisted", None),
            ]:  # fmt: skip
                connection.execute(
                    record.insert().values(
                        id=record_id, questionnaire_id="kompass",
                        questionnaire_version="1", status="submitted", needs_follow_up=False,
                        mode=mode, locale="ti", locales_used=["ti"],
                        resume_failures=0, started_at=now, updated_at=now,
                    )
                )  # fmt: skip
                connection.execute(
                    event.insert().values(
                        at=now, actor_id=created_by, action="record_created",
                        record_id=record_id, detail={},
                    )
                )  # fmt: skip
                for path, provenance in [("full_name", "self"), ("residence", "caseworker")]:
                    connection.execute(
                        answer.insert().values(
                            record_id=record_id, path=path, value="x",
                            provenance=provenance, answered_at=now,
                        )
                    )  # fmt: skip
            connection.execute(
                correction.insert().values(
                    record_id=both, path="residence", old_value="y",
                    new_value="x", reason="typo", author_id=worker, created_at=now,
                )
            )  # fmt: skip
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(sa.column("record_id", sa.Uuid()), sa.column("path"), sa.column("place"))
                .select_from(sa.table("answer"))
            ).all()  # fmt: skip
        places = {(record_id, path): place for record_id, path, place in rows}
        assert places == {
            (kiosk, "full_name"): "kiosk", (kiosk, "residence"): "kiosk",
            (desk, "full_name"): "desk", (desk, "residence"): "desk",
            (both, "full_name"): None, (both, "residence"): "review",
        }  # fmt: skip
    finally:
        engine.dispose()
        reader.dispose()
