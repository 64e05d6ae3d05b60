"""The first run of ``kompass kiosk`` and ``kompass kiosk --set-pin``: staff choose the
caseworker PIN. A PIN that is too short, or typed differently the second time, is asked
for again in the user's language; ending the input stops the command with one line."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kompass_tui.cli import app as cli
from kompass_tui.kiosk import app as app_module
from kompass_tui.kiosk import settings
from sporreskjema import translator

LOCALES = ["nb", "uk", "ar", "ti"]
PIN = "4821"
#: Click's own English, which the command must never show.
CLICK_MISMATCH = "do not match"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[settings.KioskSettings]:
    """The kiosk is not really started: the settings it would start with are noted."""
    runs: list[settings.KioskSettings] = []

    def run_kiosk(_db: Any, kiosk_settings: settings.KioskSettings, **_options: Any) -> int:
        runs.append(kiosk_settings)
        return 0

    monkeypatch.setattr(app_module, "run_kiosk", run_kiosk)
    return runs


def kompass(*args: str, typed: str, locale: str) -> Result:
    return CliRunner().invoke(cli, list(args), input=typed, env={"KOMPASS_LOCALE": locale})


def asked(result: Result, locale: str) -> int:
    """How many times the new PIN was asked for."""
    return result.output.count(translator(locale).gettext("New caseworker PIN (digits)"))


def saved_pin() -> bool:
    pin_hash = settings.load().pin_hash
    return pin_hash is not None and settings._hasher.verify(pin_hash, PIN)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("command", [["kiosk"], ["kiosk", "--set-pin"]])
def test_a_too_short_pin_is_asked_for_again(
    started: list[settings.KioskSettings], locale: str, command: list[str]
) -> None:
    result = kompass(*command, typed=f"12\n{PIN}\n{PIN}\n", locale=locale)
    assert result.exit_code == 0, result.output
    assert asked(result, locale) == 2
    tr = translator(locale)
    rule = tr.gettext("A PIN has %(min)d to %(max)d digits.") % {"min": 4, "max": 12}
    assert rule in result.output
    assert saved_pin()
    assert len(started) == (0 if "--set-pin" in command else 1)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("command", [["kiosk"], ["kiosk", "--set-pin"]])
def test_two_different_pins_are_asked_for_again(
    started: list[settings.KioskSettings], locale: str, command: list[str]
) -> None:
    result = kompass(*command, typed=f"1234\n4321\n{PIN}\n{PIN}\n", locale=locale)
    assert result.exit_code == 0, result.output
    assert asked(result, locale) == 2
    assert CLICK_MISMATCH not in result.output
    mismatch = translator(locale).gettext("The two PINs are not the same. Try again.")
    assert mismatch in result.output
    assert saved_pin()
    assert len(started) == (0 if "--set-pin" in command else 1)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("typed", ["", "12\n", f"{PIN}\n", "12345678901234\n1\n"])
def test_the_end_of_input_stops_in_one_line(
    started: list[settings.KioskSettings], locale: str, typed: str
) -> None:
    result = kompass("kiosk", typed=typed, locale=locale)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback: a clean exit
    last = result.output.strip().splitlines()[-1]
    assert translator(locale).gettext("No PIN was set.") in last
    assert not settings.load().pin_hash
    assert started == []


def test_ctrl_c_at_the_prompt_stops_in_one_line(
    started: list[settings.KioskSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    def interrupted(*_args: Any, **_kwargs: Any) -> str:
        raise typer.Abort()  # what the prompt raises for Ctrl+C

    monkeypatch.setattr(typer, "prompt", interrupted)
    result = kompass("kiosk", "--set-pin", typed="", locale="uk")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert (
        result.output.strip().splitlines()[-1].endswith(translator("uk").gettext("No PIN was set."))
    )
