"""The catalogs against the glossary (locales/glossary.toml) and lint beyond Babel's: each
finding of the review of the catalogs has a check here that would catch it again, and each
check is shown to fail on an entry broken on purpose."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from babel.messages.catalog import Catalog

from sporreskjema import catalogs
from sporreskjema.i18n import LOCALES, locales_dir, own_name, translator
from tests.support.catalog_checks import (
    glossary,
    glossary_problems,
    header_problems,
    lint_problems,
)


def version() -> str:
    with (locales_dir().parent / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def catalog(locale: str) -> Catalog:
    """The catalog as committed, read anew: a test may break it."""
    return catalogs.load(locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_uses_the_glossary_and_passes_the_lint(locale: str) -> None:
    found = catalog(locale)
    assert glossary_problems(found, locale, glossary()) == []
    assert lint_problems(found, locale) == []
    assert header_problems(found, locale, catalogs.template(), version()) == []


def broken(locale: str, msgid: str, text: str) -> Catalog:
    found = catalog(locale)
    message = found[msgid]
    assert message is not None
    message.string = text
    return found


@pytest.mark.parametrize(
    ("locale", "msgid", "text"),
    [
        # What the review found, put back: each is caught.
        ("uk", "Needs follow-up", "Потребує доопрацювання"),
        ("ru", "Needs follow-up", "Требует доработки"),
        ("fr", "Education", "Formation"),
        ("fr", "How much Norwegian have you learned?", "Avez-vous appris le norvégien ?"),
        ("kmr", "Learn Norwegian", "Fêrbûna Norwecî"),
        ("ckb", "Open (not reviewed yet)", "تەواونەکراوەکان (هێشتا نەپشکنراو)"),
        ("kmr", "Languages", "Ziman"),
        ("kmr", "Jobs", "Kar"),
    ],
)
def test_the_glossary_catches_what_the_review_found(locale: str, msgid: str, text: str) -> None:
    problems = glossary_problems(broken(locale, msgid, text), locale, glossary())
    assert problems, f"{locale}: {text!r} passed"


@pytest.mark.parametrize(
    ("locale", "msgid", "text"),
    [
        ("nb", "Language", "Språk F3"),  # a key that is not the English one
        ("fa_AF", "Language", "زبان يك"),  # Arabic letters in Dari
        ("ar", "Language", "اللغة ی"),  # a Persian letter in Arabic
        ("uk", "Language", "Language"),  # left in English
        ("ti", "Send", "Send"),
        # in another script, or transliterated
        ("kmr", "Language", "زمان"),  # Kurmanji is written in Latin letters
        ("ckb", "Language", "Ziman"),  # Sorani in Arabic letters
        ("uk", "Finish", "Gotovo"),
        ("am", "Send", "Lak ላክ"),
        # a number of the English lost (the example date, the count of digits)
        (
            "nb",
            "%(field)s: write the date as day.month.year, for example 31.12.1990.",
            "%(field)s: skriv datoen som dag.måned.år, for eksempel 31.12.1991.",
        ),
        ("fa_AF", "%(field)s: a DUF number has 12 digits.", "%(field)s: شماره DUF یازده رقم دارد."),
    ],
)
def test_the_lint_catches_a_broken_entry(locale: str, msgid: str, text: str) -> None:
    assert lint_problems(broken(locale, msgid, text), locale)


def test_numbers_may_be_written_in_the_locale_s_digits() -> None:
    found = broken(
        "fa_AF", "%(field)s: a DUF number has 12 digits.", "%(field)s: شماره DUF ۱۲ رقم دارد."
    )
    assert lint_problems(found, "fa_AF") == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda c: setattr(c, "locale", "nb"), "Language"),
        (lambda c: setattr(c, "version", "VERSION"), "Project-Id-Version"),
        (lambda c: setattr(c, "revision_date", c.creation_date - dt.timedelta(days=1)), "older"),
        (lambda c: setattr(c, "creation_date", c.creation_date - dt.timedelta(days=1)), "update"),
    ],
)
def test_the_lint_catches_a_broken_header(change: object, says: str) -> None:
    found = catalog("uk")
    change(found)  # type: ignore[operator]
    problems = header_problems(found, "uk", catalogs.template(), version())
    assert any(says in problem for problem in problems), problems


def test_the_arabic_dual_has_no_number_before_it() -> None:
    """The idle countdown read "after 2 two-seconds"; the dual says the two by itself."""
    tr = translator("ar")
    message = tr.ngettext(
        "The screen is cleared in %(n)d second. Your answers are saved.",
        "The screen is cleared in %(n)d seconds. Your answers are saved.",
        2,
    ) % {"n": 2}
    assert "2" not in message
    assert "ثانيتين" in message
    found = catalog("ar")
    entry = found["The screen is cleared in %(n)d second. Your answers are saved."]
    assert entry is not None
    forms = list(entry.string)
    forms[2] = "ستُمسح الشاشة بعد %(n)d ثانيتين. إجاباتك محفوظة."
    entry.string = tuple(forms)
    assert lint_problems(found, "ar")


def test_the_picker_names_each_language_as_its_speakers_do() -> None:
    assert own_name("ckb") == "کوردی (سۆرانی)"  # not CLDR's "Central Kurdish"
    assert own_name("kmr") == "Kurdî (Kurmancî)"
    assert own_name("fa_AF") == "دری"
