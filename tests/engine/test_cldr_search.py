"""Search in the language and country pickers, on the engine's own functions: names in the
language shown, in English, in Norwegian, in themselves, and codes, folded for case, accents
and letter variants; and the order of the unfiltered lists."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sporreskjema import cldr
from sporreskjema.i18n import LOCALES, translator


def codes(kind: cldr.Kind, locale: str, text: str) -> list[str]:
    return [match.code for match in cldr.search(kind, translator(locale), text)]


@pytest.mark.parametrize(
    ("locale", "text", "code"),
    [
        ("ti", "Eritrea", "ER"),
        ("ti", "eritrea", "ER"),
        ("ti", "ኤርትራ", "ER"),
        ("ti", "ERI", "ER"),
        ("fa_AF", "Afghanistan", "AF"),
        ("fa_AF", "afgh", "AF"),
        ("fa_AF", "افغانستان", "AF"),
        ("ar", "Afghanistan", "AF"),
        ("uk", "Eritrea", "ER"),
        ("nb", "Eritrea", "ER"),
        ("nb", "statslos", cldr.STATELESS),
        ("ti", "Stateless", cldr.STATELESS),
        ("uk", "Burma", "MM"),
    ],
)
def test_a_country_is_found_by_its_name_in_any_of_the_names(
    locale: str, text: str, code: str
) -> None:
    assert codes("country", locale, text)[0] == code


@pytest.mark.parametrize(
    ("locale", "text", "code"),
    [
        ("ti", "Tigri", "ti"),
        ("ti", "Tigrinya", "ti"),
        ("ti", "ትግ", "ti"),
        ("ti", "ti", "ti"),
        ("fa_AF", "dari", "prs"),
        ("fa_AF", "Dari", "prs"),
        ("fa_AF", "prs", "prs"),
        ("fa_AF", "دری", "prs"),
        ("nb", "norsk", "no"),
        ("uk", "Norwegian", "no"),
        ("ar", "norsk bokmål", "nb"),
        ("ar", "nb", "nb"),
        ("uk", "nob", "nb"),
        ("ti", "Norwegian Bokmål", "nb"),
        ("nb", "Francais", "fr"),
        ("uk", "francais", "fr"),
        ("nb", "turkce", "tr"),
        ("ti", "TÜRKÇE", "tr"),
        ("en", "ukrainsk", "uk"),
        ("nb", "Sorani", "ckb"),
        ("nb", "kurmanji", "kmr"),
        ("en", "Farsi", "fa"),
    ],
)
def test_a_language_is_found_by_its_name_in_any_of_the_names(
    locale: str, text: str, code: str
) -> None:
    assert codes("language", locale, text)[0] == code


def test_tigrinya_comes_before_tigre() -> None:
    """Both begin with ትግ; Tigrinya is spoken by many more of the people at the kiosk."""
    found = codes("language", "ti", "ትግ")
    assert found.index("ti") < found.index("tig")


def test_arabic_letter_variants_are_one_letter() -> None:
    """Arabic yeh and kaf typed on a Persian keyboard (ی ک), and the other way round."""
    assert cldr.fold("عربي") == cldr.fold("عربی")
    assert cldr.fold("كردی") == cldr.fold("کردي")
    assert codes("language", "ar", "فارسي")[0] == "fa"
    assert codes("language", "fa_AF", "عربي")[0] == "ar"


def test_best_match_first() -> None:
    """A whole name before the start of a name, before the start of a word, before the
    middle of a word: "Russian" finds Russian before Old Prussian."""
    found = codes("language", "en", "russian")
    assert found[0] == "ru"
    assert found.index("ru") < found.index("prg")


def test_the_other_name_that_matched_is_given() -> None:
    """A caseworker typing English into a Tigrinya picker sees why the option is there."""
    (eritrea,) = cldr.search("country", translator("ti"), "Eritrea")
    assert (eritrea.name, eritrea.via) == ("ኤርትራ", "Eritrea")
    (ti,) = [m for m in cldr.search("language", translator("ti"), "ትግርኛ") if m.code == "ti"]
    assert ti.via is None


def test_nothing_typed_lists_everything() -> None:
    for locale in ("nb", "ti"):
        tr = translator(locale)
        assert len(cldr.search("language", tr, "  ")) == len(cldr.language_options(tr))
        assert {m.code for m in cldr.search("country", tr, "")} == cldr.country_codes()
    assert codes("country", "nb", "zzzzqq") == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_common_languages_come_first(locale: str) -> None:
    """In every locale the unfiltered list opens with the languages most often spoken at
    Norwegian reception centres, not with Chickasaw, Kenyang and Laz."""
    shown = [code for code, _name in cldr.language_options(translator(locale))]
    assert shown[: len(cldr.POPULAR_LANGUAGES)] == list(cldr.POPULAR_LANGUAGES)
    assert shown[:5] == ["uk", "ar", "ti", "prs", "ps"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_common_countries_come_first(locale: str) -> None:
    shown = [code for code, _name in cldr.country_options(translator(locale))]
    assert shown[: len(cldr.POPULAR_COUNTRIES)] == list(cldr.POPULAR_COUNTRIES)
    assert shown[:4] == ["UA", "SY", "AF", "ER"]


def test_the_rest_is_alphabetical_in_the_locales_own_script() -> None:
    """After the common ones, Ukrainian names in Cyrillic in alphabetical order, before names
    only CLDR's own name in another script could give."""
    options = cldr.language_options(translator("uk"))
    rest = [name for code, name in options if code not in cldr.POPULAR_LANGUAGES]
    cyrillic = [name for name in rest if "CYRILLIC" in _script_of(name)]
    assert rest[: len(cyrillic)] == cyrillic
    assert [cldr.fold(n) for n in cyrillic] == sorted(cldr.fold(n) for n in cyrillic)


def _script_of(name: str) -> str:
    import unicodedata

    return next(unicodedata.name(ch) for ch in name if ch.isalpha())


def test_the_chosen_ones_come_first_and_the_list_is_cut() -> None:
    tr = translator("ti")
    assert [m.code for m in cldr.search("language", tr, "", first={"nb"}, limit=3)] == [
        "nb",
        "uk",
        "ar",
    ]
    found = cldr.search("country", tr, "er", first={"PS"}, limit=2)
    assert [m.code for m in found] == ["PS", "ER"]


def test_a_languages_own_name_leaves_its_locale_whole() -> None:
    """The pickers read each language's own name from its CLDR file alone. Reading it must not
    leave the file's bare data in Babel's cache in place of the whole locale: a person who then
    chose that language found no text direction and no date formats, and the kiosk crashed."""
    script = (
        "from babel import Locale\n"
        "from sporreskjema import cldr\n"
        "from sporreskjema.i18n import LOCALES\n"
        "for code in LOCALES:\n"
        "    cldr.language_autonym(code)\n"
        "for code in LOCALES:\n"
        "    locale = Locale.parse(code)\n"
        "    print(code, locale.character_order, locale.date_formats['short'].pattern)\n"
    )
    # A fresh interpreter: in this one another test may already have loaded the locales.
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    directions = dict(line.split()[:2] for line in result.stdout.splitlines())
    assert directions["ar"] == "right-to-left"
    assert directions["ti"] == "left-to-right"
