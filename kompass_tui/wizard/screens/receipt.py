"""Thanks, and nothing personal: the next person may be standing behind."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from kompass_tui.i18n import N_, _
from kompass_tui.widgets.chrome import beside, both
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Label, Static
from kompass_tui.wizard.host import WizardHost

#: Seconds before the kiosk returns to the language picker by itself.
RECEIPT_SECONDS = 30

#: What the receipt says about the person's printed copy, as it goes.
PRINTING = N_("Your copy is being printed …")
PRINTED = N_("Your copy is printed. Take it from the printer.")
NOT_PRINTED = N_("Your copy could not be printed. Ask the staff for help.")

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
            if self.wizard.can_print():
                # Only the word that a copy is coming: nothing of the person is shown here.
                with Horizontal(classes="receipt-actions"):
                    yield Button(both(self.app, N_("Print my copy")), id="print")
                yield Static("", id="print-status")
            with Horizontal(classes="receipt-actions"):
                yield Button(both(self.app, N_("Finish")), id="finish", variant="primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#finish"))
        self.set_timer(RECEIPT_SECONDS, self._finish)

    @on(Button.Pressed, "#print")
    def _print(self) -> None:
        button = self.query_one("#print", Button)
        button.disabled = True  # one copy a person
        self.show_printing(PRINTING)
        self.wizard.print_copy()
        self.set_focus(self.query_one("#finish"))

    def show_printing(self, message: str) -> None:
        """Say how the copy is coming along (``message``: one of the texts above)."""
        status = self.query_one("#print-status", Static)
        status.update(both(self.app, message))

    @on(Button.Pressed, "#finish")
    def _finish(self) -> None:
        if self.is_current:
            self.wizard.reset()
