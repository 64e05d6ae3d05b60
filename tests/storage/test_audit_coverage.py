"""Every read and write of personal data by a caseworker leaves an audit entry with the
caseworker's id: each command a caseworker runs, and each storage function that takes an
``actor_id``. A new command or function fails here until it is listed (and audited)."""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import export as exporting
from kompass_tui.exchange import importer
from kompass_tui.exchange.records import Selection
from kompass_tui.storage import accounts, audit, deadlines, purge, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import AuditEvent, Mode, Status
from sporreskjema import load_builtin

PASSWORD = "a long passphrase"
A = audit.Action

#: Commands that touch no one's personal data, or only through the screens tested in
#: tests/ui/test_review_pilot.py (`review`), and why.
NOT_PERSONAL = {
    "kiosk": "the person's own registration, not a caseworker's",
    "locales": "no database",
    "audio": "no database: the kiosk's own messages, spoken",
    "questionnaire": "no database",
    "db": "the schema only",
    "keys": "no database: the municipality's key pair, made in a folder",
    "sync": "a kiosk's, no caseworker: it sends envelopes it cannot read (record_delivered)",
    "inbox": "lists envelopes (no personal data); opening one is audited as envelope_opened "
    "with the caseworker, in tests/exchange/test_sync.py",
    "user": "caseworker accounts: ACCOUNT_COMMANDS below",
    "review": "the review screens, whose actions are the functions below",
    "assist": "the assisted desk's screens, whose actions are the functions below",
    "stats": "counts by status, week, language, education and mode; it names nobody (like "
    "purge --counts)",
}

#: Each caseworker command, its arguments ({id}, {out} filled in) and the action it must log.
COMMANDS: list[tuple[str, list[str], A]] = [
    ("list", ["list", "--all"], A.records_listed),
    ("show", ["show", "{id}"], A.record_viewed),
    ("remark", ["remark", "{id}", "--text", "Has papers."], A.remark_added),
    (
        "correct",
        ["correct", "{id}", "years_school", "12", "--reason", "Papers"],
        A.answer_corrected,
    ),
    ("status", ["status", "{id}", "reviewed"], A.status_changed),
    ("status", ["status", "{id}", "--follow-up"], A.follow_up_changed),
    ("status", ["status", "{id}", "sent_back", "--comment", "Which school?"], A.sent_back),
    ("status", ["status", "{id}", "--settled", "2026-11-20"], A.settlement_changed),
    ("deadlines", ["deadlines", "--survey-days", "10"], A.settings_changed),
    ("audit", ["audit", "--record", "{id}"], A.audit_viewed),
    ("list", ["list", "--all", "--json"], A.records_listed),
    ("show", ["show", "{id}", "--json"], A.record_viewed),
    ("audit", ["audit", "--json"], A.audit_viewed),
    ("export", ["export", "--format", "jsonl", "--out", "{out}"], A.exported),
    ("import", ["import", "{out}"], A.imported),
    ("purge", ["purge", "--older-than", "30", "--yes"], A.purged),
]

#: Each ``kompass user`` command, its arguments, what it asks for (new passwords) and the
#: action it must log under the administrator who ran it; ``None``: touches no one's data.
ACCOUNT_COMMANDS: list[tuple[str, list[str], str, A | None]] = [
    ("list", ["list"], "", None),
    ("add", ["add", "ola", "--name", "Ola"], f"{PASSWORD}\n{PASSWORD}\n", A.user_added),
    ("passwd", ["passwd", "ola"], f"{PASSWORD}\n{PASSWORD}\n", A.password_changed),
    ("disable", ["disable", "ola"], "", A.user_disabled),
    ("enable", ["enable", "ola"], "", A.user_enabled),
    ("admin", ["admin", "ola"], "", A.admin_granted),
    ("admin", ["admin", "ola", "--revoke"], "", A.admin_revoked),
]


def _worker(db: Database) -> int:
    user = accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert user.id is not None
    return user.id


def _submitted(db: Database, key: str = "202499990000") -> uuid.UUID:
    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="so")
    for path, value in {"full_name": "Hodan Ali", "person_id": key,
                        "birth_date": "1990-05-17", "years_school": 10}.items():  # fmt: skip
        records.save_answer(db, record_id=new.id, path=path, value=value, provenance="self")
    records.submit(db, record_id=new.id)
    return new.id


def _make_old(db: Database, record_id: uuid.UUID) -> None:
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
    table = SQLModel.metadata.tables["record"]
    with db.connection() as connection:
        connection.execute(sa.update(table).where(table.c.id == record_id).values(updated_at=then))


def _logged(db: Database, actor_id: int, action: A) -> int:
    with db.session() as session:
        return int(
            session.execute(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.actor_id == actor_id, AuditEvent.action == action)
            ).scalar_one()
        )


