"""Free text as people type it, made safe to store and to show on any terminal."""

from __future__ import annotations

import re
import unicodedata

#: Terminal escape sequences: CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes, 8-bit CSI.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d-\x9f][^\x07\x1b\x9c]*[\x07\x9c]?"
)
#: Bidi embeddings, overrides and isolates, which can reorder text on someone else's screen.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_SPACES = re.compile(r"[ \t\u00a0]+")
#: What a JSON file must not hold raw for a terminal (``cat``, ``less -r``) or a bidi-aware
#: viewer: DEL, C1 controls (8-bit CSI, OSC …), bidi controls and the line and paragraph
#: separators. ``json.dumps`` escapes C0 controls (ESC among them) itself.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029]")


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """Trim, NFC-normalise and strip control characters and terminal escape sequences."""
    if raw.isprintable() and "  " not in raw and unicodedata.is_normalized("NFC", raw):
        # Nothing to remove or join: every control, tab, line break, escape sequence and
        # space but " " is unprintable. Most answers are such text (an import reads many).
        return raw.strip()
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ESCAPE_SEQUENCE.sub("", text)
    if not multiline:
        text = text.replace("\n", " ")
    text = _CONTROL.sub("", text.replace("\t", " "))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) if multiline else " ".join(lines)
    return text.strip()


def has_controls(text: str) -> bool:
    """Whether ``text`` holds what :func:`clean_text` removes to keep terminals safe: control
    characters (every escape sequence starts with one) or bidi embeddings, overrides and
    isolates. Tabs and line breaks are fine."""
    return _CONTROL.search(text) is not None


def shown(text: object, *, multiline: bool = False) -> str:
    """Stored text as any view or export shows it: the one rule for showing what came from the
    database, wherever it came from.

    Text that holds nothing a terminal or a bidi-aware viewer would act on is shown as it is
    stored; text that does (control characters, escape sequences, bidi overrides, and line
    breaks in a one-line field such as a name or a code, which would fake a line of their own)
    is cleaned by :func:`clean_text`. Anything that is not text is shown as its ``str``."""
    value = text if isinstance(text, str) else str(text)
    if has_controls(value) or (not multiline and "\n" in value):
        return clean_text(value, multiline=multiline)
    return value


def json_escaped(encoded: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every character
    that :func:`shown` would remove written as a ``\\uXXXX`` escape instead: the JSON means
    the same to a program, and nothing in it acts on a terminal or a bidi-aware viewer. Such
    characters can only be inside strings, where an escape is always allowed."""
    if _JSON_UNSAFE.search(encoded) is None:
        return encoded
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
