"""The translation catalogs: the template is fresh, and every catalog is complete and sound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from sporreskjema.i18n import DOMAIN, LOCALES, available_locales, locales_dir, translator

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locales" / f"{DOMAIN}.pot"
CATALOGS = sorted((ROOT / "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _without_date(text: str) -> str:
    return re.sub(r'^"POT-Creation-Date: .*"$', "", text, flags=re.MULTILINE)


def test_template_is_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed .pot equals a new extraction (run `pybabel extract` if this fails)."""
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "-o", str(fresh)])
    assert _without_date(fresh.read_text("utf-8")) == _without_date(POT.read_text("utf-8"))


def test_catalogs_follow_the_template() -> None:
    with POT.open("rb") as fp:
        template = {m.id for m in read_po(fp) if m.id}
    for path in CATALOGS:
        with path.open("rb") as fp:
            ids = {m.id for m in read_po(fp) if m.id}
        assert ids == template, f"{path}: run `pybabel update`"


def test_nb_and_en_are_there() -> None:
    assert {"nb", "en"} <= set(available_locales())
    assert set(available_locales()) <= set(LOCALES)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_sound(path: Path) -> None:
    locale = path.parent.parent.name
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    untranslated = [m.id for m in catalog if m.id and not all(_strings(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [], f"{locale}: untranslated"
    assert fuzzy == [], f"{locale}: fuzzy"
    assert not catalog.fuzzy, f"{locale}: the header is marked fuzzy"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == [], f"{locale}: placeholders or plurals do not match"
    wanted = get_plural(locale).num_plurals
    assert catalog.num_plurals == wanted, f"{locale}: Plural-Forms"
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == wanted, message.id
    assert re.search(r"^# Reviewed by a native speaker: (yes|no)$", catalog.header_comment, re.M), (
        f"{locale}: the header comment must say whether a native speaker has reviewed it"
    )


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_catalogs_are_used_at_run_time() -> None:
    assert locales_dir() == ROOT / "locales"
    assert translator("nb").gettext("Yes") == "Ja"
    assert translator("en").gettext("Yes") == "Yes"
    assert translator("nb").ngettext("%(file)s: %(n)d problem", "%(file)s: %(n)d problems", 2) != (
        "%(file)s: %(n)d problems"
    )
