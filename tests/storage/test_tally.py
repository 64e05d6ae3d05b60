"""The figures' tally follows every change, whoever makes it: records made, answered, moved on,
sent back, corrected at the desk and in the review, a language switched, a settlement date
recorded, entries removed, records purged, and what a database held before the tally existed
(migration 0010). After each step the figures read off the tally must equal a count made here,
in Python, from the records and answers themselves. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from kompass_tui.storage import accounts, purge, records, review
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.deadlines import Deadlines
from kompass_tui.storage.models import Answer, Mode, Record, Status
from kompass_tui.storage.stats import GUIDANCE_SOON_DAYS, Period, figures
from kompass_tui.wizard.registration import Registration
from sporreskjema.calendars import for_locale

TODAY = dt.date.today()
EVERY_DAY = Period()


def recount(db: Database, period: Period = EVERY_DAY) -> dict[str, Any]:
    """The figures, counted from the rows themselves."""
    rules = Deadlines()
    with db.session() as session:
        rows = list(session.exec(select(Record)))
        answers = list(session.exec(select(Answer)))
    chosen = {
        r.id: r
        for r in rows
        if (period.first is None or r.started_at.date() >= period.first)
        and (period.last is None or r.started_at.date() <= period.last)
    }
    tongues: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for answer in answers:
        if answer.record_id not in chosen:
            continue
        if answer.path == "mother_tongues" and isinstance(answer.value, list):
            tongues.update(code for code in answer.value if isinstance(code, str))
        level = answer.path.startswith("educations[") and answer.path.endswith("].level")
        if level and isinstance(answer.value, str):
            levels[answer.value] += 1
    records_ = list(chosen.values())
    weeks = Counter("{}-W{:02d}".format(*r.started_at.date().isocalendar()[:2]) for r in records_)
    waits = sorted(
        (r.submitted_at.date() - r.permit_date).days
        for r in records_
        if r.submitted_at is not None and r.permit_date is not None
    )
    here = [r for r in records_ if r.settlement_date is not None and r.status != Status.exported]
    late = rules.guidance_late_before(TODAY)
    soon = rules.guidance_late_before(TODAY + dt.timedelta(days=GUIDANCE_SOON_DAYS))
    return {
        "by_status": dict(Counter(str(r.status) for r in records_)),
        "by_week": dict(sorted(weeks.items())),
        "answered_in": dict(Counter(r.locale for r in records_)),
        "modes": dict(Counter(r.mode for r in records_)),
        "interpreter": {
            "yes": sum(1 for r in records_ if r.interpreter_used is True),
            "no": sum(1 for r in records_ if r.interpreter_used is False),
            "unknown": sum(1 for r in records_ if r.interpreter_used is None),
        },
        "sent_with_permit": len(waits),
        "sent_within_deadline": sum(1 for w in waits if w <= rules.survey_days),
        "overdue_now": sum(
            1
            for r in records_
            if r.status == Status.in_progress
            and r.permit_date is not None
            and r.permit_date < rules.survey_late_before(TODAY)
        ),
        "with_settlement_date": sum(1 for r in records_ if r.settlement_date is not None),
        "guidance_overdue": sum(1 for r in here if r.settlement_date < late),  # type: ignore[operator]
        "guidance_due_soon": sum(
            1
            for r in here
            if late <= r.settlement_date < soon  # type: ignore[operator]
        ),
        "mother_tongues": dict(tongues),
        "education_levels": dict(levels),
    }


def read(db: Database, period: Period = EVERY_DAY) -> dict[str, Any]:
    found = figures(db, period=period, today=TODAY)
    return {key: getattr(found, key) for key in recount(db, period)}


def agree(db: Database, step: str) -> None:
    assert read(db) == recount(db), step
    recent = Period(TODAY - dt.timedelta(days=3), TODAY)
    assert read(db, recent) == recount(db, recent), step


def registered(db: Database, locale: str, n: int, *, submit: bool) -> Registration:
    registration = Registration(db, locale=locale, today=TODAY)
    registration.choose_calendar(for_locale("nb"))
    permit = (TODAY - dt.timedelta(days=5 + n * 7)).strftime("%d.%m.%Y")
    for path, raw in (
        ("acknowledged", True), ("full_name", f"Person {n}"), ("birth_date", "01.01.1990"),
        ("person_id", f"2024000000{n:02d}"), ("permit_date", permit), ("citizenship", "ER"),
        ("residence", "Mottak"), ("mother_tongues", ["ti", "ar"] if n % 2 else ["uk"]),
    ):  # fmt: skip
        assert registration.answer(path, raw) is None, path
    registration.add_entry("educations")
    assert registration.answer("educations[0].level", "primary") is None
    registration.add_entry("educations")
    assert registration.answer("educations[1].level", "bachelor") is None
    if submit:
        records.submit(db, record_id=registration._ensure_record())
    return registration


def test_the_tally_follows_every_change(db: Database) -> None:
    worker = accounts.add_user(db, username="kari", full_name="Kari", password="x" * 12).id
    assert worker is not None
    agree(db, "empty")
    made = [registered(db, locale, n, submit=n % 3 != 0) for n, locale in
            enumerate(["ti", "uk", "ar", "nb", "ti", "fa_AF"])]  # fmt: skip
    agree(db, "registered")
    first, second, third = (r.record_id for r in made[1:4])
    assert first is not None
    assert second is not None
    assert third is not None
    review.set_status(db, record_id=first, actor_id=worker, status=Status.reviewed)
    agree(db, "reviewed")
    review.send_back(db, record_id=second, actor_id=worker, comment="Which school?")
    agree(db, "sent back")
    desk = Registration.continue_assisted(
        db,
        key=str(second),
        assistance=records.Assistance(caseworker_id=worker, interpreter_used=True,
                                      interpreter_language="ar", channel="phone"),
        today=TODAY,
    )  # fmt: skip
    agree(db, "at the desk with an interpreter")
    assert desk.answer("mother_tongues", ["ar", "so"]) is None
    assert desk.remove_entry("educations", 0) is None
    records.submit(db, record_id=second, actor_id=worker)  # sent again
    agree(db, "cleared up and sent again")
    review.correct_answer(
        db, record_id=first, actor_id=worker, path="educations[0].level", value="master",
        reason="Papers",
    )  # fmt: skip
    review.correct_answer(
        db, record_id=first, actor_id=worker, path="permit_date",
        value=(TODAY - dt.timedelta(days=40)).isoformat(), reason="Papers",
    )  # fmt: skip
    agree(db, "corrected in the review")
    review.set_settlement_date(
        db, record_id=third, actor_id=worker, settlement_date=TODAY - dt.timedelta(days=95)
    )
    review.set_settlement_date(
        db, record_id=first, actor_id=worker, settlement_date=TODAY - dt.timedelta(days=80)
    )
    agree(db, "settled")
    unfinished = made[0].record_id
    assert unfinished is not None
    records.note_locale(db, record_id=unfinished, locale="en")
    assert made[0].remove_entry("educations", 1) is None
    agree(db, "a language switched, an entry removed at the kiosk")
    review.set_status(db, record_id=first, actor_id=worker, status=Status.exported)
    agree(db, "exported")
    table = SQLModel.metadata.tables["record"]
    with db.connection() as connection:  # begun long ago, and left alone since
        connection.execute(
            sa.update(table)
            .where(table.c.id == third)
            .values(
                started_at=dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC),
                updated_at=dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC),
            )
        )
    agree(db, "a record's start moved")
    purge.purge(db, older_than_days=30, actor_id=worker)
    agree(db, "purged")
    assert read(db)["by_status"], "something is left to count"


def test_the_migration_counts_what_was_there(db_url: str) -> None:
    """A database with records from before the tally: migration 0010 counts them all."""
    from alembic import command

    from kompass_tui.storage.database import alembic_config, make_engines

    engine, reader = make_engines(db_url)
    try:
        command.upgrade(alembic_config(engine), "0009")
        at = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
        with engine.begin() as connection:
            for n in range(12):
                record_id = uuid.UUID(f"{n:08x}-0000-4000-8000-{n:012x}")
                connection.execute(
                    sa.insert(SQLModel.metadata.tables["record"]).values(
                        id=record_id, questionnaire_id="kompass", questionnaire_version="2",
                        status=[s.value for s in Status][n % 5], needs_follow_up=False,
                        mode=Mode.kiosk if n % 2 else Mode.assisted, locale=["ti", "uk"][n % 2],
                        locales_used=["ti"], resume_failures=0,
                        interpreter_used=None if n % 3 == 0 else bool(n % 2),
                        permit_date=TODAY - dt.timedelta(days=n * 3),
                        settlement_date=TODAY - dt.timedelta(days=n * 10) if n % 2 else None,
                        started_at=at - dt.timedelta(days=n), updated_at=at,
                        submitted_at=at if n % 5 else None,
                    )
                )  # fmt: skip
                connection.execute(
                    sa.insert(SQLModel.metadata.tables["answer"]),
                    [
                        {"record_id": record_id, "path": "mother_tongues",
                         "value": ["ti", "ar"][: 1 + n % 2], "provenance": "self",
                         "answered_at": at},
                        {"record_id": record_id, "path": "educations[0].level",
                         "value": ["none", "primary", "master"][n % 3], "provenance": "self",
                         "answered_at": at},
                    ],
                )  # fmt: skip
        command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()
        reader.dispose()
    db = open_database(db_url)
    try:
        agree(db, "after the migration")
        assert sum(read(db)["mother_tongues"].values()) == 18
        assert json.dumps(read(db)["by_status"], sort_keys=True)
    finally:
        db.dispose()
