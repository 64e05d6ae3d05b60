"""A choice of one among a few options, drawn as a radio list in one widget.

It looks and works as Textual's RadioSet of RadioButtons (the arrows move, Space or Enter
chooses, a click chooses), but it is one widget instead of one per option plus the set: every
widget on a page costs time when the page opens, and the kiosk's pages must open fast.
Long option labels go on over more lines beside their button; on a right-to-left screen the
buttons and the labels are against the right edge (after
:func:`kompass_tui.widgets.bidi.visual_strip`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget
from textual.widgets._toggle_button import ToggleButton

from kompass_tui.i18n import current
from kompass_tui.widgets import bidi
from kompass_tui.widgets.visual import VisualLines

#: The round button, as Textual's RadioButton draws it: ▐●▌.
_BUTTON_INNER = "●"
_BUTTON_WIDTH = len(ToggleButton.BUTTON_LEFT + _BUTTON_INNER + ToggleButton.BUTTON_RIGHT)


class RadioChoice(VisualLines, Widget, can_focus=True):
    """Options as ``(value, label)`` pairs; :attr:`chosen` is the value chosen (or ``None``)."""

    DEFAULT_CSS = """
    RadioChoice {
        height: auto;
        width: 1fr;
        pointer: pointer;
        & > .radio--button {
            color: $panel-darken-2;
            background: $panel;
        }
        & > .radio--button-on {
            color: $text-success;
            background: $panel;
        }
        &:blur > .radio--highlight {
            background: $block-cursor-blurred-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .radio--highlight {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "radio--button",
        "radio--button-on",
        "radio--highlight",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "move(1)", "Next option", show=False),
        Binding("up,left", "move(-1)", "Previous option", show=False),
        Binding("enter,space", "choose", "Choose", show=False),
    ]

    #: The option the arrows are at (an index), shown highlighted.
    highlighted: reactive[int] = reactive(0)

    class Changed(Message):
        """The person chose another option."""

        def __init__(self, choice: RadioChoice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> RadioChoice:
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        chosen: str | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.options = tuple(options)
        self.values = [value for value, _label in self.options]
        self._labels = [Content(label).first_line.rstrip() for _value, label in self.options]
        self.chosen = chosen
        start = self.values.index(chosen) if chosen in self.values else 0
        self.set_reactive(RadioChoice.highlighted, start)

    # ------------------------------------------------------------------ choosing

    def choose(self, index: int) -> None:
        """Choose the option at ``index`` (and move the highlight there)."""
        self.highlighted = index
        value = self.values[index]
        if value != self.chosen:
            self.chosen = value
            self.refresh()
            self.post_message(self.Changed(self, value))

    def action_move(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % len(self.options)

    def action_choose(self) -> None:
        self.choose(self.highlighted)

    async def _on_click(self, event: events.Click) -> None:
        self.focus()
        offset = event.get_content_offset(self)
        if offset is None:
            return
        lines = self._line_options(self.content_size.width)
        if 0 <= offset.y < len(lines):
            self.choose(lines[offset.y])

    def line_of(self, value: str) -> int:
        """The first line the option ``value`` is drawn on."""
        index = self.values.index(value)
        return self._line_options(self.content_size.width).index(index)

    def watch_highlighted(self) -> None:
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def _button(self, on: bool) -> Content:
        """The round button, as Textual's RadioButton draws it."""
        style = self.get_visual_style("radio--button-on" if on else "radio--button")
        side = Style(foreground=style.background, background=self.background_colors[1])
        return Content.assemble(
            (ToggleButton.BUTTON_LEFT, side),
            (_BUTTON_INNER, style),
            (ToggleButton.BUTTON_RIGHT, side),
        )

    def _wrapped(self, width: int) -> list[list[Content]]:
        """Each option's label in lines that fit beside its button (a blank each side)."""
        room = width - _BUTTON_WIDTH - 2
        return [
            [label] if room < 1 or label.cell_length <= room else label.wrap(room)
            for label in self._labels
        ]

    def _line_options(self, width: int) -> list[int]:
        """The option drawn on each line."""
        return [index for index, lines in enumerate(self._wrapped(width)) for _line in lines]

    def render(self) -> Content:
        width = self.content_size.width
        rtl = bidi.right_aligned(current().rtl)
        highlight = self.get_visual_style("radio--highlight")
        shown: list[Content] = []
        for index, lines in enumerate(self._wrapped(width)):
            button = self._button(self.values[index] == self.chosen)
            indent = Content(" " * button.cell_length)
            for number, line in enumerate(lines):
                text = line.pad(1, 1)
                if index == self.highlighted:
                    text = text.stylize_before(highlight)
                beside = button if number == 0 else indent
                room = Content(" " * max(width - beside.cell_length - text.cell_length, 0))
                # In logical order: on a right-to-left screen the button comes first and
                # ends up on the right once the line is in visual order.
                if rtl and number > 0:
                    shown.append(Content.assemble(room, text, beside))
                elif rtl:
                    shown.append(Content.assemble(room, beside, text))
                else:
                    shown.append(Content.assemble(beside, text, room))
        return Content("\n").join(shown)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return _BUTTON_WIDTH + 2 + max((label.cell_length for label in self._labels), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._line_options(width))
