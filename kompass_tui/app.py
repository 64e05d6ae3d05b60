"""The kiosk: a person registers alone, in their own language, and the kiosk resets for the next.

Language picker → start → the sections in order → summary → send → receipt → back to
the language picker. Leaving the kiosk (quit, suspend, the command palette) needs the
caseworker PIN. After a time without input it warns, then clears the screen; the saved
answers wait for the resume code and the date of birth.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from kompass_tui.i18n import current
from kompass_tui.screens.guard import IdleScreen, PinScreen
from kompass_tui.screens.language import LanguageScreen
from kompass_tui.settings import IDLE_WARNING_SECONDS, KioskSettings
from kompass_tui.wizard_app import WizardApp

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database

# The language picker is painted first; the questionnaire, storage and their screens are
# loaded and the database opened right after, while the person looks at the picker.


HIGH_CONTRAST = Theme(
    name="kompass-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    error="#FF6060",
    success="#00FF00",
    warning="#FFA500",
    dark=True,
)


class KioskApp(WizardApp):
    """The self-registration kiosk."""

    CSS_PATH = "styles/kiosk.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Every way out asks for the PIN first.
        Binding("ctrl+q", "leave", show=False, priority=True),
        Binding("ctrl+c", "leave", show=False, priority=True),
        Binding("ctrl+z", "leave", show=False, priority=True),
        Binding("ctrl+backslash", "leave", show=False, priority=True),
        Binding("ctrl+p", "leave", show=False, priority=True),
        Binding("f2", "language", show=False, priority=True),
        Binding("f3", "contrast", show=False, priority=True),
    ]

    def __init__(
        self,
        db: Database | str | None,
        settings: KioskSettings,
        *,
        idle_seconds: int | None = None,
        high_contrast: bool = False,
        today: dt.date | None = None,
    ) -> None:
        """``db``: an open database, or the URL (``None``: the default) to open after the
        first screen is painted."""
        super().__init__(db, today=today)
        self.settings = settings
        self.idle_seconds = idle_seconds if idle_seconds is not None else settings.idle_seconds
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name

    def get_default_screen(self) -> Screen[str]:
        return LanguageScreen()

    def on_mount(self) -> None:
        self.set_interval(1, self._check_idle)
        super().on_mount()

    def resume(self, code: str, birth_date: dt.date) -> None:
        """Continue a registration (raises a StorageError with a message when it cannot)."""
        from kompass_tui.registration import Registration

        self.registration = Registration.resume(
            self.db, code=code, birth_date=birth_date, locale=current().locale, today=self.today
        )
        self.open_where_missing()

    def may_switch_language(self) -> bool:
        return super().may_switch_language() and not isinstance(self.screen, PinScreen | IdleScreen)

    def action_contrast(self) -> None:
        self.theme = "textual-dark" if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    # ---------------------------------------------------------------- the guard

    def _check_idle(self) -> None:
        if self.idle_seconds <= 0 or isinstance(self.screen, IdleScreen):
            return
        if isinstance(self.screen, PinScreen):
            # a PIN dialog left open must not keep the kiosk from clearing itself
            if self.idle_for() >= self.idle_seconds:
                self.screen.dismiss(False)
            return
        nothing_to_clear = self.registration is None and len(self.screen_stack) <= 1
        if nothing_to_clear:
            return
        if self.idle_for() >= self.idle_seconds:
            self.push_screen(IdleScreen(IDLE_WARNING_SECONDS), self._idle_done)

    def _idle_done(self, timed_out: bool | None) -> None:
        self.touch()
        if timed_out:
            self.reset()

    def action_leave(self) -> None:
        if isinstance(self.screen, PinScreen):
            return
        self.push_screen(PinScreen(), self._pin_done)

    def _pin_done(self, right: bool | None) -> None:
        if right:
            self.exit()

    async def action_quit(self) -> None:
        self.action_leave()

    def action_help_quit(self) -> None:
        self.action_leave()

    def action_suspend_process(self) -> None:
        self.action_leave()

    def action_command_palette(self) -> None:
        self.action_leave()
