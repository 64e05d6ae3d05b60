"""Crashes and two programs at once: nothing whose save returned is ever lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kompass_tui.storage import records
from kompass_tui.storage.database import open_database
from kompass_tui.storage.models import Mode
from sporreskjema import load_builtin

WORKER = Path(__file__).resolve().parents[1] / "support" / "storage_worker.py"
#: Kills per back end; `.ci/run` may raise it with KOMPASS_KILLS.
KILLS = int(os.environ.get("KOMPASS_KILLS", "20"))


def start_worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_while_saving(url: str, rng: random.Random) -> tuple[uuid.UUID, int]:
    """Start a saving program, kill it at a random moment; return its record and last saved index."""
    worker = start_worker("save", url, "100000")
    assert worker.stdout is not None
    first = worker.stdout.readline()
    assert first.startswith("record "), first + (worker.stderr.read() if worker.stderr else "")
    record_id = uuid.UUID(first.split()[1])
    assert worker.stdout.readline().startswith("saved ")
    time.sleep(rng.uniform(0, 0.3))
    worker.send_signal(signal.SIGKILL)
    # Read through the same buffered file as the lines above: `communicate` reads the pipe
    # itself, and would miss lines that `readline` had already read ahead into the buffer
    # (a loaded machine lets the worker print several before the test reads the first).
    rest = worker.stdout.read()
    worker.wait(timeout=30)
    saved = [line for line in rest.splitlines() if line.startswith("saved ")]
    last = int(saved[-1].split()[1]) if saved else 0
    return record_id, last


@pytest.mark.slow
def test_sigkill_while_saving_loses_nothing_that_was_saved(db_url: str) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    kills = KILLS if db_url.startswith("sqlite") else max(3, KILLS // 4)
    open_database(db_url).dispose()  # the schema exists before the first kill
    for attempt in range(kills):
        record_id, last = kill_while_saving(db_url, rng)
        db = open_database(db_url)
        try:
            if db.backend == "sqlite":
                with db.engine.connect() as connection:
                    assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                    assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            answers = records.load_answers(db, record_id).get("jobs", [])
            # every save that returned is there; at most the one in flight besides
            assert len(answers) in (last + 1, last + 2), (seed, attempt, last, len(answers))
            for index in range(last + 1):
                assert answers[index]["tasks"].startswith(f"task {index} "), (seed, attempt, index)
            # and the database still takes writes
            records.save_answer(
                db, record_id=record_id, path="full_name", value="after", provenance="self"
            )
        finally:
            db.dispose()


@pytest.mark.slow
def test_a_kiosk_and_a_review_session_write_at_once(tmp_path: Path) -> None:
    """Two programs writing one SQLite file: no 'database is locked' reaches either."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    open_database(url).dispose()
    kiosk = start_worker("save", url, "400")
    review = start_worker("review", url, "40")
    kiosk_out, kiosk_err = kiosk.communicate(timeout=300)
    review_out, review_err = review.communicate(timeout=300)
    assert kiosk.returncode == 0, kiosk_err
    assert review.returncode == 0, review_err
    assert "locked" not in kiosk_err + review_err
    assert kiosk_out.strip().splitlines()[-1] == "saved 399"
    assert review_out.strip() == "done"
    db = open_database(url)
    try:
        with db.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM answer")).scalar()
            logins = connection.execute(
                sa.text("SELECT count(*) FROM audit_event WHERE action = 'login'")
            ).scalar()
        assert count == 400
        assert logins == 40
    finally:
        db.dispose()


def test_a_full_disk_is_a_clear_message_and_nothing_is_damaged(tmp_path: Path) -> None:
    """The database may grow no further (SQLite's page limit stands in for a full disk): the
    save that does not fit is refused with a message, everything saved before stays, and once
    there is room again saving goes on."""
    from kompass_tui.storage.database import StorageError
    from kompass_tui.storage.models import Mode
    from sporreskjema import load_builtin, translator

    db = open_database(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    limit = {"pages": 0}

    def cap(connection: Any, _record: Any) -> None:
        if limit["pages"]:
            connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    sa.event.listen(db.engine, "connect", cap)
    try:
        record_id = records.create_record(
            db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="en"
        ).id
        with db.engine.connect() as connection:
            used = connection.exec_driver_sql("PRAGMA page_count").scalar()
        limit["pages"] = int(used) + 2
        db.engine.dispose()  # new connections get the limit
        saved = []

        def fill() -> None:
            for index in range(1000):
                records.save_answer(
                    db, record_id=record_id, path=f"jobs[{index}].tasks",
                    value=f"task {index} " + "x" * 500, provenance="self",
                )  # fmt: skip
                saved.append(index)

        with pytest.raises(StorageError) as caught:
            fill()
        assert (
            caught.value.message.render(translator("en")) == "The disk is full; nothing was saved."
        )
        assert saved
        limit["pages"] = 0
        db.engine.dispose()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        answers = records.load_answers(db, record_id)["jobs"]
        assert len(answers) == len(saved)  # the refused save left nothing half-written
        records.save_answer(db, record_id=record_id, path=f"jobs[{len(saved)}].tasks",
                            value="after", provenance="self")  # fmt: skip
        assert len(records.load_answers(db, record_id)["jobs"]) == len(saved) + 1
    finally:
        db.dispose()


def test_a_database_locked_past_the_busy_timeout_is_a_clear_message_and_a_retry_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kompass_tui.storage import database
    from kompass_tui.storage.database import StorageError
    from kompass_tui.storage.models import Mode
    from sporreskjema import load_builtin, translator

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "locked.sqlite3"
    db = open_database(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        record_id = records.create_record(
            db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="en"
        ).id
        records.save_answer(db, record_id=record_id, path="full_name", value="Before",
                            provenance="self")  # fmt: skip
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock, and keeps it
        started = time.monotonic()
        with pytest.raises(StorageError) as caught:
            records.save_answer(db, record_id=record_id, path="full_name", value="After",
                                provenance="self")  # fmt: skip
        assert time.monotonic() - started >= 0.25  # it waited the busy timeout first
        assert caught.value.message.render(translator("en")) == (
            "The database is busy in another program; try again."
        )
        other.execute("ROLLBACK")
        records.save_answer(db, record_id=record_id, path="full_name", value="After",
                            provenance="self")  # fmt: skip
        assert records.load_answers(db, record_id)["full_name"] == "After"
    finally:
        other.close()
        db.dispose()


def test_a_postgresql_connection_ended_while_idle_is_replaced_not_a_failed_save(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the pool's connection (a restart, a firewall); the next save after a
    pause takes a fresh connection. A connection handed back moments ago is not pinged."""
    from kompass_tui.storage import database

    db = open_database(pg_url)
    admin = sa.create_engine(pg_url)
    try:
        record = records.create_record(
            db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="ti"
        )
        pings: list[object] = []
        ping = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
        records.save_answer(db, record_id=record.id, path="residence", value="A", provenance="self")
        assert pings == []  # used moments ago
        with db.engine.connect() as connection:  # the pool's one connection
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

        with admin.begin() as connection:
            ended = connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
        assert ended
        monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.2)
        time.sleep(0.3)  # a pause: the ended connection is pinged, the fresh one is not
        records.save_answer(db, record_id=record.id, path="residence", value="B", provenance="self")
        assert len(pings) == 1
        assert records.load_answers(db, record.id)["residence"] == "B"
    finally:
        db.dispose()
        admin.dispose()
