"""Storage: saving one answer costs at most twice a raw ``sqlite3`` commit of the same row
with the same settings (target ratio <= 2.0)."""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
from pathlib import Path

from bench.harness import Case, benchmark
from kompass_tui.storage import records
from kompass_tui.storage.database import BUSY_TIMEOUT_MS, open_database
from kompass_tui.storage.models import Mode, utcnow
from sporreskjema import load_builtin

VALUE = "Design and maintenance of power grids. " * 5  # a typical free-text answer, ~200 characters


@benchmark
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
        name="storage: save one answer",
        target=2.0,
        subject=save,
        baseline=raw_commit,
        detail="records.save_answer on SQLite (WAL, synchronous=FULL); baseline: raw sqlite3 upsert + commit",
    )
