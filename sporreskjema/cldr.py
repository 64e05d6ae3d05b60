"""Language and country codes with their names, from CLDR through Babel.

Answers store codes: BCP 47 language tags (ISO 639-1 where it has a code, ISO
639-3 otherwise, so Dari is ``prs``, Kurmanji ``kmr`` and Sorani ``ckb``) and ISO
3166-1 alpha-2 country codes plus ``stateless`` and ``unknown``. Names are never
typed in by hand: they come from CLDR in the language being shown.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale, UnknownLocaleError

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
    try:
        own = Locale.parse(key)
    except (UnknownLocaleError, ValueError):
        return None
    return own.languages.get(key)


def country_name(code: str, tr: Translator) -> str:
    if code in _SPECIAL_COUNTRIES:
        return tr.gettext(_SPECIAL_COUNTRIES[code])
    return tr.cldr.territories.get(code) or code


@cache
def _sorted_languages(locale: str) -> tuple[tuple[str, str], ...]:
    """Languages with a name in ``locale`` or in themselves. CLDR names fewer languages in some
    locales (Tigrinya, Somali, Sorani …); the rest, mostly historical languages, would show
    in English, which a person who chose another language should not meet."""
    tr = translator(locale)
    named = [
        code
        for code in language_codes()
        if tr.cldr.languages.get(_LANGUAGE_CLDR_KEY.get(code, code)) or language_autonym(code)
    ]
    pairs = [(code, language_name(code, tr)) for code in named]
    return tuple(sorted(pairs, key=lambda p: p[1].casefold()))


@cache
def _sorted_countries(locale: str) -> tuple[tuple[str, str], ...]:
    tr = translator(locale)
    pairs = [(code, country_name(code, tr)) for code in country_codes() - set(_SPECIAL_COUNTRIES)]
    ordered = sorted(pairs, key=lambda p: p[1].casefold())
    return (*ordered, *((c, country_name(c, tr)) for c in _SPECIAL_COUNTRIES))


def language_options(tr: Translator) -> tuple[tuple[str, str], ...]:
    """(code, name) for every language named in ``tr``'s language or in itself, sorted by name."""
    return _sorted_languages(tr.locale)


def country_options(tr: Translator) -> tuple[tuple[str, str], ...]:
    """(code, name) for every country, sorted by name, then stateless and unknown."""
    return _sorted_countries(tr.locale)
