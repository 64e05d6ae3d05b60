"""A date or year typed in the calendar of the person's papers, saved on SQLite and
PostgreSQL: the answer row stays the Gregorian ISO date (or year) that the deadline, the age,
the export and the review read, and the date as written is a row beside it, written and
removed in the same transaction as the answer."""

from __future__ import annotations

import datetime as dt

import pytest
from convertdate import coptic, persian
from sqlmodel import select

from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Record
from kompass_tui.wizard.registration import Registration
from sporreskjema.calendars import Calendar, Typed, Written
from tests.support.helpers import TODAY


def rows(db: Database, registration: Registration) -> dict[str, object]:
    assert registration.record_id is not None
    return {row.path: row.value for row in records.answer_rows(db, registration.record_id)}


def test_the_answer_is_gregorian_and_the_date_as_written_beside_it(db: Database) -> None:
    registration = Registration(db, locale="fa_AF", today=TODAY)
    assert registration.calendar is Calendar.persian
    assert registration.answer("birth_date", Typed(Calendar.persian, "1369/10/30")) is None
    born = dt.date(*persian.to_gregorian(1369, 10, 30))
    assert rows(db, registration) == {
        "birth_date": born.isoformat(),
        "birth_date_as_written": "persian:1369-10-30",
    }
    with db.session() as session:
        (record,) = session.exec(select(Record)).all()
    assert record.birth_date == born  # the column the list, the search and the resume read
    # the permit date and its deadline, from an Ethiopian date
    permit = dt.date(*coptic.to_gregorian(2018 - 276, 13, 2))
    assert registration.answer("permit_date", Typed(Calendar.ethiopian, "2018-13-02")) is None
    with db.session() as session:
        (record,) = session.exec(select(Record)).all()
    assert record.permit_date == permit
    # read back as a registration continues
    assert registration.record_id is not None
    again = Registration._of_record(db, record, locale="fa_AF", today=TODAY)
    assert again.form.get("birth_date") == born
    assert again.form.written("birth_date") == Written(Calendar.persian, 1369, 10, 30)


def test_typed_again_in_the_gregorian_calendar_the_date_as_written_goes(db: Database) -> None:
    registration = Registration(db, locale="ti", today=TODAY)
    assert registration.answer("birth_date", Typed(Calendar.ethiopian, "1982-05-12")) is None
    assert "birth_date_as_written" in rows(db, registration)
    # the same day, typed as Gregorian: the answer is the same, what is kept beside it is not
    assert registration.answer("birth_date", "20.01.1990") is None
    assert rows(db, registration) == {"birth_date": "1990-01-20"}
    assert registration.answer("birth_date", Typed(Calendar.ethiopian, "1982-05-12")) is None
    assert registration.answer("birth_date", "") is None
    assert rows(db, registration) == {}


def test_a_year_in_a_repeat_entry_moves_with_its_entry(db: Database) -> None:
    registration = Registration(db, locale="am", today=TODAY)
    assert registration.answer("birth_date", "01.01.1970") is None
    assert registration.answer("has_work_experience", "yes") is None
    for index, title in enumerate(["Farmer", "Driver"]):
        assert registration.add_entry("jobs") == index
        assert registration.answer(f"jobs[{index}].job_title", title) is None
    assert registration.answer("jobs[1].from_year", Typed(Calendar.ethiopian, "2000")) is None
    assert registration.remove_entry("jobs", 0) is None
    stored = rows(db, registration)
    assert stored["jobs[0].job_title"] == "Driver"
    assert stored["jobs[0].from_year"] == 2008  # Ethiopian 2000: 12 Sep 2007 to 10 Sep 2008
    assert stored["jobs[0].from_year_as_written"] == "ethiopian:2000"
    assert not any(path.startswith("jobs[1]") for path in stored)


def test_the_answer_and_the_date_as_written_are_saved_together(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure between the two rows leaves neither: never a Hijri date without its answer
    or an answer with the date as written of another."""
    registration = Registration(db, locale="fa_AF", today=TODAY)
    assert registration.answer("full_name", "Test Person") is None
    from kompass_tui.storage import statements

    real = statements._upsert_statement
    calls = {"n": 0}

    def failing_second(dialect: str) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the disk went away")
        return real(dialect)

    monkeypatch.setattr(statements, "_upsert_statement", failing_second)
    with pytest.raises(RuntimeError):
        registration.answer("birth_date", Typed(Calendar.persian, "1369-10-30"))
    monkeypatch.undo()
    assert rows(db, registration) == {"full_name": "Test Person"}
    assert registration.form.get("birth_date") is None
