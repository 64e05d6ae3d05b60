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
    from arabic_reshaper.letters import LETTERS_ARABIC  # type: ignore[import-untyped]

    reshaper = arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "support_ligatures": False}
    )
    reshaper.letters = {**_letters_without_forms(), **LETTERS_ARABIC}
    return reshaper


#: Letters without presentation forms that join only to the letter before them (the rest join
#: on both sides, but HIGH HAMZA and LOW ALEF, which do not join at all).
_RIGHT_JOINING = frozenset(
    "\u0672\u0673\u0675\u0676"  # alef, high hamza alef and waw
    "\u0689\u068a\u068b\u068f\u0690\u06ee\u0759\u075a\u08ae"  # dal
    "\u0692\u0693\u0694\u0695\u0696\u0697\u0699\u06ef\u075b\u076b\u076c\u0771"  # reh
    "\u08aa\u08b2\u08b9"  # reh, zain
    "\u06c4\u06ca\u06cf\u0778\u0779\u08ab\u08b1"  # waw
    "\u06c3\u06cd\u06d5\u0773\u0774\u077a\u077b\u08ac"  # teh marbuta goal, yeh with tail, ae, alef, yeh barree
)
_NON_JOINING = frozenset("\u0674\u08ad")
_ARABIC_LETTERS = (range(0x0620, 0x0700), range(0x0750, 0x0780), range(0x08A0, 0x08CA))


def _letters_without_forms() -> dict[str, tuple[str, str, str, str]]:
    """Arabic letters that Unicode has no presentation forms for (Pashto's ښ ټ ګ ڼ ځ څ ډ ړ ږ,
    and others), as arabic_reshaper's table of (isolated, initial, medial, final) forms: each
    is shown as typed in every form, so its neighbours still take their joined forms."""
    letters: dict[str, tuple[str, str, str, str]] = {}
    for block in _ARABIC_LETTERS:
        for code in block:
            ch = chr(code)
            if unicodedata.category(ch) != "Lo" or ch in _NON_JOINING:
                continue
            letters[ch] = (ch, "", "", ch) if ch in _RIGHT_JOINING else (ch, ch, ch, ch)
    return letters


#: Numbers written in groups ("+47 912 34 567", "2024-05-01", "+47"): one left-to-right unit
#: inside right-to-left text. The bidi algorithm alone would put the groups in right-to-left
#: order, as "567 34 912 47+".
_NUMBER = re.compile(r"\+?\d+(?:[ .\-/]\d+)+|\+\d+")

#: Paired brackets (Unicode BidiBrackets.txt, the ones text in the kiosk uses).
_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = frozenset(_OPENING.values())

#: The half blocks that round off Textual's tick boxes and radio buttons: mirrored like
#: brackets, so that a box moved to the right of its label still looks like a box.
_HALF_BLOCKS = {"▌": "▐", "▐": "▌"}


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
    _keep_numbers_together(bases, storage)
    _resolve_bracket_pairs(storage)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    algorithm.reorder_resolved_levels(storage, False)
    algorithm.apply_mirroring(storage, False)
    for char in storage["chars"]:
        if char["level"] % 2:
            char["ch"] = _HALF_BLOCKS.get(char["ch"], char["ch"])
    ends = [*starts[1:], len(shaped)]
    order: list[tuple[str, int]] = []
    for char in storage["chars"]:
        first = starts[char["index"]]
        order.append((char["ch"], first))  # the letter, mirrored if it is a bracket
        order.extend((shaped[i], i) for i in range(first + 1, ends[char["index"]]))
    return tuple(order)


def _keep_numbers_together(bases: str, storage: dict[str, Any]) -> None:
    """Make each number written in groups one left-to-right run (see :data:`_NUMBER`)."""
    inside: set[int] = set()
    for match in _NUMBER.finditer(bases):
        inside.update(range(match.start(), match.end()))
    if inside:
        for char in storage["chars"]:
            if char["index"] in inside:
                char["type"] = "L"


def _resolve_bracket_pairs(storage: dict[str, Any]) -> None:
    """Rule N0 of the bidi algorithm, which python-bidi's own steps leave out: both brackets
    of a pair take the direction of the text they enclose, so that "(12 رقم)" inside Dari
    keeps its brackets around its words, mirrored."""
    chars: list[dict[str, Any]] = storage["chars"]
    for run in storage["runs"]:
        start, end = run["start"], run["start"] + run["length"]
        embedding = "LR"[chars[start]["level"] % 2] if end > start else "L"
        for opening, closing in _bracket_pairs(chars, start, end):
            inside = {_strong(chars[i]["type"]) for i in range(opening + 1, closing)}
            if embedding in inside:
                direction = embedding
            elif inside & {"L", "R"}:  # only the other direction: the one before the pair
                direction = next(
                    (
                        _strong(chars[i]["type"])
                        for i in range(opening - 1, start - 1, -1)
                        if _strong(chars[i]["type"])
                    ),
                    run["sor"],
                )
            else:
                continue
            chars[opening]["type"] = chars[closing]["type"] = direction


def _strong(kind: str) -> str:
    """The direction a resolved bidi type gives brackets (numbers count as right-to-left)."""
    return {"L": "L", "R": "R", "EN": "R", "AN": "R"}.get(kind, "")


def _bracket_pairs(chars: list[dict[str, Any]], start: int, end: int) -> list[tuple[int, int]]:
    """Positions of the paired brackets between ``start`` and ``end``, in the order of their
    opening brackets (rule BD16)."""
    pairs: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i in range(start, end):
        ch, kind = chars[i]["ch"], chars[i]["type"]
        if kind != "ON":
            continue
        if ch in _OPENING:
            if len(stack) == 63:
                break
            stack.append((_OPENING[ch], i))
        elif ch in _CLOSING:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


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
