"""The Textual widgets the kiosk uses, showing right-to-left text in visual order.

Each class is the Textual widget of the same name; every line it renders goes through
:func:`kompass_tui.bidi.visual_strip`, after Textual has wrapped and aligned it. Lines without
right-to-left letters are left as they are. Screens and widgets import these instead of
``textual.widgets``.
"""

from __future__ import annotations

from typing import Any

from textual import widgets
from textual.strip import Strip
from textual.visual import VisualType

from kompass_tui import bidi
from kompass_tui.i18n import current

__all__ = [
    "Button",
    "Checkbox",
    "DataTable",
    "Input",
    "Label",
    "OptionList",
    "RadioButton",
    "SelectionList",
    "Static",
    "TextArea",
]


class VisualLines:
    """Mixin: each rendered line shaped and in visual order (see :mod:`kompass_tui.bidi`)."""

    def render_line(self, y: int) -> Strip:
        strip: Strip = super().render_line(y)  # type: ignore[misc]
        return bidi.visual_strip(strip, True if current().rtl else None)


class Static(VisualLines, widgets.Static):
    """Text shown as it is: square brackets in what a person typed are not Textual markup
    (``[/b]`` would stop the screen, ``[@click=…]`` would make an action of it)."""

    def __init__(self, content: VisualType = "", *, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(content, markup=markup, **kwargs)


class Label(VisualLines, widgets.Label):
    """Text shown as it is (see :class:`Static`)."""

    def __init__(self, content: VisualType = "", *, markup: bool = False, **kwargs: Any) -> None:
        super().__init__(content, markup=markup, **kwargs)


class Button(VisualLines, widgets.Button):
    pass


class Checkbox(VisualLines, widgets.Checkbox):
    pass


class RadioButton(VisualLines, widgets.RadioButton):
    pass


class OptionList(VisualLines, widgets.OptionList):
    pass


class SelectionList(VisualLines, widgets.SelectionList[str]):
    pass


class DataTable(VisualLines, widgets.DataTable[object]):
    pass


class Input(VisualLines, widgets.Input):
    pass


class TextArea(VisualLines, widgets.TextArea):
    pass
