"""One registration's repeat groups: entries removed or left empty, and who gave the answers of
the entries that move up."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kompass_tui.storage import accounts, records
from kompass_tui.storage.database import Database
from kompass_tui.wizard.registration import Registration
from tests.support.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]


def stored(db: Database, registration: Registration) -> dict[str, tuple[object, str]]:
    assert registration.record_id is not None
    return {
        row.path: (row.value, row.provenance)
        for row in records.answer_rows(db, registration.record_id)
        if row.path.startswith("jobs[")
    }


def three_jobs(registration: Registration) -> None:
    assert registration.answer("has_work_experience", "yes") is None
    for index, title in enumerate(["Baker", "Cook", "Driver"]):
        assert registration.add_entry("jobs") == index
        assert registration.answer(f"jobs[{index}].job_title", title) is None
    assert registration.answer("jobs[2].from_year", "2015") is None


def test_an_entry_emptied_in_the_middle_is_dropped_and_the_rest_move_up(db: Database) -> None:
    """The person clears every answer of the second job and leaves it: the third job becomes the
    second in the database too, so a later answer to it cannot make a fourth, half job."""
    registration = Registration(db, locale="ti", today=TODAY)
    three_jobs(registration)
    assert registration.answer("jobs[1].job_title", "") is None
    assert registration.drop_empty_entries("jobs") is None
    assert stored(db, registration) == {
        "jobs[0].job_title": ("Baker", "self"),
        "jobs[1].job_title": ("Driver", "self"),
        "jobs[1].from_year": (2015, "self"),
    }
    assert registration.answer("jobs[1].to_year", "2019") is None
    assert records.load_answers(db, registration.record_id)["jobs"] == [  # type: ignore[arg-type]
        {"job_title": "Baker"},
        {"job_title": "Driver", "from_year": 2015, "to_year": 2019},
    ]


def test_answers_that_move_up_keep_who_gave_them(db: Database) -> None:
    """Begun alone at the kiosk, continued at the desk with an interpreter: removing the first job
    there leaves the other two the person's own answers, and a choice made with F6 for an entry
    that moves goes with it."""
    kiosk = Registration(db, locale="ti", today=TODAY)
    three_jobs(kiosk)
    assert kiosk.answer("person_id", "2024 1234 5678") is None
    worker = accounts.add_user(db, username="kari", full_name="Kari", password="a long password")
    assert worker.id is not None
    assistance = records.Assistance(
        caseworker_id=worker.id, interpreter_used=True, interpreter_language="ti",
        channel="phone",
    )  # fmt: skip
    desk = Registration.continue_assisted(db, key="202412345678", assistance=assistance)
    assert desk.set_provenance(["jobs[2].to_year"], "self") is None  # before it is answered
    assert desk.remove_entry("jobs", 0) is None
    assert desk.answer("jobs[1].to_year", "2020") is None
    assert desk.answer("jobs[0].from_year", "2010") is None
    assert stored(db, desk) == {
        "jobs[0].job_title": ("Cook", "self"),
        "jobs[0].from_year": (2010, "interpreter"),
        "jobs[1].job_title": ("Driver", "self"),
        "jobs[1].from_year": (2015, "self"),
        "jobs[1].to_year": (2020, "self"),
    }


def test_an_answer_reaches_the_form_under_python_optimised(tmp_path: Path) -> None:
    """`python -O` drops every `assert`: a saved answer must still reach the form, so the
    database and the form never disagree (the summary, the checks and `submit` read the form)."""
    url = f"sqlite:///{tmp_path / 'kompass.sqlite3'}"
    script = textwrap.dedent(
        f"""
        import datetime as dt
        from kompass_tui.wizard.registration import Registration
        from kompass_tui.storage import records
        from kompass_tui.storage.database import open_database

        db = open_database({url!r})
        registration = Registration(db, locale="nb", today=dt.date(2026, 11, 27))
        if registration.answer("has_work_experience", "yes") is not None:
            raise SystemExit("the answer was refused")
        stored = records.load_answers(db, registration.record_id)
        print(__debug__, stored.get("has_work_experience"), registration.form.get("has_work_experience"))
        db.dispose()
        """
    )
    result = subprocess.run(
        [sys.executable, "-O", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "yes", "yes"]


def test_no_assert_in_the_code_does_work() -> None:
    """An `assert` is gone under `python -O`: none may call anything but `isinstance`, so
    that nothing it does is lost with it."""
    offending = []
    for package in ("kompass_tui", "sporreskjema"):
        for module in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Assert):
                    continue
                for inner in ast.walk(node.test):
                    if isinstance(inner, ast.NamedExpr) or (
                        isinstance(inner, ast.Call)
                        and not (isinstance(inner.func, ast.Name) and inner.func.id == "isinstance")
                    ):
                        offending.append(f"{module.relative_to(ROOT)}:{node.lineno}")
    assert offending == []


def test_a_refused_registration_is_audited_on_the_existing_record(db: Database) -> None:
    """A second registration with the number of someone registered is refused, at a kiosk
    (where the person is not told which record it is) and at the desk; each refusal is an
    audit event on the existing record for the staff, with where and the refused
    registration's own record, but nothing that was typed."""
    from kompass_tui.storage import audit, review
    from kompass_tui.wizard.registration import ALREADY_REGISTERED

    first = Registration(db, locale="ti", today=TODAY, kiosk="kiosk-1")
    assert first.answer("full_name", "Selam Tesfay") is None
    assert first.answer("person_id", "2024 1234 5678") is None
    visitor = Registration(db, locale="ti", today=TODAY, kiosk="kiosk-1")
    assert visitor.answer("full_name", "Someone Else") is None
    refused = visitor.answer("person_id", "2024 1234 5678")
    assert refused is not None
    assert refused.msgid == ALREADY_REGISTERED
    worker = accounts.add_user(db, username="kari", full_name="Kari", password="a long password")
    assert worker.id is not None
    desk = Registration(
        db,
        locale="ti",
        today=TODAY,
        assistance=records.Assistance(caseworker_id=worker.id, interpreter_used=False),
    )
    assert desk.answer("full_name", "Third Person") is None
    refused = desk.answer("person_id", "202412345678")
    assert refused is not None
    assert refused.params == {"id": str(first.record_id)}
    found = audit.events(db, action=audit.Action.duplicate_refused)
    assert [(event.record_id, event.actor_id, event.detail) for event in reversed(found)] == [
        (first.record_id, None,
         {"mode": "kiosk", "attempt": str(visitor.record_id), "kiosk": "kiosk-1"}),
        (first.record_id, worker.id, {"mode": "desk", "attempt": str(desk.record_id)}),
    ]  # fmt: skip
    typed = str([event.detail for event in found])
    assert "Someone" not in typed
    assert "Third" not in typed
    assert "1234" not in typed
    # The list can show the records with refused duplicates, and how many.
    assert first.record_id is not None
    counted = review.refused_duplicates(db, [first.record_id, visitor.record_id])  # type: ignore[list-item]
    assert list(counted) == [first.record_id]
    assert counted[first.record_id].count == 2
    page = review.list_records(
        db, review.ListQuery(refused_duplicates_only=True), actor_id=worker.id
    )
    assert [row.id for row in page.rows] == [first.record_id]


