"""Right-to-left text (Arabic, Dari, Pashto, Sorani) in terminals that do not do bidi.

Text is always stored and edited in logical order (the order it is typed and read). What is
shown depends on the mode, chosen with ``--bidi`` or ``KOMPASS_BIDI``:

``app`` (the default)
    Kompass does it: Arabic letters are shaped (joined as in print) and every line is put
    into visual order with the Unicode bidirectional algorithm, so numbers and Latin names
    inside Arabic read correctly. Right for almost every terminal, which shows characters
    in the order they are written.
``terminal``
    The text is sent in logical order, for a terminal that does bidi and shaping itself
    (mlterm, Konsole, GNOME Terminal). Right-to-left screens are still right-aligned.
``off``
    Logical order, no shaping, left-aligned: for debugging and screen readers.

A paragraph is wrapped to its width in logical order first and then each line is reordered;
reordering before wrapping would put the end of a sentence on its first line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from enum import StrEnum

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

__all__ = [
    "BidiMode",
    "Paragraph",
    "has_rtl",
    "mode",
    "mode_from_environment",
    "right_aligned",
    "set_mode",
    "visual",
]


class BidiMode(StrEnum):
    APP = "app"
    TERMINAL = "terminal"
    OFF = "off"


DEFAULT_MODE = BidiMode.APP
ENVIRONMENT_VARIABLE = "KOMPASS_BIDI"

#: Letters of right-to-left scripts: Hebrew, Arabic (with its supplements and presentation forms),
#: Syriac, Thaana, N'Ko.
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)

_mode = DEFAULT_MODE


def set_mode(new: BidiMode) -> None:
    global _mode
    _mode = new


def mode() -> BidiMode:
    return _mode


def mode_from_environment() -> BidiMode:
    """``KOMPASS_BIDI`` when it names a mode, else the default."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    try:
        return BidiMode(value)
    except ValueError:
        return DEFAULT_MODE


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def right_aligned(rtl_locale: bool) -> bool:
    """Whether text of a screen in a locale of this direction is aligned to the right."""
    return rtl_locale and _mode is not BidiMode.OFF


# arabic_reshaper's default configuration keeps harakat (vowel marks), which terminals draw
# as zero-width combining marks, and joins lam-alef into its ligature as printed text does.
_reshaper = arabic_reshaper.ArabicReshaper()


def _visual_line(line: str, rtl_base: bool | None) -> str:
    base = None if rtl_base is None else ("R" if rtl_base else "L")
    shown = get_display(_reshaper.reshape(line), base_dir=base)
    assert isinstance(shown, str)
    return shown


def visual(text: str, rtl_base: bool | None = None) -> str:
    """``text`` as it must be written to the terminal in the current mode, line by line.

    ``rtl_base``: the paragraph direction (True for a right-to-left screen, False for a
    left-to-right one, None to take it from the first strong letter of each line).
    Only for text that fits on its lines; use :class:`Paragraph` for text that wraps.
    """
    if _mode is not BidiMode.APP or not has_rtl(text):
        return text
    return "\n".join(_visual_line(line, rtl_base) for line in text.split("\n"))


class Paragraph:
    """A Rich renderable: text wrapped in logical order, then each line shown as :func:`visual`
    makes it, aligned to the right on a right-to-left screen.

    ``parts`` are (text, style) pairs joined into one paragraph; a part may contain line
    breaks. Styles apply to whole parts, which keeps them right after reordering when parts
    are on lines of their own (a bold label over a dim help text).
    """

    def __init__(self, parts: Iterable[tuple[str, str | Style]], *, rtl: bool) -> None:
        self.parts = [(text, style) for text, style in parts if text]
        self.rtl = rtl

    def _logical(self) -> Text:
        text = Text(end="")
        for content, style in self.parts:
            text.append(content, style)
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        logical = self._logical()
        justify: JustifyMethod = "right" if right_aligned(self.rtl) else "left"
        if _mode is not BidiMode.APP or not has_rtl(logical.plain):
            logical.justify = justify
            yield logical
            return
        lines = logical.wrap(console, options.max_width, justify="left", overflow="fold")
        shown = Text(end="", justify=justify)
        for number, line in enumerate(lines):
            if number:
                shown.append("\n")
            # One style per line: a line's letters are reordered, its spans could not follow;
            # the parts are whole lines where styles differ.
            style = line.spans[0].style if line.spans else ""
            shown.append(_visual_line(line.plain.rstrip(" "), self.rtl), style)
        yield shown

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._logical())
