"""Logging in to the review or the assisted desk through Pilot, and waiting for a screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

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
            return screen
        await pilot.pause(0.05)
    raise AssertionError(f"no {kind.__name__}; on {pilot.app.screen!r}")