def test_a_kiosk_registration_continued_at_the_desk_says_where_each_answer_was_given(
    db: Database,
) -> None:
    """Begun alone at a kiosk, continued at the desk, corrected in the review: each answer
    says where it was given, in the database and in the export. An answer that moves up
    when an entry is removed keeps its place; one changed at the desk is the desk's."""
    from kompass_tui.exchange.records import Selection, batches
    from kompass_tui.storage import review
    from kompass_tui.storage.models import Status

    kiosk = Registration(db, locale="ti", today=TODAY)
    assert kiosk.answer("full_name", "Selam Tesfay") is None
    three_jobs(kiosk)
    assert kiosk.answer("person_id", "2024 1234 5678") is None
    worker = accounts.add_user(db, username="kari", full_name="Kari", password="a long password")
    assert worker.id is not None
    assistance = records.Assistance(caseworker_id=worker.id, interpreter_used=False)
    desk = Registration.continue_assisted(db, key="202412345678", assistance=assistance)
    assert desk.remove_entry("jobs", 0) is None
    assert desk.answer("jobs[0].from_year", "2010") is None
    assert desk.answer("jobs[1].job_title", "Bus driver") is None
    assert desk.record_id == kiosk.record_id
    assert desk.record_id is not None
    records.submit(db, record_id=desk.record_id, actor_id=worker.id)
    review.correct_answer(
        db, record_id=desk.record_id, actor_id=worker.id, path="full_name",
        value="Selam Tesfay Gebre", reason="As in the passport",
    )  # fmt: skip
    expected = {
        "full_name": "review",
        "has_work_experience": "kiosk",
        "person_id": "kiosk",
        "jobs[0].job_title": "kiosk",
        "jobs[0].from_year": "desk",
        "jobs[1].job_title": "desk",
        "jobs[1].from_year": "kiosk",
    }
    rows = records.answer_rows(db, desk.record_id)
    assert {row.path: row.place for row in rows} == expected
    assert records.get_record(db, desk.record_id).status == Status.submitted
    (exported,) = next(iter(batches(db, Selection(record_id=desk.record_id)))).records
    assert exported["places"] == expected
    assert exported["mode"] == "assisted"
