"""The kiosk guard: the caseworker PIN to leave, the idle warning, and the apology after an
unexpected error."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, ScreenResultType

from kompass_tui.i18n import N_, _, ngettext
from kompass_tui.kiosk.host import KioskHost
from kompass_tui.storage.backoff import FREE_FAILURES, wait_after
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Input, Label, Static
from sporreskjema.i18n import translator

if TYPE_CHECKING:
    from kompass_tui.kiosk.settings import KioskSettings

#: Wrong PINs allowed before each further try must wait (the rule of wrong passwords).
PIN_FREE_TRIES = FREE_FAILURES + 1


class GuardScreen(ModalScreen[ScreenResultType]):
    """A dialog of the guard, closed once only: Textual's dismiss takes whatever screen is on
    top, so a second close (a key in the same moment as the countdown's end) would take the
    page under it, or fail on the last screen."""

    def close(self, result: ScreenResultType | None = None) -> None:
        if self.is_current:
            self.dismiss(result)


class PinScreen(GuardScreen[bool]):
    """Ask for the caseworker PIN; dismissed with True when it is right."""

    failures = 0
    locked_until = 0.0

    kiosk = Host(KioskHost)

    def __init__(self) -> None:
        super().__init__()
        #: The PIN is being checked (off the event loop).
        self._checking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Label(_("Caseworker PIN"), id="pin-title")
            yield Static(_("Only staff can leave the kiosk."))
            yield Input(password=True, id="pin", max_length=12)
            yield Static("", id="pin-error", classes="question-error")
            with Horizontal():
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("OK"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pin-error").display = False
        self.set_focus(self.query_one("#pin"))

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#ok")
    def _check(self) -> None:
        if self._checking:
            return  # one PIN at a time: a second Enter must not try it again
        pin = self.query_one("#pin", Input)
        error = self.query_one("#pin-error", Static)
        wait = PinScreen.locked_until - time.monotonic()
        if wait > 0:
            seconds = int(wait) + 1
            error.update(
                ngettext("Wait %(n)d second.", "Wait %(n)d seconds.", seconds) % {"n": seconds}
            )
            error.display = True
            return
        self._checking = True
        error.update(_("Checking…"))
        error.display = True
        in_background(self, self._verify(self.kiosk.settings, pin.value), group="pin")

    async def _verify(self, settings: KioskSettings, typed: str) -> None:
        """Check the PIN off the event loop (it is an Argon2 hash), then close or say so."""
        try:
            right = await asyncio.to_thread(settings.check_pin, typed)
        finally:
            self._checking = False
        if right:
            PinScreen.failures = 0
            self.close(True)
            return
        pin = self.query_one("#pin", Input)
        error = self.query_one("#pin-error", Static)
        PinScreen.failures += 1
        wait = wait_after(PinScreen.failures)
        if wait:
            PinScreen.locked_until = time.monotonic() + wait
        pin.value = ""
        error.update(_("Wrong PIN."))
        error.display = True

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.close(False)

    def key_escape(self) -> None:
        self.close(False)


class IdleScreen(GuardScreen[bool]):
    """ "Are you still there?" with a countdown; dismissed with True when time ran out."""

    def __init__(self, seconds: int) -> None:
        super().__init__()
        self.remaining = seconds

    def compose(self) -> ComposeResult:
        with Vertical(id="idle-box"):
            yield Label(_("Are you still there?"), id="idle-title")
            yield Static("", id="idle-count")
            yield Button(_("Yes, continue"), id="continue", variant="primary")

    def on_mount(self) -> None:
        if not self.is_current:
            # Closed in the moment it was pushed, before it was built (the countdown's end,
            # a key): it is going, its count with it.
            return
        self._show()
        self.set_interval(1, self._tick)
        self.set_focus(self.query_one("#continue"))

    def _show(self) -> None:
        self.query_one("#idle-count", Static).update(
            ngettext(
                "The screen is cleared in %(n)d second. Your answers are saved.",
                "The screen is cleared in %(n)d seconds. Your answers are saved.",
                self.remaining,
            )
            % {"n": self.remaining}
        )

    def _tick(self) -> None:
        if not self.is_current:
            # Closing (a key in the same second), or under another screen: its countdown waits,
            # and its count may already be gone with it.
            return
        self.remaining -= 1
        if self.remaining <= 0:
            self.close(True)
        else:
            self._show()

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        self.close(False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.close(False)


#: Seconds the apology stays: it shows the person's resume code, and the next person may come.
APOLOGY_SECONDS = 120
#: Keys pressed this soon after the apology appeared were meant for the page before it.
APOLOGY_GRACE_SECONDS = 1.0


class ApologyScreen(GuardScreen[None]):
    """Said in the person's language after an unexpected error took the kiosk back to the
    language picker: their answers are saved and can be continued with their code."""

    SORRY = N_("Sorry, something went wrong.")
    WITH_CODE = N_(
        "Your answers are saved. To go on, press “%(button)s” under the list of languages, choose your language, and write your code %(code)s and your date of birth."
    )
    WITHOUT_CODE = N_("Nothing was saved yet. Choose your language to start again.")

    def __init__(self, locale: str, code: str | None) -> None:
        super().__init__()
        self.tr = translator(locale)
        self.code = code

    def compose(self) -> ComposeResult:
        from kompass_tui.storage.records import format_resume_code  # not at the kiosk's start
        from kompass_tui.wizard.screens.language import resume_label

        tr = self.tr
        if self.code:
            text = tr.gettext(self.WITH_CODE) % {
                "button": resume_label(),
                "code": format_resume_code(self.code),
            }
        else:
            text = tr.gettext(self.WITHOUT_CODE)
        with Vertical(id="apology-box"):
            yield Label(tr.gettext(self.SORRY), id="apology-title")
            yield Static(text, id="apology-text")
            yield Button(tr.gettext("OK"), id="apology-ok", variant="primary")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        self.set_focus(self.query_one("#apology-ok"))
        self.set_timer(APOLOGY_SECONDS, self.close)

    @on(Button.Pressed, "#apology-ok")
    def _ok(self) -> None:
        self.close()

    def on_key(self, event: events.Key) -> None:
        """Any key goes on, except those still on their way to the page that failed."""
        event.stop()
        if time.monotonic() - self.shown_at >= APOLOGY_GRACE_SECONDS:
            self.close()
