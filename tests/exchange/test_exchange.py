"""Export and import: the record format (JSON Schema), a kiosk's records moved to a central
database and back out identically, CSV for Excel, the printable HTML, and bad files refused
whole with the database unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import importer
from kompass_tui.exchange.export import Format, export, safe_cell
from kompass_tui.exchange.records import DERIVED, RECORD, Selection, schema, without_derived
from kompass_tui.storage import audit, records, review
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Mode, Status
from sporreskjema import Questionnaire
from sporreskjema.definition import DERIVED_CODES, Choice
from tests.support.exchange import EN, PASSWORD, caseworker, exported, file_text, register
from tests.support.helpers import TODAY, filled, inline
from tests.support.storage import save_form


def test_every_exported_record_follows_the_schema(kiosk: Any, tmp_path: Path) -> None:
    db, worker, record_id = kiosk
    Draft202012Validator.check_schema(schema())
    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    text = exported(db, worker, tmp_path / "out.jsonl")
    (line,) = text.splitlines()
    record = json.loads(line)
    validator.validate(record)
    assert record["record_id"] == str(record_id)
    answers = record["answers"]
    assert answers["mother_tongues"] == ["ar"]
    assert answers["citizenship"] == "SY"
    assert answers["educations"][0]["level"] == "bachelor"
    assert answers["educations"][0]["level_nus2000"] == "6"  # a bachelor's is NUS2000 level 6
    # … and ISCED 2011 level 6; its field ISCED-F 2013 broad field 07, each beside its code.
    assert list(answers["educations"][0]) == [
        "field", "field_iscedf2013", "level", "level_nus2000", "level_isced2011", "programme",
        "status",
    ]  # fmt: skip
    assert answers["educations"][0]["level_isced2011"] == "6"
    assert answers["educations"][0]["field_iscedf2013"] == "07"
    assert answers["educations"][1]["level_isced2011"] == "7"  # a master's
    assert answers["jobs"][0]["from_year"] == 2011
    assert record["provenance"]["jobs[0].from_year"] == "caseworker"
    assert record["provenance"]["full_name"] == "self"
    # Where each answer was given: alone at the kiosk, the corrected one in the review.
    assert record["places"]["full_name"] == "kiosk"
    assert record["places"]["jobs[1].job_title"] == "kiosk"
    assert record["places"]["jobs[0].from_year"] == "review"
    assert set(record["places"]) == set(record["provenance"])
    assert [r["kind"] for r in record["remarks"]] == ["remark", "counsellor_note"]
    assert record["corrections"][0]["old"] == 2010
    stored = records.get_record(db, record_id)
    assert record["schema_version"] == 3
    # Written as the export leaves it: exported, at the time the database has.
    assert record["status"] == "exported" == stored.status
    assert stored.exported_at is not None
    assert record["timestamps"]["exported"] == stored.exported_at.isoformat()
    assert record["timestamps"]["updated"] == stored.updated_at.isoformat()
    (event,) = audit.events(db, record_id=record_id, action=audit.Action.exported)
    assert event.actor_id == worker
    json_text = exported(db, worker, tmp_path / "out.json", Format.json)
    for item in json.loads(json_text):
        validator.validate(item)


def test_a_kiosk_moves_to_a_central_database_and_back_out_identically(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    """Export from the kiosk's SQLite, import into the central database (SQLite or a real
    PostgreSQL), export again: the same records, byte for byte."""
    source, worker, _record_id = kiosk
    first = exported(source, worker, tmp_path / "first.jsonl")
    central_worker = caseworker(db)
    result = importer.import_file(db, tmp_path / "first.jsonl", actor_id=central_worker)
    assert (result.new, result.existing, result.remarks_added) == (1, 0, 2)
    second = exported(db, central_worker, tmp_path / "second.jsonl")
    assert second == first
    record_id = uuid.UUID(json.loads(first)["record_id"])
    # Marked by the ids as the central database hands them back (UUIDs on PostgreSQL).
    assert records.get_record(db, record_id).status == Status.exported
    assert len(audit.events(db, record_id=record_id, action=audit.Action.exported)) == 1
    before = review.load_view(db, record_id)
    again = importer.import_file(db, tmp_path / "first.jsonl", actor_id=central_worker)
    assert (again.new, again.existing, again.remarks_added, again.corrections_added) == (0, 1, 0, 0)
    after = review.load_view(db, record_id)
    assert {answer.place for answer in after.answers} == {"kiosk", "review"}
    assert after.record == before.record
    assert (after.answers, after.remarks, after.corrections) == (
        before.answers, before.remarks, before.corrections,
    )  # fmt: skip


def test_every_derived_code_is_written_and_allowed_as_the_definition_allows_it() -> None:
    """Each attribute of a choice that gives its code in another classification is written
    by the export under its suffix, and the record schema allows there what the definition
    model allows (no more, no less)."""
    assert tuple(d.attribute for d in DERIVED) == DERIVED_CODES
    model = Choice.model_json_schema()["properties"]
    patterns = schema()["properties"]["answers"]["patternProperties"]
    entry = schema()["properties"]["answers"]["additionalProperties"]["oneOf"][1]["items"]
    assert entry["patternProperties"] == patterns
    for derived in DERIVED:
        (given,) = [s["pattern"] for s in model[derived.attribute]["anyOf"] if "pattern" in s]
        assert derived.pattern == given
        assert patterns[derived.suffix + "$"] == {"type": "string", "pattern": given}


#: A file that Kompass wrote in the first version of the record format (kompass-record-1):
#: no ISCED codes, and its reviewed record as it was before the export marked it.
FIRST_FORMAT_FILE = Path(__file__).parent / "data" / "kompass-record-1.jsonl"


def test_a_file_of_the_first_format_version_still_imports(db: Database, tmp_path: Path) -> None:
    """Imported as it says (SQLite and PostgreSQL), and exported again in the current version:
    the same record and answers, with the ISCED codes beside them now."""
    old = json.loads(FIRST_FORMAT_FILE.read_text("utf-8"))
    assert old["schema_version"] == 1
    assert "level_isced2011" not in old["answers"]["educations"][0]
    Draft202012Validator(schema(1), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        old
    )
    worker = caseworker(db)
    result = importer.import_file(db, FIRST_FORMAT_FILE, actor_id=worker)
    assert (result.new, result.remarks_added, result.corrections_added) == (1, 2, 1)
    stored = records.get_record(db, uuid.UUID(old["record_id"]))
    assert (stored.status, stored.exported_at) == (Status.reviewed, None)  # as the file says
    out = tmp_path / "again.jsonl"
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker, mark=False)
    new = json.loads(out.read_text("utf-8"))
    Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(new)
    assert new["schema_version"] == 3
    assert without_derived(new["answers"]) == without_derived(old["answers"])
    assert new["answers"]["educations"][0]["level_nus2000"] == "6"
    assert new["answers"]["educations"][0]["level_isced2011"] == "6"
    assert new["answers"]["educations"][0]["field_iscedf2013"] == "07"
    for part in ("record_id", "questionnaire", "status", "timestamps", "provenance",
                 "remarks", "corrections"):  # fmt: skip
        assert new[part] == old[part], part
    assert new["person"] == {**old["person"], "settlement_date": None}  # version 3 has it


def _file_text(path: Path) -> dict[str, str]:
    """An export's files by name (a CSV or PDF export is a folder of them); a PDF's text as
    it reads."""
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return {file.name: file_text(file) for file in files}


@pytest.mark.parametrize("fmt", list(Format))
def test_the_files_show_the_records_as_the_export_leaves_them(
    fmt: Format, db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    """An export that marks the reviewed records exported writes them so, with the time the
    database gives them (SQLite and PostgreSQL): its files are those an export that marks
    nothing writes right after it, in every format."""
    worker = caseworker(db)
    _several(db, kompass, worker, 3)
    first_id = min(r.id for r in _all(db))
    with db.write() as session:  # one record is not reviewed: the export leaves it as it is
        session.execute(
            sa.update(RECORD).where(RECORD.c.id == first_id).values(status=Status.submitted)
        )
    marked = tmp_path / f"marked.{fmt}"
    export(db, fmt=fmt, out=marked, selection=Selection(), actor_id=worker)
    assert sorted(r.status for r in _all(db)) == [
        Status.exported, Status.exported, Status.submitted,
    ]  # fmt: skip
    as_stored = tmp_path / f"as_stored.{fmt}"
    export(db, fmt=fmt, out=as_stored, selection=Selection(), actor_id=worker, mark=False)
    first, second = _file_text(marked), _file_text(as_stored)
    assert [name.replace("as_stored", "marked") for name in second] == list(first)
    assert list(first.values()) == list(second.values())
    if fmt in (Format.jsonl, Format.json):
        text = first[marked.name]
        written = (
            json.loads(text)
            if fmt is Format.json
            else [json.loads(line) for line in text.splitlines()]
        )
        for record in written:
            stored = records.get_record(db, uuid.UUID(record["record_id"]))
            assert record["status"] == stored.status
            exported_at = stored.exported_at and stored.exported_at.isoformat()
            assert record["timestamps"]["exported"] == exported_at
            assert record["timestamps"]["updated"] == stored.updated_at.isoformat()
    if fmt is Format.csv:
        persons = list(csv.DictReader(first["persons.csv"].lstrip("\ufeff").splitlines()))
        assert sorted(row["status"] for row in persons) == ["exported", "exported", "submitted"]
        assert all(bool(row["exported"]) == (row["status"] == "exported") for row in persons)


def test_an_export_that_marks_nothing_writes_the_records_as_they_are(
    kiosk: Any, tmp_path: Path
) -> None:
    db, worker, record_id = kiosk
    out = tmp_path / "moved.jsonl"
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker, mark=False)
    record = json.loads(out.read_text("utf-8"))
    assert (record["status"], record["timestamps"]["exported"]) == ("reviewed", None)
    assert records.get_record(db, record_id).status == Status.reviewed


def test_a_record_changed_while_it_is_exported_leaves_nothing(
    db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    """A record written as exported that is no longer reviewed when the export marks it
    (its status changed meanwhile): the file would say otherwise than the database, so
    nothing is written, marked or audited (SQLite and PostgreSQL)."""
    worker = caseworker(db)
    _several(db, kompass, worker, 2)
    changed = min(r.id for r in _all(db))

    def meanwhile(_written: int) -> None:
        with db.write() as session:
            session.execute(
                sa.update(RECORD).where(RECORD.c.id == changed).values(status=Status.submitted)
            )

    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(StorageError) as caught:
        export(
            db, fmt=Format.jsonl, out=folder / "all.jsonl", selection=Selection(),
            actor_id=worker, progress=meanwhile,
        )  # fmt: skip
    assert "changed while it was exported" in caught.value.message.render(EN)
    assert list(folder.iterdir()) == []
    assert _exported_events(db) == 0
    assert sorted(r.status for r in _all(db)) == [Status.reviewed, Status.submitted]


def test_times_days_and_ids_read_as_stored_are_written_as_typed(kiosk: Any, tmp_path: Path) -> None:
    """On SQLite the export writes timestamps, days and record ids from the stored text,
    without making objects of them: the text must be what the typed values would give."""
    db, worker, record_id = kiosk
    record = json.loads(exported(db, worker, tmp_path / "out.jsonl"))
    stored = records.get_record(db, record_id)
    assert record["record_id"] == str(stored.id)
    assert record["timestamps"] == {
        "started": stored.started_at.isoformat(),
        "updated": stored.updated_at.isoformat(),
        "submitted": stored.submitted_at and stored.submitted_at.isoformat(),
        "reviewed": stored.reviewed_at and stored.reviewed_at.isoformat(),
        "exported": stored.exported_at and stored.exported_at.isoformat(),
    }
    again = json.loads(exported(db, worker, tmp_path / "read.jsonl"))  # now read as stored
    assert again["timestamps"] == record["timestamps"]
    assert record["person"]["permit_date"] == "2026-11-20"
    assert stored.started_at.microsecond != 0  # the usual case; the whole second below
    on_the_second = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    with db.write() as session:
        session.execute(
            sa.update(RECORD).where(RECORD.c.id == record_id).values(started_at=on_the_second)
        )
    again = json.loads(exported(db, worker, tmp_path / "again.jsonl"))
    assert again["timestamps"]["exported"] == record["timestamps"]["exported"]
    assert (
        again["timestamps"]["started"] == on_the_second.isoformat() == "2026-11-20T09:30:00+00:00"
    )


def test_an_existing_record_keeps_its_remarks_and_gains_new_ones(
    kiosk: Any, db: Database, tmp_path: Path, kompass: Questionnaire
) -> None:
    source, worker, record_id = kiosk
    exported(source, worker, tmp_path / "before.jsonl")
    central_worker = caseworker(db)
    importer.import_file(db, tmp_path / "before.jsonl", actor_id=central_worker)
    review.add_remark(
        db, record_id=record_id, actor_id=central_worker, questionnaire=kompass, text="Central."
    )
    review.add_remark(
        source, record_id=record_id, actor_id=worker, questionnaire=kompass, text="Kiosk, later."
    )
    exported(source, worker, tmp_path / "after.jsonl")
    result = importer.import_file(db, tmp_path / "after.jsonl", actor_id=central_worker)
    assert (result.new, result.existing, result.remarks_added) == (0, 1, 1)
    texts = [r.text for r in review.load_view(db, record_id).remarks]
    assert texts[-2:] == ["Central.", "Kiosk, later."]
    assert len(texts) == 4


def test_csv_tables_open_with_the_bom_and_either_delimiter(kiosk: Any, tmp_path: Path) -> None:
    db, worker, record_id = kiosk
    for delimiter in (",", ";"):
        folder = tmp_path / f"csv{delimiter == ';'}"
        export(
            db, fmt=Format.csv, out=folder, selection=Selection(), actor_id=worker,
            delimiter=delimiter,
        )  # fmt: skip
        assert (folder / "persons.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        tables = {}
        for name in ("persons", "languages", "education", "work", "courses", "remarks"):
            with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
                tables[name] = list(csv.DictReader(handle, delimiter=delimiter))
        (person,) = tables["persons"]
        assert person["record_id"] == str(record_id)
        assert person["full_name"] == "Rami Haddad"
        assert person["mother_tongues"] == "ar"
        assert [row["kind"] for row in tables["languages"]] == ["mother_tongue", "other"]
        assert [row["level_nus2000"] for row in tables["education"]] == ["6", "7"]
        assert tables["education"][1]["programme"].startswith("<script>")
        assert [row["job_title"] for row in tables["work"]] == ["Engineer", "مهندس كهرباء"]
        assert {row["record_id"] for rows in tables.values() for row in rows} == {str(record_id)}
        assert len(tables["remarks"]) == 2


#: A later questionnaire with repeat groups of other names than kompass-v1's: one that keeps
#: a v1 name (jobs) with other questions, and one named like a fixed table (remarks).
LATER = """
id = "kompass"
version = "3"
title = "Kompass, a later version"

