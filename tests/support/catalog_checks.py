"""Checks of a translation catalog beyond Babel's own: the glossary (locales/glossary.toml) and
lint that Babel does not do. Each returns the problems it finds, one line each, so that a test
can show them all and another can break an entry on purpose and see it found."""

from __future__ import annotations

import re
import tomllib
import unicodedata
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


#: The script each locale is written in, as ranges of code points.
_CYRILLIC = "\u0400-\u04ff"
_ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_ETHIOPIC = "\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f"
_LATIN = "A-Za-z\u00c0-\u024f"
SCRIPTS = {
    "uk": _CYRILLIC, "ru": _CYRILLIC,
    "ar": _ARABIC, "fa_AF": _ARABIC, "ps": _ARABIC, "ckb": _ARABIC,
    "ti": _ETHIOPIC, "am": _ETHIOPIC,
}  # fmt: skip
#: Messages that are names, the same in every script (the lint lets them stand without a letter
#: of the locale's own script).
AS_IS = frozenset({"OK", "A1", "A2", "B1", "B2", "C1", "PipeWire (pw-play)", "PulseAudio (paplay)",
                   "ALSA (aplay)", "Nasjonalt tolkeregister no. %(number)s"})  # fmt: skip
#: Below this share of its letters in the locale's script, a translation is in another script.
SCRIPT_SHARE = 0.5
#: What is not the translation's own words: placeholders and key names.
_NOT_WORDS = re.compile(
    r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}|\b(?:F[0-9]+|Ctrl\+\S+|Esc|Enter|Tab)\b"
)
_DIGITS = re.compile(r"\d+")


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
        problems += _script_problems(msgid, strings, locale)
        problems += _digit_problems(msgid, strings, locale)
    if locale == "ar":
        for message in catalog:
            if isinstance(message.id, tuple) and _NUMBER_BEFORE_WORD.search(message.string[2]):
                problems.append(f"ar: the dual with a number before it: {message.string[2]!r}")
    return problems


def _script_problems(msgid: str, strings: list[str], locale: str) -> list[str]:
    """A translation whose letters are mostly not of the locale's script (its words, that is:
    names the English has too, such as Kompass or DUF, do not count)."""
    script = re.compile(f"[{SCRIPTS.get(locale, _LATIN)}]")
    # Runs of Latin letters the English has too, even joined to a word ("በkompass").
    kept = {run.lower() for run in re.findall("[A-Za-z]+", msgid)}
    problems = []
    for text in strings:
        if (
            locale in SCRIPTS
            and msgid not in AS_IS
            and re.search(r"[^\W\d_]", _NOT_WORDS.sub(" ", text))
            and not script.search(text)
        ):
            problems.append(f"{locale}: no word in the locale's script: {text!r} ({msgid!r})")
            continue
        own = re.sub("[A-Za-z]+", lambda m: "" if m[0].lower() in kept else m[0], text)
        letters = [c for c in _NOT_WORDS.sub(" ", own) if c.isalpha()]
        if letters and sum(1 for c in letters if script.match(c)) / len(letters) < SCRIPT_SHARE:
            problems.append(f"{locale}: not written in the locale's script: {text!r}")
    return problems


def _ascii(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _digit_problems(msgid: str, strings: list[str], locale: str) -> list[str]:
    """The numbers of the English (a date's example, "12 digits", "+47") kept, in any digits.
    Arabic's dual names two without the number ("سنتان", two years)."""
    wanted = set(_DIGITS.findall(_NOT_WORDS.sub(" ", msgid))) - ({"2"} if locale == "ar" else set())
    problems = []
    for text in strings:
        missing = wanted - set(_DIGITS.findall(_ascii(_NOT_WORDS.sub(" ", text))))
        if missing:
            problems.append(f"{locale}: numbers {sorted(missing)} not kept in {text!r} ({msgid!r})")
    return problems


def header_problems(catalog: Catalog, locale: str, template: Catalog, version: str) -> list[str]:
    """The header names the locale and the project's version, and the catalog was revised no
    earlier than the template it was last updated from was made."""
    problems = []
    language = dict(catalog.mime_headers).get("Language")
    if language != locale:
        problems.append(f"{locale}: Language is {language!r}")
    wanted = f"Kompass TUI {version}"
    for name, found in (("template", template), (locale, catalog)):
        if f"{found.project} {found.version}" != wanted:
            problems.append(f"{name}: Project-Id-Version is not {wanted!r}")
    revised, made = catalog.revision_date, catalog.creation_date
    if not hasattr(revised, "tzinfo") or revised < made:
        problems.append(
            f"{locale}: PO-Revision-Date {revised} is older than its template ({made}): revise "
            "the catalog after `pybabel update` (any PO editor sets the date when it saves)"
        )
    if catalog.creation_date != template.creation_date:
        problems.append(f"{locale}: not updated from the template (run `pybabel update`)")
    return problems
