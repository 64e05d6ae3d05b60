"""`kompass purge`: old records deleted with everything said about them, anonymous counts kept,
the audit log told, and on SQLite the names gone from the files too; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage import accounts, audit, purge, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, Status
from sporreskjema import load_builtin

PASSWORD = "a long passphrase"
NOW = dt.datetime.now(dt.UTC)


def _worker(db: Database) -> int:
    user = accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert user.id is not None
    return user.id


def _record(
    db: Database, worker: int, name: str, key: str, *, days_old: int, status: Status
) -> uuid.UUID:
    """A submitted record with a remark and a correction, last changed ``days_old`` days ago."""
    kompass = load_builtin()
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="ti")
    for path, value in {"full_name": name, "person_id": key, "birth_date": "1990-05-17",
                        "permit_date": "2026-01-10"}.items():  # fmt: skip
        records.save_answer(db, record_id=new.id, path=path, value=value, provenance="self")
    records.submit(db, record_id=new.id)
    review.add_remark(db, record_id=new.id, actor_id=worker, text=f"{name} has papers.",
                      questionnaire=kompass)  # fmt: skip
    review.correct_answer(db, record_id=new.id, actor_id=worker, path="full_name",
                          value=name + " Jr", reason="Passport")  # fmt: skip
    if status in (Status.reviewed, Status.exported):
        review.set_status(db, record_id=new.id, actor_id=worker, status=Status.reviewed)
    if status is Status.exported:
        review.set_status(db, record_id=new.id, actor_id=worker, status=Status.exported)
    then = NOW - dt.timedelta(days=days_old)
    with db.connection() as connection:
        connection.execute(
            sa.update(SQLModel.metadata.tables["record"])
            .where(sa.column("id") == new.id)
            .values(updated_at=then, started_at=then)
        )
    return new.id


def _rows(db: Database, table: str, record_id: uuid.UUID) -> int:
    t = SQLModel.metadata.tables[table]
    with db.session() as session:
        return int(
            session.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c.record_id == record_id)
            ).scalar_one()
        )


def test_purge_deletes_old_records_and_keeps_anonymous_counts(db: Database) -> None:
    worker = _worker(db)
    old = _record(db, worker, "Hodan Ali", "202400000001", days_old=400, status=Status.exported)
    old_open = _record(db, worker, "Amir Rahimi", "202400000002", days_old=400,
                       status=Status.submitted)  # fmt: skip
    young = _record(db, worker, "Sara Tesfay", "202400000003", days_old=10,
                    status=Status.exported)  # fmt: skip
    assert purge.count(db, older_than_days=365, statuses={Status.exported}) == 1
    result = purge.purge(db, older_than_days=365, actor_id=worker, statuses={Status.exported})
    assert result.records == 1
    with pytest.raises(records.RecordNotFound):
        records.get_record(db, old)
    for table in ("answer", "remark", "correction"):
        assert _rows(db, table, old) == 0, table
        assert _rows(db, table, young) > 0, table
    records.get_record(db, old_open)  # another status: kept
    records.get_record(db, young)  # too young: kept
    month = (NOW - dt.timedelta(days=400)).strftime("%Y-%m")
    assert purge.counts(db) == [purge.Count(month, "exported", "ti", "kiosk", 1)]
    # The log still says who corrected which question, but no longer to what.
    (corrected,) = audit.events(db, record_id=old, action=audit.Action.answer_corrected)
    assert corrected.detail == {"path": "full_name", "purged": True}
    (event,) = audit.events(db, action=audit.Action.purged)
    assert event.actor_id == worker
    assert event.detail["records"] == 1
    assert event.detail["statuses"] == ["exported"]
    assert event.detail["older_than_days"] == 365
    # Every status, a second purge: the counts add up.
    assert purge.purge(db, older_than_days=365, actor_id=worker).records == 1
    assert purge.counts(db) == [
        purge.Count(month, "exported", "ti", "kiosk", 1),
        purge.Count(month, "submitted", "ti", "kiosk", 1),
    ]
    with pytest.raises(purge.PurgeError):
        purge.purge(db, older_than_days=0, actor_id=worker)


def test_purged_names_are_gone_from_the_sqlite_files(tmp_path: Path) -> None:
    """Not only from the tables: SQLite keeps deleted rows in free space and in the write-ahead
    log unless told otherwise, and a running kiosk keeps the log open."""
    from kompass_tui.storage.database import open_database

    path = tmp_path / "kiosk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    # Some builds of SQLite (Debian's) zero deleted rows anyway; this one shall not, as most.
    sa.event.listen(db.engine, "connect", lambda c, _r: c.execute("PRAGMA secure_delete = OFF"))
    db.engine.dispose()
    try:
        worker = _worker(db)
        _record(db, worker, "Zerihun Purgeme", "202400000009", days_old=400,
                status=Status.exported)  # fmt: skip
        for n in range(30):  # records that stay keep the pages in use
            _record(db, worker, f"Kept Person {n}", f"2024100000{n:02d}", days_old=1,
                    status=Status.submitted)  # fmt: skip
        content = b"".join(f.read_bytes() for f in tmp_path.iterdir())
        assert b"Purgeme" in content
        assert purge.purge(db, older_than_days=30, actor_id=worker).records == 1
        content = b"".join(f.read_bytes() for f in tmp_path.iterdir())
        assert b"Kept Person 7" in content
        assert b"Purgeme" not in content
    finally:
        db.dispose()


def run(
    db: Database, *args: str, password: str = PASSWORD, input: str | None = None
) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--db", db.url, "--user", "kari"],
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": password, "COLUMNS": "120"},
        input=input,
    )
    return result.exit_code, result.output


def test_kompass_purge_asks_needs_a_login_and_is_audited(db: Database) -> None:
    worker = _worker(db)
    old = _record(db, worker, "Hodan Ali", "202400000001", days_old=400, status=Status.exported)
    code, output = run(db, "purge", "--older-than", "365", password="wrong password")
    assert code == 1
    assert output.strip().splitlines()[-1].startswith("Error: ")
    records.get_record(db, old)
    code, output = run(db, "purge", "--older-than", "365", input="n\n")
    assert code == 1
    assert "Delete 1 record and everything said about it, for good?" in output
    assert "Nothing was deleted." in output
    records.get_record(db, old)
    code, output = run(db, "purge", "--older-than", "365", "--status", "submitted", "--yes")
    assert (code, output.strip()) == (0, "No records are that old. Nothing was deleted.")
    code, output = run(db, "purge", "--older-than", "365", "--status", "exported", input="y\n")
    assert code == 0, output
    assert "Records deleted: 1. Only their anonymous counts are kept." in output
    with pytest.raises(records.RecordNotFound):
        records.get_record(db, old)
    (event,) = audit.events(db, action=audit.Action.purged)
    assert event.actor_id == worker
    code, output = run(db, "purge", "--older-than", "0", "--yes")
    assert code == 2  # refused by the option's own check


def test_kompass_purge_says_when_the_file_could_not_be_rebuilt(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = _worker(sqlite_db)
    _record(sqlite_db, worker, "Hodan Ali", "202400000001", days_old=400, status=Status.exported)
    monkeypatch.setattr(purge, "_compact", lambda db: False)
    code, output = run(sqlite_db, "purge", "--older-than", "365", "--yes")
    assert code == 0, output
    assert "Records deleted: 1." in output
    assert "was not rebuilt" in output