[[provenance]]
code = "self"
label = "The person alone"

[[sections]]
name = "about"
title = "About you"

[[sections.questions]]
name = "full_name"
type = "text"
label = "Full name"

[[sections.questions]]
name = "hobbies"
type = "repeat"
label = "Hobbies"
entry_title = "hobby"

[[sections.questions.questions]]
name = "hobby"
type = "text"
label = "Hobby"

[[sections]]
name = "learning"
title = "Learning"

[[sections.questions]]
name = "trainings"
type = "repeat"
label = "Trainings"
entry_title = "training"

[[sections.questions.questions]]
name = "training"
type = "text"
label = "Training"

[[sections.questions.questions]]
name = "training_level"
type = "single"
choices = "level"
label = "Level"

[[sections.questions.questions]]
name = "training_year"
type = "year"
label = "Year"

[[sections.questions]]
name = "jobs"
type = "repeat"
label = "Jobs"

[[sections.questions.questions]]
name = "employer"
type = "text"
label = "Employer"

[[sections.questions]]
name = "remarks"
type = "repeat"
label = "Own notes"

[[sections.questions.questions]]
name = "note_text"
type = "text"
label = "Note"

[[choices.level]]
code = "basic"
label = "Basic level"
nus = "2"

[[choices.level]]
code = "higher"
label = "Higher level"
nus = "6"
"""


def test_a_later_questionnaires_repeat_groups_are_exported_and_shown_whole(
    tmp_path: Path,
) -> None:
    """Export and the record view follow the questionnaire's own repeat groups: every group
    gets its CSV table (none overwriting another) and its place in the HTML and the record
    view, with every answer there."""
    from kompass_tui.record_view import build_report

    later = inline(LATER)
    answers = {
        "full_name": "Amina Yusuf", "hobbies[0].hobby": "Chess", "hobbies[1].hobby": "Football",
        "trainings[0].training": "Welding", "trainings[0].training_level": "higher",
        "trainings[0].training_year": "2019", "trainings[1].training": "First aid",
        "jobs[0].employer": "Bakery Mosul", "remarks[0].note_text": "Own note",
    }  # fmt: skip
    db = open_database(f"sqlite:///{tmp_path / 'later.sqlite3'}")
    try:
        worker = caseworker(db)
        new = records.create_record(db, questionnaire=later, mode=Mode.kiosk, locale="en")
        save_form(db, new.id, filled(later, TODAY, answers))
        csv_folder, page = tmp_path / "csv", tmp_path / "later.html"
        for fmt, out in ((Format.csv, csv_folder), (Format.html, page)):
            export(
                db, fmt=fmt, out=out, selection=Selection(), actor_id=worker, mark=False,
                questionnaire=later,
            )  # fmt: skip
        view = review.view_record(db, new.id, actor_id=worker)
    finally:
        db.dispose()

    tables = {}
    for file in sorted(csv_folder.iterdir()):
        with file.open(encoding="utf-8-sig", newline="") as handle:
            tables[file.stem] = list(csv.DictReader(handle))
    # The group named like the fixed remarks table does not overwrite it; "jobs" keeps its
    # kompass-v1 name "work" with this questionnaire's columns.
    assert set(tables) == {"persons", "remarks", "hobbies", "trainings", "work", "remarks_entries"}
    (person,) = tables["persons"]
    assert person["full_name"] == "Amina Yusuf"
    assert [(r["entry"], r["hobby"]) for r in tables["hobbies"]] == [
        ("1", "Chess"), ("2", "Football"),
    ]  # fmt: skip
    assert [
        (r["training"], r["training_level"], r["training_level_nus2000"], r["training_year"])
        for r in tables["trainings"]
    ] == [("Welding", "higher", "6", "2019"), ("First aid", "", "", "")]
    assert [r["employer"] for r in tables["work"]] == ["Bakery Mosul"]
    assert [r["note_text"] for r in tables["remarks_entries"]] == ["Own note"]
    assert tables["remarks"] == []
    assert {r["record_id"] for rows in tables.values() for r in rows} == {str(new.id)}

    shown = page.read_text("utf-8")
    report = build_report(view, later, EN, TODAY)
    lines = [(line.label, line.text) for s in report.sections for line in s.lines]
    for label, text in (
        ("Hobby", "Chess"), ("Hobby", "Football"), ("Training", "Welding"),
        ("Level", "Higher level"), ("Year", "2019"), ("Training", "First aid"),
        ("Employer", "Bakery Mosul"), ("Note", "Own note"), ("Full name", "Amina Yusuf"),
    ):  # fmt: skip
        assert f"{label}<br>{text}</td>" in shown  # the person's (English) column
        assert (label, text) in lines
    assert [s.name for s in report.sections] == ["about", "learning"]


def test_csv_cells_cannot_start_a_formula() -> None:
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("+47 900 00 000") == "'+47 900 00 000"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell(-3) == -3
    assert safe_cell(["ar", "en"]) == "ar|en"
    assert safe_cell("Engineer") == "Engineer"


def test_exports_are_readable_by_their_owner_only(kiosk: Any, tmp_path: Path) -> None:
    db, worker, _record_id = kiosk
    for fmt in Format:
        out = tmp_path / f"out-{fmt}"
        export(db, fmt=fmt, out=out, selection=Selection(), actor_id=worker)
        for path in out.iterdir() if out.is_dir() else [out]:
            assert path.stat().st_mode & 0o077 == 0, path


# ---------------------------------------------------------------- a failed export


def _several(db: Database, kompass: Questionnaire, worker: int, n: int) -> None:
    for index in range(n):
        register(db, kompass, worker, person_id=f"2024 7777 {1000 + index}")


def _exported_events(db: Database) -> int:
    return len(audit.events(db, action=audit.Action.exported, limit=100_000))


@pytest.mark.parametrize("fmt", list(Format))
def test_a_crashed_export_leaves_no_file_and_no_audit(
    fmt: Format, sqlite_db: Database, kompass: Questionnaire, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An export that fails after five complete records (here a program error, the same for
    an interrupt or a database error) leaves nothing on disk, marks and audits nothing."""
    worker = caseworker(sqlite_db)
    _several(sqlite_db, kompass, worker, 7)
    from kompass_tui.exchange import export as exporting

    written = {"n": 0}

    def crashing(real: Any) -> Any:
        def write(self: Any, record: dict[str, Any]) -> None:
            if written["n"] == 5:
                raise RuntimeError("the export stops here")
            real(self, record)
            written["n"] += 1

        return write

    for writer in (exporting._JsonWriter, exporting._JsonLinesWriter, exporting._CsvWriter,
                   exporting._HtmlWriter, exporting._PdfWriter):  # fmt: skip
        monkeypatch.setattr(writer, "write", crashing(writer.write))
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / f"all.{fmt}"
    with pytest.raises(RuntimeError):
        export(sqlite_db, fmt=fmt, out=out, selection=Selection(), actor_id=worker)
    assert list(folder.iterdir()) == [] or list(out.iterdir()) == []
    assert _exported_events(sqlite_db) == 0
    assert {r.status for r in _all(sqlite_db)} == {Status.reviewed}


