"""Storage: saving one answer costs at most twice a raw ``sqlite3`` commit of the same row
with the same settings (target ratio <= 2.0), and on PostgreSQL at most one and a half times
plain ``psycopg`` doing the same upsert and commit (target ratio <= 1.5).

The PostgreSQL case runs against ``KOMPASS_TEST_PG_URL`` (as the storage tests do), in a
schema of its own that is dropped at the end. Without it the case is skipped, saying so;
with ``KOMPASS_REQUIRE_PG=1`` (CI) the run fails instead."""

from __future__ import annotations

import atexit
import itertools
import json
import os
import sqlite3
import tempfile
import uuid
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench.harness import Case, Skipped, Unavailable, benchmark
from kompass_tui.storage import records
from kompass_tui.storage.database import BUSY_TIMEOUT_MS, Database, open_database
from kompass_tui.storage.models import Mode, utcnow
from sporreskjema import load_builtin

VALUE = "Design and maintenance of power grids. " * 5  # a typical free-text answer, ~200 characters


@benchmark("storage: save one answer")
def save_one_answer(quick: bool) -> Case:
    folder = Path(tempfile.mkdtemp(prefix="kompass-bench-"))
    db = open_database(f"sqlite:///{folder / 'kompass.sqlite3'}")
    record = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="nb")
    counter = itertools.count()

    def save() -> None:
        n = next(counter)
        records.save_answer(
            db,
            record_id=record.id,
            path=f"jobs[{n % 50}].tasks",
            value=f"{n} {VALUE}",
            provenance="self",
        )

    raw = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    for pragma in (
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
    ):
        raw.execute(f"PRAGMA {pragma}")
    raw.execute(
        "CREATE TABLE answer (id INTEGER PRIMARY KEY, record_id CHAR(32), path VARCHAR(120), value JSON,"
        " provenance VARCHAR(30), answered_at DATETIME, UNIQUE (record_id, path))"
    )
    raw_counter = itertools.count()

    def raw_commit() -> None:
        n = next(raw_counter)
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO answer (record_id, path, value, provenance, answered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (record_id, path) DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at",
            (
                record.id.hex,
                f"jobs[{n % 50}].tasks",
                json.dumps(f"{n} {VALUE}"),
                "self",
                utcnow().isoformat(),
            ),
        )
        raw.execute("COMMIT")

    return Case(
        target=2.0,
        subject=save,
        baseline=raw_commit,
        detail="records.save_answer on SQLite (WAL, synchronous=FULL); baseline: raw sqlite3 upsert + commit",
    )


# ------------------------------------------------------------------ PostgreSQL


def _postgres_schema() -> tuple[str, str]:
    """A new schema in the test server: its SQLAlchemy URL, and its ``psycopg`` conninfo."""
    url = os.environ.get("KOMPASS_TEST_PG_URL", "")
    if not url:
        if os.environ.get("KOMPASS_REQUIRE_PG") == "1":
            raise Unavailable("KOMPASS_REQUIRE_PG=1 but KOMPASS_TEST_PG_URL is not set")
        raise Skipped("no PostgreSQL server: set KOMPASS_TEST_PG_URL (bash .ci/run does)")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    atexit.register(drop)  # registered first: runs after the connections below are closed
    own = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    plain = own.set(drivername="postgresql")
    return own.render_as_string(hide_password=False), plain.render_as_string(hide_password=False)


def _pg_database(url: str) -> Database:
    db = open_database(url)
    atexit.register(db.dispose)
    return db


@benchmark("storage: save one answer on PostgreSQL")
def save_one_answer_postgres(quick: bool) -> Case:
    url, conninfo = _postgres_schema()
    db = _pg_database(url)
    questionnaire = load_builtin()
    record = records.create_record(db, questionnaire=questionnaire, mode=Mode.kiosk, locale="nb")
    other = records.create_record(db, questionnaire=questionnaire, mode=Mode.kiosk, locale="nb")
    counter = itertools.count()

    def save() -> None:
        n = next(counter)
        records.save_answer(
            db,
            record_id=record.id,
            path=f"jobs[{n % 50}].tasks",
            value=f"{n} {VALUE}",
            provenance="self",
        )

    raw = psycopg.connect(conninfo)
    atexit.register(raw.close)
    raw_counter = itertools.count()

    def raw_commit() -> None:
        n = next(raw_counter)
        with raw.transaction():
            now = utcnow()
            # The same save: the record's time, on a record still in progress, then the answer.
            touched = raw.execute(
                "UPDATE record SET updated_at = %s WHERE id = %s AND status = 'in_progress'",
                (now, other.id),
            ).rowcount
            if touched != 1:
                raise RuntimeError("the baseline's record should be open for answers")
            raw.execute(
                "INSERT INTO answer (record_id, path, value, provenance, answered_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (record_id, path) DO UPDATE SET"
                " value = excluded.value, provenance = excluded.provenance,"
                " answered_at = excluded.answered_at",
                (
                    other.id,
                    f"jobs[{n % 50}].tasks",
                    psycopg.types.json.Json(f"{n} {VALUE}"),
                    "self",
                    now,
                ),
            )

    save()
    raw_commit()  # both once: the same row must be there for each record
    written = {
        key: records.load_answers(db, key)["jobs"][0]["tasks"] for key in (record.id, other.id)
    }
    if written != {record.id: f"0 {VALUE}", other.id: f"0 {VALUE}"}:
        raise RuntimeError(f"both sides should have saved the answer: {written}")
    return Case(
        target=1.5,
        subject=save,
        baseline=raw_commit,
        detail="records.save_answer on PostgreSQL (the record's time and the answer's upsert, "
        "one statement, one transaction); baseline: plain psycopg, the two statements (the "
        "record's time, the answer's upsert) and commit",
        # A commit waits for the server's disk, which others share: more and longer rounds.
        rounds=10 if quick else None,
        min_calls=20,
    )