def _newest(db: Database, actor_id: int, action: A) -> AuditEvent:
    with db.session() as session:
        return session.exec(
            select(AuditEvent)
            .where(AuditEvent.actor_id == actor_id, AuditEvent.action == action)
            .order_by(col(AuditEvent.id).desc())
        ).first()  # type: ignore[return-value]


def _check_details(db: Database, actor_id: int, action: A, record_id: uuid.UUID) -> None:
    """What an entry must say beyond its action: a listing names the records it showed."""
    if action is A.records_listed:
        event = _newest(db, actor_id, action)
        assert event.detail["records"] == [str(record_id)], event.detail
        assert event.detail["shown"] == 1


def test_every_caseworker_command_is_listed() -> None:
    names = {command.name for command in app.registered_commands}
    names |= {group.name for group in app.registered_groups}
    assert names - set(NOT_PERSONAL) == {name for name, _args, _action in COMMANDS}


def test_every_caseworker_command_leaves_an_audit_entry(db: Database, tmp_path: Path) -> None:
    worker = _worker(db)
    record_id = _submitted(db)
    out = tmp_path / "records.jsonl"
    for name, args, action in COMMANDS:
        if name == "purge":
            _make_old(db, record_id)
        before = _logged(db, worker, action)
        filled = [arg.format(id=str(record_id)[:8], out=out) for arg in args]
        result = CliRunner().invoke(
            app,
            [*filled, "--db", db.url, "--user", "kari"],
            env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "COLUMNS": "120"},
        )
        assert result.exit_code == 0, (args, result.output)
        assert _logged(db, worker, action) > before, (args, action)
        _check_details(db, worker, action, record_id)
    with pytest.raises(records.RecordNotFound):
        records.get_record(db, record_id)


def test_every_account_command_is_listed() -> None:
    from kompass_tui.cli import user

    names = {command.name for command in user.app.registered_commands}
    assert names == {name for name, _args, _input, _action in ACCOUNT_COMMANDS}


def test_every_account_change_is_audited_as_the_administrator(db: Database) -> None:
    admin = _worker(db)  # the first account: an administrator
    for name, args, answers, action in ACCOUNT_COMMANDS:
        before = 0 if action is None else _logged(db, admin, action)
        result = CliRunner().invoke(
            app,
            ["user", *args, "--db", db.url, *(["--user", "kari"] if action else [])],
            input=answers,
            env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD},
        )
        assert result.exit_code == 0, (args, result.output)
        if action is not None:
            assert _logged(db, admin, action) == before + 1, (name, action)


# ---------------------------------------------------------------- the storage functions

Operation = Callable[[Database, int, uuid.UUID, Path], Any]

