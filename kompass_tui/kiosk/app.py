"""The kiosk: a person registers alone, in their own language, and the kiosk resets for the next.

Language picker → start → the sections in order → summary → send → receipt → back to
the language picker. Leaving the kiosk (quit, suspend, the command palette) needs the
caseworker PIN. After a time without input it warns, then clears the screen; the saved
answers wait for the resume code and the date of birth.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from kompass_tui.i18n import current
from kompass_tui.kiosk.screens.guard import ApologyScreen, IdleScreen, PinScreen
from kompass_tui.kiosk.settings import IDLE_WARNING_SECONDS, KioskSettings
from kompass_tui.wizard.app import (
    RECOVERIES,
    RESTART_PAUSE,
    WIZARD_CSS,
    WizardApp,
    ignore_terminal_signals,
    run_logged,
)
from kompass_tui.wizard.screens.language import LanguageScreen

if TYPE_CHECKING:
    from kompass_tui.kiosk.host import KioskHost
    from kompass_tui.storage.database import Database
    from kompass_tui.wizard.host import ResumeHost
    from kompass_tui.wizard.registration import Registration
    from sporreskjema import Questionnaire

__all__ = ["RECOVERIES", "KioskApp", "run_kiosk"]

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

    CSS_PATH: ClassVar[list[str | PurePath]] = [*WIZARD_CSS, Path(__file__).with_name("kiosk.tcss")]
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
        apology: tuple[str, str | None] | None = None,
        questionnaire: Questionnaire | None = None,
    ) -> None:
        """``db``: an open database, or the URL (``None``: the default) to open after the
        first screen is painted. ``apology``: the locale and resume code of a person whose
        registration an unexpected error interrupted (a kiosk started again after one).
        ``questionnaire``: the one new registrations answer (the built-in one unless given)."""
        super().__init__(db, today=today, questionnaire=questionnaire)
        self.settings = settings
        self.apology = apology
        #: True once the caseworker PIN ended the kiosk: the only way it ends on purpose.
        self.left_with_pin = False
        #: The apology for the person the last unexpected error interrupted.
        self.apology_due: tuple[str, str | None] | None = None
        self.idle_seconds = idle_seconds if idle_seconds is not None else settings.idle_seconds
        #: The record whose receipt offers a printed copy now (a kiosk with a printer), its
        #: copy once made, and whether the person asked for it already.
        self._receipt_for: uuid.UUID | None = None
        self._copy: tuple[uuid.UUID, bytes] | None = None
        self._print_asked = False
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name

    def get_default_screen(self) -> Screen[str]:
        return LanguageScreen()

    def on_mount(self) -> None:
        # The wizard's own on_mount runs after this one: Textual calls each class's handler.
        self.set_interval(1, self._check_idle)
        if self._db is not None:  # given open: no _opened follows
            self._seal_at_start()
        if self.apology is not None:
            self.push_screen(ApologyScreen(*self.apology))

    # ---------------------------------------------------------------- sealing

    def _opened(self, database: Database) -> None:
        """The database opened after the first screen: see :meth:`_seal_at_start`."""
        super()._opened(database)
        self._seal_at_start()

    def _seal_at_start(self) -> None:
        """Seal a record sent just before the kiosk stopped (and delete old unfinished ones)."""
        if self.settings.recipients:
            self._seal_sent()

    def finished(self) -> None:
        registration = self.registration
        sent = registration.record_id if registration is not None else None
        # Before the receipt is composed: it offers the copy only when there is one to make.
        self._receipt_for = sent if self.settings.printer else None
        super().finished()
        if self._receipt_for is not None and registration is not None:
            self._seal_sent((self._receipt_for, registration.questionnaire))
        elif self.settings.recipients:
            self._seal_sent()

    # ---------------------------------------------------------------- the printed copy

    def can_print(self) -> bool:
        return self._receipt_for is not None

    def print_copy(self) -> None:
        """Print the copy once it is made (it is made as soon as the person sends)."""
        self._print_asked = True
        copy = self._copy
        if copy is not None and copy[0] == self._receipt_for:
            self._send_copy(*copy)

    def _copy_made(self, record_id: uuid.UUID, data: bytes | None) -> None:
        """On the event loop: the copy of ``record_id`` is made (``None``: it could not be).
        Kept only while that person's receipt is shown."""
        if record_id != self._receipt_for:
            return
        if data is None:
            self._printed(record_id, ok=False)
            return
        self._copy = (record_id, data)
        if self._print_asked:
            self._send_copy(record_id, data)

    @work(thread=True, group="print")
    def _send_copy(self, record_id: uuid.UUID, data: bytes) -> None:
        from kompass_tui.exchange.printing import PrintError, send
        from kompass_tui.widgets.crash import log_error

        ok = False
        try:
            send(self.settings.printer or "", data)
            ok = True
        except PrintError as exc:
            log_error(exc)
        self.call_from_thread(self._printed, record_id, ok=ok)

    def _printed(self, record_id: uuid.UUID, *, ok: bool) -> None:
        from kompass_tui.wizard.screens.receipt import NOT_PRINTED, PRINTED, ReceiptScreen

        if record_id == self._receipt_for and isinstance(self.screen, ReceiptScreen):
            self.screen.show_printing(PRINTED if ok else NOT_PRINTED)

    def reset(self) -> None:
        # The copy goes with the receipt: the next person can never print it.
        self._receipt_for = None
        self._copy = None
        self._print_asked = False
        super().reset()

    @work(thread=True, group="seal")
    def _seal_sent(self, copy_of: tuple[uuid.UUID, Questionnaire] | None = None) -> None:
        """Make the person's copy of the record ``copy_of`` names (if the kiosk prints), while
        the record is still in clear; then seal every sent record still in clear, and delete unfinished
        registrations older than the settings allow. Off the event loop, and never in front
        of the person: what fails now is done at the next sending or start (the crash log
        says why)."""
        from kompass_tui.exchange.sealing import seal_sent
        from kompass_tui.storage import purge
        from kompass_tui.storage.status import Status
        from kompass_tui.widgets.crash import log_error
        from kompass_tui.wizard.registration import kiosk_name

        if copy_of is not None:
            from kompass_tui.exchange.pdf import person_copy

            data: bytes | None = None
            try:
                data = person_copy(self.db, *copy_of)
            except Exception as exc:
                log_error(exc)
            self.call_from_thread(self._copy_made, copy_of[0], data)
        if not self.settings.recipients:
            return
        days, statuses = self.settings.unfinished_days, [Status.in_progress]
        try:
            seal_sent(self.db, self.settings.sealing_keys(), kiosk=kiosk_name())
            # Only when there is one: a purge is audited, even of nothing.
            if purge.count(self.db, older_than_days=days, statuses=statuses):
                purge.purge(self.db, older_than_days=days, actor_id=None, statuses=statuses)
        except Exception as exc:
            log_error(exc)

    def resume(self, code: str, birth_date: dt.date, locale: str | None = None) -> None:
        """Continue a registration in ``locale``, by default the language it was begun in
        (raises a StorageError with a message when it cannot)."""
        from kompass_tui.wizard.registration import Registration

        self.resumed(
            Registration.resume(
                self.db, code=code, birth_date=birth_date, locale=locale, today=self.today
            )
        )

    def resumed(self, registration: Registration) -> None:
        """Show a registration found with :meth:`Registration.resume` (the resume screen
        finds it off the event loop: the code is an Argon2id hash)."""
        self.registration = registration
        self.use_locale(registration.locale)
        self.open_where_missing()

    def may_switch_language(self) -> bool:
        return super().may_switch_language() and not isinstance(self.screen, PinScreen | IdleScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F2 without a registration open is the screen's own (the resume screen's)."""
        if action == "language" and not self.may_switch_language():
            return False
        return super().check_action(action, parameters)

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
            self.left_with_pin = True
            self.exit()

    async def action_quit(self) -> None:
        self.action_leave()

    def action_help_quit(self) -> None:
        self.action_leave()

    def action_suspend_process(self) -> None:
        self.action_leave()

    def action_command_palette(self) -> None:
        self.action_leave()

    # ---------------------------------------------------------------- unexpected errors

    def recovers_from_errors(self) -> bool:
        """An unexpected error never ends the kiosk: it is logged, the person is told in
        their language, and the kiosk starts again at the language picker; the answers given
        so far wait for the resume code. When errors come one after another, or the picker
        itself failed, the app ends instead and :func:`run_kiosk` starts a new one."""
        return True

    def error_noted(self, *, first: bool) -> None:
        if first or self.apology_due is None:
            # the person the first of a run of errors interrupted; later ones find no one
            self.apology_due = self.apology_for(self.registration)

    def apology_for(self, registration: Registration | None) -> tuple[str, str | None]:
        """What the apology needs: the person's language and their resume code, if any."""
        return current().locale, registration.resume_code if registration else None

    def recover(self) -> None:
        """Forget the person's screens (the one that failed among them) and greet them on the
        language picker with the apology."""
        apology = self.apology_due or self.apology_for(None)
        self.reset()
        self.push_screen(ApologyScreen(*apology))


if TYPE_CHECKING:

    def _hosts(app: KioskApp) -> tuple[KioskHost, ResumeHost]:
        """mypy checks here that the kiosk is what its screens may ask for."""
        return app, app


def run_kiosk(
    db: str | None,
    settings: KioskSettings,
    *,
    idle_seconds: int | None = None,
    high_contrast: bool = False,
) -> int:
    """Run the kiosk until the caseworker PIN ends it; the exit status.

    A kiosk that ended any other way (an error it could not recover from in place) is
    started again at once, with the apology for the person who was at it. Only a database
    that cannot be opened at the start ends it without the PIN, with its one-line message:
    no person's data is on the screen then, and staff must see why.
    """
    ignore_terminal_signals()
    apology: tuple[str, str | None] | None = None
    while True:
        app = KioskApp(
            db, settings, idle_seconds=idle_seconds, high_contrast=high_contrast, apology=apology
        )
        run_logged(app)  # a kiosk in a public room does not end on its own bugs
        if app.left_with_pin:
            return 0
        if app.open_failed:
            return app.return_code or 1
        apology = app.apology_due or app.apology_for(app.registration)
        time.sleep(RESTART_PAUSE)
