"""What the wizard's screens may ask of the app they run in (the kiosk or the assisted desk).

Screens reach it through :class:`~kompass_tui.widgets.host.Host` (``wizard = Host(WizardHost)``),
never by importing an app; :class:`~kompass_tui.wizard.app.WizardApp` provides it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kompass_tui.i18n import Msg
    from kompass_tui.storage.database import Database
    from kompass_tui.wizard.registration import Registration
    from sporreskjema.i18n import Translator


class WizardHost(Protocol):
    """One registration at a time, section by section, in the person's language."""

    #: The registration open now (``None`` between people).
    registration: Registration | None
    #: The language shown beside the person's on every page (the assisted desk only).
    companion: Translator | None
    today: dt.date

    def start(self, locale: str) -> None:
        """Begin a new registration in ``locale`` (the language picker's choice)."""

    def use_locale(self, locale: str) -> None:
        """Speak ``locale`` from now on."""

    def go_to(
        self,
        index: int,
        *,
        start_at: str | None = None,
        from_summary: bool = False,
        notice: Msg | None = None,
    ) -> None:
        """Show section ``index`` (the last one is the summary)."""

    def open_where_missing(
        self, section: str | None = None, *, notice: Msg | None = None, from_summary: bool = False
    ) -> None:
        """Show the registration where something is still missing."""

    def finished(self) -> None:
        """The registration is sent: show the receipt."""

    def reset(self) -> None:
        """Forget the current person and return to the first screen."""

    def speaks(self) -> bool:
        """Whether there is sound to read a screen aloud with."""

    def stop_speaking(self) -> None:
        """End what is being read aloud (the page it was about has gone)."""

    def touch(self) -> None:
        """Note input from the person (the idle time starts again)."""

    def can_print(self) -> bool:
        """Whether the receipt offers the person a printed copy (a kiosk with a printer)."""

    def print_copy(self) -> None:
        """Print the person's copy of what they just sent; the receipt hears how it went
        (:meth:`~kompass_tui.wizard.screens.receipt.ReceiptScreen.show_printing`)."""


class ResumeHost(WizardHost, Protocol):
    """A wizard where a person continues their own registration with its code (the kiosk)."""

    def resume(self, code: str, birth_date: dt.date, locale: str | None = None) -> None:
        """Continue a registration (raises a StorageError with a message when it cannot)."""

    @property
    def db(self) -> Database:
        """Where the registrations are (the resume screen finds one off the event loop)."""

    def resumed(self, registration: Registration) -> None:
        """Show a registration the resume screen found with its code."""
