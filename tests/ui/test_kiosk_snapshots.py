"""Snapshots of every kiosk screen at 80×24 and 120×40, in Norwegian bokmål and English.

Update after an intended change with ``pytest tests/ui/test_kiosk_snapshots.py --snapshot-update``
and look at every changed picture (``snapshot_report.html``) before committing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from kompass_tui.storage.database import Database
from tests.support.kiosk_pilot import make_app, section_matches, steady

SIZES = [(80, 24), (120, 40)]
LOCALES = ["nb", "en"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_language_picker(
    snap_compare: Callable[..., bool], sqlite_db: Database, size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(sqlite_db), terminal_size=size)


@pytest.mark.parametrize("section", range(8))
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_section(
    snap_compare: Callable[..., bool],
    sqlite_db: Database,
    size: tuple[int, int],
    locale: str,
    section: int,
) -> None:
    assert section_matches(snap_compare, sqlite_db, locale, section, size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pin_dialog(
    snap_compare: Callable[..., bool], sqlite_db: Database, size: tuple[int, int]
) -> None:
    app = make_app(sqlite_db)

    async def ask(pilot: Pilot[Any]) -> None:
        app.start("nb")
        await pilot.pause()
        await pilot.press("ctrl+q")
        steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=ask)


@pytest.mark.parametrize("locale", ["nb", "ar"])
def test_receipt(snap_compare: Callable[..., bool], sqlite_db: Database, locale: str) -> None:
    """Right to left the buttons stand at the right, where the lines begin."""
    from kompass_tui.wizard.screens.receipt import ReceiptScreen

    app = make_app(sqlite_db)

    async def thanked(pilot: Pilot[Any]) -> None:
        app.start(locale)
        await pilot.pause()
        app.push_screen(ReceiptScreen())
        await pilot.pause()
        steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=thanked)
