"""Continue an unfinished registration with its code and the date of birth."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.widgets.visual import Button, Input, Label, Static
from sporreskjema import Form, load_builtin


class ResumeScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="resume-box"):
            yield Label(_("Continue an unfinished registration"), id="resume-title")
            yield Label(_("Your code (8 letters and digits)"))
            yield Input(placeholder="ABCD-EFGH", id="code", max_length=12)
            yield Label(_("Date of birth"))
            yield Input(
                placeholder=_("day.month.year, for example 31.12.1990"),
                id="birth-date",
                max_length=12,
            )
            yield Static("", id="resume-error", classes="question-error")
            with Horizontal(id="resume-buttons"):
                yield Button(_("Back"), id="cancel")
                yield Button(_("Continue"), id="continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#resume-error").display = False
        self.query_one("#code").focus()

    def _error(self, text: str) -> None:
        error = self.query_one("#resume-error", Static)
        error.update(text)
        error.display = True

    @on(Input.Submitted, "#code")
    def _next_field(self) -> None:
        self.query_one("#birth-date").focus()

    @on(Input.Submitted, "#birth-date")
    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        from kompass_tui.app import KioskApp

        app = self.app
        assert isinstance(app, KioskApp)
        form = Form(load_builtin(), today=app.today)
        birth_date, error = form.check("birth_date", self.query_one("#birth-date", Input).value)
        if error is not None or birth_date is None:
            self._error(error.render(current()) if error else _("Write your date of birth."))
            return
        try:
            app.resume(self.query_one("#code", Input).value, birth_date)
        except StorageError as exc:
            self.query_one("#code", Input).value = ""
            self._error(exc.message.render(current()))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
