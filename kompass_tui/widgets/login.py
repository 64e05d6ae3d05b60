"""Caseworker login: the first screen of the review and of the assisted desk.

A password manager types the user name, Tab, the password and Enter in one burst. Textual
sends each key to the widget that has the focus when the key is taken from the queue, but a
Tab or an Enter that an input field handles moves the focus only later, so the keys after it
would land in the field before it (the password in the user-name field, and then in the audit
as a failed login's user name). So the app hands every key to :meth:`LoginScreen.route_key`
first, in the order they were typed (:class:`LoginKeys`): Tab, Shift+Tab and Enter move the
focus at once, keys typed before the screen is built wait for it, and Enter logs in only after
the fields have taken every key typed before it. The password is then checked off the event
loop (Argon2id takes up to a second): the screen says so and takes no second Enter meanwhile.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget

from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Caseworker
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.host import Host, LoginHost
from kompass_tui.widgets.visual import Button, Input, Label, Static


class LoginScreen(Screen[Caseworker]):
    """User name and password; dismissed with the caseworker once they are right."""

    DEFAULT_CSS = """
    LoginScreen {
        align: center middle;
    }
    #login-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        padding: 1 2;
    }
    #login-title {
        text-style: bold;
        padding: 0 1;
        width: 100%;
        background: $panel;
    }
    """

    host = Host(LoginHost)

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        #: Keys that came before the fields could take them, in order; ``None`` once they can.
        self._early: list[events.Key] | None = []
        #: An Enter is waiting for the fields to take the keys typed before it.
        self._login_pending = False
        #: The password is being checked (off the event loop).
        self._checking = False

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
        self.set_focus(self.query_one("#username", Input))
        early, self._early = self._early or [], None
        for key in early:
            if not self.route_key(key):
                self._forward_key(key)

    def _forward_key(self, key: events.Key) -> None:
        """Give ``key`` to the focused widget, as the app would have."""
        target: Widget = self.focused or self
        target._forward_event(key)

    def route_key(self, key: events.Key) -> bool:
        """Take ``key`` before the app sends it to the focused widget (it is called in the order
        the keys were typed); False: the app goes on as usual."""
        if self._early is not None:
            self._early.append(key)
            return True
        if key.key in ("tab", "shift+tab"):
            if key.key == "tab":
                self.focus_next()
            else:
                self.focus_previous()
            return True
        # Ctrl+J: an Enter typed before the program set up the terminal comes as a line feed.
        if key.key in ("enter", "ctrl+j"):
            if self.focused is self.query_one("#username", Input):
                self.set_focus(self.query_one("#password", Input))
            else:
                self._login_when_typed()
            return True
        return False

    def _login_when_typed(self) -> None:
        """Log in once both fields have taken the keys already sent to them: each runs the
        callback after the keys in its own queue."""
        if self._login_pending:
            return
        self._login_pending = True
        username = self.query_one("#username", Input)
        password = self.query_one("#password", Input)
        username.call_later(password.call_later, self.call_later, self._login_now)

    def _login_now(self) -> None:
        self._login_pending = False
        self._login()

    @on(Input.Submitted, "#username")
    def _to_password(self) -> None:  # only in an app without LoginKeys
        self.set_focus(self.query_one("#password", Input))

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        error = self.query_one("#login-error", Static)
        if self._checking:
            return  # one login at a time: a second Enter must not try the password again
        if not username.strip() or not password:
            error.update(_("Type your user name and password."))
            return
        self._checking = True
        error.update(_("Checking…"))
        in_background(self, self._check(username, password), group="login")

    async def _check(self, username: str, password: str) -> None:
        """Check the password off the event loop (Argon2id), then log in or say why not."""
        from kompass_tui.storage import accounts

        try:
            worker = await asyncio.to_thread(
                accounts.authenticate,
                self.host.db,
                username=username,
                password=password,
            )
        except StorageError as exc:
            password_box = self.query_one("#password", Input)
            password_box.value = ""
            self.set_focus(password_box)
            self.query_one("#login-error", Static).update(
                Text(exc.message.render(current()))  # not markup
            )
            return
        finally:
            self._checking = False
        self.dismiss(worker)


class LoginKeys(App[None]):
    """For an app that shows :class:`LoginScreen`: every key goes to the login screen first, in
    the order typed (see the module's notes). The app's own keys (its bindings) never wait."""

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key not in self._bindings.key_to_bindings
            and self.screen_stack
            and isinstance(self.screen_stack[-1], LoginScreen)
            and self.screen_stack[-1].route_key(event)
        ):
            return
        await super().on_event(event)
