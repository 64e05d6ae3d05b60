"""`kompass review` through the real app: log in, find a record, read it, remark, note, correct,
move it on; and what must be refused. Pictures of the list and the record view."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

import kompass_tui
from kompass_tui.assist.app import AssistApp
from kompass_tui.assist.screens.start import AssistStartScreen
from kompass_tui.i18n import _, current, set_locale
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens.dialogs import CorrectDialog, RemarkDialog, StatusDialog
from kompass_tui.review.screens.record import RecordScreen
from kompass_tui.review.screens.record_list import RecordListScreen
from kompass_tui.storage import accounts, audit, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, Status
from kompass_tui.widgets.login import LoginScreen
from sporreskjema import cldr
from tests.support.helpers import TODAY, add_records
from tests.support.review import list_shown, log_in, wait_for
from tests.support.slow_work import Held, responsive, ticking, until

PASSWORD = "a long passphrase"


@pytest.fixture
def desk(sqlite_db: Database) -> Database:
    """A database with a caseworker, 30 records from kiosks, and Selam's submitted record."""
    accounts.add_user(sqlite_db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    add_records(sqlite_db, 30, today=TODAY)
    fixed = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)  # the pictures show these times
    with sqlite_db.connection() as connection:
        connection.execute(
            sa.insert(SQLModel.metadata.tables["record"]),
            {"id": SELAM, "questionnaire_id": "kompass", "questionnaire_version": "1",
             "status": Status.in_progress, "needs_follow_up": False, "mode": Mode.kiosk,
             "locale": "ti", "locales_used": ["ti"], "resume_failures": 0,
             "started_at": fixed, "updated_at": fixed},
        )  # fmt: skip
    answers = {
        "full_name": "Selam Tesfay", "birth_date": "1996-04-03", "person_id": "202455551234",
        "permit_date": "2026-11-20", "mother_tongues": ["ti"], "has_work_experience": "yes",
    }  # fmt: skip
    for path, value in answers.items():
        records.save_answer(sqlite_db, record_id=SELAM, path=path, value=value, provenance="self")
    records.save_entries(
        sqlite_db, record_id=SELAM, group="jobs", provenance="self",
        entries=[{"job_title": "Bakar", "from_year": 2015}],
    )  # fmt: skip
    records.submit(sqlite_db, record_id=SELAM)
    with sqlite_db.connection() as connection:
        connection.execute(
            sa.update(SQLModel.metadata.tables["record"]).values(
                submitted_at=fixed, updated_at=fixed
            )
        )
    return sqlite_db


SELAM = uuid.UUID("5e1a0000-0000-4000-8000-000000000001")


def make_app(db: Database) -> ReviewApp:
    return ReviewApp(db, today=TODAY)


async def test_a_wrong_password_is_refused_and_audited(desk: Database) -> None:
    app = make_app(desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, password="not it at all")
        assert isinstance(app.screen, LoginScreen)
        shown = str(app.screen.query_one("#login-error").render())
        assert shown == accounts.LoginFailed().message.render(current())
        assert app.screen.query_one("#password").value == ""  # type: ignore[attr-defined]
    (event,) = audit.events(desk, action=audit.Action.login_failed)
    assert event.actor_name == "kari"


