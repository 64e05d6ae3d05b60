"""What the kiosk and the assisted desk share: one registration at a time, section by section,
in the person's language, every answer saved as it is confirmed.

:class:`~kompass_tui.kiosk.app.KioskApp` adds the guard of a kiosk in a public room (the PIN, the
idle reset); :class:`~kompass_tui.assist.app.AssistApp` adds the caseworker's login, the
interpreter, the Norwegian side of every page and the idle lock.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar, Final

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kompass_tui.i18n import N_, Msg, _, current, set_locale
from kompass_tui.widgets import CHROME_CSS, QUESTIONS_CSS, bidi
from kompass_tui.widgets.crash import CrashLog, log_error, log_notice
from kompass_tui.widgets.spoken import spoken_locale, spoken_parts
from kompass_tui.wizard.screens.language import LanguageScreen
from sporreskjema.i18n import DEFAULT_LOCALE, Translator, translator

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database
    from kompass_tui.voice.player import Speaker
    from kompass_tui.widgets.host import Bilingual
    from kompass_tui.wizard.host import WizardHost
    from kompass_tui.wizard.registration import Registration
    from sporreskjema import Questionnaire

# The screens are imported where they are first shown, not here: the kiosk paints its language
# picker before the questionnaire, the storage and the pages are loaded (see ``_load``).

_HERE = Path(__file__).parent
#: The wizard's look: its frame and question fields (beside their modules), the caseworker's
#: side at the desk (``mirror.py``), and its pages.
WIZARD_CSS: Final[list[str | PurePath]] = [
    CHROME_CSS,
    QUESTIONS_CSS,
    _HERE / "mirror.tcss",
    _HERE / "wizard.tcss",
]

#: Seconds after start that the machine's sound is looked for.
FIND_PLAYER_AFTER: Final = 1.0
#: More unexpected errors than this within RECOVERY_WINDOW seconds: the app ends to be started
#: afresh (by ``run_kiosk`` or ``run_assist``) instead of recovering in place again.
RECOVERIES = 3
RECOVERY_WINDOW = 30.0


class WizardApp(CrashLog, App[None]):
    """The survey's screens in order, for one person at a time."""

    CSS_PATH = WIZARD_CSS
    TITLE = "Kompass"
    ENABLE_COMMAND_PALETTE = False
    CRASH_MESSAGE = N_(
        "Kompass stopped because of an unexpected error. The answers given so far are saved. Details: %(path)s"
    )
    #: The screens under the wizard's (the language picker, the assisted desk's start).
    BASE_SCREENS = 1
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "read_aloud", show=False, priority=True),
    ]

    def __init__(
        self,
        db: Database | str | None,
        *,
        today: dt.date | None = None,
        questionnaire: Questionnaire | None = None,
    ) -> None:
        """``db``: an open database, or the URL (``None``: the default) to open after the
        first screen is painted. ``questionnaire``: the one new registrations answer (the
        built-in one unless given)."""
        super().__init__()
        self.questionnaire = questionnaire
        self._db: Database | None = None if db is None or isinstance(db, str) else db
        self._db_url = db if isinstance(db, str) else None
        self.today = today or dt.date.today()
        self.registration: Registration | None = None
        self.last_input = time.monotonic()
        #: The language shown beside the person's on every page (the assisted desk only).
        self.companion: Translator | None = None
        #: True when the database could not be opened (the app then ends with the reason).
        self.open_failed = False
        #: The language chosen while the database was still opening (its first page follows).
        self._starting: str | None = None
        #: Keys typed between choosing the language and the first page taking them.
        self._held_keys: list[events.Key] | None = None
        #: The first page, while it is being built (it then takes the keys held).
        self._first_page: Screen[object] | None = None
        #: The unexpected errors the app recovered from (each is in the crash log).
        self.recovered: list[BaseException] = []
        self._error_times: list[float] = []
        #: Reads the screen aloud (F5): ``None`` until the machine's sound is looked for,
        #: a second after start (nor is the voice's code loaded before).
        self.speaker: Speaker | None = None
        set_locale(DEFAULT_LOCALE)  # every person starts at the language picker

    def on_mount(self) -> None:
        if self._db is None:
            self.call_after_refresh(self._load)
        # A second after the first screen: looking for sound (and loading the voice's code)
        # must not delay the kiosk's start, while the database opens and the pages load.
        self.set_timer(FIND_PLAYER_AFTER, self._find_player)

    # ---------------------------------------------------------------- reading aloud

    def _find_player(self) -> None:
        """Look for the machine's sound once: without it, the app is exactly as before, and
        the log says why."""
        from kompass_tui.voice.player import Speaker, find_player

        player = find_player()
        self.speaker = Speaker(player, failed=self._speech_failed)
        if not player.found:
            log_notice(
                _("Reading aloud is off: %(why)s") % {"why": player.reason.render(current())}
            )
            return
        for screen in self.screen_stack:
            if isinstance(screen, LanguageScreen):
                screen.offer_reading()
            for bar in screen.query("#top-bar"):
                bar.refresh(recompose=True)

    def _speech_failed(self, message: Msg) -> None:
        log_notice(_("Could not read aloud: %(why)s") % {"why": message.render(current())})

    def speaks(self) -> bool:
        """Whether the screen can be read aloud here (there is sound)."""
        return self.speaker is not None and self.speaker.available

    def action_read_aloud(self) -> None:
        """Read the screen aloud in the person's language; again, or moving on, stops it."""
        speaker = self.speaker
        if speaker is None or not speaker.available:
            return
        if speaker.speaking:
            speaker.stop()
            return
        from kompass_tui.voice.voices import can_speak

        locale = spoken_locale(self.screen, current().locale)
        parts = spoken_parts(self.screen)
        if not parts:
            return
        if not can_speak(locale, parts):
            message = translator(locale).gettext("There is no voice in this language yet.")
            self.notify(message, timeout=4)
            return
        speaker.say(locale, parts)

    def stop_speaking(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()

    def can_print(self) -> bool:
        """No printed copy here (the kiosk offers one when it has a printer)."""
        return False

    def print_copy(self) -> None:
        """Nothing to print with (see :meth:`can_print`)."""

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Open the database and load the questionnaire while the first screen is shown."""
        from kompass_tui.storage.database import StorageError, open_database
        from kompass_tui.wizard.registration import Registration  # noqa: F401 - loads the screens' modules
        from kompass_tui.wizard.screens import receipt, summary  # noqa: F401
        from sporreskjema import load_builtin

        try:
            if self.questionnaire is None:
                load_builtin()
            database = open_database(self._db_url)
        except StorageError as exc:
            message = _("Error: %(message)s") % {"message": exc.message.render(current())}
        except Exception as exc:  # nothing works without it: say so, as any unexpected error
            message = _(self.CRASH_MESSAGE) % {"path": log_error(exc)}
        else:
            self.call_from_thread(self._opened, database)
            return
        self.open_failed = True
        self.call_from_thread(self.exit, return_code=1, message=message)

    def _opened(self, database: Database) -> None:
        """The database is open: a language chosen meanwhile opens its first page now."""
        self._db = database
        locale, self._starting = self._starting, None
        if locale is not None:
            self._begin(locale)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open yet")
        return self._db

    def on_unmount(self) -> None:
        if self._db is not None and self._db_url is not None:
            self._db.dispose()

    # ---------------------------------------------------------------- the flow

    def new_registration(self, locale: str) -> Registration:
        from kompass_tui.wizard.registration import Registration

        return Registration(
            self.db, locale=locale, questionnaire=self.questionnaire, today=self.today
        )

    def start(self, locale: str) -> None:
        """Begin a new registration in ``locale`` at the first section.

        What the person types from now on waits for the first page, so that nothing is lost
        while the database is still opening (on a slow machine) or the page is being built.
        """
        if self._held_keys is None:
            self._held_keys = []
        if self._db is None:  # still opening: the last language chosen meanwhile counts
            self._starting = locale
            return
        self._begin(locale)

    def _begin(self, locale: str) -> None:
        self.use_locale(locale)
        self.registration = self.new_registration(current().locale)
        self.go_to(0)
        self._first_page = page = self.screen
        # The page runs this once it is built and its question has the cursor.
        page.call_later(self._release_keys)

    def _release_keys(self) -> None:
        """Type the keys held back into the screen now shown, in the order they came."""
        held, self._held_keys, self._first_page = self._held_keys or [], None, None
        for key in held:
            again = events.Key(key.key, key.character)
            again.set_sender(self)  # as from the terminal: bubbles back to the app's bindings
            self.post_message(again)

    def _holds(self, key: events.Key) -> bool:
        """Whether ``key`` waits for the first page: while the database opens or the page is
        being built. The app's own keys (such as the way out) never wait."""
        if self._held_keys is None or key.key in self._bindings.key_to_bindings:
            return False
        if self._starting is not None or (
            self._first_page is not None and self.screen is self._first_page
        ):
            return True
        self._release_keys()  # the page went before it took them (it failed as it opened)
        return False

    def open_where_missing(
        self, section: str | None = None, *, notice: Msg | None = None, from_summary: bool = False
    ) -> None:
        """Show the registration where something is still missing (in ``section``, or
        anywhere): the first unanswered or wrong question, else the section's first page (or
        the summary), with ``notice`` at its top."""
        assert self.registration is not None
        questionnaire = self.registration.questionnaire
        names = [part.name for part in questionnaire.sections]
        errors = self.registration.form.errors(section)
        if not errors:
            self.go_to(
                names.index(section) if section else len(names) - 1, from_summary=from_summary
            )
            return
        path = errors[0].path
        question = questionnaire.question(path.group or path.name)
        self.go_to(
            names.index(question.section),
            start_at=question.name,
            from_summary=from_summary,
            notice=notice,
        )

    def go_to(
        self,
        index: int,
        *,
        start_at: str | None = None,
        from_summary: bool = False,
        notice: Msg | None = None,
    ) -> None:
        """Show section ``index`` (the last one is the summary) in place of the current screen,
        at the page of question ``start_at`` (``LAST_PAGE``: its last page)."""
        from kompass_tui.wizard.screens.section import SectionScreen
        from kompass_tui.wizard.screens.summary import SummaryScreen

        assert self.registration is not None
        self.stop_speaking()
        last = len(self.registration.questionnaire.sections) - 1
        screen: Screen[None] = (
            SummaryScreen(last)
            if index >= last
            else SectionScreen(
                max(index, 0), start_at=start_at, from_summary=from_summary, notice=notice
            )
        )
        if len(self.screen_stack) <= self.BASE_SCREENS:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def finished(self) -> None:
        from kompass_tui.wizard.screens.receipt import ReceiptScreen

        self.registration = None
        self.switch_screen(ReceiptScreen())

    def reset(self) -> None:
        """Forget the current person and return to the first screen."""
        self.stop_speaking()
        self.registration = None
        self.use_locale(DEFAULT_LOCALE)
        while len(self.screen_stack) > self.BASE_SCREENS:
            self.pop_screen()
        # The screens under the person's were styled for their language while they were
        # covered: the next person's picker must not stay right to left.
        for screen in self.screen_stack:
            screen.update_node_styles(animate=False)
        self.last_input = time.monotonic()

    # ---------------------------------------------------------------- language

    def use_locale(self, locale: str) -> None:
        """Speak ``locale`` from now on; a right-to-left one aligns the screens to the right."""
        set_locale(locale)
        self.set_class(bidi.right_aligned(current().rtl), "-rtl")

    def may_switch_language(self) -> bool:
        return self.registration is not None and not isinstance(self.screen, LanguageScreen)

    def action_language(self) -> None:
        """Choose the person's language again; nothing typed is lost."""
        if not self.may_switch_language():
            return
        from kompass_tui.wizard.screens.section import QuestionsScreen

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
        elif isinstance(event, Button.Pressed) and event.button.id == "speak-button":
            self.action_read_aloud()

    # ---------------------------------------------------------------- idle time

    def touch(self) -> None:
        self.last_input = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.touch()
        if isinstance(event, events.Key) and event.key != "f5" and not event.is_forwarded:
            # The person moves on: a key from the terminal, not one coming back up from the
            # page (those of keys typed just before F5 come back after it began to read).
            self.stop_speaking()
        if isinstance(event, events.Key) and self._held_keys is not None and self._holds(event):
            self._held_keys.append(event)
            return
        await super().on_event(event)

    def idle_for(self) -> float:
        return time.monotonic() - self.last_input

    # ---------------------------------------------------------------- unexpected errors

    def recovers_from_errors(self) -> bool:
        """Whether an unexpected error is recovered from instead of ending the app (where
        ending it would leave the terminal to whoever stands at it)."""
        return False

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error, when :meth:`recovers_from_errors`: logged, and the app goes
        on from a safe place (:meth:`recover`). When errors come one after another, or the
        first screen itself failed, the app ends instead, to be started afresh."""
        if not self.recovers_from_errors():
            super()._handle_exception(error)
            return
        log_error(error)
        now = time.monotonic()
        self.recovered.append(error)
        self._error_times = [t for t in self._error_times if now - t < RECOVERY_WINDOW] + [now]
        self.error_noted(first=len(self._error_times) == 1)
        if len(self._error_times) > RECOVERIES:
            self._start_afresh(error)
            return
        self.call_later(self._recover, error)

    def error_noted(self, *, first: bool) -> None:
        """Called at once with each unexpected error recovered from (``first``: the first of a
        run), before any screen is gone."""

    def _recover(self, error: Exception) -> None:
        if not self.screen_stack[0].is_running:  # the first screen itself failed
            self._start_afresh(error)
            return
        self.recover()

    def recover(self) -> None:
        """Go on after an unexpected error: forget the person's screens (the one that failed
        among them)."""
        self.reset()

    def _start_afresh(self, error: Exception) -> None:
        """End the app without its way out: the caller starts a new one at once."""
        if self._exception is None:
            self._exception = error  # for a test's Pilot, which raises it
        self._return_code = 1
        self._close_messages_no_wait()


#: The keys that would stop or suspend a program in a terminal that is not in raw mode (for
#: the moment between one app and the next): the kiosk and the desk ignore them.
_TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP)
#: Seconds between an app that ended without its way out and the next.
RESTART_PAUSE = 1.0


def ignore_terminal_signals() -> None:
    for number in _TERMINAL_SIGNALS:
        signal.signal(number, signal.SIG_IGN)


if TYPE_CHECKING:

    def _hosts(app: WizardApp) -> tuple[WizardHost, Bilingual]:
        """mypy checks here that the wizard is what its screens may ask for."""
        return app, app


def run_logged(app: App[None]) -> str | None:
    """Run ``app``; an error that escapes it goes to the crash log, never to the screen (the
    log's path, or ``None`` when none escaped)."""
    try:
        app.run()
    except Exception as error:  # the caller decides: a guarded app does not end on its bugs
        return log_error(error)
    return None
