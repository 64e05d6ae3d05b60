"""The frame around every kiosk screen: the top bar (where you are, language) and the
navigation bar (back, next)."""

from __future__ import annotations

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

    def compose(self) -> ComposeResult:
        if self.step is not None:
            yield Label(
                _("Step %(step)d of %(steps)d") % {"step": self.step[0], "steps": self.step[1]},
                id="step",
            )
        yield Label(self.title_text, id="title")
        if self.page is not None and self.page[1] > 1:
            yield Label(f"{self.page[0]}/{self.page[1]}", id="page")
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
