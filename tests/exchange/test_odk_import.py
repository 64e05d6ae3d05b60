"""Submissions from ODK Collect and KoboToolbox back into Kompass (``kompass import
--from-odk``): three whole registrations as a device would send them (the XForm instance of
the form ``kompass questionnaire xlsform`` writes, filled in), imported, exported, and compared
with the same registrations given to the kiosk's engine; the same submission twice changes
nothing; a wrong one is refused with its place named and nothing imported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection, without_derived
from kompass_tui.storage import records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Mode
from sporreskjema import load_builtin
from tests.support.exchange import PASSWORD, caseworker
from tests.support.helpers import TODAY, filled, make_national_id
from tests.support.odk import odk_text, submission
from tests.support.storage import save_form

RECORD = SQLModel.metadata.tables["record"]

#: Three registrations, as stored answers (codes, dates, numbers); repeats as lists of entries.
NO_SCHOOLING: dict[str, Any] = {
    "acknowledged": True, "full_name": "Dawit Haile", "birth_date": dt.date(1994, 2, 1),
    "person_id": "202412345678", "permit_date": dt.date(2026, 11, 20), "citizenship": "ER",
    "residence": "Mottak Nord", "mother_tongues": ["ti"], "mother_tongue_literacy": "a_little",
    "latin_literacy": "no", "has_other_languages": "no", "norwegian_level": "none",
    "years_school": 0, "years_higher_education": 0, "has_work_experience": "no",
    "informal_work": "Kjøre buss", "has_driving_licence": "no", "digital_smartphone": "can",
    "digital_email": "cannot", "digital_forms": "cannot", "digital_text": "cannot",
    "digital_spreadsheets": "cannot", "has_courses": "no", "short_term_goals": ["norwegian", "work"],
    "long_term_goal": "ሹፌር ኣውቶቡስ", "confirmed": True,
}  # fmt: skip
ENGINEER: dict[str, Any] = {
    "acknowledged": True, "full_name": "Олена Коваленко", "birth_date": dt.date(1985, 3, 2),
    "person_id": make_national_id(dt.date(1985, 3, 2)), "permit_date": dt.date(2026, 11, 18),
    "citizenship": "UA", "residence": "Bergen", "phone": "+47 912 34 567",
    "email": "olena@example.com", "mother_tongues": ["uk", "ru"], "mother_tongue_literacy": "yes",
    "latin_literacy": "yes", "has_other_languages": "yes",
    "other_languages": [{"language": "en", "understanding": "well", "speaking": "well",
                         "reading": "very_well", "writing": "well"}],
    "norwegian_level": "a_little", "norwegian_course_hours": 120, "norwegian_test": "A2",
    "years_school": 11, "years_higher_education": 6,
    "educations": [
        {"level": "bachelor", "field": "07", "programme": "Електроенергетика",
         "institution": "КПІ", "country": "UA", "status": "completed", "start_year": 2002,
         "end_year": 2006, "evidence": "with_me", "recognition": "no"},
        {"level": "master", "field": "07", "programme": "Power systems", "country": "UA",
         "status": "completed", "start_year": 2006, "end_year": 2008, "evidence": "can_get",
         "recognition": "dont_know"},
    ],
    "has_work_experience": "yes",
    "jobs": [
        {"job_title": "Інженер", "occupation_group": "2", "job_country": "UA", "from_year": 2008,
         "still_working": "no", "to_year": 2015, "employment": "full_time",
         "self_employed": "no", "job_evidence": "with_me"},
        {"job_title": "Провідний інженер", "occupation_group": "2", "job_country": "UA",
         "from_year": 2015, "still_working": "no", "to_year": 2022, "employment": "full_time",
         "self_employed": "no", "tasks": "Мережі 110 кВ", "job_evidence": "can_get"},
        {"job_title": "Consultant", "occupation_group": "2", "job_country": "PL",
         "from_year": 2022, "still_working": "yes", "employment": "part_time",
         "self_employed": "yes", "job_evidence": "none"},
    ],
    "has_driving_licence": "yes", "licence_classes": ["B", "BE"], "licence_country": "UA",
    "licence_with_me": "yes", "digital_smartphone": "can", "digital_email": "can",
    "digital_forms": "can", "digital_text": "can", "digital_spreadsheets": "can",
    "has_courses": "yes",
    "courses": [{"course_name": "Relay protection", "course_country": "UA", "course_year": 2012,
                 "course_evidence": "with_me"}],
    "skills": ["repair"], "short_term_goals": ["norwegian", "work", "other"],
    "short_term_other": "Godkjenning av utdanning", "long_term_goal": "Інженер в Statnett",
    "wished_occupation_group": "2", "confirmed": True,
}  # fmt: skip
DARI_SPEAKER: dict[str, Any] = {
    "acknowledged": True, "full_name": "Zahra Ahmadi", "birth_date": dt.date(1999, 7, 23),
    "person_id": "202398765432", "permit_date": dt.date(2026, 11, 25), "citizenship": "AF",
    "residence": "Drammen", "mother_tongues": ["prs"], "mother_tongue_literacy": "yes",
    "latin_literacy": "a_little", "has_other_languages": "yes",
    "other_languages": [{"language": "ps", "understanding": "well", "speaking": "a_little",
                         "reading": "a_little", "writing": "none"}],
    "norwegian_level": "none", "years_school": 9, "years_higher_education": 0,
    "educations": [{"level": "lower_secondary", "institution": "مکتب", "country": "AF",
                    "status": "completed", "start_year": 2006, "end_year": 2015,
                    "evidence": "lost"}],
    "has_work_experience": "yes",
    "jobs": [{"job_title": "خیاط", "occupation_group": "7", "job_country": "IR",
              "from_year": 2016, "still_working": "no", "to_year": 2021,
              "employment": "seasonal", "self_employed": "yes", "job_evidence": "none"}],
    "has_driving_licence": "no", "digital_smartphone": "with_help", "digital_email": "cannot",
    "digital_forms": "cannot", "digital_text": "cannot", "digital_spreadsheets": "cannot",
    "has_courses": "no", "skills": ["sewing", "cooking"], "short_term_goals": ["education"],
    "long_term_goal": "پرستار", "counsellor_info": "Har to barn", "confirmed": True,
}  # fmt: skip
PEOPLE = {"no-schooling": NO_SCHOOLING, "engineer": ENGINEER, "dari-speaker": DARI_SPEAKER}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def exported(db: Database, tmp_path: Path, worker: int) -> dict[str, dict[str, Any]]:
    out = tmp_path / f"out-{uuid.uuid4().hex[:6]}.jsonl"
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker, mark=False)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return {line["person"]["full_name"]: line for line in lines}


def by_kiosk(db: Database, answers: dict[str, Any]) -> None:
    """The same registration given to the engine as the kiosk gives it, saved and sent."""
    questionnaire = load_builtin()
    raw: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                for inner, inner_value in entry.items():
                    raw[f"{name}[{index}].{inner}"] = _kiosk_raw(inner_value)
        else:
            raw[name] = _kiosk_raw(value)
    form = filled(questionnaire, TODAY, raw)
    new = records.create_record(db, questionnaire=questionnaire, mode=Mode.kiosk, locale="nb")
    save_form(db, new.id, form)
    records.submit(db, record_id=new.id)


def _kiosk_raw(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@pytest.mark.parametrize("person", list(PEOPLE))
def test_a_submission_imports_as_the_same_registration_typed_at_the_kiosk(
    person: str, tmp_path: Path
) -> None:
    answers = PEOPLE[person]
    kiosk = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    municipality = open_database(f"sqlite:///{tmp_path / 'kompass.sqlite3'}")
    try:
        by_kiosk(kiosk, answers)
        worker = caseworker(municipality)
        instance_id = uuid.uuid4()
        file = tmp_path / "submission.xml"
        file.write_bytes(submission(answers, instance_id))
        code, output = run(
            "import", "--from-odk", str(file), "--locale", "ti", "--db", municipality.url,
            "--user", "kari",
        )  # fmt: skip
        assert code == 0, output
        assert "1 new" in output
        typed = exported(kiosk, tmp_path, caseworker(kiosk))[answers["full_name"]]
        collected = exported(municipality, tmp_path, worker)[answers["full_name"]]
        assert without_derived(collected["answers"]) == without_derived(typed["answers"])
        assert collected["answers"] == typed["answers"]  # the derived codes too
        assert collected["person"] == typed["person"]
        assert collected["record_id"] == str(instance_id)
        assert collected["mode"] == "imported"
        assert collected["timestamps"]["submitted"] == "2026-11-26T09:41:00+00:00"
        with municipality.session() as session:
            origin = session.execute(sa.select(RECORD.c.collected_with)).scalar_one()
        assert origin == "ODK/KoboToolbox · collect:7fQxT2 · mottak.nord"
        # The same submission again changes nothing.
        before = exported(municipality, tmp_path, worker)
        code, output = run(
            "import", "--from-odk", str(file), "--db", municipality.url, "--user", "kari"
        )
        assert code == 0, output
        assert "0 new, 1 already here" in output
        assert exported(municipality, tmp_path, worker) == before
    finally:
        kiosk.dispose()
        municipality.dispose()


def test_a_wrong_submission_is_refused_whole_with_its_place_named(
    sqlite_db: Database, tmp_path: Path
) -> None:
    db = sqlite_db
    caseworker(db)
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "a.xml").write_bytes(submission(NO_SCHOOLING, uuid.uuid4()))
    wrong = {**ENGINEER, "person_id": ENGINEER["person_id"][:-1] + "0"}  # a wrong check digit
    if wrong["person_id"] == ENGINEER["person_id"]:
        wrong["person_id"] = ENGINEER["person_id"][:-1] + "1"
    (folder / "b.xml").write_bytes(submission(wrong, uuid.uuid4()))
    code, output = run("import", "--from-odk", str(folder), "--db", db.url, "--user", "kari")
    assert code == 1
    assert "b.xml" in output
    assert "Nothing was imported" in output
    with db.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(RECORD)).scalar() == 0
    # More entries in a repeat than the questionnaire allows.
    crowded = {**ENGINEER, "jobs": ENGINEER["jobs"] * 10}
    (folder / "b.xml").write_bytes(submission(crowded, uuid.uuid4()))
    code, output = run("import", "--from-odk", str(folder), "--db", db.url, "--user", "kari")
    assert code == 1
    assert "b.xml" in output
    assert len(output.strip().splitlines()) == 1, output
    # A submission without its instanceID, a file that is not XML, an XML bomb.
    (folder / "b.xml").unlink()
    bare = submission(NO_SCHOOLING, uuid.uuid4()).replace(b"uuid:", b"")
    (folder / "a.xml").write_bytes(
        bare.replace(
            bare[bare.index(b"<instanceID>") : bare.index(b"</instanceID>")], b"<instanceID>"
        )
    )
    code, output = run("import", "--from-odk", str(folder), "--db", db.url, "--user", "kari")
    assert code == 1
    assert "instanceID" in output
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><data>&lol2;</data>'
    )
    (folder / "a.xml").write_bytes(bomb)
    code, output = run("import", "--from-odk", str(folder), "--db", db.url, "--user", "kari")
    assert code == 1
    assert "a.xml" in output
    assert len(output.strip().splitlines()) == 1, output


def test_kobotoolbox_json_imports_the_same_record(sqlite_db: Database, tmp_path: Path) -> None:
    """KoboToolbox's JSON export: answers by group path, repeats as lists of objects."""
    db = sqlite_db
    worker = caseworker(db)
    instance_id = uuid.uuid4()
    questionnaire = load_builtin()
    item: dict[str, Any] = {"meta/instanceID": f"uuid:{instance_id}", "_id": 17,
                            "_submitted_by": None, "device_id": "kobo-web"}  # fmt: skip
    for name, value in ENGINEER.items():
        section = questionnaire.question(name).section
        if isinstance(value, list) and value and isinstance(value[0], dict):
            item[f"{section}/{name}"] = [
                {f"{section}/{name}/{inner}": odk_text(v) for inner, v in entry.items()}
                for entry in value
            ]
        else:
            item[f"{section}/{name}"] = odk_text(value)
    file = tmp_path / "kobo.json"
    file.write_text(json.dumps({"count": 1, "results": [item]}), "utf-8")
    code, output = run("import", "--from-odk", str(file), "--db", db.url, "--user", "kari")
    assert code == 0, output
    record = exported(db, tmp_path, worker)[ENGINEER["full_name"]]
    assert record["record_id"] == str(instance_id)
    assert record["answers"]["jobs"][2]["job_title"] == "Consultant"
    assert record["answers"]["licence_classes"] == ["B", "BE"]


