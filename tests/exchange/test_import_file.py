"""``kompass import`` against a hostile file and a hostile neighbour: the file is read once and
what is written is what was checked (even while another program rewrites the file), deep
nesting and huge arrays are refused in bounded memory, a pipe works, authors are user names,
and history added to a record is audited on that record."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import importer
from kompass_tui.exchange.records import ANSWER, CASEWORKER, RECORD
from kompass_tui.storage import audit, review
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Status
from sporreskjema import Questionnaire
from sporreskjema.text import has_controls
from tests.support.exchange import EN, PASSWORD, caseworker, exported

HOSTILE_NAME = "Rami \x1b]52;c;ZXZpbA==\x07Haddad\x1b[2J\x1b[H"
ROOT = Path(__file__).resolve().parents[2]


def _good(kiosk: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """Two good records: the kiosk's, and a copy with another id and person."""
    source, worker, record_id = kiosk
    first = json.loads(exported(source, worker, tmp_path / "good.jsonl"))
    other = json.loads(
        json.dumps(first)
        .replace(str(record_id)[:8], "0" * 8)
        .replace("202477771234", "202400000001")
        .replace("Rami Haddad", "Rana Haddad")
    )
    return [other, first]


def _hostile(record: dict[str, Any], *, new_id: bool = False) -> dict[str, Any]:
    """``record`` with what no check lets in: escapes in the name, 99999 school years, a
    permit date of 9999-12-31, a forged author."""
    bad = json.loads(json.dumps(record))
    if new_id:
        bad["record_id"] = str(uuid.uuid4())
        bad["person"]["person_id"] = bad["answers"]["person_id"] = "202499999999"
    bad["person"]["full_name"] = bad["answers"]["full_name"] = HOSTILE_NAME
    bad["person"]["permit_date"] = bad["answers"]["permit_date"] = "9999-12-31"
    bad["answers"]["years_school"] = 99999
    bad["remarks"] = [{**bad["remarks"][0], "author": "=cw", "created_at": "2001-01-01T00:00:00Z"}]
    bad["corrections"] = []
    return bad


