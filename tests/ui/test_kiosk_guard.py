"""Guessing the caseworker PIN at the kiosk: after a few wrong PINs every further try waits,
twice as long each time, and while it waits even the right PIN does not open the kiosk; the
PIN is the same in whatever digits it is typed."""

from __future__ import annotations

import time
from typing import Any

import pytest

from kompass_tui.kiosk import settings
from kompass_tui.kiosk.screens.guard import PIN_FREE_TRIES, IdleScreen, PinScreen
from kompass_tui.storage.database import Database
from tests.support.kiosk_pilot import PIN, make_app, pick_language
from tests.support.slow_work import Held, responsive, ticking, until

SIZE = (100, 40)


async def pin_checked(pilot: Any) -> None:
    """The PIN is checked off the event loop: wait until it has been, not for a fixed time."""
    await pilot.pause()
    await until(pilot, lambda: not getattr(pilot.app.screen, "_checking", False))


def _error(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#pin-error").render())


async def test_the_pin_is_checked_off_the_event_loop(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PIN is an Argon2 hash: while it is checked the kiosk goes on ticking, says so, and
    a second Enter does not check it again."""
    monkeypatch.setattr(PinScreen, "failures", 0)
    monkeypatch.setattr(PinScreen, "locked_until", 0.0)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        ticks = ticking(app)
        held = Held(monkeypatch, app.settings, "check_pin")
        await pilot.press("ctrl+q")
        screen = app.screen
        assert isinstance(screen, PinScreen)
        await pilot.press(*"1111", "enter")
        await until(pilot, lambda: held.started == 1)
        assert _error(app) == "Checking…"
        await responsive(pilot, ticks, held)
        await pilot.press("enter")
        held.go_on()
        await until(pilot, lambda: _error(app) == "Wrong PIN.")
        assert app.screen is screen
    assert held.started == 1
    assert PinScreen.failures == 1


async def test_wrong_pins_are_slowed_down(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PinScreen, "failures", 0)
    monkeypatch.setattr(PinScreen, "locked_until", 0.0)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, PinScreen)
        for _try in range(PIN_FREE_TRIES):
            await pilot.press(*"1111", "enter")
            await pin_checked(pilot)
            assert _error(app) == "Wrong PIN."
        assert 4 < PinScreen.locked_until - time.monotonic() <= 5
        # While it waits, the right PIN is not even tried.
        await pilot.press(*PIN, "enter")
        await pin_checked(pilot)
        assert isinstance(app.screen, PinScreen)
        assert _error(app) == "Wait 5 seconds."
        # Leaving the PIN screen and coming back does not end the wait.
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await pilot.pause()
        app.screen.query_one("#pin").value = ""  # type: ignore[attr-defined]
        await pilot.press(*PIN, "enter")
        await pin_checked(pilot)
        assert isinstance(app.screen, PinScreen)
        assert _error(app).startswith("Wait")
        # The wait is over: one more wrong PIN waits twice as long.
        PinScreen.locked_until = 0.0
        app.screen.query_one("#pin").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"1111", "enter")
        await pin_checked(pilot)
        assert 9 < PinScreen.locked_until - time.monotonic() <= 10
        PinScreen.locked_until = 0.0
        app.screen.query_one("#pin").value = ""  # type: ignore[attr-defined]
        await pilot.press(*PIN, "enter")
        await pin_checked(pilot)
        assert PinScreen.failures == 0  # the right PIN starts the count again
    assert app.return_code == 0


async def test_wrong_pins_wait_by_the_rule_of_wrong_passwords(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PIN waits as a login does (storage/backoff.py): 5 s, doubling, and never more than
    15 minutes, so a visitor cannot lock the staff out of their own kiosk for hours."""
    from kompass_tui.storage.backoff import MAX_WAIT_SECONDS, wait_after

    monkeypatch.setattr(PinScreen, "failures", 0)
    monkeypatch.setattr(PinScreen, "locked_until", 0.0)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await pilot.press("ctrl+q")
        waits = []
        for _try in range(12):
            PinScreen.locked_until = 0.0
            app.screen.query_one("#pin").value = ""  # type: ignore[attr-defined]
            await pilot.press(*"1111", "enter")
            await pilot.pause()
            waits.append(round(max(PinScreen.locked_until - time.monotonic(), 0)))
        assert waits == [wait_after(n) for n in range(1, 13)]
        assert waits[-1] == MAX_WAIT_SECONDS
        PinScreen.locked_until = 0.0
        await pilot.press("escape")


@pytest.mark.parametrize(
    ("set_as", "typed"), [("۱۲۳۴", "1234"), ("1234", "١٢٣٤"), ("4821", "۴۸۲۱")]
)
def test_a_pin_is_the_same_in_any_digits(set_as: str, typed: str) -> None:
    """Staff on a Dari or Arabic keyboard set or type the PIN in its digits: the same PIN."""
    settings.set_pin(set_as)
    assert settings.load().check_pin(typed)
    assert not settings.load().check_pin("9999")


@pytest.mark.parametrize("pin", ["²³⁴⁵", "12", "12a4"])
def test_a_pin_is_digits(pin: str) -> None:
    with pytest.raises(settings.SettingsError):
        settings.check_new_pin(pin)


@pytest.mark.parametrize(
    "stored",
    [
        '{"idle_seconds": "five minutes"}',
        '{"idle_seconds": null}',
        '{"idle_seconds": [300]}',
        '{"idle_seconds": 2.5}',
        '{"idle_seconds": true}',
        '{"idle_seconds": -1}',
        '["idle_seconds", 300]',
    ],
)
def test_a_bad_idle_time_in_the_settings_is_one_clear_line(stored: str) -> None:
    """A hand-edited kiosk.json with an idle time that is no number of seconds stops the kiosk
    with one translated line naming the file, as an unreadable file does: never the
    'something unexpected' exit (70), and never a kiosk that silently stops clearing itself."""
    from typer.testing import CliRunner

    from kompass_tui.cli import app

    path = settings.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(stored, encoding="utf-8")
    with pytest.raises(settings.SettingsError):
        settings.load()
    result = CliRunner().invoke(app, ["kiosk"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: The "), lines[0]
    assert str(path) in lines[0], lines[0]
    assert "unexpected" not in lines[0]


def test_a_good_idle_time_in_the_settings_is_used() -> None:
    path = settings.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"idle_seconds": 0}', encoding="utf-8")
    assert settings.load().idle_seconds == 0
    path.write_text("{}", encoding="utf-8")
    assert settings.load().idle_seconds == settings.DEFAULT_IDLE_SECONDS


async def test_the_idle_countdown_that_ticks_as_it_closes_does_nothing(sqlite_db: Database) -> None:
    """A key and the countdown's next second at the same moment: the tick found the closing
    warning's count gone, and the kiosk had to recover with an apology (found by the monkey
    test on a busy machine)."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "ti")
        warning = IdleScreen(30)
        app.push_screen(warning)
        await pilot.pause()
        await pilot.press("a")  # the person is still there
        await pilot.pause()
        assert not warning.is_current
        # Its own second may have ticked before the key on a loaded machine: what counts is
        # that the tick after it closed changes nothing.
        left = warning.remaining
        warning._tick()  # the second that was already due
        await pilot.pause()
        assert warning.remaining == left
        assert app.recovered == []
        assert not isinstance(app.screen, IdleScreen)


async def test_an_idle_warning_closed_before_it_is_on_screen_does_nothing(
    sqlite_db: Database,
) -> None:
    """The warning closed in the moment it is pushed, before it is built (its countdown's end,
    or a key): building it then found its count gone with it, and the kiosk had to recover
    with an apology (found by the monkey test on a busy CI machine)."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "uk")
        warning = IdleScreen(1)
        app.push_screen(warning)
        warning._tick()  # the last second, before the screen has been built
        await pilot.pause()
        await pilot.pause()
        assert app.recovered == []
        assert not isinstance(app.screen, IdleScreen)
