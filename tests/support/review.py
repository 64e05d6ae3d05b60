"""Logging in to the review or the assisted desk through Pilot, and waiting for a screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from kompass_tui.widgets.login import LoginScreen

PASSWORD = "a long passphrase"


async def log_in(pilot: Pilot[None], password: str = PASSWORD) -> None:
    await pilot.pause()
    login = pilot.app.screen
    assert isinstance(login, LoginScreen)
    await pilot.press(*"kari", "enter", *password, "enter")
    # The password is checked off the event loop (an empty list would wait for every worker).
    checking = [worker for worker in pilot.app.workers if worker.node is login]
    if checking:
        await pilot.app.workers.wait_for_complete(checking)
    await pilot.pause()
    await pilot.pause()


async def tables_laid_out(pilot: Pilot[None], screen: Any) -> None:
    """Wait until every table on ``screen`` has measured its columns for the rows it holds.

    A table sizes its columns when the app is next idle after rows are added; on a loaded
    machine a picture taken a moment too soon shows the columns cut to their headings."""
    for table in screen.query(DataTable):
        for _attempt in range(100):
            if not table._require_update_dimensions and not table._new_rows:
                break
            await pilot.pause(0.02)
        else:
            raise AssertionError(f"{table!r} never measured its columns")
    await pilot.pause()


async def wait_for(pilot: Pilot[None], kind: type) -> Any:
    for _attempt in range(50):
        if isinstance(pilot.app.screen, kind):
            await pilot.pause()
            screen = pilot.app.screen
            # What the screen reads it reads off the event loop (an empty list waits for all).
            reading = [worker for worker in pilot.app.workers if worker.node is screen]
            if reading:
                await pilot.app.workers.wait_for_complete(reading)
                await pilot.pause()
            await tables_laid_out(pilot, screen)
            return screen
        await pilot.pause(0.05)
    raise AssertionError(f"no {kind.__name__}; on {pilot.app.screen!r}")


async def list_shown(pilot: Pilot[None]) -> Any:
    """The record list, once its page is read and shown and its columns measured. The page is
    read off the event loop from the list's mount, which may come a moment after the screen is
    on top: :func:`wait_for` alone can find no reading started yet, and a picture taken then
    has the rows drawn in columns measured for none."""
    from kompass_tui.review.screens.record_list import RecordListScreen

    screen = await wait_for(pilot, RecordListScreen)
    for _attempt in range(250):
        if screen._reading is None and screen.query_one(DataTable).row_count:
            break
        await pilot.pause(0.02)
    else:
        raise AssertionError("the list never showed its page")
    await tables_laid_out(pilot, screen)
    return screen
