"""The kiosk: a person registers alone, in their own language, and the kiosk resets for the next.

Language picker → start → the sections in order → summary → send → receipt → back to
the language picker. Leaving the kiosk (quit, suspend, the command palette) needs the
caseworker PIN. After a time without input it warns, then clears the screen; the saved
answers wait for the resume code and the date of birth.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from kompass_tui import bidi
from kompass_tui.crash import CrashLog
from kompass_tui.i18n import N_, _, current, set_locale
from kompass_tui.screens.guard import IdleScreen, PinScreen
from kompass_tui.screens.language import LanguageScreen
from kompass_tui.settings import IDLE_WARNING_SECONDS, KioskSettings
from sporreskjema.i18n import DEFAULT_LOCALE

if TYPE_CHECKING:
    from kompass_tui.registration import Registration
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


class KioskApp(CrashLog, App[None]):
    """The self-registration kiosk."""

    CRASH_MESSAGE = N_(
        "Kompass stopped because of an unexpected error. The answers given so far are saved. Details: %(path)s"
    )

    CSS_PATH = "styles/kiosk.tcss"
    TITLE = "Kompass"
    ENABLE_COMMAND_PALETTE = False
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
        super().__init__()
        self._db: Database | None = None if db is None or isinstance(db, str) else db
        self._db_url = db if isinstance(db, str) else None
        self.settings = settings
        self.idle_seconds = idle_seconds if idle_seconds is not None else settings.idle_seconds
        self.today = today or dt.date.today()
        self.registration: Registration | None = None
        self.last_input = time.monotonic()
        set_locale(DEFAULT_LOCALE)  # every person starts at the language picker
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name

    def get_default_screen(self) -> Screen[str]:
        return LanguageScreen()

    def on_mount(self) -> None:
        self.set_interval(1, self._check_idle)
        if self._db is None:
            self.call_after_refresh(self._load)

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Open the database and load the questionnaire while the picker is on screen."""
        from kompass_tui.registration import Registration  # noqa: F401 - loads the screens' modules
        from kompass_tui.screens import receipt, summary  # noqa: F401
        from kompass_tui.storage.database import StorageError, open_database
        from sporreskjema import load_builtin

        try:
            load_builtin()
            database = open_database(self._db_url)
        except StorageError as exc:
            message = exc.message.render(current())
            self.call_from_thread(
                self.exit, return_code=1, message=_("Error: %(message)s") % {"message": message}
            )
            return
        self.call_from_thread(setattr, self, "_db", database)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open yet")
        return self._db

    def on_unmount(self) -> None:
        if self._db is not None and self._db_url is not None:
            self._db.dispose()

    # ---------------------------------------------------------------- the flow

    def start(self, locale: str) -> None:
        """Begin a new registration in ``locale`` at the first section."""
        if self._db is None:  # still opening (a fraction of a second after start)
            self.set_timer(0.05, lambda: self.start(locale))
            return
        from kompass_tui.registration import Registration

        self.use_locale(locale)
        self.registration = Registration(self.db, locale=current().locale, today=self.today)
        self.go_to(0)

    def resume(self, code: str, birth_date: dt.date) -> None:
        """Continue a registration (raises a StorageError with a message when it cannot)."""
        from kompass_tui.registration import Registration

        self.registration = Registration.resume(
            self.db, code=code, birth_date=birth_date, locale=current().locale, today=self.today
        )
        # Open where something is still missing: the first unanswered or wrong question.
        errors = self.registration.form.errors()
        if not errors:
            self.go_to(len(self.registration.questionnaire.sections) - 1)
            return
        path = errors[0].path
        question = self.registration.questionnaire.question(path.group or path.name)
        names = [section.name for section in self.registration.questionnaire.sections]
        self.go_to(names.index(question.section), start_at=question.name)

    def go_to(self, index: int, *, start_at: str | None = None, from_summary: bool = False) -> None:
        """Show section ``index`` (the last one is the summary) in place of the current screen,
        at the page of question ``start_at`` (``LAST_PAGE``: its last page)."""
        from kompass_tui.screens.receipt import ReceiptScreen
        from kompass_tui.screens.section import SectionScreen
        from kompass_tui.screens.summary import SummaryScreen

        assert self.registration is not None
        last = len(self.registration.questionnaire.sections) - 1
        screen: Screen[None] = (
            SummaryScreen(last)
            if index >= last
            else SectionScreen(max(index, 0), start_at=start_at, from_summary=from_summary)
        )
        if isinstance(self.screen, LanguageScreen | ReceiptScreen) or len(self.screen_stack) <= 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def finished(self) -> None:
        from kompass_tui.screens.receipt import ReceiptScreen

        self.registration = None
        self.switch_screen(ReceiptScreen())

    def reset(self) -> None:
        """Forget the current person and return to the language picker."""
        self.registration = None
        self.use_locale(DEFAULT_LOCALE)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.pop_screen()
        self.last_input = time.monotonic()

    # ---------------------------------------------------------------- language

    def use_locale(self, locale: str) -> None:
        """Speak ``locale`` from now on; a right-to-left one aligns the screens to the right."""
        set_locale(locale)
        self.set_class(bidi.right_aligned(current().rtl), "-rtl")

    def action_language(self) -> None:
        if self.registration is None or isinstance(
            self.screen, LanguageScreen | PinScreen | IdleScreen
        ):
            return
        from kompass_tui.screens.section import QuestionsScreen

        if isinstance(self.screen, QuestionsScreen):
            self.screen.commit_page()
        self.push_screen(LanguageScreen(switching=True), self._language_chosen)

    def _language_chosen(self, locale: str | None) -> None:
        if not locale or self.registration is None:
            return
        self.use_locale(locale)
        self.registration.set_locale(current().locale)

    def on_button_pressed(self, event: events.Event) -> None:
        from textual.widgets import Button

        if isinstance(event, Button.Pressed) and event.button.id == "language-button":
            self.action_language()

    def action_contrast(self) -> None:
        self.theme = "textual-dark" if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    # ---------------------------------------------------------------- the guard

    def touch(self) -> None:
        self.last_input = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.touch()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.idle_seconds <= 0 or isinstance(self.screen, IdleScreen):
            return
        if isinstance(self.screen, PinScreen):
            # a PIN dialog left open must not keep the kiosk from clearing itself
            if time.monotonic() - self.last_input >= self.idle_seconds:
                self.screen.dismiss(False)
            return
        nothing_to_clear = self.registration is None and len(self.screen_stack) <= 1
        if nothing_to_clear:
            return
        if time.monotonic() - self.last_input >= self.idle_seconds:
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