def central_csv(answers: dict[str, Any], instance_id: uuid.UUID) -> dict[str, str]:
    """ODK Central's CSV export of one submission (the format of docs/export-format.md of ODK
    Briefcase, which Central follows): the submissions' table, and a table per repeat."""
    questionnaire = load_builtin()
    key = f"uuid:{instance_id}"
    root: dict[str, str] = {"SubmissionDate": "2026-11-26T09:41:12.000Z",
                            "started_at": "2026-11-26T10:02:00.000+01:00"}  # fmt: skip
    tables: dict[str, list[dict[str, str]]] = {}
    for name, value in answers.items():
        question = questionnaire.question(name)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            root[f"SET-OF-{question.section}-{name}"] = f"{key}/{name}"
            tables[f"kompass_v2-{question.section}-{name}.csv"] = [
                {**{inner: odk_text(v) for inner, v in entry.items()},
                 "PARENT_KEY": key, "KEY": f"{key}/{name}[{number}]",
                 "SET-OF-" + name: f"{key}/{name}"}
                for number, entry in enumerate(value, start=1)
            ]  # fmt: skip
        else:
            root[f"{question.section}-{name}"] = odk_text(value)
    root.update({"meta-instanceID": key, "KEY": key, "SubmitterID": "5",
                 "SubmitterName": "mottak.nord", "AttachmentsPresent": "0",
                 "AttachmentsExpected": "0", "Status": "", "ReviewState": "",
                 "DeviceID": "collect:7fQxT2", "Edits": "0", "FormVersion": "2.1"})  # fmt: skip
    files = {"kompass_v2.csv": [root], **tables}
    written = {}
    for file, rows in files.items():
        out = io.StringIO()
        columns = list(dict.fromkeys(column for row in rows for column in row))
        writer = csv.DictWriter(out, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
        written[file] = out.getvalue()
    return written


def test_odk_centrals_csv_export_imports_the_same_record(
    sqlite_db: Database, tmp_path: Path
) -> None:
    worker = caseworker(sqlite_db)
    instance_id = uuid.uuid4()
    archive = tmp_path / "kompass_v2.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, text in central_csv(ENGINEER, instance_id).items():
            zipped.writestr(f"kompass_v2/{name}", text)
    code, output = run(
        "import", "--from-odk", str(archive), "--db", sqlite_db.url, "--user", "kari"
    )
    assert code == 0, output
    from_csv = exported(sqlite_db, tmp_path, worker)[ENGINEER["full_name"]]
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        other_worker = caseworker(other)
        file = tmp_path / "submission.xml"
        file.write_bytes(submission(ENGINEER, instance_id))
        assert run("import", "--from-odk", str(file), "--db", other.url, "--user", "kari")[0] == 0
        from_xml = exported(other, tmp_path, other_worker)[ENGINEER["full_name"]]
    finally:
        other.dispose()
    assert from_csv["answers"] == from_xml["answers"]
    assert from_csv["record_id"] == str(instance_id)
    assert len(from_csv["answers"]["jobs"]) == 3
    # The main table alone, with the repeats' tables beside it, reads the same.
    folder = tmp_path / "unzipped"
    folder.mkdir()
    for name, text in central_csv(ENGINEER, instance_id).items():
        (folder / name).write_text(text, "utf-8")
    code, output = run(
        "import", "--from-odk", str(folder / "kompass_v2.csv"), "--db", sqlite_db.url,
        "--user", "kari",
    )  # fmt: skip
    assert code == 0, output
    assert "0 new, 1 already here" in output
