"""A record sent back for clarification, the whole way: the reviewer sends it back with a
comment (refused without one), the list and the record show it, the assisted desk opens it by
the person's identifier with the comment on top of every page, the person's answer changes
there, and it is sent again. Its history, its audit log and its export tell the whole story,
and an import gives it back as it was. In Latin, Cyrillic, right-to-left and Ethiopic script.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from textual.pilot import Pilot

from kompass_tui.assist.app import AssistApp
from kompass_tui.assist.screens.start import AssistStartScreen
from kompass_tui.exchange import importer
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection, schema
from kompass_tui.i18n import _
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens.dialogs import StatusDialog
from kompass_tui.review.screens.record import RecordScreen
from kompass_tui.review.screens.record_list import RecordListScreen
from kompass_tui.storage import accounts, audit, records, review
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Place, RemarkKind, Status
from kompass_tui.widgets.visual import Input, Static
from kompass_tui.widgets.visual_large import TextArea
from kompass_tui.wizard.registration import Registration
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema.calendars import for_locale
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import (
    TODAY,
    WITHOUT_SCHOOLING,
    press_button,
    type_text,
    wait_for_screen,
)
from tests.support.review import log_in as log_in_to_review
from tests.support.review import wait_for

PASSWORD = "a long passphrase"
ASKED = "Hvor mange år gikk du på skole? Papirene sier seks."
IDENTIFIER = "202412345678"
WIDE = (120, 40)


def sent_by_the_person(db: Database, locale: str) -> uuid.UUID:
    """Dawit's registration, sent from a kiosk in ``locale`` (dates typed in the Gregorian
    calendar)."""
    registration = Registration(db, locale=locale, today=TODAY)
    registration.choose_calendar(for_locale("nb"))
    for path, raw in WITHOUT_SCHOOLING:
        if path.startswith("educations[0]") and not registration.form.get("educations"):
            registration.add_entry("educations")
        assert registration.answer(path, raw) is None, path
    assert registration.answer("confirmed", True) is None
    assert registration.submit() is None
    assert registration.record_id is not None
    return registration.record_id


@pytest.fixture
def kari(sqlite_db: Database) -> int:
    worker = accounts.add_user(
        sqlite_db, username="kari", full_name="Kari Nordmann", password=PASSWORD
    )
    assert worker.id is not None
    return worker.id


# ---------------------------------------------------------------- storage


def test_sending_back_needs_a_comment_and_a_sent_record(db: Database, kompass: Any) -> None:
    worker = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD).id
    assert worker is not None
    record_id = sent_by_the_person(db, "uk")
    for empty in ("", "   \n "):
        with pytest.raises(review.ReviewError) as caught:
            review.send_back(db, record_id=record_id, actor_id=worker, comment=empty)
        assert caught.value.message.msgid == review.SENT_BACK_NEEDS_COMMENT
    with pytest.raises(review.ReviewError):  # the status alone says nothing to clear up
        review.set_status(db, record_id=record_id, actor_id=worker, status=Status.sent_back)
    assert records.get_record(db, record_id).status == Status.submitted
    unfinished = records.create_record(db, questionnaire=kompass, mode="kiosk", locale="uk").id
    with pytest.raises(review.TransitionRefused):
        review.send_back(db, record_id=unfinished, actor_id=worker, comment=ASKED)
    review.send_back(db, record_id=record_id, actor_id=worker, comment=ASKED)
    assert records.get_record(db, record_id).status == Status.sent_back
    page = review.list_records(db, review.ListQuery(), actor_id=worker)  # open work: listed
    assert [row.status for row in page.rows if row.id == record_id] == [Status.sent_back]
    # Not at a kiosk: the resume code ended when it was sent, and the kiosk never opens it.
    with pytest.raises(records.StorageError):
        records.resume(db, code="AAAA-AAAA", birth_date=TODAY)


def test_the_desk_finds_it_by_identifier_or_record_id_and_keeps_each_change(
    db: Database,
) -> None:
    worker = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD).id
    assert worker is not None
    record_id = sent_by_the_person(db, "ar")
    first_sent = records.get_record(db, record_id).submitted_at
    review.send_back(db, record_id=record_id, actor_id=worker, comment=ASKED)
    help_ = records.Assistance(caseworker_id=worker, interpreter_used=False)
    for key in (str(record_id)[:8], str(record_id), IDENTIFIER):
        found = Registration.continue_assisted(db, key=key, assistance=help_, today=TODAY)
        assert found.record_id == record_id
        assert found.clarification == ASKED
    assert found.answer("years_school", "6") is None
    assert found.remove_entry("educations", 0) is None
    assert found.submit() is None
    record = records.get_record(db, record_id)
    assert record.status == Status.submitted
    assert record.submitted_at == first_sent  # the deadline was met (or not) the first time
    view = review.load_view(db, record_id)
    changes = {c.path: (c.old_value, c.new_value, c.reason, c.author_id) for c in view.corrections}
    assert changes == {
        "years_school": (0, 6, ASKED, worker),
        "educations[0].level": ("none", None, ASKED, worker),
    }
    places = {row.path: row.place for row in records.answer_rows(db, record_id)}
    assert places["years_school"] == Place.desk
    story = [event.action for event in reversed(audit.events(db, record_id=record_id))]
    assert story[story.index("sent_back") :] == [
        "sent_back", "record_resumed", "record_resumed", "record_resumed",
        "answer_corrected", "answer_corrected", "record_submitted",
    ]  # fmt: skip
    (again,) = audit.events(db, record_id=record_id, action=audit.Action.record_submitted)[:1]
    assert again.detail == {"again": True}


def test_it_exports_and_imports_with_its_state(db: Database, tmp_path: Path) -> None:
    worker = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD).id
    assert worker is not None
    record_id = sent_by_the_person(db, "ti")
    review.set_settlement_date(
        db, record_id=record_id, actor_id=worker, settlement_date=TODAY.replace(day=1)
    )
    review.send_back(db, record_id=record_id, actor_id=worker, comment=ASKED)
    out = tmp_path / "records.jsonl"
    export(db, fmt=Format.jsonl, out=out, selection=Selection(), actor_id=worker)
    (line,) = out.read_text("utf-8").splitlines()
    written = json.loads(line)
    jsonschema.validate(written, schema(), format_checker=jsonschema.FormatChecker())
    assert written["status"] == "sent_back"
    assert written["person"]["settlement_date"] == TODAY.replace(day=1).isoformat()
    assert [(r["kind"], r["text"]) for r in written["remarks"]] == [("sent_back", ASKED)]
    elsewhere = open_database(f"sqlite:///{tmp_path / 'municipality.sqlite3'}")
    other = accounts.add_user(elsewhere, username="kari", full_name="Kari", password=PASSWORD)
    assert other.id is not None
    importer.import_file(elsewhere, out, actor_id=other.id)
    back = review.load_view(elsewhere, record_id)
    assert back.record.status == Status.sent_back
    assert back.record.settlement_date == TODAY.replace(day=1)
    assert [(r.kind, r.text) for r in back.remarks] == [(RemarkKind.sent_back, ASKED)]
    elsewhere.dispose()


# ---------------------------------------------------------------- the screens


async def send_back_in_the_review(pilot: Pilot[Any], record_id: uuid.UUID) -> None:
    """Open the record, press s, try without a comment, then with one."""
    app = pilot.app
    app.push_screen(RecordScreen(record_id))
    await wait_for(pilot, RecordScreen)
    await pilot.press("s")
    dialog = await wait_for(pilot, StatusDialog)
    button = next(b for b in dialog.query(".to-status") if b.name == "sent_back")
    await pilot.click(button)
    await pilot.pause()
    await wait_for(pilot, StatusDialog)
    refusal = str(dialog.query_one(".dialog-error", Static).render())
    assert refusal == _(review.SENT_BACK_NEEDS_COMMENT)
    dialog.query_one("#comment", TextArea).text = ASKED
    await pilot.pause(0.3)  # a button pressed a moment ago ignores a second press
    await pilot.click(button)
    screen = await wait_for(pilot, RecordScreen)
    on_top = screen.query(".clarification")
    assert on_top
    assert ASKED in str(on_top.first().render())


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
async def test_sent_back_in_the_review_cleared_up_at_the_desk(
    sqlite_db: Database, kari: int, locale: str
) -> None:
    record_id = sent_by_the_person(sqlite_db, locale)
    reviewing = ReviewApp(sqlite_db, today=TODAY)
    async with reviewing.run_test(size=WIDE) as pilot:
        await log_in_to_review(pilot)
        await wait_for(pilot, RecordListScreen)
        await send_back_in_the_review(pilot, record_id)
        await pilot.press("escape", "f5")
        listed = await wait_for(pilot, RecordListScreen)
        row = listed.query_one("#records").get_row(str(record_id))  # type: ignore[attr-defined]
        assert _("sent back for clarification") in str(row[1])
    assert records.get_record(sqlite_db, record_id).status == Status.sent_back

    desk = AssistApp(sqlite_db, lock_seconds=0, today=TODAY)
    async with desk.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press(*"kari", "enter", *PASSWORD, "enter")
        await wait_for_screen(pilot, AssistStartScreen)
        desk.screen.query_one("#key", Input).focus()
        await pilot.press(*IDENTIFIER, "enter")
        await wait_for_screen(pilot, SectionScreen)
        assert desk.registration is not None
        assert desk.registration.locale == locale
        # What to clear up, on top, in the person's language and in Norwegian beside it.
        shown = str(desk.screen.query_one(".clarification", Static).render())
        assert ASKED in shown
        assert translator(locale).gettext("Sent back for clarification") in shown
        assert translator("nb").gettext("Sent back for clarification") in shown
        sections = [s.name for s in desk.registration.questionnaire.sections]
        desk.go_to(sections.index("about_you"))
        await wait_for_screen(pilot, SectionScreen)
        screen, page = desk.screen, desk.screen.page  # type: ignore[attr-defined]
        await press_button(pilot, "#next")  # a page turn within the section
        await pilot.pause()
        assert desk.screen is screen
        assert desk.screen.page != page  # type: ignore[attr-defined]
        assert desk.screen.query(".clarification")  # on every page
        desk.go_to(sections.index("education"))
        await wait_for_screen(pilot, SectionScreen)
        assert desk.screen.query(".clarification")
        await type_text(pilot, "years_school", "6")
        desk.go_to(len(sections) - 1)
        await wait_for_screen(pilot, SummaryScreen)
        assert ASKED in str(desk.screen.query_one(".clarification", Static).render())
        assert desk.registration.form.get("confirmed") is True  # still ticked from the first time
        await press_button(pilot, "#next")
        await wait_for_screen(pilot, ReceiptScreen)
    view = review.load_view(sqlite_db, record_id)
    assert view.record.status == Status.submitted
    assert [(c.path, c.old_value, c.new_value, c.reason) for c in view.corrections] == [
        ("years_school", 0, 6, ASKED)
    ]
