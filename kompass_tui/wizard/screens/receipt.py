"""Thanks, and nothing personal: the next person may be standing behind."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from kompass_tui.i18n import N_, _
from kompass_tui.widgets.chrome import beside, both
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Label, Static
from kompass_tui.wizard.host import WizardHost

#: Seconds before the kiosk returns to the language picker by itself.
RECEIPT_SECONDS = 30

#: What the receipt says, paragraph by paragraph.
RECEIPT_TEXT = (
    N_(
        "Your answers have been sent to the municipality. You do not need to do anything more here."
    ),
    N_("The staff will contact you about the next steps."),
)


class ReceiptScreen(Screen[None]):
    """At the assisted desk each line is followed by the caseworker's language."""

    wizard = Host(WizardHost)

    def compose(self) -> ComposeResult:
        desk = beside(self.app)
        with Vertical(id="receipt-box"):
            yield Label(both(self.app, N_("Thank you!")), id="receipt-title")
            for paragraph in RECEIPT_TEXT:
                yield Static(_(paragraph))
                if desk is not None:
                    yield Static(desk.gettext(paragraph), classes="desk-beside")
            yield Button(both(self.app, N_("Finish")), id="finish", variant="primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#finish"))
        self.set_timer(RECEIPT_SECONDS, self._finish)

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        if self.is_current:
            self.wizard.reset()
