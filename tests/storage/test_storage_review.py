"""The review's storage: list, record view, remarks, corrections, status, follow-up and their
audit events, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from kompass_tui.storage import accounts, audit, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, RemarkKind, Status
from kompass_tui.storage.records import DuplicatePerson, RecordNotFound
from kompass_tui.storage.review import ListQuery, ReviewError, Sort, TransitionRefused
from sporreskjema import Questionnaire, translator
from tests.support.helpers import TODAY, add_records

EN = translator("en")


def caseworker(db: Database, username: str = "kari") -> int:
    user = accounts.add_user(
        db,
        username=username,
        full_name=username.title() + " Nordmann",
        password="a long passphrase",
    )
    assert user.id is not None
    return user.id


def submitted(db: Database, kompass: Questionnaire, **answers: object) -> uuid.UUID:
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="so")
    defaults = {"full_name": "Hodan Ali", "person_id": "202499990000", "permit_date": "2026-11-20"}
    for path, value in {**defaults, **answers}.items():
        records.save_answer(db, record_id=new.id, path=path, value=value, provenance="self")
    records.submit(db, record_id=new.id)
    return new.id


def actions(db: Database, record_id: uuid.UUID) -> list[str]:
    return [str(event.action) for event in reversed(audit.events(db, record_id=record_id))]


def test_days_left_to_the_two_week_deadline() -> None:
    assert review.days_left(dt.date(2026, 11, 20), TODAY) == 7
    assert review.days_left(dt.date(2026, 11, 13), TODAY) == 0
    assert review.days_left(dt.date(2026, 11, 1), TODAY) == -12
    assert review.days_left(None, TODAY) is None


def test_list_filters_sorts_searches_and_pages(db: Database) -> None:
    add_records(db, 300, today=TODAY)
    everything = frozenset(Status)
    page = review.list_records(db, ListQuery(statuses=everything, limit=50), actor_id=None)
    assert (len(page.rows), page.total) == (50, 300)
    dates = [row.permit_date for row in page.rows]
    assert dates == sorted(d for d in dates if d is not None)  # soonest deadline first
    assert dates[0] == TODAY - dt.timedelta(days=39)
    last = review.list_records(
        db, ListQuery(statuses=everything, offset=280, limit=50), actor_id=None
    )
    assert len(last.rows) == 20
    seen = {r.id for r in page.rows} | {r.id for r in last.rows}
    assert len(seen) == 70  # pages do not overlap
    open_work = review.list_records(db, ListQuery(), actor_id=None)
    assert open_work.total == 180  # in progress (60) and submitted (120)
    assert {row.status for row in open_work.rows} <= {Status.in_progress, Status.submitted}
    flagged = review.list_records(
        db, ListQuery(statuses=everything, follow_up_only=True), actor_id=None
    )
    assert flagged.total == 43
    assert all(row.needs_follow_up for row in flagged.rows)
    by_name = review.list_records(
        db, ListQuery(statuses=everything, sort=Sort.name, limit=3), actor_id=None
    )
    assert [row.full_name for row in by_name.rows] == [
        "Person 000000",
        "Person 000001",
        "Person 000002",
    ]
    found = review.list_records(
        db, ListQuery(statuses=everything, search="person 00012"), actor_id=None
    )
    assert sorted(row.full_name or "" for row in found.rows) == [
        f"Person 00012{i}" for i in range(10)
    ]
    by_id = review.list_records(
        db, ListQuery(statuses=everything, search="2024 0000 0042"), actor_id=None
    )
    assert [row.full_name for row in by_id.rows] == ["Person 000042"]
    nothing = review.list_records(db, ListQuery(statuses=everything, search="%_"), actor_id=None)
    assert nothing.total == 0  # wildcards are searched for as text


def _page_statement(db: Database, query: ListQuery) -> tuple[str, Any]:
    """The SQL and parameters the list sends for its page (not for its count)."""
    sent: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        sent.append((args[2], args[3]))  # the statement and its parameters

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        review.list_records(db, query, actor_id=None)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    [page] = [(sql, parameters) for sql, parameters in sent if "ORDER BY" in sql]
    return page


def _plan_and_work(db: Database, query: ListQuery) -> tuple[str, int]:
    """SQLite's query plan for the list's page, and how many virtual machine instructions
    (in hundreds) reading the page takes."""
    sql, parameters = _page_statement(db, query)
    path = sa.make_url(db.url).database
    assert path is not None
    connection = sqlite3.connect(path)
    try:
        plan = " / ".join(
            row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)
        )
        work = [0]

        def count() -> int:
            work[0] += 1
            return 0  # go on

        connection.set_progress_handler(count, 100)
        rows = connection.execute(sql, parameters).fetchall()
        connection.set_progress_handler(None, 0)
    finally:
        connection.close()
    assert len(rows) == query.limit
    return plan, work[0]


def test_a_page_of_the_list_is_read_off_the_deadline_index(sqlite_db: Database) -> None:
    """The list's page, soonest deadline first, comes off ``ix_record_status_deadline`` (on
    SQLite, which has no statistics to choose by): the work for a page does not grow with the
    number of open records, as it did when every open record was read and sorted."""
    add_records(sqlite_db, 600, today=TODAY)
    plans, work = {}, {}
    for query in (ListQuery(), ListQuery(statuses=frozenset(Status)), ListQuery(offset=100)):
        plans[query], work[query] = _plan_and_work(sqlite_db, query)
    add_records(sqlite_db, 5400, today=TODAY, start=600)  # ten times as many
    for query, before in work.items():
        plan, after = _plan_and_work(sqlite_db, query)
        assert plan == plans[query]
        assert "USING INDEX ix_record_status_deadline (status=?)" in plan, plan
        assert after < 2 * before, (query, before, after)


def test_a_record_is_found_by_its_id_or_a_unique_start(
    db: Database, kompass: Questionnaire
) -> None:
    record_id = submitted(db, kompass)
    assert review.find_record_id(db, str(record_id)) == record_id
    assert review.find_record_id(db, str(record_id)[:8]) == record_id
    with pytest.raises(RecordNotFound):
        review.find_record_id(db, str(uuid.uuid4()))
    with pytest.raises(RecordNotFound):
        review.find_record_id(db, "abc")
    with pytest.raises(RecordNotFound):
        review.find_record_id(db, "not an id at all")


def test_reading_a_record_is_audited(db: Database, kompass: Questionnaire) -> None:
    worker = caseworker(db)
    record_id = submitted(db, kompass)
    view = review.view_record(db, record_id, actor_id=worker)
    assert view.answer_values()["full_name"] == "Hodan Ali"
    assert view.record.status == Status.submitted
    (event,) = audit.events(db, record_id=record_id, action=audit.Action.record_viewed)
    assert event.actor_id == worker


def test_remarks_are_appended_with_author_and_section(db: Database, kompass: Questionnaire) -> None:
    worker = caseworker(db)
    record_id = submitted(db, kompass)
    review.add_remark(
        db, record_id=record_id, actor_id=worker, questionnaire=kompass, section="languages",
        text="Speaks Arabic well too, \x1b[31mnot listed.",
    )  # fmt: skip
    review.add_remark(
        db, record_id=record_id, actor_id=worker, questionnaire=kompass,
        text="Wants to work as a nurse again.", kind=RemarkKind.counsellor_note,
    )  # fmt: skip
    view = review.load_view(db, record_id)
    first, second = view.remarks
    assert (first.section, first.kind, first.text) == (
        "languages",
        "remark",
        "Speaks Arabic well too, not listed.",
    )
    assert (second.section, second.kind) == (None, "counsellor_note")
    assert view.author(first.author_id) == "Kari Nordmann"
    assert actions(db, record_id).count("remark_added") == 2
    for bad, words in [("   ", "needs some text"), ("x" * 4001, "at most 4000")]:
        with pytest.raises(ReviewError) as caught:
            review.add_remark(
                db, record_id=record_id, actor_id=worker, questionnaire=kompass, text=bad
            )
        assert words in caught.value.message.render(EN)
    with pytest.raises(ReviewError) as caught:
        review.add_remark(
            db, record_id=record_id, actor_id=worker, questionnaire=kompass, text="x",
            section="hobbies",
        )  # fmt: skip
    assert "no section 'hobbies'" in caught.value.message.render(EN)
    with pytest.raises(RecordNotFound):
        review.add_remark(
            db, record_id=uuid.uuid4(), actor_id=worker, questionnaire=kompass, text="x"
        )
    assert len(review.load_view(db, record_id).remarks) == 2


def test_a_correction_keeps_the_old_value_and_the_reason(
    db: Database, kompass: Questionnaire
) -> None:
    worker = caseworker(db)
    record_id = submitted(db, kompass)
    review.correct_answer(
        db, record_id=record_id, actor_id=worker, path="full_name", value="Hodan Ali Yusuf",
        reason="Name as in the residence card",
    )  # fmt: skip
    view = review.load_view(db, record_id)
    (correction,) = view.corrections
    assert (correction.old_value, correction.new_value) == ("Hodan Ali", "Hodan Ali Yusuf")
    assert correction.reason == "Name as in the residence card"
    assert view.record.full_name == "Hodan Ali Yusuf"  # the list shows the corrected name
    (answer,) = [a for a in view.answers if a.path == "full_name"]
    assert (answer.value, answer.provenance) == ("Hodan Ali Yusuf", "caseworker")
    (event,) = audit.events(db, record_id=record_id, action=audit.Action.answer_corrected)
    assert event.detail == {"path": "full_name", "old": "Hodan Ali", "new": "Hodan Ali Yusuf"}
    with pytest.raises(ReviewError) as caught:
        review.correct_answer(
            db, record_id=record_id, actor_id=worker, path="full_name", value="X", reason=" "
        )
    assert "needs a reason" in caught.value.message.render(EN)
    with pytest.raises(ReviewError):
        review.correct_answer(
            db, record_id=record_id, actor_id=worker, path="full_name",
            value="Hodan Ali Yusuf", reason="again",
        )  # fmt: skip
    other = submitted(db, kompass, person_id="202411112222", full_name="Other")
    with pytest.raises(DuplicatePerson):
        review.correct_answer(
            db, record_id=other, actor_id=worker, path="person_id", value="202499990000",
            reason="typo",
        )  # fmt: skip
    assert len(review.load_view(db, other).corrections) == 0  # nothing half-written


def test_an_unfinished_registration_cannot_be_corrected(
    db: Database, kompass: Questionnaire
) -> None:
    worker = caseworker(db)
    new = records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="so")
    with pytest.raises(ReviewError) as caught:
        review.correct_answer(
            db, record_id=new.id, actor_id=worker, path="full_name", value="X", reason="r"
        )
    assert "this one is in progress" in caught.value.message.render(EN)


def test_status_moves_only_by_allowed_steps(db: Database, kompass: Questionnaire) -> None:
    worker = caseworker(db)
    record_id = submitted(db, kompass)
    with pytest.raises(TransitionRefused) as caught:
        review.set_status(db, record_id=record_id, actor_id=worker, status=Status.exported)
    assert caught.value.message.render(EN) == (
        "A record that is submitted cannot become exported, only reviewed or sent back for "
        "clarification."
    )
    reviewed = review.set_status(db, record_id=record_id, actor_id=worker, status=Status.reviewed)
    assert reviewed.status == Status.reviewed
    assert reviewed.reviewed_at is not None
    with pytest.raises(TransitionRefused) as caught:
        review.set_status(db, record_id=record_id, actor_id=worker, status=Status.in_progress)
    assert (
        "only submitted, exported, or sent back for clarification"
        in caught.value.message.render(EN)
    )
    (event,) = audit.events(db, record_id=record_id, action=audit.Action.status_changed)
    assert event.detail == {"old": "submitted", "new": "reviewed"}
    review.set_follow_up(db, record_id=record_id, actor_id=worker, flag=True)
    assert records.get_record(db, record_id).needs_follow_up
    assert "follow_up_changed" in actions(db, record_id)
