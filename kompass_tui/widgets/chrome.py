"""The frame around every kiosk screen: the top bar (where you are, language) and the
navigation bar (back, next)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label

from kompass_tui.i18n import _


class TopBar(Horizontal):
    """The step and section on the left, the page within the section, the language button."""

    def __init__(
        self,
        title: str,
        *,
        step: tuple[int, int] | None = None,
        page: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(id="top-bar")
        self.title_text = title
        self.step = step
        self.page = page

    def where(self) -> Text:
        """ "Step 3 of 8  Languages  2/5" in one line (one widget: each costs at every keystroke)."""
        text = Text()
        if self.step is not None:
            text.append(
                _("Step %(step)d of %(steps)d") % {"step": self.step[0], "steps": self.step[1]},
                style="dim",
            )
            text.append("  ")
        text.append(self.title_text, style="bold")
        if self.page is not None and self.page[1] > 1:
            text.append(f"  {self.page[0]}/{self.page[1]}", style="dim")
        return text

    def compose(self) -> ComposeResult:
        yield Label(self.where(), id="where")
        yield Button(_("Language") + " F2", id="language-button", classes="chrome")


class NavBar(Horizontal):
    """Back and next; either may be missing."""

    def __init__(self, *, back: str | None, next_: str | None, note: str = "") -> None:
        super().__init__(id="nav-bar")
        self.back = back
        self.next_ = next_
        self.note = note

    def compose(self) -> ComposeResult:
        if self.back is not None:
            yield Button("← " + self.back, id="back", classes="chrome")
        yield Label(self.note, id="nav-note")
        if self.next_ is not None:
            yield Button(self.next_ + " →", id="next", variant="primary", classes="chrome")
