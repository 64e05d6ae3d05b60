"""The assisted desk's own dialogs, in the caseworker's language: who gave the answers on a
page, the language of the caseworker's side, and the lock after a time without input."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets.option_list import Option

from kompass_tui.assist.host import AssistHost
from kompass_tui.i18n import N_, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Caseworker
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.dialog import Dialog, DialogBox
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Input, Label, OptionList, Static
from kompass_tui.wizard.screens.language import LanguageScreen
from sporreskjema import Questionnaire
from sporreskjema.i18n import Translator, translator

#: The desk, as what its own screens may ask of it.
_DESK = Host(AssistHost)


def _desk(screen: Screen[Any]) -> Translator:
    """The caseworker's language (the person's language is for the wizard's pages)."""
    desk = _DESK.find(screen)
    return desk.desk_language if desk is not None else translator("nb")


class ProvenanceDialog(Dialog[str | None]):
    """Who gave the answers on this page; dismissed with a provenance code, or ``None``."""

    def __init__(self, questionnaire: Questionnaire, now: str) -> None:
        super().__init__()
        self.questionnaire = questionnaire
        self.now = now

    def compose(self) -> ComposeResult:
        tr = _desk(self)
        with DialogBox(id="provenance-box"):
            yield Label(tr.gettext("Who gave the answers on this page?"), classes="dialog-title")
            yield OptionList(
                *(
                    Option(("● " if p.code == self.now else "○ ") + tr.gettext(p.label), id=p.code)
                    for p in self.questionnaire.provenance
                ),
                id="provenance",
            )
            with Horizontal(classes="buttons"):
                yield Button(tr.gettext("Cancel"), id="cancel")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        codes = [p.code for p in self.questionnaire.provenance]
        options.highlighted = codes.index(self.now) if self.now in codes else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class CompanionLanguageScreen(LanguageScreen):
    """F4: the language picker for the caseworker's side, which asks in the caseworker's
    language (each language in the list names itself)."""

    def __init__(self) -> None:
        super().__init__(switching=True)

    def on_mount(self) -> None:
        tr = _desk(self)
        self.query_one("#language-prompt", Label).update(tr.gettext("Choose your language"))
        self.query_one("#cancel", Button).label = tr.gettext("Back")


#: The lock's title, also in the person's language: they see the screen too.
LOCKED = N_("Locked")


class LockScreen(Screen[bool]):
    """Covers everything until the caseworker who logged in types their password again."""

    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
    }
    """

    def __init__(self, caseworker: Caseworker) -> None:
        super().__init__()
        self.caseworker = caseworker
        #: The password is being checked (off the event loop).
        self._checking = False

    def compose(self) -> ComposeResult:
        tr = _desk(self)
        with DialogBox(id="lock-box"):
            title = tr.gettext(LOCKED)
            if current().locale != tr.locale:
                title = f"{title} · {current().gettext(LOCKED)}"
            yield Label(title, classes="dialog-title")
            yield Static(
                tr.gettext(
                    "The screen was locked after a time without input. %(name)s, type your password to go on."
                )
                % {"name": self.caseworker.full_name or self.caseworker.username}
            )
            yield Input(id="lock-password", password=True, max_length=200)
            yield Static("", id="lock-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(tr.gettext("Unlock"), id="unlock", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-password")
    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        if self._checking:
            return  # one check at a time: a second Enter must not try the password again
        self._checking = True
        self.query_one("#lock-error", Static).update(_desk(self).gettext("Checking…"))
        in_background(
            self, self._check(self.query_one("#lock-password", Input).value), group="lock"
        )

    async def _check(self, password: str) -> None:
        """Check the password off the event loop (Argon2id), then unlock or say why not."""
        from kompass_tui.storage import accounts

        try:
            await asyncio.to_thread(
                accounts.authenticate,
                _DESK.of(self).db,
                username=self.caseworker.username,
                password=password,
            )
        except StorageError as exc:
            self.query_one("#lock-password", Input).value = ""
            self.query_one("#lock-error", Static).update(exc.message.render(_desk(self)))
            return
        finally:
            self._checking = False
        self.dismiss(True)
