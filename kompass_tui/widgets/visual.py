"""The Textual widgets the kiosk uses, showing right-to-left text in visual order.

Each class is the Textual widget of the same name; every line it renders goes through
:func:`kompass_tui.widgets.bidi.visual_strip`, after Textual has wrapped and aligned it. Lines without
right-to-left letters are left as they are. Screens and widgets import these instead of
``textual.widgets``.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import widgets
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets._toggle_button import ToggleButton

from kompass_tui.i18n import current
from kompass_tui.widgets import bidi

__all__ = [
    "Button",
    "Checkbox",
    "Input",
    "Label",
    "OptionList",
    "RadioButton",
    "SelectionList",
    "Static",
    "VisualLines",
]


class VisualLines:
    """Mixin: each rendered line shaped and in visual order (see :mod:`kompass_tui.widgets.bidi`)."""

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


class WrappedToggle(ToggleButton):
    """A toggle button whose label, when it is too long for one line, goes on over more lines
    beside the button instead of being cut with "…". On a right-to-left screen the button and
    the lines are against the right edge (after :func:`kompass_tui.widgets.bidi.visual_strip`)."""

    def _label_lines(self, width: int) -> list[Content]:
        """The label's lines beside the button, or one line when it fits as Textual draws it."""
        room = width - self._button.cell_length - 2  # a blank each side of the label
        if room < 1 or self._label.cell_length <= room:
            return [self._label]
        return self._label.wrap(room)

    def render(self) -> Content:
        width = self.content_size.width
        lines = self._label_lines(width)
        if len(lines) == 1:
            return super().render()
        button = self._button
        label_style = self.get_visual_style("toggle--label")
        indent = " " * (button.cell_length + 1)
        rtl = bidi.right_aligned(current().rtl)
        shown: list[Content] = []
        for index, line in enumerate(lines):
            text = line.rstrip().stylize_before(label_style)
            room = " " * max(width - len(indent) - text.cell_length - 1, 0)
            beside = Content.assemble(button, " ") if index == 0 else Content(indent)
            if rtl:  # in logical order: the button comes first, and ends up on the right
                parts = (beside, text) if index == 0 else (text, beside)
                shown.append(Content.assemble(room, *parts, " "))
            else:
                shown.append(Content.assemble(beside, text, " ", room))
        return Content("\n").join(shown)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._label_lines(width))


class Checkbox(VisualLines, WrappedToggle, widgets.Checkbox):
    pass


class RadioButton(VisualLines, WrappedToggle, widgets.RadioButton):
    pass


class OptionList(VisualLines, widgets.OptionList):
    pass


class WrappedSelectionList(widgets.SelectionList[str]):
    """Textual's SelectionList, its long options going on over more lines beside their tick box
    (Textual's own puts a box on every line, so it must cut them). On a right-to-left screen
    the box and the labels are against the right edge (after
    :func:`kompass_tui.widgets.bidi.visual_strip`)."""

    def render_line(self, y: int) -> Strip:
        line = widgets.OptionList.render_line(self, y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return line
        selection = self.get_option_at_index(index)
        underlying = next(iter(line)).style or self.rich_style
        meta = Style(meta={"option": index})
        if offset == 0:
            beside = self._box(selection.value in self._selected, index, underlying + meta)
        else:
            beside = [Segment(" " * self._get_left_gutter_width(), underlying + meta)]
        if not bidi.right_aligned(current().rtl):
            return Strip([*beside, *line])
        # In logical order: the box comes first and ends up on the right, the blanks that
        # fill the line go before it all.
        text = line.text
        filled = len(text) - len(text.rstrip(" "))
        width = line.cell_length
        label, room = line.crop(0, width - filled), line.crop(width - filled, width)
        if offset == 0:
            return Strip([*room, *beside, *label])
        return Strip([*room, *label, *beside])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The options are wrapped beside their tick boxes (as OptionList lays them out).
        return super().get_content_height(
            container, viewport, width - self._get_left_gutter_width()
        )

    def _box(self, selected: bool, index: int, underlying: Style) -> list[Segment]:
        """The tick box of an option, as Textual's SelectionList draws it."""
        component = "selection-list--button"
        if selected:
            component += "-selected"
        if self.highlighted == index:
            component += "-highlighted"
        button = self.get_component_rich_style(component) + Style(meta={"option": index})
        side = Style.from_color(button.bgcolor, underlying.bgcolor) + Style(meta={"option": index})
        return [
            Segment(ToggleButton.BUTTON_LEFT, side),
            Segment(ToggleButton.BUTTON_INNER, button),
            Segment(ToggleButton.BUTTON_RIGHT, side),
            Segment(" ", underlying),
        ]


class SelectionList(VisualLines, WrappedSelectionList):
    pass


class Input(VisualLines, widgets.Input):
    """An input whose text is not selected when the cursor comes to it: a person coming back
    to an answer to add to it would otherwise type over all of it."""

    def __init__(self, *args: Any, select_on_focus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)
