"""What the assisted desk's own screens may ask of the desk (reached through
:class:`~kompass_tui.widgets.host.Host`; :class:`~kompass_tui.assist.app.AssistApp` provides it)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kompass_tui.storage import records
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.models import Caseworker
    from kompass_tui.wizard.registration import Registration
    from sporreskjema.i18n import Translator


class AssistHost(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def logged_in(self) -> bool: ...

    @property
    def caseworker(self) -> Caseworker:
        """The caseworker who logged in (a RuntimeError before the login)."""

    @property
    def desk_language(self) -> Translator:
        """The caseworker's language (the person's is for the wizard's pages)."""

    def begin(self, locale: str, assistance: records.Assistance) -> None:
        """A new registration for the person in front of the desk."""

    #: The day the registration's deadlines and ages are counted from.
    today: dt.date

    def continue_registration(self, registration: Registration) -> None:
        """Continue a registration begun at the kiosk, found by the start screen (off the event
        loop) with :meth:`Registration.continue_assisted`."""
