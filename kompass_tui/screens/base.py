"""What every screen of the wizard shares (kiosk and assisted desk): it is built in the current language and rebuilt
when the language changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from kompass_tui.i18n import current
from sporreskjema.i18n import Translator

if TYPE_CHECKING:
    from kompass_tui.registration import Registration
    from kompass_tui.wizard_app import WizardApp


class KioskScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.built_in = current().locale
        #: The language of the caseworker's side when the screen was built (assisted desk).
        self.built_beside: Translator | None = None

    def on_compose(self) -> None:
        self.built_beside = self.wizard.companion

    @property
    def wizard(self) -> WizardApp:
        from kompass_tui.wizard_app import WizardApp

        assert isinstance(self.app, WizardApp)
        return self.app

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
