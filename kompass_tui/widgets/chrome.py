"""The frame around every kiosk page: the top bar (where you are, your code, language) and
the navigation bar (back, next).

Few widgets on purpose: Textual lays out every widget of the screen again at each
keystroke, so every widget in the frame makes typing slower.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal

from kompass_tui.i18n import _, current
from kompass_tui.widgets import bidi
from kompass_tui.widgets.host import Bilingual, Host, ReadsAloud
from kompass_tui.widgets.visual import Button, Label
from sporreskjema.i18n import Translator

#: The app, as one that may show a second language (any other app shows one).
_BILINGUAL = Host(Bilingual)
#: The app, as one that may read its screens aloud.
_READS_ALOUD = Host(ReadsAloud)


def beside(app: App[Any]) -> Translator | None:
    """The caseworker's language at the assisted desk, when it is not the person's; ``None``
    at the kiosk (which shows the person's language alone)."""
    host = _BILINGUAL.find(app)
    companion = host.companion if host is not None else None
    if companion is None:
        return None
    return None if companion.locale == current().locale else companion


def both(app: App[Any], message: str) -> str:
    """``message`` in the person's language and, at the desk, in the caseworker's after it, so
    the caseworker can tell which button is which ("+ اضافه کردن · + Legg til")."""
    shown = current().gettext(message)
    desk = beside(app)
    return shown if desk is None else f"{shown} · {desk.gettext(message)}"


class TopBar(Horizontal):
    """ "Step 3 of 8  Languages  2/5 · Your code: ABCD-EFGH" and the language button."""

    def __init__(
        self,
        title: str,
        *,
        step: tuple[int, int] | None = None,
        page: tuple[int, int] | None = None,
        note: str = "",
    ) -> None:
        super().__init__(id="top-bar")
        self.title_text = title
        self.step = step
        self.page = page
        self.note = note

    def where(self) -> Text:
        text = Text()
        if self.step is not None:
            text.append(
                _("Step %(step)d of %(steps)d") % {"step": self.step[0], "steps": self.step[1]},
                style="dim",
            )
            text.append("  ")
        text.append(self.title_text, style="bold")
        if self.page is not None and self.page[1] > 1:
            text.append("  ")
            text.append(f"{self.page[0]}/{self.page[1]}", style="dim")
        if self.note:
            text.append("  ·  ")
            text.append(self.note, style="bold reverse")
        return text

    def compose(self) -> ComposeResult:
        yield Label(self.where(), id="where")
        reader = _READS_ALOUD.find(self.app)
        if reader is not None and reader.speaks():  # without sound, no button that does nothing
            yield Button(_("Read aloud") + " F5", id="speak-button", classes="chrome")
        yield Button(_("Language") + " F2", id="language-button", classes="chrome")

    def show(self, *, page: tuple[int, int] | None = None, note: str | None = None) -> None:
        if page is not None:
            self.page = page
        if note is not None:
            self.note = note
        self.query_one("#where", Label).update(self.where())


class NavButton(Button):
    """A button of the bars, in the reading order of the page: on a right-to-left page Tab
    goes from right to left (Back, on the right, before Next)."""

    @property
    def _focus_sort_key(self) -> tuple[int, int]:
        y, x = super()._focus_sort_key
        return (y, -x) if bidi.right_aligned(current().rtl) else (y, x)


class NavBar(Horizontal):
    """Back and next, and between them the keys that work on the page; Back may be hidden.

    The labels are message ids, shown in the person's language and, at the assisted desk, in
    the caseworker's beside it.
    """

    def __init__(self, *, back: str | None, next_: str, keys: str = "") -> None:
        super().__init__(id="nav-bar")
        self.back = back
        self.next_ = next_
        self.keys = keys

    @staticmethod
    def _arrows() -> tuple[str, str]:
        """Back and next arrows: on a right-to-left screen, next is on the left."""
        return ("→", "←") if bidi.right_aligned(current().rtl) else ("←", "→")

    def compose(self) -> ComposeResult:
        back_arrow, next_arrow = self._arrows()
        back = NavButton(
            f"{back_arrow} {both(self.app, self.back or '')}", id="back", classes="chrome"
        )
        back.display = self.back is not None
        yield back
        yield NavButton(
            f"{both(self.app, self.next_)} {next_arrow}",
            id="next",
            variant="primary",
            classes="chrome",
        )
        yield Label(self.keys, id="keys")

    def show(self, *, back: str | None, next_: str, keys: str) -> None:
        """New labels for the next page (the same widgets: nothing is mounted again)."""
        back_arrow, next_arrow = self._arrows()
        button = self.query_one("#back", Button)
        button.display = back is not None
        if back is not None:
            button.label = f"{back_arrow} {both(self.app, back)}"
        self.query_one("#next", Button).label = f"{both(self.app, next_)} {next_arrow}"
        self.query_one("#keys", Label).update(keys)
