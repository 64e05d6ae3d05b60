"""A kiosk that seals: the person sends, and afterwards nothing they wrote is left in the
kiosk's files, in any language; an unfinished registration still resumes, and the same
person is still refused a second registration. The kiosk prints too: the person's copy is made
before the record is sealed, printed in their language, and never a file at the kiosk."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.exchange import sealed
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.kiosk.settings import KioskSettings
from kompass_tui.storage import audit, records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.widgets.visual import Static
from kompass_tui.wizard.registration import ALREADY_REGISTERED, Registration
from kompass_tui.wizard.screens.receipt import NOT_PRINTED, PRINTED, ReceiptScreen
from sporreskjema import Questionnaire, translator
from tests.support.exchange import caseworker, register
from tests.support.helpers import TODAY
from tests.support.kiosk_pilot import (
    SIZE,
    answered_without_schooling,
    error_of,
    next_step,
    pick_language,
    pin_hash,
    press_button,
    tick,
    type_text,
    wait_for_screen,
)
from tests.support.printer import fake_printer

#: What Dawit wrote (:data:`tests.support.kiosk_pilot.WITHOUT_SCHOOLING`) that names him or
#: is his own words, as the database would hold it.
HIS = ["Dawit Haile", "202412345678", "2024 1234 5678", "Mottak Nord", "Kjøre buss"]


@pytest.fixture
def key() -> sealed.Identity:
    return sealed.Identity.generate()


def _kiosk(db: Database, key: sealed.Identity, printer: str | None = None) -> KioskApp:
    settings = KioskSettings(
        pin_hash=pin_hash(), recipients=[str(key.to_public())], printer=printer
    )
    return KioskApp(db, settings, today=TODAY)


def _files(path: Path) -> bytes:
    """The database's bytes with its write-ahead log's, as a thief of the disk reads them."""
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()
    )


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
async def test_after_sending_nothing_the_person_wrote_is_in_the_kiosks_files(
    tmp_path: Path, key: sealed.Identity, locale: str, kompass: Questionnaire,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    printer = fake_printer(tmp_path, monkeypatch)
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    # Someone else began and will come back: their registration stays readable.
    other = Registration(db, locale="uk", today=TODAY)
    assert other.answer("full_name", "Olena Kovalenko") is None
    assert other.answer("birth_date", "03.04.1990") is None
    assert other.resume_code is not None
    app = _kiosk(db, key, printer="front-desk")
    person = translator(locale)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await answered_without_schooling(pilot)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        await wait_for_screen(pilot, ReceiptScreen)
        await app.workers.wait_for_complete()  # the copy made, then the record sealed
        await press_button(pilot, "#print")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.screen.query_one("#print-status", Static)
        assert str(status.content) == person.gettext(PRINTED)
        # Nothing of him on the screen for the next person to see.
        assert "Dawit" not in app.export_screenshot()
        await press_button(pilot, "#finish")
        # The same identifier again: refused, as it was before the record was sealed.
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "person_id", "2024 1234 5678")
        assert error_of(pilot, "person_id") == translator(locale).gettext(ALREADY_REGISTERED)
    with db.engine.connect() as connection:
        (row,) = connection.execute(
            sa.text("SELECT record_id, content_hash, envelope, person_tag FROM sealed_record")
        ).all()
        left = connection.execute(sa.text("SELECT full_name FROM record")).scalars().all()
        actions = connection.execute(sa.text("SELECT action FROM audit_event")).scalars().all()
    # Only the unfinished ones are readable: Olena's, and the refused attempt's (no name).
    assert sorted(left, key=str) == [None, "Olena Kovalenko"]
    assert "record_sealed" in actions
    assert "202412345678" not in row.person_tag
    # Only the municipality's key opens it, and it is the whole record as exported.
    opened = json.loads(sealed.unseal(bytes(row.envelope), [key], "envelope"))
    assert opened["answers"]["full_name"] == "Dawit Haile"
    assert opened["status"] == "submitted"
    assert opened["locale"] == locale
    db.dispose()
    # The copy went to the printer whole, in his language, under no name of his.
    job = printer.printed()
    assert job.args == ["-d", "front-desk", "-t", "Kompass", "-"]
    assert "Dawit Haile" in job.text
    assert person.gettext(kompass.question("full_name").label) in job.text
    assert person.gettext(PRINTED) not in job.text
    raw = _files(path)
    for text in HIS:
        assert text.encode() not in raw, text
    assert b"Olena Kovalenko" in raw  # the search would find it: the test can fail
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == []
    # The unfinished registration resumes after the sealing.
    again = open_database(f"sqlite:///{path}")
    try:
        resumed = Registration.resume(
            again, code=other.resume_code, birth_date=dt.date(1990, 4, 3), today=TODAY
        )
        assert resumed.form.get("full_name") == "Olena Kovalenko"
    finally:
        again.dispose()


async def test_a_copy_the_printer_refuses_is_said_and_nothing_else_changes(
    tmp_path: Path, key: sealed.Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = fake_printer(tmp_path, monkeypatch)
    monkeypatch.setenv("FAKE_LP_FAIL", "1")
    db = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    app = _kiosk(db, key, printer="front-desk")
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "ti")
        await answered_without_schooling(pilot)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        await wait_for_screen(pilot, ReceiptScreen)
        await press_button(pilot, "#print")  # at once: printed when the copy is made
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.screen.query_one("#print-status", Static)
        assert str(status.content) == translator("ti").gettext(NOT_PRINTED)
        assert app.screen.query_one("#print").disabled  # one copy a person, asked once
        await press_button(pilot, "#finish")
        await pick_language(pilot, "uk")  # the next person: no copy of Dawit's waits
        assert app._copy is None
    assert printer.nothing_printed()
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM sealed_record")).scalar() == 1
    db.dispose()


async def test_at_start_a_record_sent_before_a_stop_is_sealed_and_old_unfinished_ones_go(
    tmp_path: Path, key: sealed.Identity, kompass: Questionnaire
) -> None:
    path = tmp_path / "kiosk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    record_id = register(db, kompass, caseworker(db))
    with db.engine.begin() as connection:  # sent, as the kiosk left it
        connection.execute(sa.text("UPDATE record SET status = 'submitted'"))
    old, recent = (Registration(db, locale="ar", today=TODAY) for _ in range(2))
    assert old.answer("full_name", "Old Unfinished") is None
    assert recent.answer("full_name", "Recent Unfinished") is None
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    with db.engine.begin() as connection:
        table = SQLModel.metadata.tables["record"]
        connection.execute(
            sa.update(table).where(table.c.id == old.record_id).values(updated_at=long_ago)
        )
    app = _kiosk(db, key)  # unfinished ones are kept 30 days
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    with db.engine.connect() as connection:
        sealed_ids = connection.execute(sa.text("SELECT record_id FROM sealed_record")).scalars()
        assert [str(i).replace("-", "") for i in sealed_ids] == [record_id.hex]
        names = connection.execute(sa.text("SELECT full_name FROM record")).scalars().all()
    assert names == ["Recent Unfinished"]
    assert records.find_by_person(db, "202477771234") is None
    purges = audit.events(db, action=audit.Action.purged)
    assert [event.detail["records"] for event in purges] == [1]
    db.dispose()
    raw = _files(path)
    assert b"Rami Haddad" not in raw
    assert b"Old Unfinished" not in raw


async def test_a_kiosk_with_nothing_to_seal_or_delete_audits_nothing(
    sqlite_db: Database, key: sealed.Identity
) -> None:
    app = _kiosk(sqlite_db, key)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert audit.events(sqlite_db) == []
