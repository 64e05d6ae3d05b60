"""The frame around every kiosk screen: the top bar (where you are, language) and the
navigation bar (back, next)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label

from kompass_tui.i18n import _


class TopBar(Horizontal):
    """The step and section on the left, the language button on the right."""

    def __init__(
        self,
        title: str,
        *,
        step: int | None = None,
        steps: int | None = None,
        language: bool = True,
    ) -> None:
        super().__init__(id="top-bar")
        self.title_text = title
        self.step = step
        self.steps = steps
        self.language = language

    def compose(self) -> ComposeResult:
        if self.step is not None and self.steps is not None:
            yield Label(
                _("Step %(step)d of %(steps)d") % {"step": self.step, "steps": self.steps},
                id="step",
            )
        yield Label(self.title_text, id="title")
        if self.language:
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
