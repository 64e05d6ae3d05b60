"""What a screen says when it is read aloud (F5): the text a person sees, in reading order.

A screen may say what it means itself (``spoken()``: a page of questions says its questions,
their help, their choices and any error under them); any other screen says the text of its
visible widgets, without the bars around it (the step, the language button, Back and Next).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

#: The bars every page has: what they say is not what the page says.
_BARS = ("top-bar", "nav-bar")


@runtime_checkable
class Speaks(Protocol):
    """A screen (or widget) that says what it means when read aloud."""

    def spoken(self) -> list[str]: ...


@runtime_checkable
class SpeaksIn(Protocol):
    """A screen that is read aloud in a language of its own, not the person's (the language
    picker says each language in that language)."""

    def spoken_in(self) -> str | None: ...


def plain(content: object) -> str:
    """A widget's text without its styles."""
    if isinstance(content, str):
        return content
    if isinstance(content, Text | Content):
        return content.plain
    return ""


def _shown(widget: Widget) -> bool:
    return all(
        node.display and node.visible
        for node in widget.ancestors_with_self
        if isinstance(node, Widget)
    )


def _in_bars(widget: Widget) -> bool:
    return any(node.id in _BARS for node in widget.ancestors_with_self)


def visible_text(screen: Screen[object]) -> list[str]:
    """The text of the screen's visible widgets (labels, buttons), outside the bars."""
    parts: list[str] = []
    for widget in screen.query("*"):
        if not isinstance(widget, Static | Button) or _in_bars(widget) or not _shown(widget):
            continue
        text = plain(widget.label if isinstance(widget, Button) else widget.content).strip()
        if text:
            parts.append(text)
    return parts


def spoken_locale(screen: Screen[object], person: str) -> str:
    """The language ``screen`` is read aloud in: its own, or the person's (``person``)."""
    own = screen.spoken_in() if isinstance(screen, SpeaksIn) else None
    return own or person


def spoken_parts(screen: Screen[object]) -> list[str]:
    """What ``screen`` says when read aloud, message by message (each may have its clip)."""
    parts = screen.spoken() if isinstance(screen, Speaks) else visible_text(screen)
    return [part.strip() for part in parts if part.strip()]
