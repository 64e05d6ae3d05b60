"""Continue an unfinished registration with its code and the date of birth.

The screen speaks the language chosen on the picker; F2 changes it, keeping what was typed.
The registration then continues in the language it was begun in, or in the one chosen here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from kompass_tui.i18n import N_, Msg, _, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.chrome import TopBar
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.questions import CalendarChoice
from kompass_tui.widgets.visual import Button, Input, Label, Static
from kompass_tui.wizard.host import ResumeHost
from kompass_tui.wizard.screens.language import LanguageScreen
from sporreskjema import Form, load_builtin, values
from sporreskjema.calendars import Calendar, Typed, for_locale
from sporreskjema.i18n import DEFAULT_LOCALE

if TYPE_CHECKING:
    from kompass_tui.wizard.host import ResumeHost as _Resumer

NO_BIRTH_DATE = N_("Write your date of birth.")
#: Shown while the code is checked.
CHECKING = N_("Checking…")


class _CodeInput(Input):
    """The code: Enter takes the cursor to the date of birth at once, so that a date typed
    right after it lands there (the screen would move it only after the keys that follow)."""

    async def action_submit(self) -> None:
        self.screen.set_focus(self.screen.query_one("#birth-date"))
        await super().action_submit()


class ResumeScreen(Screen[None]):
    # The kiosk's own F2 works only while a registration is open; here no registration is yet.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "language", show=False)]

    #: The app, as a wizard where a person continues their registration (the kiosk).
    wizard = Host(ResumeHost)

    def __init__(self) -> None:
        super().__init__()
        #: The language chosen on this screen with F2 (the registration goes on in it).
        self.chosen_locale: str | None = None
        #: The message shown, kept to show it again in another language.
        self.error: Msg | None = None
        #: The code is being checked (off the event loop).
        self._checking = False
        #: The calendar the date of birth is typed in: preselected for the language, as when
        #: the registration was begun, until the person chooses one here.
        self.calendar = for_locale(current().locale)
        self.calendar_chosen = False

    def compose(self) -> ComposeResult:
        yield TopBar(_("Continue an unfinished registration"))
        with Vertical(id="resume-box"):
            yield Label(_("Your code (8 letters and digits)"))
            yield _CodeInput(placeholder="ABCD-EFGH", id="code", max_length=12)
            yield Label(_("Date of birth"))
            yield Input(
                placeholder=self._date_hint(),
                id="birth-date",
                max_length=12,
            )
            yield Label(_("The calendar of your papers:"))
            yield CalendarChoice(self.calendar, id="calendar", classes="calendar-choice")
            yield Static("", id="resume-error", classes="question-error")
            with Horizontal(id="resume-buttons"):
                yield Button(_("Back"), id="cancel")
                yield Button(_("Continue"), id="continue", variant="primary")

    def on_mount(self) -> None:
        self._show_error()
        self.set_focus(self.query_one("#code"))

    def _show_error(self) -> None:
        error = self.query_one("#resume-error", Static)
        error.update(self.error.render(current()) if self.error is not None else "")
        error.display = self.error is not None

    def _fail(self, message: Msg, field: str) -> None:
        self.error = message
        self._show_error()
        self.set_focus(self.query_one(field, Input))

    # ---------------------------------------------------------------- language

    def action_language(self) -> None:
        """Choose the language again; what was typed stays, and so does the cursor."""
        focused = self.focused.id if self.focused is not None else None
        self.app.push_screen(
            LanguageScreen(switching=True, highlight=current().locale),
            lambda locale: self._language_chosen(locale, focused),
        )

    @on(Button.Pressed, "#language-button")
    def _language_button(self, event: Button.Pressed) -> None:
        event.stop()  # the app's own handler is for an open registration
        self.action_language()

    async def _language_chosen(self, locale: str | None, focused: str | None) -> None:
        if not locale:
            return
        self.wizard.use_locale(locale)
        self.chosen_locale = current().locale
        if not self.calendar_chosen:
            self.calendar = for_locale(self.chosen_locale)
        typed = {box.id: box.value for box in self.query(Input)}
        await self.recompose()
        for box in self.query(Input):
            box.value = typed.get(box.id, "")
        self._show_error()
        self.set_focus(self.query_one(f"#{focused}" if focused else "#code"))

    # ---------------------------------------------------------------- continue

    @on(CalendarChoice.Changed, "#calendar")
    def _calendar_chosen(self, event: CalendarChoice.Changed) -> None:
        event.stop()
        name = event.value
        if name in Calendar.__members__:
            self.calendar = Calendar(name)
            self.calendar_chosen = True
            self.query_one("#birth-date", Input).placeholder = self._date_hint()

    def _date_hint(self) -> str:
        """The date of birth's hint, with a day of the calendar chosen."""
        return values.calendar_hint(self.calendar).render(current())

    @on(Input.Submitted, "#birth-date")
    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self._checking:
            return  # one try at a time: a second Enter must not count as a second try
        app = self.wizard
        form = Form(load_builtin(), today=app.today)
        typed = self.query_one("#birth-date", Input).value
        raw = typed if self.calendar is Calendar.gregorian else Typed(self.calendar, typed)
        birth_date, error = form.check("birth_date", raw)
        if error is not None or birth_date is None:
            self._fail(error or Msg(NO_BIRTH_DATE), "#birth-date")
            return
        self._checking = True
        self.error = Msg(CHECKING)
        self._show_error()
        code = self.query_one("#code", Input).value
        in_background(self, self._resume(app, code, birth_date), group="resume")

    async def _resume(self, app: _Resumer, code: str, birth_date: dt.date) -> None:
        """Find the registration off the event loop (the code is an Argon2id hash), then
        continue it."""
        from kompass_tui.wizard.registration import Registration

        try:
            registration = await asyncio.to_thread(
                Registration.resume,
                app.db,
                code=code,
                birth_date=birth_date,
                locale=self.chosen_locale,
                today=app.today,
            )
        except StorageError as exc:
            self.query_one("#code", Input).value = ""
            self._fail(exc.message, "#code")
            return
        finally:
            self._checking = False
        if self.calendar_chosen:
            registration.choose_calendar(self.calendar)
        app.resumed(registration)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        """Back to the language picker, which speaks the country's languages again."""
        self.dismiss(None)
        self.wizard.use_locale(DEFAULT_LOCALE)
