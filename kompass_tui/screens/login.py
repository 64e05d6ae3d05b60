"""Caseworker login: the first screen of the review (and of any staff tool)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Caseworker
from kompass_tui.widgets.visual import Button, Input, Label, Static


class LoginScreen(Screen[Caseworker]):
    """User name and password; dismissed with the caseworker once they are right."""

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label(self.title_text or _("Kompass — review"), id="login-title")
            yield Label(_("User name"))
            yield Input(id="username", max_length=80)
            yield Label(_("Password"))
            yield Input(id="password", password=True, max_length=200)
            yield Static("", id="login-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Log in"), id="login", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    @on(Input.Submitted, "#username")
    def _to_password(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        from kompass_tui.storage import accounts

        username = self.query_one("#username", Input).value
        password_box = self.query_one("#password", Input)
        error = self.query_one("#login-error", Static)
        if not username.strip() or not password_box.value:
            error.update(_("Type your user name and password."))
            return
        try:
            worker = accounts.authenticate(
                self.app.db,  # type: ignore[attr-defined]
                username=username,
                password=password_box.value,
            )
        except StorageError as exc:
            password_box.value = ""
            password_box.focus()
            error.update(Text(exc.message.render(current())))  # not markup
            return
        self.dismiss(worker)
