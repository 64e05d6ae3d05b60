"""Records and answers on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import select

from kompass_tui.storage import audit, records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Mode, Status
from sporreskjema import Form, Questionnaire, translator
from tests.support.helpers import TODAY, filled
from tests.support.storage import save_form


def start(db: Database, kompass: Questionnaire) -> records.NewRecord:
    return records.create_record(db, questionnaire=kompass, mode=Mode.kiosk, locale="ti")


def test_answers_round_trip(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    form = filled(kompass, TODAY, {
        "full_name": "Selam Tesfay", "birth_date": "03.04.1996", "person_id": "2024 5555 1234",
        "permit_date": "20.11.2026", "mother_tongues": ["ti", "am"], "has_work_experience": "yes",
        "jobs[0].job_title": "Baker", "jobs[0].from_year": "2015", "jobs[1].job_title": "Cook",
    })  # fmt: skip
    save_form(db, new.id, form)
    loaded = Form.from_json(kompass, records.load_answers(db, new.id), today=TODAY)
    assert loaded.relevant_answers() == form.relevant_answers()
    record = records.get_record(db, new.id)
    assert record.full_name == "Selam Tesfay"
    assert record.birth_date == dt.date(1996, 4, 3)
    assert record.person_key == "202455551234"
    assert record.permit_date == dt.date(2026, 11, 20)
    assert record.questionnaire_id == "kompass"
    assert record.questionnaire_version == "2"
    assert record.started_at.tzinfo is not None
    assert record.status == Status.in_progress


def test_each_answer_is_on_disk_when_save_returns(db_url: str, kompass: Questionnaire) -> None:
    first = open_database(db_url)
    new = start(first, kompass)
    records.save_answer(first, record_id=new.id, path="full_name", value="Ali", provenance="self")
    # a second, independent connection (another program) sees it at once
    second = open_database(db_url)
    try:
        assert records.load_answers(second, new.id) == {"full_name": "Ali"}
        records.save_answer(
            first, record_id=new.id, path="full_name", value=None, provenance="self"
        )
        assert records.load_answers(second, new.id) == {}
    finally:
        first.dispose()
        second.dispose()


def test_provenance_is_kept_per_answer(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    records.save_answer(db, record_id=new.id, path="full_name", value="Ali", provenance="self")
    records.save_answer(
        db, record_id=new.id, path="residence", value="Mottak", provenance="interpreter"
    )
    rows = {row.path: row.provenance for row in records.answer_rows(db, new.id)}
    assert rows == {"full_name": "self", "residence": "interpreter"}


def test_removing_an_entry_renumbers_the_rest(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    entries = [{"job_title": "A", "from_year": 2001}, {"job_title": "B"}, {"job_title": "C"}]
    records.save_entries(db, record_id=new.id, group="jobs", entries=entries, provenance="self")
    before = {row.path: row.answered_at for row in records.answer_rows(db, new.id)}
    records.save_entries(
        db,
        record_id=new.id,
        group="jobs",
        entries=[entries[0], entries[2]],
        provenance="caseworker",
    )
    rows = {row.path: row for row in records.answer_rows(db, new.id)}
    assert {p: r.value for p, r in rows.items()} == {
        "jobs[0].job_title": "A", "jobs[0].from_year": 2001, "jobs[1].job_title": "C",
    }  # fmt: skip
    assert rows["jobs[0].job_title"].provenance == "self"  # unchanged: kept as it was
    assert rows["jobs[0].job_title"].answered_at == before["jobs[0].job_title"]
    assert rows["jobs[1].job_title"].provenance == "caseworker"  # moved: written again
    assert records.load_answers(db, new.id) == {
        "jobs": [{"job_title": "A", "from_year": 2001}, {"job_title": "C"}]
    }


def test_answers_moved_with_their_entry_keep_who_gave_them(
    db: Database, kompass: Questionnaire
) -> None:
    """The person gave three jobs; the caseworker removes the second. The third moves up, and
    its answers are still the person's own, given when they were."""
    new = start(db, kompass)
    entries = [{"job_title": "A"}, {"job_title": "B"}, {"job_title": "C", "from_year": 2015}]
    records.save_entries(db, record_id=new.id, group="jobs", entries=entries, provenance="self")
    before = {row.path: row.answered_at for row in records.answer_rows(db, new.id)}
    records.save_entries(
        db,
        record_id=new.id,
        group="jobs",
        entries=[entries[0], {"job_title": "C", "from_year": 2016}],
        provenance="interpreter",
        origins=[0, 2],
    )
    rows = {row.path: row for row in records.answer_rows(db, new.id)}
    assert {p: (r.value, r.provenance) for p, r in rows.items()} == {
        "jobs[0].job_title": ("A", "self"),
        "jobs[1].job_title": ("C", "self"),  # moved with its entry
        "jobs[1].from_year": (2016, "interpreter"),  # changed as it moved
    }
    assert rows["jobs[1].job_title"].answered_at == before["jobs[2].job_title"]
    with pytest.raises(ValueError, match="origin"):
        records.save_entries(
            db, record_id=new.id, group="jobs", entries=entries, provenance="self", origins=[0]
        )


