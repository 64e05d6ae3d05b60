"""Language and country codes with their names, from CLDR through Babel.

Answers store codes: BCP 47 language tags (ISO 639-1 where it has a code, ISO
639-3 otherwise, so Dari is ``prs``, Kurmanji ``kmr`` and Sorani ``ckb``) and ISO
3166-1 alpha-2 country codes plus ``stateless`` and ``unknown``. Names are never
typed in by hand: they come from CLDR in the language being shown.

The pickers list the languages and countries most common at Norwegian reception centres
first, and :func:`search` finds an option by any name a person or a caseworker beside them
may type: in the language shown, in English, in Norwegian, in itself, or its code.
"""

from __future__ import annotations

import pickle
import re
import unicodedata
from collections.abc import Collection
from functools import cache
from typing import Final, Literal, NamedTuple

from babel import Locale, UnknownLocaleError, localedata
from babel.core import get_global

from .i18n import N_, Translator, translator

#: Answer codes whose CLDR name is filed under another key.
_LANGUAGE_CLDR_KEY: Final = {"prs": "fa_AF", "kmr": "ku"}
#: CLDR keys that are not languages a person speaks, or that an entry above replaces.
_NOT_LANGUAGES: Final = frozenset({"und", "zxx", "mul", "mis", "ku", "root"})
#: CLDR regions that are not countries in ISO 3166-1 (XK, Kosovo, is kept: it is in use).
_NOT_COUNTRIES: Final = frozenset(
    {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)
STATELESS: Final = "stateless"
UNKNOWN_COUNTRY: Final = "unknown"
_SPECIAL_COUNTRIES: Final = {
    STATELESS: N_("Stateless"),
    UNKNOWN_COUNTRY: N_("Unknown country"),
}

Kind = Literal["language", "country"]

#: The languages people at Norwegian reception centres most often speak, most common first:
#: the pickers list them before all others.
POPULAR_LANGUAGES: Final = (
    "uk", "ar", "ti", "prs", "ps", "fa", "so", "kmr", "ckb", "ru", "en", "fr", "am", "tig",
    "tr", "sw", "nb", "om", "rw", "ln", "my", "rn", "es", "ka", "ur", "uz",
)  # fmt: skip
#: The countries people at Norwegian reception centres most often come from, then stateless
#: and unknown, which many of them need.
POPULAR_COUNTRIES: Final = (
    "UA", "SY", "AF", "ER", "SO", "IQ", "IR", "TR", "ET", "SD", "CD", "PS", "MM", "RU",
    "SS", "YE", "LB", "PK", "GE", "BI", "VE", "CO", STATELESS, UNKNOWN_COUNTRY,
)  # fmt: skip
#: Names in common use that CLDR does not give; search finds them, they are never the label.
SEARCH_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "fa": ("Farsi",),
    "prs": ("Afghan Persian",),
    "kmr": ("Kurmanji", "Kurmancî"),
    "ckb": ("Sorani", "Kurdish"),
    "my": ("Myanmar",),
    "MM": ("Burma",),
    "CD": ("DR Congo", "DRC", "Kongo-Kinshasa"),
    "PS": ("Palestine",),
}


@cache
def language_codes() -> frozenset[str]:
    names: list[str] = [str(code) for code in Locale("en").languages]
    plain = {code for code in names if "_" not in code and code not in _NOT_LANGUAGES}
    return frozenset(plain | set(_LANGUAGE_CLDR_KEY))


@cache
def country_codes() -> frozenset[str]:
    regions: list[str] = [str(code) for code in Locale("en").territories]
    iso = {c for c in regions if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES}
    return frozenset(iso | set(_SPECIAL_COUNTRIES))


def language_name(code: str, tr: Translator) -> str:
    """The language's name in ``tr``'s language; where CLDR has none, its name in itself,
    and only then in English."""
    key = _LANGUAGE_CLDR_KEY.get(code, code)
    return (
        tr.cldr.languages.get(key)
        or language_autonym(code)
        or Locale("en").languages.get(key)
        or code
    )


@cache
def language_autonym(code: str) -> str | None:
    """The language's name in itself (``ትግርኛ`` for ``ti``), where CLDR has the language."""
    key = _LANGUAGE_CLDR_KEY.get(code, code)
    own = _names_in_own_file(key)
    if own is not None:
        return own
    try:
        locale = Locale.parse(key)
    except (UnknownLocaleError, ValueError):
        return None
    return locale.languages.get(key)


def _names_in_own_file(key: str) -> str | None:
    """The name from the locale's own CLDR file alone, where it has one. The pickers need it
    for hundreds of languages at once: reading each file is several times faster than making
    a whole :class:`Locale` of it."""
    if not localedata.exists(key):
        return None
    # Not ``localedata.load(key, merge_inherited=False)``: Babel caches by name alone, so the
    # unmerged data would then stand in for the whole locale (no ``character_order``, no
    # date formats) for every ``Locale(key)`` made later in the process.
    with open(localedata.resolve_locale_filename(key), "rb") as file:
        data = pickle.load(file)  # noqa: S301 - Babel's own package data, as Babel reads it
    name = data.get("languages", {}).get(key)
    return name if isinstance(name, str) else None


