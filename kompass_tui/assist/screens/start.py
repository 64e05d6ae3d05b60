"""The start of an assisted session, in the caseworker's language: the person's language, the
interpreter (if any), then a new registration or one begun at the kiosk."""

from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import RadioSet
from textual.widgets.option_list import Option

from kompass_tui.assist.host import AssistHost
from kompass_tui.i18n import N_, _, current
from kompass_tui.record_view import CHANNELS
from kompass_tui.storage import records
from kompass_tui.storage.errors import StorageError
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.questions import CodePicker, QuestionField
from kompass_tui.widgets.visual import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    RadioButton,
    Static,
)
from kompass_tui.wizard.registration import Registration, registry_number
from sporreskjema import Question, load_builtin
from sporreskjema.i18n import available_locales, own_name
from sporreskjema.text import shown

#: The interpreter's language is found like any language question of the survey.
INTERPRETER_LANGUAGE = Question(
    name="interpreter_language", type="language", label=N_("The interpreter's language")
)


class AssistStartScreen(Screen[None]):
    """Who takes part, then which registration."""

    desk = Host(AssistHost)

    def __init__(self) -> None:
        super().__init__()
        self.interpreter_language: str | None = None
        self.person_locale: str | None = None
        #: A registration begun at the kiosk is being looked up (off the event loop).
        self._finding = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="assist-start"):
            yield Label(_("Kompass — assisted registration"), id="assist-title")
            yield Static("", id="assist-caseworker")
            yield Label(
                _("The person's language"), id="person-language-label", classes="assist-label"
            )
            yield OptionList(
                *(Option(own_name(code), id=code) for code in available_locales()),
                id="person-language",
            )
            yield Checkbox(_("An interpreter takes part"), id="interpreter")
            with Vertical(id="interpreter-details"):
                yield CodePicker(INTERPRETER_LANGUAGE, "interpreter_language", None, load_builtin())
                yield Label(
                    _("The interpreter's number in Nasjonalt tolkeregister (if known)"),
                    classes="assist-label",
                )
                yield Input(id="registry", max_length=20)
                yield Label(_("The interpreter takes part"), classes="assist-label")
                with RadioSet(id="channel"):
                    for code, label in CHANNELS.items():
                        yield RadioButton(_(label), name=code, value=code == "on_site")
            yield Static("", id="assist-error", classes="error")
        # Always in view: start, or continue what was begun at the kiosk.
        with Horizontal(id="assist-actions"):
            yield Button(_("Start a new registration"), id="new", variant="primary")
            yield Input(placeholder=_("Resume code or identifier"), id="key", max_length=20)
            yield Button(_("Continue"), id="continue")

    def on_mount(self) -> None:
        self._ready()

    def _ready(self) -> None:
        self.query_one("#interpreter-details").display = False
        self.query_one("#person-language", OptionList).focus()
        if self.desk.logged_in:
            worker = self.desk.caseworker
            self.query_one("#assist-caseworker", Static).update(
                _("Caseworker: %(name)s") % {"name": shown(worker.full_name or worker.username)}
            )

    async def on_screen_resume(self) -> None:
        """Back from the login, or from a registration: a clean form for the next person,
        in the caseworker's language."""
        self.person_locale = None
        self.interpreter_language = None
        await self.recompose()
        self._ready()

    def _error(self, text: str) -> None:
        self.query_one("#assist-error", Static).update(text)

    @on(Checkbox.Changed, "#interpreter")
    def _interpreter(self, event: Checkbox.Changed) -> None:
        self.query_one("#interpreter-details").display = event.value

    @on(QuestionField.Answered)
    def _interpreter_language(self, event: QuestionField.Answered) -> None:
        event.stop()
        field = event.field
        assert isinstance(field, CodePicker)
        self.interpreter_language = event.raw if isinstance(event.raw, str) else None
        field.value = self.interpreter_language
        field.refresh_choice()

    def _assistance(self) -> records.Assistance | None:
        """Who helps, from the form; ``None`` (with the reason shown) when something is missing."""
        used = self.query_one("#interpreter", Checkbox).value
        if not used:
            return records.Assistance(caseworker_id=self._caseworker_id(), interpreter_used=False)
        if self.interpreter_language is None:
            self._error(_("Choose the interpreter's language."))
            return None
        number, problem = registry_number(self.query_one("#registry", Input).value)
        if problem is not None:
            self._error(problem.render(current()))
            return None
        pressed = self.query_one("#channel", RadioSet).pressed_button
        return records.Assistance(
            caseworker_id=self._caseworker_id(),
            interpreter_used=True,
            interpreter_language=self.interpreter_language,
            registry_number=number,
            channel=pressed.name if pressed is not None else "on_site",
        )

    def _caseworker_id(self) -> int:
        worker_id = self.desk.caseworker.id
        assert worker_id is not None
        return worker_id

    @on(Button.Pressed, "#new")
    def _new(self) -> None:
        if self._finding:
            return  # the registration being looked up opens in a moment
        if self.person_locale is None:
            self._error(_("Choose the person's language."))
            self.query_one("#person-language", OptionList).focus()
            return
        assistance = self._assistance()
        if assistance is None:
            return
        self._error("")
        self.desk.begin(self.person_locale, assistance)

    @on(OptionList.OptionSelected, "#person-language")
    def _language_chosen(self, event: OptionList.OptionSelected) -> None:
        self.person_locale = event.option.id
        assert self.person_locale is not None
        self.query_one("#person-language-label", Label).update(
            _("The person's language: %(language)s") % {"language": own_name(self.person_locale)}
        )
        self.query_one("#interpreter", Checkbox).focus()

    @on(Input.Submitted, "#key")
    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        if self._finding:
            return  # one look-up at a time: a second Enter must not count a second try
        key = self.query_one("#key", Input).value.strip()
        if not key:
            self._error(_("Type the resume code or the person's identifier."))
            self.query_one("#key", Input).focus()
            return
        assistance = self._assistance()
        if assistance is None:
            return
        self._finding = True
        self._error(_("Checking…"))
        in_background(self, self._find(key, assistance), group="continue")

    async def _find(self, key: str, assistance: records.Assistance) -> None:
        """Find the registration off the event loop (a resume code is an Argon2id hash), then
        continue it."""
        desk = self.desk
        try:
            registration = await asyncio.to_thread(
                Registration.continue_assisted,
                desk.db,
                key=key,
                assistance=assistance,
                today=desk.today,
            )
        except StorageError as exc:
            self._error(exc.message.render(current()))
            return
        finally:
            self._finding = False
        desk.continue_registration(registration)
