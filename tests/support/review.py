"""Logging in to the review or the assisted desk through Pilot, and waiting for a screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from kompass_tui.screens.login import LoginScreen

PASSWORD = "a long passphrase"


async def log_in(pilot: Pilot[None], password: str = PASSWORD) -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, LoginScreen)
    await pilot.press(*"kari", "enter", *password, "enter")
    await pilot.pause()
    await pilot.pause()


async def wait_for(pilot: Pilot[None], kind: type) -> Any:
    for _attempt in range(50):
        if isinstance(pilot.app.screen, kind):
            await pilot.pause()
            return pilot.app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"no {kind.__name__}; on {pilot.app.screen!r}")
