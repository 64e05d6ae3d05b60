"""What every page of the open registration shares (at the kiosk and the assisted desk): it is
built in the current language and rebuilt when the language changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from kompass_tui.i18n import current
from kompass_tui.widgets.host import Host
from kompass_tui.wizard.host import WizardHost
from sporreskjema.i18n import Translator

if TYPE_CHECKING:
    from kompass_tui.wizard.registration import Registration


class RegistrationScreen(Screen[None]):
    """A page of the registration open now (a section, an entry, the summary)."""

    #: The app, as what the wizard's screens may ask of it.
    wizard = Host(WizardHost)

    def __init__(self) -> None:
        super().__init__()
        self.built_in = current().locale
        #: The language of the caseworker's side when the screen was built (assisted desk).
        self.built_beside: Translator | None = None

    def on_compose(self) -> None:
        self.built_beside = self.wizard.companion

    @property
    def registration(self) -> Registration:
        registration = self.wizard.registration
        assert registration is not None, "no registration is open"
        return registration

    async def rebuild(self) -> None:
        """Build the screen again (after a language change or a change of entries)."""
        self.built_in = current().locale
        self.built_beside = self.wizard.companion
        await self.recompose()

    async def on_screen_resume(self) -> None:
        if self.wizard.registration is None:
            return  # uncovered while the kiosk forgets the person: about to go, not to be shown
        if self.built_in != current().locale or self.built_beside is not self.wizard.companion:
            await self.rebuild()