#: Each function that acts for a caseworker (it takes ``actor_id``), how to call it, and the
#: action it must log.
FUNCTIONS: dict[str, tuple[Operation, A]] = {
    "review.list_records": (
        lambda db, who, rid, tmp: review.list_records(db, review.ListQuery(), actor_id=who),
        A.records_listed,
    ),
    "review.view_record": (
        lambda db, who, rid, tmp: review.view_record(db, rid, actor_id=who),
        A.record_viewed,
    ),
    "review.add_remark": (
        lambda db, who, rid, tmp: review.add_remark(
            db, record_id=rid, actor_id=who, text="x", questionnaire=load_builtin()
        ),
        A.remark_added,
    ),
    "review.correct_answer": (
        lambda db, who, rid, tmp: review.correct_answer(
            db, record_id=rid, actor_id=who, path="years_school", value=11, reason="Papers"
        ),
        A.answer_corrected,
    ),
    "review.set_status": (
        lambda db, who, rid, tmp: review.set_status(
            db, record_id=rid, actor_id=who, status=Status.reviewed
        ),
        A.status_changed,
    ),
    "review.send_back": (
        lambda db, who, rid, tmp: review.send_back(
            db, record_id=rid, actor_id=who, comment="Which school?"
        ),
        A.sent_back,
    ),
    "review.set_settlement_date": (
        lambda db, who, rid, tmp: review.set_settlement_date(
            db, record_id=rid, actor_id=who, settlement_date=dt.date(2026, 11, 20)
        ),
        A.settlement_changed,
    ),
    "deadlines.save": (
        lambda db, who, rid, tmp: deadlines.save(db, deadlines.Deadlines(20, 2), actor_id=who),
        A.settings_changed,
    ),
    "review.set_follow_up": (
        lambda db, who, rid, tmp: review.set_follow_up(db, record_id=rid, actor_id=who, flag=True),
        A.follow_up_changed,
    ),
    "audit.events": (
        lambda db, who, rid, tmp: audit.events(db, record_id=rid, actor_id=who),
        A.audit_viewed,
    ),
    "export.export": (
        lambda db, who, rid, tmp: exporting.export(
            db,
            fmt=exporting.Format.jsonl,
            out=tmp / "out.jsonl",
            selection=Selection(),
            actor_id=who,
            mark=False,
        ),
        A.exported,
    ),
    "importer.import_file": (
        lambda db, who, rid, tmp: importer.import_file(db, tmp / "out.jsonl", actor_id=who),
        A.imported,
    ),
    "importer.import_records": (
        lambda db, who, rid, tmp: importer.import_records(db, [], actor_id=who, file="odk.json"),
        A.imported,
    ),
    "records.submit": (
        lambda db, who, rid, tmp: records.submit(db, record_id=_open(db), actor_id=who),
        A.record_submitted,
    ),
    "records.set_provenance": (
        lambda db, who, rid, tmp: records.set_provenance(
            db, record_id=_open(db), paths=["full_name"], provenance="interpreter", actor_id=who
        ),
        A.provenance_changed,
    ),
    "accounts.add_user": (
        lambda db, who, rid, tmp: accounts.add_user(
            db, username=f"u{uuid.uuid4().hex[:8]}", full_name="U", password=PASSWORD, actor_id=who
        ),
        A.user_added,
    ),
    "accounts.set_password": (
        lambda db, who, rid, tmp: accounts.set_password(
            db, username="kari", password=PASSWORD, actor_id=who
        ),
        A.password_changed,
    ),
    "accounts.disable_user": (
        lambda db, who, rid, tmp: accounts.disable_user(db, username=_other(db), actor_id=who),
        A.user_disabled,
    ),
    "accounts.enable_user": (
        lambda db, who, rid, tmp: accounts.enable_user(db, username=_other(db), actor_id=who),
        A.user_enabled,
    ),
    "accounts.set_admin": (
        lambda db, who, rid, tmp: accounts.set_admin(
            db, username=_other(db), admin=True, actor_id=who
        ),
        A.admin_granted,
    ),
    "purge.purge": (
        lambda db, who, rid, tmp: (
            _make_old(db, rid),
            purge.purge(db, older_than_days=30, actor_id=who),
        ),
        A.purged,
    ),
}
MODULES: dict[str, ModuleType] = {
    "accounts": accounts, "review": review, "audit": audit, "export": exporting, "importer": importer,
    "records": records, "purge": purge, "deadlines": deadlines,
}  # fmt: skip


def _other(db: Database) -> str:
    """A second account, for the administrator's changes."""
    if not any(user.username == "ola" for user in accounts.list_users(db)):
        accounts.add_user(db, username="ola", full_name="Ola", password=PASSWORD)
    return "ola"


def _open(db: Database) -> uuid.UUID:
    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="so")
    return new.id


def test_every_function_that_acts_for_a_caseworker_is_listed() -> None:
    found = {
        f"{prefix}.{name}"
        for prefix, module in MODULES.items()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor_id" in inspect.signature(function).parameters
    }
    # audit.log writes the entries themselves; import_envelope writes in its caller's
    # transaction, which audits the opening (tests/exchange/test_sync.py); note_correction
    # writes a correction and its entry in its caller's (review.correct_answer, listed).
    inside = {"audit.log", "importer.import_envelope", "records.note_correction"}
    assert found - inside == set(FUNCTIONS)


def test_every_function_that_acts_for_a_caseworker_leaves_an_audit_entry(
    db: Database, tmp_path: Path
) -> None:
    worker = _worker(db)
    record_id = _submitted(db)
    for name, (operation, action) in FUNCTIONS.items():  # in order: export before import
        before = _logged(db, worker, action)
        operation(db, worker, record_id, tmp_path)
        assert _logged(db, worker, action) == before + 1, name
        _check_details(db, worker, action, record_id)


def test_a_listing_names_the_records_of_the_page_it_showed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = _worker(db)
    ids = [_submitted(db, f"20249999000{n}") for n in range(4)]
    query = review.ListQuery(sort=review.Sort.updated, offset=1, limit=2, search="hodan")
    page = review.list_records(db, query, actor_id=worker)
    event = _newest(db, worker, A.records_listed)
    assert event.detail["records"] == [str(row.id) for row in page.rows]
    assert len(page.rows) == 2
    assert set(event.detail["records"]) < {str(i) for i in ids}
    assert (event.detail["search"], event.detail["offset"], event.detail["shown"]) == (
        "hodan",
        1,
        2,
    )
    # A page is never longer than the event can name.
    monkeypatch.setattr(review, "PAGE_MAX", 3)
    page = review.list_records(db, review.ListQuery(limit=1000), actor_id=worker)
    assert (len(page.rows), page.total) == (3, 4)
    assert _newest(db, worker, A.records_listed).detail["records"] == [str(r.id) for r in page.rows]
