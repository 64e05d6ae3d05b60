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
from kompass_tui.storage.models import AuditEvent, Mode, Status
from sporreskjema import load_builtin

PASSWORD = "a long passphrase"
NOW = dt.datetime.now(dt.UTC)


def _worker(db: Database) -> int:
    user = accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert user.id is not None
    return user.id


def _record(
    db: Database,
    worker: int,
    name: str,
    key: str,
    *,
    days_old: int,
    status: Status,
    birth_date: str = "1990-05-17",
) -> uuid.UUID:
    """A submitted record with a remark and a correction, last changed ``days_old`` days ago."""
    kompass = load_builtin()
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="ti")
    for path, value in {"full_name": name, "person_id": key, "birth_date": birth_date,
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


def test_kompass_purge_counts_shows_the_anonymous_counts_after_a_login(db: Database) -> None:
    """`kompass purge --counts`: what purges kept, by month, status, language and mode, for a
    caseworker who logs in; it names nobody, deletes nothing and leaves no audit entry."""
    worker = _worker(db)
    code, output = run(db, "purge", "--counts")
    assert (code, output.strip()) == (0, "No records have been purged.")
    for name, key, status in [("Hodan Ali", "202400000001", Status.exported),
                              ("Abdi Nur", "202400000002", Status.exported),
                              ("Sara Haile", "202400000003", Status.reviewed)]:  # fmt: skip
        _record(db, worker, name, key, days_old=400, status=status)
    kept = _record(db, worker, "Yonas Berhe", "202400000004", days_old=1, status=Status.exported)
    assert run(db, "purge", "--older-than", "365", "--yes")[0] == 0
    before = {e.id for e in audit.events(db, limit=10_000)}
    code, output = run(db, "purge", "--counts", password="wrong password")
    assert code == 1
    assert output.strip().splitlines()[-1].startswith("Error: ")
    code, output = run(db, "purge", "--counts")
    assert code == 0, output
    month = (NOW - dt.timedelta(days=400)).strftime("%Y-%m")
    rows = [line.split() for line in output.splitlines() if line.strip().startswith(month)]
    assert rows == [
        [month, "exported", "ti", "kiosk", "2"],
        [month, "reviewed", "ti", "kiosk", "1"],
    ]
    assert output.strip().splitlines()[-1].split() == ["Total", "3"]
    for name in ("Hodan", "Abdi", "Sara", "2024000000"):
        assert name not in output
    records.get_record(db, kept)
    # the two logins only: reading anonymous counts is no read of personal data
    new = sorted(str(e.action) for e in audit.events(db, limit=10_000) if e.id not in before)
    assert new == ["login", "login_failed"], new
    code, output = run(db, "purge", "--counts", "--older-than", "1")
    assert code == 1
    assert "--counts deletes nothing" in output
    code, output = run(db, "purge")
    assert code == 1
    assert "--older-than" in output


def test_kompass_purge_says_when_the_file_could_not_be_rebuilt(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = _worker(sqlite_db)
    _record(sqlite_db, worker, "Hodan Ali", "202400000001", days_old=400, status=Status.exported)
    monkeypatch.setattr(purge, "compact", lambda db: False)
    code, output = run(sqlite_db, "purge", "--older-than", "365", "--yes")
    assert code == 0, output
    assert "Records deleted: 1." in output
    assert "was not rebuilt" in output


# ---------------------------------------------------------------- personal text in the audit log

#: A national identity number (fødselsnummer, born 15 July 1990) and a DUF number.
NATIONAL_ID = "15079010003"
DUF = "202400000009"


def _age(db: Database, record_id: uuid.UUID, days: int) -> None:
    then = NOW - dt.timedelta(days=days)
    table = SQLModel.metadata.tables["record"]
    with db.connection() as connection:
        connection.execute(sa.update(table).where(table.c.id == record_id).values(updated_at=then))


def _invoke(db_url: str, *args: str, user: str = "kari", password: str = PASSWORD) -> str:
    result = CliRunner().invoke(
        app,
        [*args, "--db", db_url, "--user", user],
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": password, "COLUMNS": "120"},
    )
    return result.output


def test_purge_leaves_no_name_number_or_search_term_in_the_sqlite_files(tmp_path: Path) -> None:
    """Whatever a caseworker did with a person's record (imported it from a file named after
    them, searched for their name and numbers, typed their name as a user name), after the
    purge neither the database file nor its write-ahead log holds the person's name or
    numbers: the audit log keeps its events, with the personal text blanked."""
    from kompass_tui.storage.database import open_database

    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'kompass.sqlite3'}"
    db = open_database(url)
    sa.event.listen(db.engine, "connect", lambda c, _r: c.execute("PRAGMA secure_delete = OFF"))
    db.engine.dispose()
    try:
        worker = _worker(db)
        person = _record(db, worker, "Zerihun Purgeme", NATIONAL_ID, days_old=1,
                         status=Status.exported, birth_date="1990-07-15")  # fmt: skip
        other = _record(db, worker, "Almaz Gonebyes", DUF, days_old=1, status=Status.exported)
        for n in range(30):
            _record(db, worker, f"Kept Person {n}", f"2024100000{n:02d}", days_old=1,
                    status=Status.submitted)  # fmt: skip
        named = tmp_path / f"Zerihun Purgeme {NATIONAL_ID}.jsonl"
        _invoke(url, "export", "--format", "jsonl", "--out", str(named),
                "--record", str(person), "--keep-status")  # fmt: skip
        assert "1 already here" in _invoke(url, "import", str(named))
        searches = ["Purgeme", NATIONAL_ID, "150790 10003", "zerihun", DUF, "Gonebyes"]
        for search in searches:
            _invoke(url, "list", "--all", "--search", search)
        # A search that showed nothing (another status) but would find the person.
        _invoke(url, "list", "--status", "in_progress", "--search", "Zerihun P")
        _invoke(url, "list", "--search", "Kept Person 7")
        _invoke(url, "show", str(person))
        # A user name that could be one is kept by a failed login (others are not kept at all).
        _invoke(url, "list", user="zerihun.purgeme", password="whatever it was")
        _invoke(url, "list", user=NATIONAL_ID, password="whatever it was")
        for record_id in (person, other):
            _age(db, record_id, 400)
        secrets = ["Zerihun", "zerihun", "Purgeme", "purgeme", "Gonebyes", NATIONAL_ID,
                   "150790 10003", DUF]  # fmt: skip
        events = {e.id: (e.action, e.actor_id, e.at) for e in audit.events(db, limit=10_000)}
        kinds = {str(action) for action, _who, _at in events.values()}
        assert {"imported", "records_listed", "login_failed", "record_viewed"} <= kinds

        def content() -> bytes:
            return b"".join(f.read_bytes() for f in folder.iterdir())

        with db.connection() as connection:  # so the bytes looked for are the stored ones
            assert connection.exec_driver_sql("PRAGMA encoding").scalar() == "UTF-8"
        before = content()
        for secret in secrets:
            assert secret.encode() in before, secret
        output = _invoke(url, "purge", "--older-than", "30", "--yes")
        assert "Records deleted: 2." in output, output
        after = content()
        assert b"Kept Person 7" in after
        for secret in secrets:
            assert secret.encode() not in after, secret
            assert secret.encode("utf-16-le") not in after, secret
            assert secret.encode("utf-16-be") not in after, secret
        # The events are all still there, with who, what and when.
        kept = {e.id: (e.action, e.actor_id, e.at) for e in audit.events(db, limit=10_000)}
        assert {k: v for k, v in kept.items() if k in events} == events
    finally:
        db.dispose()


def _log(db: Database, action: audit.Action, *, days_old: int = 0, **detail: object) -> int:
    with db.write() as session:
        event = AuditEvent(action=action, detail=detail, at=NOW - dt.timedelta(days=days_old))
        session.add(event)
        session.flush()
        assert event.id is not None
        return event.id


def _event(db: Database, event_id: int) -> AuditEvent:
    with db.session() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        return event


def test_purge_blanks_the_personal_text_of_the_audit_log(db: Database, tmp_path: Path) -> None:
    """Which audit texts a purge blanks, and which it keeps, on SQLite and PostgreSQL."""
    worker = _worker(db)
    gone = _record(db, worker, "Zerihun Purgeme", NATIONAL_ID, days_old=1,
                   status=Status.exported, birth_date="1990-07-15")  # fmt: skip
    kept = _record(db, worker, "Sara Tesfay", "202400000003", days_old=1, status=Status.submitted)
    lists = {
        # what was searched, with which statuses: a purge blanks it (True) or keeps it
        "Purgeme": ((Status.exported,), True),  # showed the record
        "zerihun p": ((Status.in_progress,), True),  # showed nothing, would find it
        "150790 10003": ((Status.in_progress,), True),  # its number, with a space
        "150790-10003": ((Status.in_progress,), True),  # the list would not find this one
        "Purgeme, Zerihun": ((Status.in_progress,), True),  # nor this
        "Sara": ((Status.submitted,), False),  # another person
        "Nobody Here": ((Status.submitted,), False),  # no one
    }
    listed = {}
    for search, (statuses, _blanked) in lists.items():
        query = review.ListQuery(statuses=frozenset(statuses), search=search)
        review.list_records(db, query, actor_id=worker)
        (listed[search], *_older) = audit.events(db, action=audit.Action.records_listed, limit=1)
    # A search older than the retention period goes too, whoever it found.
    old_search = _log(db, audit.Action.records_listed, days_old=60, search="Sara", shown=1,
                      records=[str(kept)])  # fmt: skip
    # An import names its records: its file name goes with any of them; one that does not
    # name them (logged before imports did) loses its file name at any purge.
    imports = {
        "Zerihun.jsonl": ({"records": [str(gone), str(kept)], "new": 0, "existing": 2}, True),
        "Sara.jsonl": ({"records": [str(kept)], "new": 1, "existing": 0}, False),
        "2024-05.jsonl": ({"new": 1, "existing": 0}, True),
        "partly.jsonl": ({"records": [str(kept)], "new": 3, "existing": 0}, True),
    }
    imported = {
        name: _log(db, audit.Action.imported, file=name, **detail)
        for name, (detail, _blanked) in imports.items()
    }
    failed = []
    for name in ("Zerihun Purgeme", NATIONAL_ID, "kari"):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(db, username=name, password="not the password")
        (event, *_older) = audit.events(db, action=audit.Action.login_failed, limit=1)
        failed.append(event.id)
    _age(db, gone, 400)
    assert purge.purge(db, older_than_days=30, actor_id=worker).records == 1

    for search, (_statuses, blanked) in lists.items():
        event = _event(db, listed[search].id)  # type: ignore[arg-type]
        assert event.detail["search"] == ("(purged)" if blanked else search), search
        assert event.detail["records"] == listed[search].detail["records"]
        assert event.actor_id == worker
    assert _event(db, old_search).detail == {"search": "(purged)", "shown": 1,
                                             "records": [str(kept)]}  # fmt: skip
    for name, (detail, blanked) in imports.items():
        event = _event(db, imported[name])
        assert event.detail == {**detail, "file": "(purged)" if blanked else name}, name
    assert [_event(db, i).actor_name for i in failed] == ["(purged)", "(purged)", "kari"]
    assert _event(db, failed[2]).actor_id == worker
    (event,) = audit.events(db, action=audit.Action.purged)
    # 5 searches and the old one, 3 imports, 2 user names and the person's correction
    assert event.detail["blanked"] == 12
    # Nothing of the person is left in any row of the log.
    with db.session() as session:
        rows = session.execute(sa.select(SQLModel.metadata.tables["audit_event"])).all()
    text = repr(rows).lower()
    for secret in ("zerihun", "purgeme", NATIONAL_ID, "150790 10003", "150790-10003"):
        assert secret not in text, secret