def country_name(code: str, tr: Translator) -> str:
    if code in _SPECIAL_COUNTRIES:
        return tr.gettext(_SPECIAL_COUNTRIES[code])
    return tr.cldr.territories.get(code) or code


# ------------------------------------------------------------------ search

#: Letters written in more than one way, folded to one so that a person on either keyboard
#: finds the name: Latin letters that carry no combining accent (ø, æ, ı …), Arabic and
#: Persian yeh and kaf, teh marbuta and heh; tatweel goes, and a zero-width non-joiner
#: counts as the space people type in its place.
_FOLD_LETTERS: Final = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "\u064a": "\u06cc",  # ي → ی
        "\u0649": "\u06cc",  # ى → ی
        "\u0643": "\u06a9",  # ك → ک
        "\u0629": "\u0647",  # ة → ه
        "\u0640": None,  # tatweel
        "\u200c": " ",  # zero-width non-joiner
        "\u2019": "'",
        "\u02bc": "'",
    }
)
_WORD_BREAK: Final = re.compile(r"[\s\-‐–—,.;:()/'\"«»]+")


def fold(text: str) -> str:
    """``text`` as search compares it: case, accents and letter variants folded away, so
    "turkce" meets "Türkçe" and "كابل" meets "کابل"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_FOLD_LETTERS).split())


class CodeMatch(NamedTuple):
    """One language or country as a picker lists it."""

    code: str
    #: Its name in the language being shown.
    name: str
    #: A language's name in itself, where it differs from ``name``.
    own: str | None = None
    #: The other name the search matched (English, Norwegian or a common alias), where it
    #: is neither ``name`` nor ``own``: it tells the person why the option is there.
    via: str | None = None


class _Entry(NamedTuple):
    shown: CodeMatch
    #: Every searchable name, folded: the shown name, the autonym and the codes first.
    folded: tuple[str, ...]
    #: The same names, each as " word word …", for matching the start of a word.
    words: tuple[str, ...]
    #: The names as written, for :attr:`CodeMatch.via`; None for the ones already shown.
    written: tuple[str | None, ...]
    #: All folded names in one string, each between NULs, and all their words in another:
    #: a few ``in`` tests rank an option, and rule most of them out with the first one.
    names_joined: str
    words_joined: str


def _entry(shown: CodeMatch, codes: tuple[str, ...], other_names: tuple[str | None, ...]) -> _Entry:
    folded: list[str] = []
    written: list[str | None] = []
    own_names = (shown.name, shown.own, shown.code, *codes)
    for index, name in enumerate((*own_names, *other_names)):
        key = fold(name or "")
        if not key or key in folded:
            continue
        folded.append(key)
        written.append(name if index >= len(own_names) else None)
    words = tuple(" " + " ".join(_WORD_BREAK.split(key)) for key in folded)
    joined = "\x00" + "\x00".join(folded) + "\x00"
    return _Entry(shown, tuple(folded), words, tuple(written), joined, " ".join(words))


def _rank(needle: str, entry: _Entry) -> int | None:
    """How well ``needle`` matches one of the names: 0 a whole name, 1 the start of a name,
    2 the start of a word, 3 anywhere; None: not at all."""
    names = entry.names_joined
    if needle not in names:
        return None
    if "\x00" + needle + "\x00" in names:
        return 0
    if "\x00" + needle in names:
        return 1
    if " " + needle in entry.words_joined:
        return 2
    return 3


def _via(needle: str, entry: _Entry, rank: int) -> str | None:
    """The name that matched as well as ``rank``, when it is not one already shown."""
    for key, words, written in zip(entry.folded, entry.words, entry.written, strict=True):
        matched = (
            key == needle,
            key.startswith(needle),
            " " + needle in words,
            needle in key,
        )
        if any(matched[: rank + 1]):
            return written
    return None


@cache
def _other_codes(kind: Kind) -> dict[str, tuple[str, ...]]:
    """Three-letter codes CLDR knows for a language or country (``nob`` for ``nb``, ``ERI``
    for ``ER``): a caseworker may type the one their own system uses."""
    found: dict[str, list[str]] = {}
    if kind == "language":
        cldr_key = {_LANGUAGE_CLDR_KEY.get(code, code): code for code in language_codes()}
        for alias, target in get_global("language_aliases").items():
            if len(alias) == 3 and alias.isalpha() and target in cldr_key:
                found.setdefault(cldr_key[target], []).append(alias)
    else:
        for alias, targets in get_global("territory_aliases").items():
            if len(alias) == 3 and alias.isalpha() and len(targets) == 1:
                found.setdefault(targets[0], []).append(alias)
    return {code: tuple(aliases) for code, aliases in found.items()}


def _script(text: str) -> str:
    """The Unicode script of the first letter ("LATIN", "CYRILLIC", "ETHIOPIC" …)."""
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "").split(" ")[0]
    return ""


def _in_order(locale: str, entries: list[_Entry], popular: tuple[str, ...]) -> tuple[_Entry, ...]:
    """The popular ones first, then the rest alphabetically in ``locale``: names in the
    locale's own script before names in other scripts."""
    by_code = {entry.shown.code: entry for entry in entries}
    first = [by_code[code] for code in popular if code in by_code]
    script = _script(translator(locale).cldr.get_display_name() or "")

    def alphabetical(entry: _Entry) -> tuple[bool, str]:
        return _script(entry.shown.name) != script, fold(entry.shown.name)

    rest = sorted((e for e in entries if e.shown.code not in popular), key=alphabetical)
    return (*first, *rest)


