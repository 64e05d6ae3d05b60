"""One registration's repeat groups: entries removed or left empty, and who gave the answers of
the entries that move up."""

from __future__ import annotations

from kompass_tui.registration import Registration
from kompass_tui.storage import accounts, records
from kompass_tui.storage.database import Database
from tests.conftest import TODAY


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