def _lines(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _stored(db: Database) -> dict[str, tuple[str, str | None, Any]]:
    """Each stored record's id: its name, permit date and school years."""
    with db.session() as session:
        school = dict(
            session.execute(
                sa.select(ANSWER.c.record_id, ANSWER.c.value).where(ANSWER.c.path == "years_school")
            ).all()
        )
        return {
            str(row.id): (
                row.full_name,
                row.permit_date and str(row.permit_date),
                school.get(row.id),
            )
            for row in session.execute(
                sa.select(RECORD.c.id, RECORD.c.full_name, RECORD.c.permit_date)
            )
        }


def _usernames(db: Database) -> dict[str, tuple[bool, str | None]]:
    """Each account: whether it is active, and its password hash if it is an imported one."""
    with db.session() as session:
        return {
            row.username: (
                row.active,
                row.password_hash if row.password_hash == "!imported" else None,
            )
            for row in session.execute(sa.select(CASEWORKER))
        }


# ---------------------------------------------------------------- a file rewritten meanwhile


def _replace(path: Path, text: bytes) -> None:
    """Another program puts a new file in its place (a new inode)."""
    swap = path.with_suffix(".swap")
    swap.write_bytes(text)
    os.replace(swap, path)


def _overwrite(path: Path, text: bytes) -> None:
    """Another program writes into the same file (the same inode)."""
    with path.open("r+b") as handle:
        handle.truncate(0)
        handle.write(text)


@pytest.mark.parametrize("how", [_replace, _overwrite])
@pytest.mark.parametrize("after", [1, 2])
def test_a_file_rewritten_during_the_import_gets_no_unchecked_record_in(
    how: Any,
    after: int,
    kiosk: Any,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Right after the importer has checked the first (or the last) record, another program
    rewrites the file with records no check lets in. Whatever the importer then does, every
    record stored is one it checked, as it was checked."""
    good = _good(kiosk, tmp_path)
    path = tmp_path / "records.jsonl"
    path.write_bytes(_lines(good))
    hostile = _lines([_hostile(good[0]), _hostile(good[1]), _hostile(good[1], new_id=True)])
    if how is _overwrite and after == 2:
        hostile = _lines([_hostile(good[0], new_id=True)])  # shorter: the reader is at its end
        assert len(hostile) < path.stat().st_size
    checked: dict[str, tuple[str, str | None, Any]] = {}
    real_check = importer.check

    def check_then_rewrite(
        where: Any, record: Any, questionnaire: Questionnaire, *more: Any, **options: Any
    ) -> dict[str, Any]:
        answers = real_check(where, record, questionnaire, *more, **options)
        checked[record["record_id"]] = (
            record["person"]["full_name"],
            record["person"]["permit_date"],
            record["answers"].get("years_school"),
        )
        if len(checked) == after:
            how(path, hostile)
        return answers

    monkeypatch.setattr(importer, "check", check_then_rewrite)
    worker = caseworker(db)
    refusal = ""
    try:
        importer.import_file(db, path, actor_id=worker)
    except importer.ImportRefused as exc:
        refusal = exc.message.render(EN)
    assert refusal == "" or refusal.endswith("Nothing was imported.")
    stored = _stored(db)
    for record_id, (name, permit, school) in stored.items():
        assert not has_controls(name), name
        assert permit != "9999-12-31"
        assert school != 99999
        assert checked[record_id] == (name, permit, school)
    assert "=cw" not in _usernames(db)
    if after == 2:  # everything was read and checked before the file changed
        assert set(stored) == {r["record_id"] for r in good}


def test_a_file_rewritten_over_and_over_by_another_thread_gets_no_unchecked_record_in(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    """The same race, not staged: a thread swaps a hostile and a good file in as fast as it
    can while the importer runs, a few times over."""
    good = _good(kiosk, tmp_path)
    path = tmp_path / "records.jsonl"
    texts = [_lines(good), _lines([_hostile(r) for r in good])]
    path.write_bytes(texts[0])
    stop = threading.Event()

    def swap() -> None:
        turn = 0
        while not stop.is_set():
            turn += 1
            (_replace if turn % 4 < 2 else _overwrite)(path, texts[turn % 2])

    thread = threading.Thread(target=swap)
    thread.start()
    worker = caseworker(db)
    try:
        for _ in range(10):
            with contextlib.suppress(importer.ImportRefused):
                importer.import_file(db, path, actor_id=worker)
    finally:
        stop.set()
        thread.join()
    for name, permit, school in _stored(db).values():
        assert (name, permit, school) in {("Rami Haddad", "2026-11-20", 12),
                                          ("Rana Haddad", "2026-11-20", 12)}  # fmt: skip


# ---------------------------------------------------------------- nesting and size


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [19, 25, 1000, 100_000])
@pytest.mark.parametrize("as_array", [False, True])
def test_deep_nesting_is_refused_clearly(
    depth: int, as_array: bool, kiosk: Any, db: Database, tmp_path: Path
) -> None:
    """19 lists inside the record's answers are 21 levels: one too many. A line with no
    escape in it is not walked (importer._plain): its brackets are counted instead."""
    good = _good(kiosk, tmp_path)
    # No escape in the line: its quotes in a remark become apostrophes.
    deep = json.dumps(good[1], ensure_ascii=False).replace('\\"', "'")
    inner = "[" * depth + '"x"' + "]" * depth
    deep = deep.replace('"years_school": 12', f'"years_school": {inner}')
    assert inner in deep
    assert "\\" not in deep
    assert not importer._plain(deep)
    assert importer._plain(deep.replace(inner, "12"))
    path = tmp_path / "deep.json"
    first = json.dumps(good[0])
    path.write_text(f"[{first},\n{deep}]" if as_array else f"{first}\n{deep}\n", "utf-8")
    with pytest.raises(importer.ImportRefused) as caught:
        importer.import_file(db, path, actor_id=caseworker(db))
    where = "record 2" if as_array else "line 2"
    assert caught.value.message.render(EN) == (
        f"{where}: lists and objects are nested more than 20 deep. Nothing was imported."
    )
    assert _stored(db) == {}


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('{"a": [1, 2], "b": {"c": "x"}}', True),
        ('{"a": "' + "[" * 30 + '"}', True),  # brackets in a string are no nesting
        ('{"a": ' + "[" * 20 + "1" + "]" * 20 + "}", False),  # 21 deep
        ('{"a": ' + "[" * 19 + "1" + "]" * 19 + ', "b": "' + "{" * 5 + '"}', True),
        ('{"a": "tab\\t"}', False),  # an escape: it may stand for a control character
        ('{"a": "\u202eabc"}', False),  # a control character as it is
    ],
)
def test_a_plain_line_is_one_that_needs_no_walk(text: str, plain: bool) -> None:
    json.loads(text)
    assert importer._plain(text) is plain


def test_the_check_refuses_deep_nesting_before_walking_it() -> None:
    """``check`` on its own (a record that came from anywhere) refuses too, without a
    RecursionError, even where the parser would not have made it."""
    from sporreskjema import load_builtin

    deep: Any = {"schema_version": 1, "answers": _nested(50_000)}
    with pytest.raises(importer.ImportRefused) as caught:
        importer.check(importer._where("line", 1), deep, load_builtin())
    assert "nested more than 20 deep" in caught.value.message.render(EN)


def _write_array_of_empty_objects(path: Path, megabytes: int) -> None:
    piece = b"{}," * (1 << 20)
    with path.open("wb") as handle:
        handle.write(b"[")
        for _ in range(megabytes // 3):
            handle.write(piece)
        handle.write(b"{}]")


@pytest.mark.parametrize(("megabytes", "words"), [
    (96, "line 1: the JSON file is larger than 64 MB; use JSON Lines"),
    (60, "record 1: schema version null is not one this Kompass reads (1, 2, 3)"),
])  # fmt: skip
def test_a_huge_json_array_is_refused_in_bounded_memory(
    megabytes: int, words: str, sqlite_db: Database, tmp_path: Path
) -> None:
    """A 96 MB array of empty objects took 2.65 GB before it was refused; now the file is
    read in pieces up to 64 MB and its records are parsed one at a time."""
    path = tmp_path / "empty.json"
    _write_array_of_empty_objects(path, megabytes)
    worker = caseworker(sqlite_db)
    tracemalloc.start()
    try:
        with pytest.raises(importer.ImportRefused) as caught:
            importer.import_file(sqlite_db, path, actor_id=worker)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert words in caught.value.message.render(EN)
    assert peak < 160 * 1024 * 1024, peak >> 20  # the text twice (bytes and str) at most


def test_an_array_is_parsed_a_record_at_a_time_with_its_errors_where_they_are(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    good = _good(kiosk, tmp_path)
    text = "\n\n  [\n" + json.dumps(good[0]) + " ,\n " + json.dumps(good[1]) + "\n]\n\n"
    path = tmp_path / "records.json"
    path.write_text(text, "utf-8")
    worker = caseworker(db)
    assert importer.import_file(db, path, actor_id=worker).new == 2
    for broken, words in [
        (text.replace(" ,\n", "\n"), "line 5: not valid JSON (Expecting ',' delimiter)"),
        (text + "[]", "line 8: not valid JSON (Extra data)"),
        (text.rstrip()[:-1], "line 6: not valid JSON (Expecting ',' delimiter)"),
        ("[", "line 1: not valid JSON (Expecting value)"),
    ]:
        path.write_text(broken, "utf-8")
        with pytest.raises(importer.ImportRefused) as caught:
            importer.import_file(db, path, actor_id=worker)
        assert caught.value.message.render(EN).startswith(words), (broken[-20:], caught.value)
    path.write_text(" [ ] ", "utf-8")
    assert importer.import_file(db, path, actor_id=worker).new == 0


# ---------------------------------------------------------------- pipes and odd files


def _kompass(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KOMPASS_LOCALE": "en",
           "KOMPASS_USER": "kari", "KOMPASS_PASSWORD": PASSWORD}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "kompass_tui", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("as_array", [False, True])
def test_import_reads_a_pipe(as_array: bool, kiosk: Any, tmp_path: Path) -> None:
    """``cat records.jsonl | kompass import /dev/stdin``, in a real process and a real pipe."""
    good = _good(kiosk, tmp_path)
    target = open_database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    caseworker(target)
    text = json.dumps(good).encode() if as_array else _lines(good)
    done = _kompass("import", "/dev/stdin", "--db", target.url, stdin=text)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Records imported: 2 new, 0 already here." in done.stdout
    refused = _kompass("import", "/dev/stdin", "--db", target.url, stdin=text[:-40])
    assert refused.returncode == 1, refused.stderr.decode()
    assert b"Nothing was imported." in refused.stderr + refused.stdout
    assert len(_stored(target)) == 2
    target.dispose()


def _run(db: Database, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--db", db.url, "--user", "kari"],
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "COLUMNS": "400"},
    )
    return result.exit_code, result.output


def test_a_folder_a_fifo_and_an_unreadable_file(
    kiosk: Any, sqlite_db: Database, tmp_path: Path
) -> None:
    caseworker(sqlite_db)
    code, output = _run(sqlite_db, "import", str(tmp_path))
    assert (code, output.strip()) == (1, f"Error: Cannot read {tmp_path}: Is a directory.")
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)
    text = _lines(_good(kiosk, tmp_path))
    writer = threading.Thread(target=fifo.write_bytes, args=(text,))
    writer.start()
    code, output = _run(sqlite_db, "import", str(fifo))
    writer.join(timeout=30)
    if writer.is_alive():  # the import never opened it: let the writer go
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert code == 0, output
    assert "Records imported: 2 new" in output
    if os.geteuid() != 0:  # root reads any file
        secret = tmp_path / "secret.jsonl"
        secret.write_bytes(text)
        secret.chmod(0)
        code, output = _run(sqlite_db, "import", str(secret))
        assert (code, output.strip()) == (1, f"Error: Cannot read {secret}: Permission denied.")


# ---------------------------------------------------------------- authors and the audit


@pytest.mark.parametrize(
    ("place", "name"),
    [("remarks/0/author", "=cw"), ("remarks/1/author", "Kari"), ("corrections/0/author", "k"),
     ("remarks/0/author", "kari nordmann"), ("caseworker", "-cw"),
     ("corrections/0/author", "x" * 41)],
)  # fmt: skip
def test_authors_must_be_user_names(
    place: str, name: str, kiosk: Any, db: Database, tmp_path: Path
) -> None:
    record = _good(kiosk, tmp_path)[1]
    parts = place.split("/")
    if len(parts) == 1:
        record[parts[0]] = name
    else:
        record[parts[0]][int(parts[1])][parts[2]] = name
    path = tmp_path / "forged.jsonl"
    path.write_bytes(_lines([record]))
    worker = caseworker(db)
    with pytest.raises(importer.ImportRefused) as caught:
        importer.import_file(db, path, actor_id=worker)
    assert caught.value.message.render(EN) == (
        f"line 1: {place} is not a user name (2 to 40 small letters, digits, dots, hyphens or "
        "underscores). Nothing was imported."
    )
    assert _stored(db) == {}
    assert _usernames(db) == {"kari": (True, None)}


def test_an_author_with_a_line_break_is_refused(kiosk: Any, db: Database, tmp_path: Path) -> None:
    record = _good(kiosk, tmp_path)[1]
    record["remarks"][0]["author"] = "kari\n2026-01-01 boss: approved"
    path = tmp_path / "forged.jsonl"
    path.write_bytes(_lines([record]))
    with pytest.raises(importer.ImportRefused):
        importer.import_file(db, path, actor_id=caseworker(db))
    assert _stored(db) == {}


def test_history_added_by_an_import_is_audited_on_the_record(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    """A remark and a correction that an import adds to a record already here are each in the
    audit of that record, with the author and the date the file gives; the import's own event
    names the records it created or changed."""
    good = _good(kiosk, tmp_path)
    path = tmp_path / "records.jsonl"
    path.write_bytes(_lines(good))
    worker = caseworker(db)
    importer.import_file(db, path, actor_id=worker)
    (first,) = audit.events(db, action=audit.Action.imported)
    assert first.detail["records"] == [r["record_id"] for r in good]
    assert first.actor_id == worker
    record_id = uuid.UUID(good[1]["record_id"])
    good[1]["remarks"].append(
        {
            "section": None,
            "kind": "remark",
            "text": "Approved.",
            "author": "boss",
            "created_at": "2024-01-01T08:00:00+00:00",
        }
    )
    good[1]["corrections"].append(
        {
            "path": "years_school",
            "old": 12,
            "new": 13,
            "reason": "Papers",
            "author": "kari",
            "created_at": "2024-01-02T08:00:00+00:00",
        }
    )
    path.write_bytes(_lines(good))
    result = importer.import_file(db, path, actor_id=worker)
    assert (result.new, result.existing, result.remarks_added, result.corrections_added) == (
        0, 2, 1, 1,
    )  # fmt: skip
    second = audit.events(db, action=audit.Action.imported)[0]
    assert second.detail["records"] == [str(record_id)]
    assert (second.detail["remarks"], second.detail["corrections"]) == (1, 1)
    (remark,) = audit.events(db, record_id=record_id, action=audit.Action.remark_imported)
    assert (remark.actor_id, remark.detail["author"]) == (worker, "boss")
    assert remark.detail["created_at"] == "2024-01-01T08:00:00+00:00"
    (correction,) = audit.events(db, record_id=record_id, action=audit.Action.correction_imported)
    assert (correction.detail["author"], correction.detail["path"]) == ("kari", "years_school")
    assert correction.detail["created_at"] == "2024-01-02T08:00:00+00:00"
    assert "Approved." not in json.dumps(remark.detail)  # the text stays out of the audit
    # The unknown author is an account that nobody can log in to.
    assert _usernames(db)["boss"] == (False, "!imported")
    # … and the same file again changes nothing, and names no record.
    importer.import_file(db, path, actor_id=worker)
    assert audit.events(db, action=audit.Action.imported)[0].detail["records"] == []
    # `kompass audit --record` shows the added history.
    code, output = _run(db, "audit", "--record", str(record_id))
    assert code == 0, output
    assert "remark_imported" in output
    assert "author=boss" in output
    assert "correction_imported" in output
    assert (
        review.list_records(db, review.ListQuery(statuses=frozenset(Status)), actor_id=None).total
        == 2
    )
