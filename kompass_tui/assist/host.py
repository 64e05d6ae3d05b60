"""What the assisted desk's own screens may ask of the desk (reached through
:class:`~kompass_tui.widgets.host.Host`; :class:`~kompass_tui.assist.app.AssistApp` provides it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kompass_tui.storage import records
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.models import Caseworker
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

    def continue_registration(self, key: str, assistance: records.Assistance) -> None:
        """Continue a registration begun at the kiosk (raises a StorageError with a message)."""
