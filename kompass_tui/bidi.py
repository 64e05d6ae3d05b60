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

Widgets wrap their text in logical order first and then each rendered line is reordered
(:func:`visual_strip`); reordering before wrapping would put the end of a sentence on its
first line.
"""

from __future__ import annotations

import os
import re
import unicodedata
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

__all__ = [
    "BidiMode",
    "has_rtl",
    "mode_from_environment",
    "right_aligned",
    "set_mode",
    "visual",
    "visual_strip",
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


# Shaping keeps one character for one: vowel marks stay (as combining marks, attached to their
# letter below) and lam-alef is not joined into its ligature, so every shown character still
# knows which typed character it stands for and keeps that character's style.
# Imported on first use: a kiosk that never shows right-to-left text does not pay for them.
@cache
def _reshaper() -> Any:
    import arabic_reshaper  # type: ignore[import-untyped]

    return arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "support_ligatures": False}
    )


@lru_cache(maxsize=4096)
def _visual_order(text: str, rtl_base: bool | None) -> tuple[tuple[str, int], ...]:
    """The characters of one line of ``text`` shaped and in visual order, each with the index
    of the character of ``text`` it shows. Combining marks follow their letter."""
    from bidi import algorithm  # type: ignore[import-untyped]

    shaped = _reshaper().reshape(text)
    if len(shaped) != len(text):  # never with the configuration above; be safe all the same
        shaped = text
    # Clusters: a letter with the combining marks after it moves as one.
    starts = [i for i, ch in enumerate(shaped) if i == 0 or not unicodedata.combining(ch)]
    bases = "".join(shaped[i] for i in starts)
    storage = algorithm.get_empty_storage()
    level = algorithm.get_base_level(bases) if rtl_base is None else int(rtl_base)
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    algorithm.get_embedding_levels(bases, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    algorithm.reorder_resolved_levels(storage, False)
    algorithm.apply_mirroring(storage, False)
    ends = [*starts[1:], len(shaped)]
    order: list[tuple[str, int]] = []
    for char in storage["chars"]:
        first = starts[char["index"]]
        order.append((char["ch"], first))  # the letter, mirrored if it is a bracket
        order.extend((shaped[i], i) for i in range(first + 1, ends[char["index"]]))
    return tuple(order)


def visual(text: str, rtl_base: bool | None = None) -> str:
    """``text`` as it must be written to the terminal in the current mode, line by line.

    ``rtl_base``: the paragraph direction (True on a right-to-left screen, False on a
    left-to-right one, None to take it from the first strong letter of each line).
    """
    if _mode is not BidiMode.APP or not has_rtl(text):
        return text
    return "\n".join(
        "".join(ch for ch, _index in _visual_order(line, rtl_base)) for line in text.split("\n")
    )


def visual_strip(strip: Strip, rtl_base: bool | None) -> Strip:
    """One rendered line of a widget, shaped and in visual order, each character keeping its
    style (the cursor of a text field stays on its letter).

    The line is already wrapped and aligned; only the text between its leading and trailing
    blanks is reordered, so the alignment stays.
    """
    if _mode is not BidiMode.APP:
        return strip
    text = strip.text
    if not has_rtl(text):
        return strip
    cells: list[tuple[str, Style | None]] = [
        (ch, segment.style) for segment in strip if not segment.control for ch in segment.text
    ]
    chars = "".join(ch for ch, _style in cells)
    start = len(chars) - len(chars.lstrip(" "))
    end = len(chars.rstrip(" "))
    order = _visual_order(chars[start:end], rtl_base)
    shown = cells[:start] + [(ch, cells[start + index][1]) for ch, index in order] + cells[end:]
    segments: list[Segment] = []
    for ch, style in shown:
        if segments and segments[-1].style == style:
            segments[-1] = Segment(segments[-1].text + ch, style)
        else:
            segments.append(Segment(ch, style))
    return Strip(segments, strip.cell_length)