@pytest.mark.parametrize("fmt", list(Format))
def test_an_export_whose_files_cannot_take_their_names_audits_nothing(
    fmt: Format, sqlite_db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    """A file's name is taken by a folder: the export stops before anything is audited or
    marked (the rename after the audit would fail), so 'nothing was changed' is true."""
    worker = caseworker(sqlite_db)
    _several(sqlite_db, kompass, worker, 3)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / f"all.{fmt}"
    # for CSV and PDF the folder is the export's; one of its files is taken by a folder
    in_folder = {Format.csv: "work.csv", Format.pdf: f"{max(r.id for r in _all(sqlite_db))}.pdf"}
    taken = out / in_folder[fmt] if fmt in in_folder else out
    taken.mkdir(parents=True)
    with pytest.raises(StorageError):
        export(sqlite_db, fmt=fmt, out=out, selection=Selection(), actor_id=worker)
    assert _exported_events(sqlite_db) == 0
    assert {r.status for r in _all(sqlite_db)} == {Status.reviewed}
    left = sorted(p.name for p in (out if fmt in in_folder else folder).iterdir())
    assert left == [taken.name]


def test_a_rename_that_fails_after_the_audit_says_so_and_leaves_no_half_export(
    sqlite_db: Database, kompass: Questionnaire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a file still cannot take its name once the export is audited (another program got
    in between), the message says the records are audited, not that nothing was changed, and
    the files already renamed go too: no half CSV folder."""
    from kompass_tui.exchange import export as exporting
    from sporreskjema.i18n import translator

    worker = caseworker(sqlite_db)
    _several(sqlite_db, kompass, worker, 3)
    out = tmp_path / "csv"
    renamed = {"n": 0}
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if renamed["n"] == 2:
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)
        renamed["n"] += 1

    monkeypatch.setattr(exporting.os, "replace", replace)
    with pytest.raises(StorageError) as failure:
        export(sqlite_db, fmt=Format.csv, out=out, selection=Selection(), actor_id=worker)
    said = failure.value.message.render(translator("en"))
    assert "audited" in said
    assert "Nothing was changed" not in said
    assert _exported_events(sqlite_db) == 3
    assert not out.exists() or list(out.iterdir()) == []


def _all(db: Database) -> list[Any]:
    page = review.list_records(
        db, review.ListQuery(statuses=frozenset(Status), limit=1000), actor_id=None
    )
    return [records.get_record(db, row.id) for row in page.rows]


def test_an_export_to_a_full_disk_says_so_and_leaves_nothing(
    sqlite_db: Database, kompass: Questionnaire, full_disk: Path
) -> None:
    worker = caseworker(sqlite_db)
    _several(sqlite_db, kompass, worker, 25)  # far more than 8 KB in every format
    env = {"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": "kari"}
    for fmt in Format:
        out = full_disk / f"all.{fmt}"
        result = CliRunner().invoke(
            app,
            ["export", "--db", sqlite_db.url, "--format", str(fmt), "--out", str(out)],
            env=env,
        )
        assert result.exit_code == 1, (fmt, result.output)
        assert result.output.strip() == "Error: The disk is full; nothing was saved.", fmt
        assert not out.exists() or list(out.iterdir()) == [], fmt
        assert list(full_disk.iterdir()) == [], fmt
    assert _exported_events(sqlite_db) == 0
    assert {r.status for r in _all(sqlite_db)} == {Status.reviewed}


# ---------------------------------------------------------------- bad files


def _good_line(kiosk: Any, tmp_path: Path) -> str:
    db, worker, _record_id = kiosk
    return exported(db, worker, tmp_path / "good.jsonl").strip()


BAD_FILES = {
    "truncated": (lambda good: good[: len(good) // 2], "line 2: not valid JSON"),
    "wrong schema version": (
        lambda good: good.replace('"schema_version":3', '"schema_version":4'),
        "line 2: schema version 4 is not one this Kompass reads (1, 2, 3)",
    ),
    "a schema version that is no whole number": (
        lambda good: good.replace('"schema_version":3', '"schema_version":3.0'),
        "line 2: schema version 3.0 is not one this Kompass reads (1, 2, 3)",
    ),
    "fails the schema": (
        lambda good: good.replace('"status":"exported"', '"status":"approved"'),
        "line 2: status does not follow the record format",
    ),
    "an ISCED level that is none": (
        lambda good: good.replace('"level_isced2011":"6"', '"level_isced2011":"9"'),
        "line 2: answers/educations does not follow the record format",
    ),
    "unknown questionnaire version": (
        lambda good: good.replace('"version":"2"', '"version":"9"'),
        "line 2: questionnaire kompass version 9 is not known here",
    ),
    "unknown question": (
        lambda good: good.replace('"answers":{', '"answers":{"shoe_size":"44",'),
        "line 2: There is no question 'shoe_size'",
    ),
    "the same record twice": (lambda good: good + "\n" + good, "line 3: record"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_whole(case: str, kiosk: Any, db: Database, tmp_path: Path) -> None:
    good = _good_line(kiosk, tmp_path)
    change, words = BAD_FILES[case]
    # Another good record first (another id and person): it must not be imported either.
    other = good.replace(str(kiosk[2])[:8], "0" * 8).replace("202477771234", "202400000001")
    path = tmp_path / "bad.jsonl"
    path.write_text(other + "\n" + change(good) + "\n", "utf-8")
    worker = caseworker(db)
    with pytest.raises(importer.ImportRefused) as caught:
        importer.import_file(db, path, actor_id=worker)
    message = caught.value.message.render(EN)
    assert words in message
    assert message.endswith("Nothing was imported.")
    assert (
        review.list_records(db, review.ListQuery(statuses=frozenset(Status)), actor_id=None).total
        == 0
    )


def test_a_huge_line_and_a_file_that_is_not_utf8_are_refused(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    good = _good_line(kiosk, tmp_path)
    worker = caseworker(db)
    huge = tmp_path / "huge.jsonl"
    with huge.open("w", encoding="utf-8") as handle:
        handle.write(good + "\n")
        handle.write('{"padding": "' + "x" * (50 * 1024 * 1024) + '"}\n')
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(good.encode("utf-8") + b"\n" + "Bjørn".encode("latin-1") + b"\n")
    for path, words in [(huge, "line 2: the line is longer than 8 MB"),
                        (latin1, "line 2: the file is not UTF-8 text")]:  # fmt: skip
        with pytest.raises(importer.ImportRefused) as caught:
            importer.import_file(db, path, actor_id=worker)
        assert words in caught.value.message.render(EN)
    assert (
        review.list_records(db, review.ListQuery(statuses=frozenset(Status)), actor_id=None).total
        == 0
    )


# ---------------------------------------------------------------- the command line


def test_export_and_import_from_the_command_line(kiosk: Any, tmp_path: Path) -> None:
    source, _worker, _record_id = kiosk
    target = open_database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    caseworker(target)
    env = {"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": "kari"}
    runner = CliRunner()
    out = tmp_path / "records.jsonl"
    result = runner.invoke(
        app, ["export", "--db", source.url, "--format", "jsonl", "--out", str(out)], env=env
    )
    assert (result.exit_code, result.output.strip()) == (0, f"Records exported: 1, to {out}")
    result = runner.invoke(app, ["import", str(out), "--db", target.url], env=env)
    assert result.exit_code == 0, result.output
    assert "Records imported: 1 new, 0 already here." in result.output
    bad = runner.invoke(
        app, ["export", "--db", source.url, "--format", "xml", "--out", "x"], env=env
    )
    assert bad.exit_code == 2  # a usage error, before the login
    assert "--format: 'xml' is not one of: json, jsonl, csv, html" in bad.output
    missing = runner.invoke(
        app, ["import", str(tmp_path / "nope.jsonl"), "--db", target.url], env=env
    )
    assert missing.exit_code == 1
    assert "Error: Cannot read" in missing.output
    target.dispose()


# ---------------------------------------------------------------- HTML in a real browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_html_summary_in_a_real_browser(kiosk: Any, tmp_path: Path) -> None:
    """Chromium renders the export: free text stays text (no element from it), and the person's
    column runs right to left in Arabic."""
    if _chromium() is None:
        if os.environ.get("KOMPASS_REQUIRE_CHROMIUM"):
            pytest.fail("KOMPASS_REQUIRE_CHROMIUM is set but there is no chromium")
        pytest.skip("no Chromium (bash .ci/run installs it)")
    db, worker, _record_id = kiosk
    page = exported(db, worker, tmp_path / "summary.html", Format.html)
    probe = (
        "<script>document.body.setAttribute('data-probe', JSON.stringify({"
        "scripts: document.scripts.length,"
        "injected: [...document.querySelectorAll('td, li')].some(e => e.querySelector('script')),"
        "direction: getComputedStyle(document.querySelector('td[lang=ar]')).direction,"
        # (the probe's own '</script>' must be written '<\\/script>' inside a script)
        "text: document.body.innerText.includes('<script>alert(1)<\\/script>')}));</script>"
    )
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe + "</body>"), "utf-8")
    done = subprocess.run(
        [_chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    start = done.stdout.index("data-probe=") + len("data-probe=") + 1
    quote = done.stdout[start - 1]
    probe_data = json.loads(
        done.stdout[start : done.stdout.index(quote, start)].replace("&quot;", '"')
    )
    assert probe_data == {"scripts": 1, "injected": False, "direction": "rtl", "text": True}
