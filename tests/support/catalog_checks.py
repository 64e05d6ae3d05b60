"""Checks of a translation catalog beyond Babel's own: the glossary (locales/glossary.toml) and
lint that Babel does not do. Each returns the problems it finds, one line each, so that a test
can show them all and another can break an entry on purpose and see it found."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "locales" / "glossary.toml"

#: Function keys and Ctrl combinations: a translation must name the same keys.
_KEYS = re.compile(r"\b(?:F[1-9][0-9]?|Ctrl\+[A-Za-z\\]+)\b")
#: Brace placeholders ({name}) and Rich markup tags ([b], [/b], [bold red]).
_BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MARKUP = re.compile(r"\[/?(?:b|i|u|bold|italic|dim|reverse|link)(?:[ =][^\]]*)?\]")
#: Arabic letters that are not Persian (Dari, Sorani write ی and ک), and the other way round.
_ARABIC_ONLY = re.compile("[\u064a\u0643]")  # ي ك
_PERSIAN_ONLY = re.compile("[\u06cc\u06a9]")  # ی ک
#: Arabic's dual names the two by itself: "ثانيتين", never "2 ثانيتين".
_NUMBER_BEFORE_WORD = re.compile(r"%\([a-z_]+\)d [\u0600-\u06ff]")


def glossary() -> dict[str, Any]:
    with GLOSSARY.open("rb") as handle:
        return tomllib.load(handle)


def _entries(catalog: Catalog) -> Iterator[tuple[str, list[str]]]:
    """Each translated message: its English (singular and plural joined) and its forms."""
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield " ".join(ids), [s for s in strings if s]


def glossary_problems(catalog: Catalog, locale: str, terms: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, term in terms.items():
        if name == "distinct":
            continue
        approved = term.get("approved", {}).get(locale)
        wrong = term.get("wrong", {}).get(locale, [])
        if approved is None and not wrong:
            continue
        english = re.compile(term["english"], re.IGNORECASE)
        for msgid, strings in _entries(catalog):
            if not english.search(msgid):
                continue
            for text in strings:
                if approved is not None and not re.search(approved, text, re.IGNORECASE):
                    problems.append(f"{locale}: {name}: {msgid!r} lacks {approved!r}: {text!r}")
                problems += [
                    f"{locale}: {name}: {msgid!r} has the wrong {bad!r}: {text!r}"
                    for bad in wrong
                    if bad.lower() in text.lower()
                ]
    translated = {msgid: strings for msgid, strings in _entries(catalog)}
    for first, second in terms.get("distinct", {}).get(locale, []):
        if translated.get(first) and translated.get(first) == translated.get(second):
            problems.append(
                f"{locale}: {first!r} and {second!r} read the same: {translated[first]}"
            )
    return problems


def lint_problems(catalog: Catalog, locale: str) -> list[str]:
    problems: list[str] = []
    for msgid, strings in _entries(catalog):
        for pattern, what in ((_KEYS, "keys"), (_BRACES, "placeholders"), (_MARKUP, "markup")):
            wanted = sorted(set(pattern.findall(msgid)))
            for text in strings:
                if sorted(set(pattern.findall(text))) != wanted:
                    problems.append(f"{locale}: {what} {wanted} not kept in {text!r} ({msgid!r})")
        for text in strings:
            if locale in ("fa_AF", "ckb") and _ARABIC_ONLY.search(text):
                problems.append(f"{locale}: Arabic ي or ك where Persian letters belong: {text!r}")
            if locale == "ar" and _PERSIAN_ONLY.search(text):
                problems.append(f"{locale}: Persian ی or ک in Arabic: {text!r}")
    if locale == "ar":
        for message in catalog:
            if isinstance(message.id, tuple) and _NUMBER_BEFORE_WORD.search(message.string[2]):
                problems.append(f"ar: the dual with a number before it: {message.string[2]!r}")
    return problems
