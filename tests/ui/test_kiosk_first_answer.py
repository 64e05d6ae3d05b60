"""The first answer on a slow machine: the database opens in the background while the language
picker is shown, and a person who picks a language and ticks the box at once has that answer
saved, with the resume code shown; the first page opens with the cursor in its question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox

from kompass_tui.kiosk.app import KioskApp
from kompass_tui.kiosk.settings import KioskSettings
from kompass_tui.storage import database, records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Record
from kompass_tui.wizard.screens.section import SectionScreen
from sporreskjema import translator
from tests.support.kiosk_pilot import TODAY, pick_language, pin_hash

SIZE = (100, 32)
LOCALES = ["nb", "uk", "ar", "ti"]
#: How long the database takes to open here: longer than a person takes to press a key.
SLOW_OPEN_SECONDS = 1.5


@pytest.fixture
def slow_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening the database takes a while, as on a loaded machine."""
    real = database.open_database

    def slow(*args: Any, **kwargs: Any) -> Database:
        time.sleep(SLOW_OPEN_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(database, "open_database", slow)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"


def kiosk(url: str) -> KioskApp:
    """The kiosk as ``kompass kiosk`` starts it: with the database's URL, opened once the
    language picker is painted."""
    kiosk_settings = KioskSettings(pin_hash=pin_hash())
    return KioskApp(url, kiosk_settings, idle_seconds=0, today=TODAY)


async def wait_until(pilot: Pilot[None], holds: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if holds():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}; on {pilot.app.screen!r}")


def top_bar(app: KioskApp) -> str:
    return str(app.screen.query_one("#where").render())


def stored_answers(url: str) -> dict[str, Any]:
    from sqlmodel import select

    db = open_database(url)
    try:
        with db.session() as session:
            (record,) = session.exec(select(Record)).all()
        return records.load_answers(db, record.id)
    finally:
        db.dispose()


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_box_ticked_at_once_is_saved_while_the_database_opens(
    slow_open: None, db_url: str, locale: str
) -> None:
    """Space pressed right after the language, before the database is open: it ticks the box
    on the first page, the answer is saved and the resume code is shown."""
    app = kiosk(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await pilot.press("space")
        await wait_until(pilot, lambda: isinstance(app.screen, SectionScreen), "the first page")
        await wait_until(
            pilot,
            lambda: app.registration is not None and app.registration.resume_code is not None,
            "the answer saved",
        )
        assert app.screen.query_one(Checkbox).value
        assert app.registration is not None
        assert app.registration.resume_code is not None
        code = records.format_resume_code(app.registration.resume_code)
        shown = translator(locale).gettext("Your code: %(code)s") % {"code": code}
        await wait_until(pilot, lambda: shown in top_bar(app), f"{shown!r} in the top bar")
    assert stored_answers(db_url) == {"acknowledged": True}


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_first_page_opens_with_the_cursor_in_its_question(
    slow_open: None, db_url: str, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cursor never stops anywhere else on the way: a key pressed on what the screen
    shows goes where the screen shows the cursor."""
    focused: list[Widget | None] = []
    set_focus = Screen.set_focus

    def recording(self: Screen[Any], widget: Widget | None, *args: Any, **kwargs: Any) -> None:
        if isinstance(self, SectionScreen):
            focused.append(widget)
        set_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", recording)
    app = kiosk(db_url)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await wait_until(pilot, lambda: isinstance(app.screen, SectionScreen), "the first page")
        await wait_until(pilot, lambda: app.focused is not None, "the cursor on the page")
        box = app.screen.query_one(Checkbox)
        assert app.focused is box
        assert focused == [box]
        await pilot.press("space")
        await wait_until(pilot, lambda: "·" in top_bar(app), "the resume code in the top bar")
    assert stored_answers(db_url) == {"acknowledged": True}
