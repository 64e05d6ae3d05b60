"""``kompass assist``: a caseworker, the person and often an interpreter go through the survey
together.

The same wizard as the kiosk, with the page in Norwegian beside the person's language (under it
on a narrow terminal). The session notes the caseworker and the interpreter; each answer notes
who gave it. There is no kiosk guard here, but after a time without input the screen locks
until the caseworker types their password again. Nothing leaves a locked desk: the keys that
end or suspend a program do nothing while the lock is up, and an unexpected error ends at the
lock again, never at the caseworker's shell.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kompass_tui.i18n import N_, _, set_locale
from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Caseworker
from kompass_tui.widgets import CASEWORKER_CSS
from kompass_tui.widgets.crash import crash_log_path
from kompass_tui.widgets.login import LoginKeys
from kompass_tui.wizard.app import (
    RESTART_PAUSE,
    WIZARD_CSS,
    WizardApp,
    ignore_terminal_signals,
    run_logged,
)
from kompass_tui.wizard.registration import Registration
from sporreskjema.i18n import DEFAULT_LOCALE, translator

if TYPE_CHECKING:
    from kompass_tui.assist.host import AssistHost
    from kompass_tui.widgets.host import LoginHost

#: Below this many columns the Norwegian side goes under the person's side.
SIDE_BY_SIDE_MIN_WIDTH = 110
#: Seconds without input before the screen locks.
DEFAULT_LOCK_SECONDS = 300
#: Said to the caseworker after an unexpected error, once the desk is theirs again.
ERROR_NOTICE = N_(
    "An unexpected error interrupted the registration. The answers given so far are saved. Details: %(path)s"
)


class AssistApp(WizardApp, LoginKeys):
    """The assisted desk."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        *WIZARD_CSS,
        CASEWORKER_CSS,
        Path(__file__).with_name("assist.tcss"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", show=False, priority=True),
        Binding("f2", "language", show=False, priority=True),
        Binding("f4", "companion_language", show=False, priority=True),
        Binding("f6", "provenance", show=False, priority=True),
    ]

    def __init__(
        self,
        db: Database,
        *,
        companion: str = DEFAULT_LOCALE,
        lock_seconds: int = DEFAULT_LOCK_SECONDS,
        today: dt.date | None = None,
        locked_for: Caseworker | None = None,
    ) -> None:
        """``locked_for``: start locked for this caseworker, instead of at the login (a desk
        started again after an unexpected error ended the last one)."""
        super().__init__(db, today=today)
        self.desk_language = translator(companion)
        self.companion = self.desk_language
        self.lock_seconds = lock_seconds
        self._caseworker: Caseworker | None = locked_for
        #: True once the caseworker ended the desk: once logged in, the only way it ends.
        self.left = False
        #: An unexpected error to tell the caseworker about once the desk is theirs again.
        self._error_untold = locked_for is not None
        #: Who helps in this session, set on the start screen.
        self.assistance: records.Assistance | None = None
        set_locale(companion)  # the desk speaks the caseworker's language

    @property
    def logged_in(self) -> bool:
        return self._caseworker is not None

    @property
    def caseworker(self) -> Caseworker:
        if self._caseworker is None:
            raise RuntimeError("nobody is logged in")
        return self._caseworker

    def get_default_screen(self) -> Screen[None]:
        from kompass_tui.assist.screens.start import AssistStartScreen

        return AssistStartScreen()

    def on_mount(self) -> None:
        from kompass_tui.widgets.login import LoginScreen

        # The wizard's own on_mount runs after this one: Textual calls each class's handler.
        self.set_interval(1, self._check_idle)
        if self.logged_in:
            self.lock()
        else:
            self.push_screen(LoginScreen(_("Kompass — assisted registration")), self._logged_in)

    def _logged_in(self, caseworker: Caseworker | None) -> None:
        if caseworker is None:
            self.exit()
            return
        self._caseworker = caseworker
        self.touch()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < SIDE_BY_SIDE_MIN_WIDTH, "-stacked")

    # ---------------------------------------------------------------- the session

    def begin(self, locale: str, assistance: records.Assistance) -> None:
        """A new registration for the person in front of the desk."""
        self.assistance = assistance
        self.start(locale)

    def new_registration(self, locale: str) -> Registration:
        assert self.assistance is not None, "the session starts on the start screen"
        return Registration(self.db, locale=locale, assistance=self.assistance, today=self.today)

    def continue_registration(self, registration: Registration) -> None:
        """Continue a registration begun at the kiosk, or one the review sent back for
        clarification, found (off the event loop, by the start screen) with
        :meth:`Registration.continue_assisted`."""
        self.assistance = registration.assistance
        self.registration = registration
        self.use_locale(registration.locale)
        if registration.clarification is not None:
            # Sent back from the review: from the start, with what to clear up on each page.
            self.go_to(0)
        else:
            self.open_where_missing()

    def reset(self) -> None:
        super().reset()
        self.assistance = None
        self.use_locale(self.desk_language.locale)

    def may_switch_language(self) -> bool:
        return not self.locked and super().may_switch_language()

    # ---------------------------------------------------------------- the two languages

    def action_companion_language(self) -> None:
        """Choose the language of the caseworker's side."""
        from kompass_tui.assist.screens.dialogs import CompanionLanguageScreen
        from kompass_tui.wizard.screens.section import QuestionsScreen

        if not isinstance(self.screen, QuestionsScreen):
            return
        self.screen.commit_page()
        self.push_screen(CompanionLanguageScreen(), self._companion_chosen)

    def _companion_chosen(self, locale: str | None) -> None:
        # The page under the picker builds itself again when it is shown (RegistrationScreen).
        if locale:
            self.desk_language = self.companion = translator(locale)

    # ---------------------------------------------------------------- who answered

    def action_provenance(self) -> None:
        """Say who gave the answers on this page (the person, with help, an interpreter …)."""
        from kompass_tui.assist.screens.dialogs import ProvenanceDialog
        from kompass_tui.wizard.screens.section import QuestionsScreen

        screen = self.screen
        if not isinstance(screen, QuestionsScreen) or self.registration is None:
            return
        screen.commit_page()
        paths = [path for question, path in screen.page if question.holds_value]
        if not paths:
            return
        registration = self.registration
        now = registration.provenance_of(paths[-1])

        def chosen(code: str | None) -> None:
            if code is None or not isinstance(self.screen, QuestionsScreen):
                return
            error = registration.set_provenance(paths, code)
            if error is not None:
                self.notify(error.render(self.desk_language), severity="error")
            self.screen.refresh_mirror()

        # Asked in the caseworker's language: it is their choice, not the person's.
        self.push_screen(ProvenanceDialog(registration.questionnaire, now), chosen)

    # ---------------------------------------------------------------- the lock

    @property
    def locked(self) -> bool:
        from kompass_tui.assist.screens.dialogs import LockScreen

        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    def lock(self) -> None:
        """Cover everything until the caseworker types their password again."""
        from kompass_tui.assist.screens.dialogs import LockScreen

        if not self.locked:
            self.push_screen(LockScreen(self.caseworker), self._unlocked)

    def _unlocked(self, _unlocked: bool | None) -> None:
        self.touch()
        self._tell_error()

    def _check_idle(self) -> None:
        from kompass_tui.widgets.login import LoginScreen

        if self.lock_seconds <= 0 or not self.logged_in or self.locked:
            return
        if isinstance(self.screen, LoginScreen):
            return
        if self.idle_for() >= self.lock_seconds:
            self.lock()

    # Every way out of a Textual app does nothing while the desk is locked: the lock screen
    # asks for the password, and once it is typed the caseworker can leave.

    async def action_quit(self) -> None:
        if self.locked:
            return
        self.left = True
        await super().action_quit()

    def action_help_quit(self) -> None:
        if not self.locked:
            super().action_help_quit()

    def action_suspend_process(self) -> None:
        if not self.locked:
            super().action_suspend_process()

    def action_command_palette(self) -> None:
        if not self.locked:
            super().action_command_palette()

    # ---------------------------------------------------------------- unexpected errors

    def recovers_from_errors(self) -> bool:
        """Once a caseworker logged in, an unexpected error never ends the desk (which would
        leave their shell to whoever is in the room): it is logged, the desk goes back to its
        start screen, locked again if it was locked, and the caseworker is told. When errors
        come one after another, the app ends and :func:`run_assist` starts a new desk, locked
        for the same caseworker. Before the login nobody's data is on the screen, and the
        error ends the desk with its one line."""
        return self.logged_in

    def recover(self) -> None:
        lock = self.locked or 0 < self.lock_seconds <= self.idle_for()
        self.reset()  # the lock goes with the other screens …
        self._error_untold = True
        if lock:
            self.lock()  # … and is back before anything else runs
        else:
            self._tell_error()

    def _tell_error(self) -> None:
        if self._error_untold:
            self._error_untold = False
            self.notify(
                _(ERROR_NOTICE) % {"path": crash_log_path()},
                severity="error",
                timeout=30,
                markup=False,
            )


if TYPE_CHECKING:

    def _hosts(app: AssistApp) -> tuple[AssistHost, LoginHost]:
        """mypy checks here that the desk is what its screens may ask for."""
        return app, app


def run_assist(db: Database, *, companion: str, lock_seconds: int) -> int:
    """Run the desk until the caseworker ends it; the exit status.

    A desk that ended any other way once a caseworker had logged in (an error it could not
    recover from in place) is started again at once, locked for the same caseworker: the
    terminal is never left to whoever is at the desk.
    """
    ignore_terminal_signals()
    locked_for: Caseworker | None = None
    while True:
        app = AssistApp(db, companion=companion, lock_seconds=lock_seconds, locked_for=locked_for)
        where = run_logged(app)
        if app.left or not app.logged_in:
            if where is not None:  # it escaped the app, which could not say it
                print(_(app.CRASH_MESSAGE) % {"path": where}, file=sys.stderr)
                return 1
            return app.return_code or 0
        locked_for = app.caseworker
        companion = app.desk_language.locale
        time.sleep(RESTART_PAUSE)
