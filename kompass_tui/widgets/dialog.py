"""A dialog over the screen: a box in the middle, with a title, the dialog's fields, a line for
why something was refused, and Cancel (Escape). The review's dialogs and the assisted desk's
share it, and the box (:class:`DialogBox`, also on the desk's lock) is styled here only."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen

from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError
from kompass_tui.widgets.visual import Button, Static
from sporreskjema.text import shown

R = TypeVar("R")


class DialogBox(Vertical):
    """The box of a dialog: wide enough for a question and its answer, never wider than the
    terminal, as high as its fields (a field that does not fit scrolls at 80×24)."""

    DEFAULT_CSS = """
    DialogBox {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    DialogBox .dialog-title {
        text-style: bold;
    }
    DialogBox TextArea {
        height: 6;
    }
    """


class Dialog(ModalScreen[R]):
    """A modal dialog, dismissed with its result, or with ``None`` by Cancel or Escape."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel")]

    def buttons(self, save: str) -> ComposeResult:
        """The line for a refusal, Cancel and the dialog's own button (``#save``)."""
        yield Static("", classes="error dialog-error")
        with Horizontal(classes="buttons"):
            yield Button(_("Cancel"), id="cancel")
            yield Button(save, id="save", variant="primary")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def refuse(self, exc: StorageError | str) -> None:
        """Say why the action was refused; the dialog stays open and keeps what was typed."""
        message = exc if isinstance(exc, str) else exc.message.render(current())
        # A Text: messages quote what was typed, which must not be read as markup.
        self.query_one(".dialog-error", Static).update(Text(shown(message)))
