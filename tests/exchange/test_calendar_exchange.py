"""A date typed in the calendar of the person's papers, exported and imported: every format
shows the Gregorian answer (what the receiving systems read) with the date as written and its
calendar beside it, the JSON validates, and the import takes it back or refuses a date as
written that is not the answer's own day."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from convertdate import coptic, persian
from jsonschema import Draft202012Validator

from kompass_tui.exchange import importer
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection, answers_schema, schema
from kompass_tui.storage import records, review
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Mode
from sporreskjema import Questionnaire, translator
from sporreskjema.calendars import Calendar, Typed
from tests.support.exchange import caseworker, exported
from tests.support.helpers import TODAY, filled
from tests.support.storage import save_form

BORN = dt.date(*persian.to_gregorian(1369, 10, 30))
SINCE = 2008  # Ethiopian 2000 holds most of 2008


def hijri_record(db: Database, kompass: Questionnaire) -> uuid.UUID:
    form = filled(
        kompass,
        TODAY,
        {
            "full_name": "Ahmad Rahimi",
            "birth_date": Typed(Calendar.persian, "1369-10-30"),
            "person_id": "2024 7777 1234",
            "permit_date": "20.11.2026",
            "has_work_experience": "yes",
            "jobs[0].job_title": "Farmer",
            "jobs[0].from_year": Typed(Calendar.ethiopian, "2000"),
        },
    )
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="fa_AF")
    save_form(db, new.id, form)
    records.submit(db, record_id=new.id)
    return new.id


@pytest.fixture
def kiosk_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    try:
        yield database
    finally:
        database.dispose()


def test_json_has_the_gregorian_answer_and_the_date_as_written(
    kiosk_db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    worker = caseworker(kiosk_db)
    hijri_record(kiosk_db, kompass)
    (line,) = exported(kiosk_db, worker, tmp_path / "out.jsonl").splitlines()
    record = json.loads(line)
    answers = record["answers"]
    assert answers["birth_date"] == BORN.isoformat() == "1991-01-20"
    assert answers["birth_date_as_written"] == "persian:1369-10-30"
    assert answers["jobs"][0]["from_year"] == SINCE
    assert answers["jobs"][0]["from_year_as_written"] == "ethiopian:2000"
    first, last = (dt.date(*coptic.to_gregorian(2000 - 276, m, 1)) for m in (1, 13))
    assert (first.year, last.year) == (SINCE - 1, SINCE)  # 12 Sep 2007, 6 Sep 2008
    Draft202012Validator(schema()).validate(record)
    Draft202012Validator(answers_schema(kompass)).validate(answers)
    # …and into a central database again, as it was
    central = open_database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        central_worker = caseworker(central)
        importer.import_file(central, tmp_path / "out.jsonl", actor_id=central_worker)
        again = records.load_answers(central, uuid.UUID(record["record_id"]))
        assert again["birth_date"] == "1991-01-20"
        assert again["birth_date_as_written"] == "persian:1369-10-30"
        assert again["jobs"][0]["from_year_as_written"] == "ethiopian:2000"
    finally:
        central.dispose()


def test_csv_and_html_show_the_date_as_written(
    kiosk_db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    worker = caseworker(kiosk_db)
    hijri_record(kiosk_db, kompass)
    folder = tmp_path / "csv"
    export(kiosk_db, fmt=Format.csv, out=folder, selection=Selection(), actor_id=worker)
    with (folder / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        (person,) = csv.DictReader(handle)
    assert person["birth_date"] == "1991-01-20"
    assert person["birth_date_as_written"] == "persian:1369-10-30"
    with (folder / "work.csv").open(encoding="utf-8-sig", newline="") as handle:
        (job,) = csv.DictReader(handle)
    assert job["from_year_as_written"] == "ethiopian:2000"
    page = exported(kiosk_db, worker, tmp_path / "records.html", Format.html)
    assert "1369-10-30" in page
    # The page is in the reader's language (bokmål here): the calendar is named in it.
    hijri = translator("nb").gettext("Solar Hijri calendar (Afghanistan, Iran)")
    assert hijri != "Solar Hijri calendar (Afghanistan, Iran)"
    assert html.escape(hijri) in page


def test_an_import_refuses_a_date_as_written_that_is_another_day(
    kiosk_db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    worker = caseworker(kiosk_db)
    hijri_record(kiosk_db, kompass)
    record = json.loads(exported(kiosk_db, worker, tmp_path / "out.jsonl"))
    record["answers"]["birth_date_as_written"] = "persian:1369-10-29"
    (tmp_path / "bad.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    central = open_database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        with pytest.raises(importer.ImportRefused):
            importer.import_file(central, tmp_path / "bad.jsonl", actor_id=caseworker(central))
    finally:
        central.dispose()


def test_a_correction_takes_the_date_as_written_with_the_old_answer(
    kiosk_db: Database, kompass: Questionnaire, tmp_path: Path
) -> None:
    """The caseworker corrects the Gregorian answer: what the person wrote beside the old one
    is no longer the answer's, and the export still imports."""
    worker = caseworker(kiosk_db)
    record_id = hijri_record(kiosk_db, kompass)
    review.correct_answer(
        kiosk_db, record_id=record_id, actor_id=worker, path="jobs[0].from_year", value=2009,
        reason="Work certificate says 2009",
    )  # fmt: skip
    answers = records.load_answers(kiosk_db, record_id)
    assert answers["jobs"][0] == {"job_title": "Farmer", "from_year": 2009}
    assert answers["birth_date_as_written"] == "persian:1369-10-30"
    exported(kiosk_db, worker, tmp_path / "out.jsonl")
    central = open_database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        importer.import_file(central, tmp_path / "out.jsonl", actor_id=caseworker(central))
    finally:
        central.dispose()