def test_once_per_person(db: Database, kompass: Questionnaire) -> None:
    first = start(db, kompass)
    form = Form(kompass, today=TODAY)
    assert form.set("person_id", "2024 5555 1234") is None
    records.save_answer(
        db, record_id=first.id, path="person_id", value=form.get("person_id"), provenance="self"
    )
    second = start(db, kompass)
    # typed differently, normalised by the engine to the same digits
    assert form.set("person_id", "2024-5555-1234") is None
    with pytest.raises(records.DuplicatePerson) as caught:
        records.save_answer(
            db,
            record_id=second.id,
            path="person_id",
            value=form.get("person_id"),
            provenance="self",
        )
    assert caught.value.existing == first.id
    assert str(first.id) in caught.value.message.render(translator("en"))
    # nothing of the refused answer was written
    assert records.load_answers(db, second.id) == {}
    assert records.get_record(db, second.id).person_key is None
    # the first record may save its own identifier again
    records.save_answer(
        db, record_id=first.id, path="person_id", value="202455551234", provenance="self"
    )


def test_resume_with_code_and_birth_date(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    records.save_answer(
        db, record_id=new.id, path="birth_date", value="1996-04-03", provenance="self"
    )
    code = records.format_resume_code(
        new.resume_code
    ).lower()  # typed in small letters, with the hyphen
    assert set(new.resume_code) <= set(records.RESUME_ALPHABET)
    assert records.resume(db, code=code, birth_date=dt.date(1996, 4, 3)).id == new.id
    with pytest.raises(records.ResumeFailed):
        records.resume(db, code="AAAA-AAAA", birth_date=dt.date(1996, 4, 3))
    # the code is stored only as a hash
    stored = records.get_record(db, new.id).resume_hash
    assert stored is not None
    assert new.resume_code not in stored
    assert all(new.resume_code not in str(row.value) for row in records.answer_rows(db, new.id))


def test_five_wrong_birth_dates_stop_the_code(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    records.save_answer(
        db, record_id=new.id, path="birth_date", value="1996-04-03", provenance="self"
    )
    for _ in range(records.RESUME_MAX_FAILURES):
        with pytest.raises(records.ResumeFailed):
            records.resume(db, code=new.resume_code, birth_date=dt.date(1996, 4, 4))
    with pytest.raises(records.ResumeFailed):
        records.resume(db, code=new.resume_code, birth_date=dt.date(1996, 4, 3))
    failures = audit.events(db, record_id=new.id, action=audit.Action.resume_failed)
    assert len(failures) == records.RESUME_MAX_FAILURES


def _registered(db: Database, kompass: Questionnaire, person_key: str) -> uuid.UUID:
    new = start(db, kompass)
    records.save_answer(db, record_id=new.id, path="person_id", value=person_key, provenance="self")
    return new.id


def _age_audit(db: Database, by: dt.timedelta) -> None:
    """Let time pass for the audit log: every event happened ``by`` earlier."""
    from kompass_tui.storage.models import AuditEvent

    with db.write() as session:
        for event in session.exec(select(AuditEvent)):
            event.at = event.at - by
            session.add(event)


def test_identifiers_known_at_a_kiosk_are_audited_and_slowed_down(
    db: Database, kompass: Questionnaire
) -> None:
    """Nobody is logged in at a kiosk: each "already registered" is audited with the record it
    found, and from the third within the window each further look-up waits (5 s, doubling),
    counted from the audit log (so a restart forgets nothing). While the kiosk waits, a known
    and an unknown number get the same answer and nothing is saved."""
    known = {key: _registered(db, kompass, key) for key in
             ("202400000001", "202400000002", "202400000003")}  # fmt: skip
    k1, k2, k3 = known
    visitor = start(db, kompass)

    def look_up(key: str, kiosk: str = "kiosk-1", record_id: uuid.UUID = visitor.id) -> None:
        records.save_answer(
            db, record_id=record_id, path="person_id", value=key, provenance="self", kiosk=kiosk
        )

    # An honest person who types someone else's number by mistake is not slowed down.
    with pytest.raises(records.DuplicatePerson):
        look_up(k1)
    look_up("202499999991")
    assert records.get_record(db, visitor.id).person_key == "202499999991"
    for key in (k2, k3):
        with pytest.raises(records.DuplicatePerson):
            look_up(key)
    # The fourth look-up waits, whether the number is known or not: the same answer either way.
    refusals = []
    for key in (k1, "202499999992"):
        with pytest.raises(records.LookupThrottled) as caught:
            look_up(key)
        refusals.append(caught.value)
    assert {refusal.seconds for refusal in refusals} == {5}
    en = translator("en")
    assert (
        refusals[0].message.render(en)
        == refusals[1].message.render(en)
        == ("Please wait 5 seconds before you try again, or ask the staff for help.")
    )
    assert records.get_record(db, visitor.id).person_key == "202499999991"  # nothing saved
    # Another kiosk is not slowed down by this one.
    with pytest.raises(records.DuplicatePerson):
        look_up(k1, kiosk="kiosk-2", record_id=start(db, kompass).id)
    found = audit.events(db, action=audit.Action.identifier_known)
    assert [(event.record_id, event.actor_id, event.detail) for event in reversed(found)] == [
        (known[k1], None, {"kiosk": "kiosk-1"}),
        (known[k2], None, {"kiosk": "kiosk-1"}),
        (known[k3], None, {"kiosk": "kiosk-1"}),
        (known[k1], None, {"kiosk": "kiosk-2"}),
    ]
    # Once the wait is over the number is looked up again; the next wait is twice as long.
    _age_audit(db, dt.timedelta(seconds=6))
    with pytest.raises(records.DuplicatePerson):
        look_up(k2)
    with pytest.raises(records.LookupThrottled) as caught:
        look_up(k3)
    assert caught.value.seconds == 10
    # Past the window, the kiosk starts afresh.
    _age_audit(db, records.IDENTIFIER_WINDOW)
    look_up("202499999993")
    assert records.get_record(db, visitor.id).person_key == "202499999993"


@pytest.mark.real_argon2
def test_resume_codes_are_hashed_with_argon2id(db: Database, kompass: Questionnaire) -> None:
    """Not SHA-256 (25⁸ codes are tried off a lost disk in minutes), but Argon2id with at least
    the work argon2-cffi asks for passwords."""
    import hashlib

    from argon2.low_level import Type, hash_secret_raw
    from argon2.profiles import RFC_9106_LOW_MEMORY as PASSWORDS

    new = start(db, kompass)
    stored = records.get_record(db, new.id).resume_hash
    assert stored is not None
    assert stored != hashlib.sha256(f"kompass-resume:{new.resume_code}".encode()).hexdigest()
    # Argon2id's work is its passes over its memory: at least as much as for a password
    # (about 90 ms here), and memory-hard enough to be no cheaper on a graphics card.
    work = records.RESUME_HASH_TIME_COST * records.RESUME_HASH_MEMORY_KIB
    assert work >= PASSWORDS.time_cost * PASSWORDS.memory_cost
    assert records.RESUME_HASH_MEMORY_KIB >= 64 * 1024
    assert stored == hash_secret_raw(
        new.resume_code.encode(), records.RESUME_HASH_SALT,
        time_cost=records.RESUME_HASH_TIME_COST, memory_cost=records.RESUME_HASH_MEMORY_KIB,
        parallelism=records.RESUME_HASH_PARALLELISM, hash_len=32, type=Type.ID,
    ).hex()  # fmt: skip


def _hashed_the_old_way(db: Database, record_id: uuid.UUID, code: str) -> str:
    import hashlib

    from kompass_tui.storage.models import Record

    old = hashlib.sha256(f"kompass-resume:{code}".encode()).hexdigest()
    with db.write() as session:
        record = session.get(Record, record_id)
        assert record is not None
        record.resume_hash = old
        session.add(record)
    return old


def test_a_code_hashed_with_sha256_still_resumes_and_is_rehashed(
    db: Database, kompass: Questionnaire
) -> None:
    from kompass_tui.storage.models import Caseworker

    new = start(db, kompass)
    records.save_answer(
        db, record_id=new.id, path="birth_date", value="1996-04-03", provenance="self"
    )
    old = _hashed_the_old_way(db, new.id, new.resume_code)
    # a wrong date of birth counts as before, and changes nothing else
    with pytest.raises(records.ResumeFailed):
        records.resume(db, code=new.resume_code, birth_date=dt.date(1996, 4, 4))
    assert records.get_record(db, new.id).resume_hash == old
    code = records.format_resume_code(new.resume_code).lower()
    assert records.resume(db, code=code, birth_date=dt.date(1996, 4, 3)).id == new.id
    assert records.get_record(db, new.id).resume_hash == records._resume_hash(new.resume_code)
    assert records.resume(db, code=code, birth_date=dt.date(1996, 4, 3)).id == new.id
    # the assisted desk finds it by the code alone, and rehashes it too
    desk = start(db, kompass)
    _hashed_the_old_way(db, desk.id, desk.resume_code)
    with db.write() as session:
        worker = Caseworker(username="kari", full_name="Kari", password_hash="-")
        session.add(worker)
        session.flush()
        assert worker.id is not None
        worker_id = worker.id
    assistance = records.Assistance(caseworker_id=worker_id, interpreter_used=False)
    assert records.continue_assisted(db, key=desk.resume_code, assistance=assistance).id == desk.id
    assert records.get_record(db, desk.id).resume_hash == records._resume_hash(desk.resume_code)


def test_a_submitted_record_is_closed(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    records.save_answer(
        db, record_id=new.id, path="birth_date", value="1996-04-03", provenance="self"
    )
    submitted = records.submit(db, record_id=new.id)
    assert submitted.status == Status.submitted
    assert submitted.submitted_at is not None
    assert records.get_record(db, new.id).resume_hash is None  # no code kept on the disk
    with pytest.raises(records.RecordClosed):
        records.save_answer(db, record_id=new.id, path="full_name", value="X", provenance="self")
    with pytest.raises(records.ResumeFailed):
        records.resume(db, code=new.resume_code, birth_date=dt.date(1996, 4, 3))
    actions = [e.action for e in audit.events(db, record_id=new.id)]
    assert actions[0] == audit.Action.record_submitted


def test_a_record_sent_with_a_follow_up_note_is_flagged_for_staff(
    db: Database, kompass: Questionnaire
) -> None:
    """An age outside the programme's group: the record is flagged in the same write as it is
    sent, and the audit names why; a record without one is not flagged."""
    plain, outside = start(db, kompass), start(db, kompass)
    assert not records.submit(db, record_id=plain.id).needs_follow_up
    records.submit(db, record_id=outside.id, follow_up=["age_outside_group"])
    assert records.get_record(db, outside.id).needs_follow_up
    assert not records.get_record(db, plain.id).needs_follow_up
    (sent,) = audit.events(db, record_id=outside.id, action=audit.Action.record_submitted)
    assert sent.detail == {"follow_up": ["age_outside_group"]}


def test_unknown_record(db: Database) -> None:
    with pytest.raises(records.RecordNotFound):
        records.save_answer(
            db, record_id=uuid.uuid4(), path="full_name", value="X", provenance="self"
        )
    with pytest.raises(records.RecordNotFound):
        records.load_answers(db, uuid.uuid4())


def test_language_switches_are_remembered(db: Database, kompass: Questionnaire) -> None:
    new = start(db, kompass)
    records.note_locale(db, record_id=new.id, locale="nb")
    records.note_locale(db, record_id=new.id, locale="ti")
    record = records.get_record(db, new.id)
    assert record.locales_used == ["ti", "nb"]
    assert record.locale == "ti"


def test_the_sqlite_fast_way_writes_the_rows_core_writes(
    sqlite_db: Database, kompass: Questionnaire
) -> None:
    """The usual answer on SQLite goes through the driver (the kiosk's hot path); its rows
    must be byte for byte the rows SQLAlchemy Core writes for the same values."""
    import sqlite3

    from kompass_tui.storage import statements
    from kompass_tui.storage.models import utcnow

    record = start(sqlite_db, kompass)
    now = utcnow()
    for value in ['Bakar «ein» "x"', 12, 2.5, ["ti", "ar"], True]:
        row = {"record_id": record.id, "path": "jobs[0].tasks", "value": value,
               "provenance": "self", "place": "kiosk", "answered_at": now}  # fmt: skip
        assert statements._save_on_sqlite(sqlite_db, row)
        with sqlite_db.connection() as connection:
            connection.execute(
                statements._upsert_statement("sqlite"), {**row, "path": "jobs[1].tasks"}
            )
        raw = sqlite3.connect(sqlite_db.engine.url.database or "")
        try:
            fast, core = raw.execute(
                "SELECT record_id, value, typeof(value), provenance, place, answered_at FROM answer"
                " WHERE path IN ('jobs[0].tasks', 'jobs[1].tasks') ORDER BY path"
            ).fetchall()
        finally:
            raw.close()
        assert fast == core, value
    # A record no longer open for answers: nothing written, and the usual error.
    records.submit(sqlite_db, record_id=record.id)
    assert not statements._save_on_sqlite(sqlite_db, {**row, "path": "jobs[2].tasks"})
    with pytest.raises(records.RecordClosed):
        records.save_answer(
            sqlite_db, record_id=record.id, path="jobs[2].tasks", value="x", provenance="self"
        )
    assert "jobs" in records.load_answers(sqlite_db, record.id)
    assert len(records.load_answers(sqlite_db, record.id)["jobs"]) == 2
