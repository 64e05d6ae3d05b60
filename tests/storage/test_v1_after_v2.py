"""A record on kompass-v1 after kompass-v2 became the built-in questionnaire: it is resumed,
shown and exported by v1's own questions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.record_view import build_report, questionnaire_of_record
from kompass_tui.storage import review
from kompass_tui.storage.database import Database
from kompass_tui.wizard.registration import Registration
from sporreskjema import load_builtin, translator
from sporreskjema.definition import BUILTIN_VERSION
from tests.support.helpers import TODAY


def test_a_v1_record_is_resumed_shown_and_exported_after_the_switch(
    db: Database, tmp_path: Path
) -> None:
    assert BUILTIN_VERSION == "2"
    v1 = load_builtin("kompass", "1")
    registration = Registration(db, locale="nb", questionnaire=v1, today=TODAY)
    for path, raw in [("full_name", "Olena Kovalenko"), ("birth_date", "17.05.1990"),
                      ("person_id", "202412345678"), ("school_years", "16"),
                      ("norwegian_level", "a_little"), ("norwegian_courses", "Online, 3 months"),
                      ("short_term_goals", ["norwegian", "work"])]:  # fmt: skip
        assert registration.answer(path, raw) is None, path
    record_id = registration.record_id
    assert record_id is not None
    code = registration.resume_code
    assert code is not None

    resumed = Registration.resume(
        db, code=code, birth_date=registration.form.get("birth_date"), locale="nb", today=TODAY
    )
    assert resumed.form.questionnaire.version == "1"
    assert resumed.form.get("school_years") == 16

    view = review.load_view(db, record_id)
    questionnaire = questionnaire_of_record(view.record)
    assert questionnaire.version == "1"
    report = build_report(view, questionnaire, translator("nb"), TODAY)
    shown = " ".join(str(line) for section in report.sections for line in section.lines)
    assert "16" in shown
    assert "Online, 3 months" in shown

    out = tmp_path / "records.json"
    export(db, fmt=Format.json, out=out, selection=Selection(), actor_id=None, mark=False)  # type: ignore[arg-type]
    (record,) = json.loads(out.read_text(encoding="utf-8"))
    assert record["questionnaire"] == {"id": "kompass", "version": "1"}
    assert record["answers"]["school_years"] == 16
    assert record["answers"]["norwegian_courses"] == "Online, 3 months"
    csv_folder = tmp_path / "csv"
    export(db, fmt=Format.csv, out=csv_folder, selection=Selection(), actor_id=None, mark=False)  # type: ignore[arg-type]
    with (csv_folder / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    # v2's columns, and v1's that v2 does not have: the v1 record's answers are all there.
    assert (row["school_years"], row["years_school"]) == ("16", "")
    assert row["norwegian_courses"] == "Online, 3 months"
