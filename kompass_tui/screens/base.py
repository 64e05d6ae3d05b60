"""What every kiosk screen shares: it is built in the current language and rebuilt
when the language changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from kompass_tui.i18n import current

if TYPE_CHECKING:
    from kompass_tui.app import KioskApp
    from kompass_tui.registration import Registration


class KioskScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.built_in = current().locale

    @property
    def kiosk(self) -> KioskApp:
        from kompass_tui.app import KioskApp

        assert isinstance(self.app, KioskApp)
        return self.app

    @property
    def registration(self) -> Registration:
        registration = self.kiosk.registration
        assert registration is not None, "no registration is open"
        return registration

    async def rebuild(self) -> None:
        """Build the screen again (after a language change or a change of entries)."""
        self.built_in = current().locale
        await self.recompose()

    async def on_screen_resume(self) -> None:
        if self.built_in != current().locale:
            await self.rebuild()