@cache
def _language_index(locale: str) -> tuple[_Entry, ...]:
    """Languages with a name in ``locale`` or in themselves. CLDR names fewer languages in some
    locales (Tigrinya, Somali, Sorani …); the rest, mostly historical languages, would show
    in English, which a person who chose another language should not meet."""
    tr = translator(locale)
    english, bokmal = Locale("en").languages, Locale("nb").languages
    codes = _other_codes("language")
    entries = []
    for code in language_codes():
        key = _LANGUAGE_CLDR_KEY.get(code, code)
        own = language_autonym(code)
        if not (tr.cldr.languages.get(key) or own):
            continue
        name = language_name(code, tr)
        shown = CodeMatch(code, name, own if own and fold(own) != fold(name) else None)
        others = (english.get(key), bokmal.get(key), *SEARCH_ALIASES.get(code, ()))
        entries.append(_entry(shown, codes.get(code, ()), others))
    return _in_order(locale, entries, POPULAR_LANGUAGES)


@cache
def _country_index(locale: str) -> tuple[_Entry, ...]:
    tr, norwegian = translator(locale), translator("nb")
    english, bokmal = Locale("en").territories, Locale("nb").territories
    codes = _other_codes("country")
    entries = []
    for code in country_codes():
        if code in _SPECIAL_COUNTRIES:
            others: tuple[str | None, ...] = (
                _SPECIAL_COUNTRIES[code],
                country_name(code, norwegian),
            )
        else:
            others = (english.get(code), bokmal.get(code), *SEARCH_ALIASES.get(code, ()))
        entries.append(_entry(CodeMatch(code, country_name(code, tr)), codes.get(code, ()), others))
    return _in_order(locale, entries, POPULAR_COUNTRIES)


def _index(kind: Kind, locale: str) -> tuple[_Entry, ...]:
    return _language_index(locale) if kind == "language" else _country_index(locale)


@cache
def _unfiltered(kind: Kind, locale: str) -> tuple[CodeMatch, ...]:
    return tuple(entry.shown for entry in _index(kind, locale))


def search(
    kind: Kind,
    tr: Translator,
    text: str,
    *,
    first: Collection[str] = (),
    limit: int | None = None,
) -> tuple[CodeMatch, ...]:
    """The languages or countries whose name in ``tr``'s language, in English, in Norwegian,
    in itself, or whose code, holds ``text`` (case, accents and letter variants aside).

    The codes in ``first`` (the ones already chosen) come first, then the best matches: a
    whole name, the start of a name, the start of a word, anywhere. Equal matches, and
    everything when ``text`` is empty, come in the order of :func:`language_options` and
    :func:`country_options`. At most ``limit`` are given.
    """
    needle = fold(text)
    index = _index(kind, tr.locale)
    if not needle:
        shown = _unfiltered(kind, tr.locale)
        if first:
            shown = (
                *(match for match in shown if match.code in first),
                *(match for match in shown if match.code not in first),
            )
        return shown[:limit]
    found: list[tuple[bool, int, int]] = []
    for order, entry in enumerate(index):
        rank = _rank(needle, entry)
        if rank is not None:
            found.append((entry.shown.code not in first, rank, order))
    found.sort()
    matches = []
    for _later, rank, order in found[:limit]:
        entry = index[order]
        via = _via(needle, entry, rank)
        matches.append(entry.shown._replace(via=via) if via else entry.shown)
    return tuple(matches)


def language_options(tr: Translator) -> tuple[tuple[str, str], ...]:
    """(code, name) for every language named in ``tr``'s language or in itself: the languages
    most often spoken at Norwegian reception centres first, then the rest by name."""
    return tuple((match.code, match.name) for match in _unfiltered("language", tr.locale))


def country_options(tr: Translator) -> tuple[tuple[str, str], ...]:
    """(code, name) for every country and stateless and unknown: the most common countries
    of origin at Norwegian reception centres first, then the rest by name."""
    return tuple((match.code, match.name) for match in _unfiltered("country", tr.locale))
