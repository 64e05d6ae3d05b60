"""``kompass import`` at the speed of the benchmark's target, with every check it had: the
record schema checked by a compiled validator (jsonschema's words for any refusal), and a
batch of records written with a few statements instead of a few for each record."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompass_tui.exchange import importer
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.storage import accounts
from kompass_tui.storage.database import Database, open_database
from sporreskjema import load_builtin, translator
from tests.support.helpers import TODAY, add_records

EN = translator("en")


def _exported(db: Database, count: int, out: Path) -> tuple[list[dict[str, Any]], int]:
    worker = accounts.add_user(db, username="kari", full_name="Kari", password="a password 1")
    assert worker.id is not None
    add_records(db, count, today=TODAY, with_answers=True)
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker.id, mark=False)
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()], worker.id


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("export")
    db = open_database(f"sqlite:///{folder / 'kompass.sqlite3'}")
    try:
        return _exported(db, 3, folder / "records.jsonl")[0]
    finally:
        db.dispose()


def _places(value: Any, place: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [place]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*place, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*place, index))
    return found


def _outcome(check: Any, record: Any) -> str:
    where = importer._where("line", 1)
    try:
        check(where, record, load_builtin())
    except importer.ImportRefused as exc:
        return exc.message.render(EN)
    return "accepted"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
#: Values near the schema's edges: dates and times that almost are, ids, codes, long text.
EDGES = st.sampled_from(
    ["2026-02-30", "2026-11-20\n", "2026-11-20T09:30:00", "2026-11-20T25:00:00+00:00",
     "2026-11-20T09:30:00Z", "00000000-0000-4000-8000-00000000000A", "x" * 4001, "ti", "zz",
     "in_progress", "self", 1.0, 2**70, -1, True, [], {}, [{}], ["ti", "ti"], "12345678901"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), new=JSON | EDGES)
def test_the_quick_check_accepts_and_refuses_as_jsonschema_does(
    records: list[dict[str, Any]], seed: int, new: Any
) -> None:
    """A good record with any one part replaced: the import's check (the compiled validator)
    and the reference check (jsonschema on every record, as before) agree, word for word."""
    chooser = random.Random(seed)
    record = copy.deepcopy(chooser.choice(records))
    place = chooser.choice(_places(record))
    target: Any = record
    for key in place[:-1]:
        target = target[key]
    if place:
        target[place[-1]] = new
    else:
        record = new

    def reference(where: Any, record: Any, questionnaire: Any) -> None:
        importer._check(where, record, questionnaire, exact=True)

    assert _outcome(importer.check, record) == _outcome(reference, record)


def test_a_good_record_is_not_walked_by_jsonschema(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """jsonschema takes over a millisecond a record: it words refusals, it does not pass
    every good record again."""
    path = tmp_path / "records.jsonl"
    good, _worker = _exported(db, 5, path)
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        new_worker = accounts.add_user(
            other, username="kari", full_name="K", password="a password 2"
        )
        assert new_worker.id is not None

        def refuse_to_run() -> Any:
            raise AssertionError("jsonschema checked a good record")

        monkeypatch.setattr(importer, "_validator", refuse_to_run)
        assert importer.import_file(other, path, actor_id=new_worker.id).new == len(good)
    finally:
        other.dispose()


def test_an_import_writes_a_batch_with_a_few_statements(db: Database, tmp_path: Path) -> None:
    """1,200 records: a few statements for each batch of 500, not several for each record."""
    path = tmp_path / "records.jsonl"
    good, _worker = _exported(db, 1200, path)
    target = open_database(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    try:
        worker = accounts.add_user(target, username="kari", full_name="K", password="a password 2")
        assert worker.id is not None
        sa.event.listen(target.engine, "before_cursor_execute", count)
        result = importer.import_file(target, path, actor_id=worker.id)
    finally:
        target.dispose()
    assert result.new == len(good) == 1200
    assert len(statements) <= 30, statements[:40]


def test_a_person_named_twice_is_refused_before_a_later_bad_record(
    db: Database, tmp_path: Path
) -> None:
    """The records of a batch are written together, but the first problem in the file is
    still the one named: the second record's person is the first's, the third is broken."""
    path = tmp_path / "records.jsonl"
    good, _worker = _exported(db, 3, path)
    twice = copy.deepcopy(good)
    twice[1]["person"]["person_id"] = twice[0]["person"]["person_id"]
    twice[2]["status"] = "lost"
    path.write_text("".join(json.dumps(r) + "\n" for r in twice), "utf-8")
    target = open_database(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        worker = accounts.add_user(target, username="kari", full_name="K", password="a password 2")
        assert worker.id is not None
        with pytest.raises(importer.ImportRefused) as caught:
            importer.import_file(target, path, actor_id=worker.id)
    finally:
        target.dispose()
    assert caught.value.message.render(EN) == (
        f"line 2: this person already has record {good[0]['record_id']} here. Nothing was imported."
    )
