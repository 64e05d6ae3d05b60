"""Thanks, and nothing personal: the next person may be standing behind."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from kompass_tui.i18n import _
from kompass_tui.widgets.visual import Button, Label, Static

#: Seconds before the kiosk returns to the language picker by itself.
RECEIPT_SECONDS = 30


class ReceiptScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="receipt-box"):
            yield Label(_("Thank you!"), id="receipt-title")
            yield Static(
                _(
                    "Your answers have been sent to the municipality. You do not need to do anything more here."
                )
            )
            yield Static(_("The staff will contact you about the next steps."))
            yield Button(_("Finish"), id="finish", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#finish").focus()
        self.set_timer(RECEIPT_SECONDS, self._finish)

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        from kompass_tui.wizard_app import WizardApp

        if isinstance(self.app, WizardApp) and self.is_current:
            self.app.reset()
