"""Export: 100,000 records to JSON Lines against raw ``sqlite3`` and ``json`` over the same rows
(target ratio <= 2.0), and the peak memory of exporting 100,000 records against 10,000
(target ratio <= 1.2: memory must not grow with the number of records)."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import tracemalloc
from functools import cache
from pathlib import Path

from bench.bench_kiosk import _temp_database
from bench.harness import Case, benchmark
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.storage import accounts
from kompass_tui.storage.database import Database
from tests.helpers import add_records

TODAY = dt.date(2026, 11, 27)


@cache
def _records(count: int) -> tuple[Path, Database, int]:
    """A database of ``count`` records with their answers (built once for both cases)."""
    folder, db = _temp_database()
    add_records(db, count, today=TODAY, with_answers=True)
    worker = accounts.add_user(db, username="bench", full_name="Bench", password="bench password")
    assert worker.id is not None
    return folder / "kompass.sqlite3", db, worker.id


def _out() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="kompass-bench-export-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "records.jsonl"


def _kompass_export(db: Database, worker: int, out: Path) -> None:
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker, mark=False)


def _raw_export(path: Path, out: Path) -> None:
    """The same rows with the standard library alone: records, then their answers in order."""
    connection = sqlite3.connect(path)
    try:
        answers: dict[str, dict[str, object]] = {}
        for record_id, answer_path, value, provenance in connection.execute(
            "SELECT record_id, path, value, provenance FROM answer ORDER BY record_id, id"
        ):
            decoded = json.loads(value) if isinstance(value, str) else value  # numeric affinity
            answers.setdefault(record_id, {})[answer_path] = (decoded, provenance)
        with out.open("w", encoding="utf-8") as handle:
            for row in connection.execute("SELECT * FROM record ORDER BY id"):
                handle.write(
                    json.dumps(
                        {"record": row, "answers": answers.get(row[0], {})},
                        ensure_ascii=False,
                        separators=(",", ":"),
                        default=str,
                    )
                    + "\n"
                )
    finally:
        connection.close()


@benchmark
def export_time(quick: bool) -> Case:
    path, db, worker = _records(100_000)
    out = _out()
    return Case(
        name="export: 100,000 records to JSON Lines",
        target=2.0,
        subject=lambda: _kompass_export(db, worker, out),
        baseline=lambda: _raw_export(path, out),
        detail="kompass export --format jsonl (records, answers nested with NUS codes, "
        "provenance, remarks, corrections; audited) against sqlite3 + json over the same "
        "record and answer rows",
        rounds=3,
        min_calls=1,
    )


def _peak(db: Database, worker: int, out: Path) -> int:
    tracemalloc.start()
    try:
        _kompass_export(db, worker, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@benchmark
def export_memory(quick: bool) -> Case:
    _path, large, large_worker = _records(100_000)
    _small_path, small, small_worker = _records(10_000)
    out = _out()
    return Case(
        name="export: peak memory, 100,000 records against 10,000",
        target=1.2,
        subject=lambda: _peak(large, large_worker, out),
        baseline=lambda: _peak(small, small_worker, out),
        detail="peak bytes allocated by Python (tracemalloc) while exporting to JSON Lines",
        measures="value",
        rounds=1,
    )