async def test_find_read_remark_note_correct_and_mark_reviewed(desk: Database) -> None:
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot)
        listing = await wait_for(pilot, RecordListScreen)
        assert str(listing.query_one("#list-status").render()) == "Post 1–19 av 19."
        await pilot.press("slash", *"selam", "enter")
        await pilot.pause()
        table = listing.query_one("#records")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[2]) == "Selam Tesfay"
        # The log names the records each listing showed: first the page of 19, then Selam.
        listed = audit.events(desk, action=audit.Action.records_listed)
        first, searched = listed[-1], listed[0]
        assert len(first.detail["records"]) == first.detail["shown"] == 19
        assert searched.detail["records"] == [str(SELAM)]
        assert searched.detail["search"] == "selam"
        await pilot.press("enter")
        screen = await wait_for(pilot, RecordScreen)
        body = " ".join(str(s.render()) for s in screen.query(".record-section, .facts"))
        assert "Selam Tesfay" in body
        assert "Personen alene" in body  # who gave the answer
        assert "tigrinja (ti)" in body  # the language the person answered in, named in nb

        await pilot.press("r")
        dialog = await wait_for(pilot, RemarkDialog)
        dialog.query_one("#section", Select).value = "languages"
        await pilot.press(*"Snakker også arabisk.")
        await pilot.click("#save")
        await wait_for(pilot, RecordScreen)

        await pilot.press("n")
        dialog = await wait_for(pilot, RemarkDialog)
        await pilot.press(*"Vil bli sykepleier.")
        await pilot.click("#save")
        await wait_for(pilot, RecordScreen)

        await pilot.press("c")
        dialog = await wait_for(pilot, CorrectDialog)
        dialog.query_one("#question", Select).value = "jobs[0].job_title"
        await pilot.pause()
        assert dialog.query_one("#value").value == "Bakar"  # type: ignore[attr-defined]
        dialog.query_one("#value").value = "Baker"  # type: ignore[attr-defined]
        await pilot.click("#save")  # no reason yet: refused, and what was typed stays
        await pilot.pause()
        assert str(dialog.query_one(".dialog-error").render()) == _("A correction needs a reason.")
        assert dialog.query_one("#value").value == "Baker"  # type: ignore[attr-defined]
        dialog.query_one("#reason").focus()
        await pilot.press(*"Skrivefeil")
        await pilot.click("#save")
        await wait_for(pilot, RecordScreen)

        await pilot.press("s")
        dialog = await wait_for(pilot, StatusDialog)
        offered = [b.name for b in dialog.query(".to-status")]
        assert offered == ["reviewed", "sent_back"]  # submitted → reviewed, or back to the desk
        await pilot.click(".to-status")
        screen = await wait_for(pilot, RecordScreen)
        await pilot.pause()
        assert str(screen.query_one("#record-title").render()).endswith(_("reviewed"))

    view = review.load_view(desk, SELAM)
    assert view.record.status == Status.reviewed
    section_remark, note = view.remarks
    assert (section_remark.section, section_remark.kind, section_remark.text) == (
        "languages", "remark", "Snakker også arabisk.",
    )  # fmt: skip
    assert (note.section, note.kind, note.text) == (None, "counsellor_note", "Vil bli sykepleier.")
    (correction,) = view.corrections
    assert (correction.path, correction.old_value, correction.new_value, correction.reason) == (
        "jobs[0].job_title", "Bakar", "Baker", "Skrivefeil",
    )  # fmt: skip
    assert view.answer_values()["jobs[0].job_title"] == "Baker"
    steps = [(str(e.action), e.actor_id) for e in reversed(audit.events(desk, record_id=SELAM))]
    worker = accounts.list_users(desk)[0].id
    # The list shows names and identifiers: each reading of it is in the log too.
    assert {e.actor_id for e in audit.events(desk, action=audit.Action.records_listed)} == {worker}
    assert steps[-5:] == [
        ("record_viewed", worker), ("remark_added", worker), ("remark_added", worker),
        ("answer_corrected", worker), ("status_changed", worker),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "answered_in", "groups"),
    [
        ("nb", "tigrinja (ti)", ("Andre språk", "Jobber")),
        ("en", "Tigrinya (ti)", ("Other languages", "Jobs")),
        ("ar", None, None),  # right to left: the names as the Arabic catalog and CLDR have them
    ],
)
async def test_the_record_names_the_language_and_heads_its_lists(
    desk: Database, locale: str, answered_in: str | None, groups: tuple[str, str] | None
) -> None:
    """A repeat group's line heads its entries (never "Other languages: —" above the list),
    and the language the person answered in is named in the reader's language, not in its own
    script."""
    with desk.connection() as connection:  # the record is submitted: its answers as stored
        connection.execute(
            sa.insert(SQLModel.metadata.tables["answer"]),
            [
                {"record_id": SELAM, "path": path, "value": value, "provenance": "self"}
                for path, value in (
                    ("has_other_languages", "yes"), ("other_languages[0].language", "ar"),
                    ("other_languages[0].speaking", "well"), ("other_languages[1].language", "en"),
                )
            ],
        )  # fmt: skip
    set_locale(locale)
    tr = current()
    if answered_in is None:
        answered_in = f"{cldr.language_name('ti', tr)} (ti)"
    if groups is None:
        groups = (tr.gettext("Other languages"), tr.gettext("Jobs"))
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        app.push_screen(RecordScreen(SELAM))
        screen = await wait_for(pilot, RecordScreen)
        body = "\n".join(str(s.render()) for s in screen.query(".record-section, .facts"))
    lines = body.splitlines()
    assert f"{tr.gettext('Answered in')}: {answered_in}" in lines
    assert "ትግርኛ" not in body  # the person's own name of the language is not the reader's
    for group, first in zip(groups, (cldr.language_name("ar", tr), "Bakar"), strict=True):
        heading = lines.index(group)  # the group's name alone, heading its entries
        assert lines[heading + 1].strip() == f"1. {first}"
        assert not any(line.startswith(f"{group}:") for line in lines)


