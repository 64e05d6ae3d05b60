"""Make one real storage or password function slow, to see a screen stay responsive while it
runs: the call waits (in whatever thread made it) until the test lets it go on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

#: The longest a held call waits: code that wrongly runs it on the event loop stands still this
#: long, since nobody can let it go. Generous, because a held call that goes on by itself looks
#: like a finished one: in CI, under the whole suite's load, three clicks once took over 3 s.
HOLD_SECONDS = 30.0


class Held:
    """Stands in for ``owner.name``: each call waits until :meth:`go_on`, then runs the real
    function on the real database."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.real: Callable[..., Any] = getattr(owner, name)
        self.started = 0
        self.finished = 0
        #: The test never let the call go on: it went on by itself after HOLD_SECONDS.
        self.timed_out = False
        self._go_on = threading.Event()
        monkeypatch.setattr(owner, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.started += 1
        if not self._go_on.wait(HOLD_SECONDS):
            self.timed_out = True
        try:
            return self.real(*args, **kwargs)
        finally:
            self.finished += 1

    def go_on(self) -> None:
        assert not self.timed_out, "the held call went on by itself before the test let it"
        self._go_on.set()


def ticking(app: App[Any]) -> list[float]:
    """A timer of the app that ticks every 20 ms while the event loop is free."""
    ticks: list[float] = []
    app.set_interval(0.02, lambda: ticks.append(time.monotonic()))
    return ticks


async def until(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("it did not happen in time")
        await pilot.pause(0.02)


async def responsive(pilot: Pilot[Any], ticks: list[float], held: Held) -> None:
    """While ``held`` runs, the app's timer goes on ticking."""
    assert held.started, "the slow work should have begun"
    assert not held.finished, "the slow work should still be under way"
    before = len(ticks)
    await pilot.pause(0.3)
    assert len(ticks) >= before + 5, "the event loop stood still"
    assert not held.finished
