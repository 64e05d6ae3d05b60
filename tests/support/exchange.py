"""A kiosk's full record and a caseworker, for the export, import and view tests."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.storage import accounts, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, RemarkKind, Status
from sporreskjema import Questionnaire, translator
from tests.support.helpers import TODAY, filled
from tests.support.storage import save_form

EN = translator("en")
PASSWORD = "a long passphrase"
HOSTILE = '<script>alert(1)</script> & "quotes" =SUM(A1) \x1b[31m'


def register(db: Database, kompass: Questionnaire, worker: int, **extra: str) -> uuid.UUID:
    """An engineer from Syria with two degrees and two jobs, submitted, remarked, corrected."""
    answers = {
        "full_name": "Rami Haddad", "birth_date": "02.03.1985", "person_id": "2024 7777 1234",
        "permit_date": "20.11.2026", "citizenship": "SY", "mother_tongues": "ar",
        "has_other_languages": "yes", "other_languages[0].language": "en",
        "other_languages[0].speaking": "well", "years_school": "12", "years_higher_education": "4",
        "educations[0].level": "bachelor", "educations[0].field": "07",
        "educations[0].programme": "Electrical engineering", "educations[0].status": "completed",
        "educations[1].level": "master", "educations[1].programme": HOSTILE,
        "has_work_experience": "yes", "jobs[0].job_title": "Engineer",
        "jobs[0].occupation_group": "2", "jobs[0].from_year": "2010",
        "jobs[1].job_title": "مهندس كهرباء", "long_term_goal": "أعمل مهندسًا في النرويج 2030",
        **extra,
    }  # fmt: skip
    form = filled(kompass, TODAY, answers)
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="ar")
    save_form(db, new.id, form)
    records.submit(db, record_id=new.id)
    review.add_remark(
        db, record_id=new.id, actor_id=worker, questionnaire=kompass, section="work",
        text="Has papers for both jobs. " + HOSTILE,
    )  # fmt: skip
    review.add_remark(
        db, record_id=new.id, actor_id=worker, questionnaire=kompass,
        text="Wants to work with power grids.", kind=RemarkKind.counsellor_note,
    )  # fmt: skip
    review.correct_answer(
        db, record_id=new.id, actor_id=worker, path="jobs[0].from_year", value=2011,
        reason="Work certificate says 2011",
    )  # fmt: skip
    review.set_status(db, record_id=new.id, actor_id=worker, status=Status.reviewed)
    return new.id


def caseworker(db: Database) -> int:
    user = accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert user.id is not None
    return user.id


def exported(db: Database, worker: int, path: Path, fmt: Format = Format.jsonl) -> str:
    export(db, fmt=fmt, out=path, selection=Selection(), actor_id=worker)
    return path.read_text("utf-8")


def file_text(path: Path) -> str:
    """An exported file's text: a PDF's as poppler's ``pdftotext`` reads it (in logical order),
    its pages apart by a line, not by the form feed pdftotext puts between them), any other as
    UTF-8 (a CSV file's byte order mark left out)."""
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout.replace("\f", "\n")
    return path.read_text("utf-8-sig")
