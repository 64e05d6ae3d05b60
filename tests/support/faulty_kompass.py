"""The real ``kompass`` program with one fault put in, for the terminal tests that check that a
kiosk survives what it did not foresee (tests/e2e/test_kiosk_terminal_recovery.py).

    python tests/support/faulty_kompass.py screen|app|desk kiosk|assist [options]

``screen``: the first page of the survey fails as it opens, in its screen (the kiosk recovers in
place). ``app``: the first F2 fails in the app itself, whose message loop then ends, so
``kompass kiosk`` must start a new kiosk. ``desk``: the first F4 at the assisted desk fails in
the app itself (even while the desk is locked), so ``kompass assist`` must start a new desk,
locked.
"""

from __future__ import annotations

import sys

from kompass_tui.assist.app import AssistApp
from kompass_tui.cli import main
from kompass_tui.wizard.app import WizardApp
from kompass_tui.wizard.screens.section import SectionScreen

faults = {"left": 1}


def _fail_once(what: str) -> None:
    if faults["left"]:
        faults["left"] -= 1
        raise RuntimeError(f"a fault put in {what} by the test")


def _screen_fault(self: SectionScreen) -> None:
    _fail_once("a screen")
    opened(self)


def _app_fault(self: WizardApp) -> None:
    _fail_once("the app")
    language(self)


def _desk_fault(self: AssistApp) -> None:
    _fail_once("the desk")
    companion(self)


opened = SectionScreen.on_mount
language = WizardApp.action_language
companion = AssistApp.action_companion_language

if __name__ == "__main__":
    fault = sys.argv.pop(1)
    if fault == "screen":
        SectionScreen.on_mount = _screen_fault  # type: ignore[method-assign]
    elif fault == "desk":
        AssistApp.action_companion_language = _desk_fault  # type: ignore[method-assign]
    else:
        WizardApp.action_language = _app_fault  # type: ignore[method-assign]
    main()