async def test_what_is_refused_in_the_review(desk: Database) -> None:
    app = make_app(desk)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        listing = await wait_for(pilot, RecordListScreen)
        await pilot.press("slash", *"no such person", "enter")
        await pilot.pause()
        assert listing.query_one("#records").row_count == 0
        assert str(listing.query_one("#list-status").render()) == _("No records match.")
        # A record still being filled in at a kiosk cannot be corrected.
        unfinished = uuid.UUID("00000000-0000-4000-8000-000000000000")
        assert records.get_record(desk, unfinished).status == Status.in_progress
        app.push_screen(RecordScreen(unfinished))
        screen = await wait_for(pilot, RecordScreen)
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, CorrectDialog)
        assert str(screen.query_one("#record-error").render()) == _(
            "Only submitted or reviewed records can be corrected."
        )
    assert records.get_record(desk, unfinished).status == Status.in_progress


# ---------------------------------------------------------------- slow work off the event loop


async def test_the_login_checks_the_password_off_the_event_loop(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2id takes up to a second: meanwhile the screen says it is checking, takes keys,
    and a second Enter or click does not try the password again."""
    held = Held(monkeypatch, accounts, "authenticate")
    app = make_app(desk)
    async with app.run_test(size=(80, 24)) as pilot:
        ticks = ticking(app)
        await pilot.pause()
        login = app.screen
        await pilot.press(*"kari", "enter", *PASSWORD, "enter")
        await until(pilot, lambda: held.started == 1)
        assert app.screen is login
        assert str(login.query_one("#login-error").render()) == _("Checking…")
        await responsive(pilot, ticks, held)
        await pilot.press("x")  # a key is taken meanwhile
        assert login.query_one("#password").value == PASSWORD + "x"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.click("#login")
        held.go_on()
        await wait_for(pilot, RecordListScreen)
    assert held.started == 1
    assert [e.actor_name for e in audit.events(desk, action=audit.Action.login)] == ["kari"]


async def test_the_list_is_read_off_the_event_loop(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a page is read the list says so and takes keys; reading it again meanwhile (F5)
    does not read it twice."""
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        ticks = ticking(app)
        held = Held(monkeypatch, review, "list_records")
        await log_in(pilot)
        await until(pilot, lambda: isinstance(app.screen, RecordListScreen) and held.started == 1)
        listing = app.screen
        assert str(listing.query_one("#list-status").render()) == _("Loading…")
        await responsive(pilot, ticks, held)
        await pilot.press("f5", "f5")
        await pilot.press("slash")  # a key is taken meanwhile
        assert app.focused is listing.query_one("#search")
        held.go_on()
        await until(pilot, lambda: held.finished == 1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(listing.query_one("#list-status").render()) == "Post 1–19 av 19."
        assert listing.query_one("#records", DataTable).row_count == 19
    assert held.started == 1
    assert len(audit.events(desk, action=audit.Action.records_listed)) == 1


async def test_a_remark_is_saved_off_the_event_loop_and_once(
    desk: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a remark is saved the dialog says so and the app goes on; a second Save, Escape
    or Cancel meanwhile neither saves it twice nor loses it."""
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        app.push_screen(RecordScreen(SELAM))
        await wait_for(pilot, RecordScreen)
        await app.workers.wait_for_complete()
        await pilot.press("r")
        dialog = await wait_for(pilot, RemarkDialog)
        await pilot.press(*"Snakker også arabisk.")
        ticks = ticking(app)
        held = Held(monkeypatch, review, "add_remark")
        await pilot.click("#save")
        await until(pilot, lambda: held.started == 1)
        assert app.screen is dialog
        assert str(dialog.query_one(".dialog-error").render()) == _("Saving…")
        await responsive(pilot, ticks, held)
        await pilot.click("#save")
        await pilot.press("escape")
        await pilot.click("#cancel")
        assert app.screen is dialog
        held.go_on()
        screen = await wait_for(pilot, RecordScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(screen.query_one("#record-error").render()) == _("Saved.")
    assert held.started == 1
    (remark,) = review.load_view(desk, SELAM).remarks
    assert remark.text == "Snakker også arabisk."


# ---------------------------------------------------------------- pictures


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_record_list_picture(
    snap_compare: Callable[..., bool], desk: Database, size: tuple[int, int]
) -> None:
    async def open_list(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        await list_shown(pilot)

    assert snap_compare(make_app(desk), terminal_size=size, run_before=open_list)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_record_view_picture(
    snap_compare: Callable[..., bool], desk: Database, size: tuple[int, int]
) -> None:
    async def open_record(pilot: Pilot[Any]) -> None:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        pilot.app.push_screen(RecordScreen(SELAM))
        await wait_for(pilot, RecordScreen)

    assert snap_compare(make_app(desk), terminal_size=size, run_before=open_record)


def burst(app: App[None], keys: list[str]) -> None:
    """Send ``keys`` the way a terminal delivers a password manager's typing: all at once,
    none waiting for the one before it to be handled (Pilot's ``press`` waits)."""
    for key in keys:
        name = {" ": "space", "\t": "tab"}.get(key, key)
        character = {"tab": "\t", "enter": "\r"}.get(key, key if len(key) == 1 else None)
        event = events.Key(name, character)
        event.set_sender(app)
        app._driver.send_message(event)  # type: ignore[union-attr]


def typing_at_once(kind: type[App[None]]) -> type[App[None]]:
    """``kind``, typed into in one burst before its login screen is even shown."""
    styles = kind.CSS_PATH if isinstance(kind.CSS_PATH, list) else [kind.CSS_PATH]
    here = Path(kompass_tui.__file__).parent

    class Early(kind):  # type: ignore[valid-type,misc]
        CSS_PATH: ClassVar[list[str | PurePath]] = [here / str(path) for path in styles]

        def on_mount(self) -> None:  # Textual runs the app's own on_mount after this one
            burst(self, [*"kari", "tab", *PASSWORD, "enter"])

    return Early


@pytest.mark.parametrize(("kind", "then"), [(ReviewApp, RecordListScreen),
                                            (AssistApp, AssistStartScreen)])  # fmt: skip
@pytest.mark.parametrize("when", ["shown", "starting"])
async def test_a_password_managers_burst_lands_in_its_fields(
    desk: Database, kind: type[App[None]], then: type, when: str
) -> None:
    """User name, Tab, password and Enter typed at once (as a password manager types them),
    right as the login opens: each key lands in its field and the caseworker is logged in;
    the password never becomes a user name in the audit."""
    app = (typing_at_once(kind) if when == "starting" else kind)(desk)  # type: ignore[call-arg]
    async with app.run_test(size=(100, 30)) as pilot:
        if when == "shown":
            burst(app, [*"kari", "tab", *PASSWORD, "enter"])
        await wait_for(pilot, then)
        assert not any(isinstance(screen, LoginScreen) for screen in app.screen_stack)
    assert [e.actor_name for e in audit.events(desk, action=audit.Action.login)] == ["kari"]
    assert audit.events(desk, action=audit.Action.login_failed) == []
