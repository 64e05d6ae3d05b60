"""The translation catalogs: the template is fresh, and every catalog is complete and sound."""

from __future__ import annotations

import gettext
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from typer.testing import CliRunner

from kompass_tui.cli import app
from sporreskjema.catalogs import catalog_status
from sporreskjema.i18n import (
    DOMAIN,
    LOCALES,
    Msg,
    _cache_dir,
    _cached_facts,
    available_locales,
    compiled_file,
    is_rtl,
    locales_dir,
    own_name,
    translator,
)

ROOT = Path(__file__).resolve().parents[2]
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


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_catalogs_are_used_at_run_time() -> None:
    assert locales_dir() == ROOT / "locales"
    assert translator("nb").gettext("Yes") == "Ja"
    assert translator("en").gettext("Yes") == "Yes"
    assert translator("nb").ngettext("%(file)s: %(n)d problem", "%(file)s: %(n)d problems", 2) != (
        "%(file)s: %(n)d problems"
    )


def test_own_names_and_directions_come_from_cldr_and_survive_a_broken_cache() -> None:
    assert own_name("uk") == "Українська"
    assert own_name("fa_AF") == "دری"
    assert [code for code in LOCALES if is_rtl(code)] == ["ar", "fa_AF", "ps", "ckb"]
    for cached in _cache_dir().glob("locales-*.json"):
        cached.write_text("{not json", "utf-8")
    _cached_facts.cache_clear()
    assert own_name("am") == "አማርኛ"
    assert is_rtl("ps")


def _forget_catalogs() -> None:
    """Forget what this process compiled and read from the cache, as a new process would."""
    from sporreskjema import i18n

    for name in ("_compiled", "_compiled_bytes", "_cache_key", "_cached_facts"):
        cached = getattr(i18n, name, None)
        if cached is not None:
            cached.cache_clear()


def test_a_changed_cache_is_not_used() -> None:
    """Whoever can write the cache folder (another user, a backup put back) cannot put words in
    Kompass's mouth: a compiled catalog or a list of language names in the cache that this
    user's Kompass did not write, even with the signature of one it did, is not used."""
    _forget_catalogs()
    try:
        assert translator("nb").gettext("Yes") == "Ja"
        assert own_name("uk") == "Українська"
        cached = {path: path.read_bytes() for path in _cache_dir().rglob("*") if path.is_file()}
        assert any(path.suffix == ".mo" for path in cached)
        assert any(path.suffix == ".json" for path in cached)
        with (ROOT / "locales" / "nb" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fp:
            catalog = read_po(fp, locale="nb")
        catalog["Yes"].string = "\x1b]52;c;ZXZpbA==\x07\x1b[2JEVIL"
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        evil = {
            ".mo": buffer.getvalue(),
            ".json": json.dumps({code: ["\x1b[2JEVIL", True] for code in LOCALES}).encode(),
        }
        for keep_signature in (False, True):
            for path, original in cached.items():
                path.write_bytes((original[:32] if keep_signature else b"") + evil[path.suffix])
            _forget_catalogs()
            assert translator("nb").gettext("Yes") == "Ja"
            assert own_name("uk") == "Українська"
            assert not is_rtl("uk")
            # the file the standard gettext module reads (Typer's words) is the checked one
            mo = compiled_file("nb")
            assert mo is not None
            assert _cache_dir() not in mo.parents
            assert gettext.GNUTranslations(io.BytesIO(mo.read_bytes())).gettext("Yes") == "Ja"
    finally:
        _forget_catalogs()


def test_kompass_locales_lists_every_locale() -> None:
    result = CliRunner().invoke(app, ["locales"], env={"KOMPASS_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    body = next(n for n, line in enumerate(lines) if line.strip().startswith("─")) + 1  # the rule
    rows = {line.split()[0]: line for line in lines[body:] if line.startswith(" ") and line.strip()}
    assert list(rows) == list(LOCALES)
    # Not a terminal: right-to-left names stay in logical order, as stored.
    assert "العربية" in rows["ar"]
    assert "right to left" in rows["ar"]
    assert "left to right" in rows["ti"]
    for code in LOCALES:
        status = catalog_status(code)
        assert status.reviewed == 0, code  # honest: no native speaker has checked any yet
        assert "100%" in rows[code], code  # complete
        # the share reviewed, or the source language
        assert ("—" if code == "en" else "0%") in rows[code], code
    assert "Not complete" not in result.output
    assert "No sound on this machine" in result.output  # the tests' KOMPASS_AUDIO_PLAYER=off


def test_catalog_status_counts_untranslated_and_fuzzy(tmp_path: Path) -> None:
    with (ROOT / "locales" / "nb" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fp:
        catalog = read_po(fp, locale="nb")
    messages = [m for m in catalog if m.id]
    messages[0].string = ""
    messages[1].flags.add("fuzzy")
    assert catalog_status("nb").translated == len(messages)
    folder = tmp_path / "locales" / "nb" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{DOMAIN}.po").open("wb") as fp:
        write_po(fp, catalog)
    (tmp_path / "locales" / f"{DOMAIN}.pot").write_bytes(POT.read_bytes())
    import sporreskjema.i18n as i18n

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(i18n, "locales_dir", lambda: tmp_path / "locales")
        status = catalog_status("nb")
        assert (status.translated, status.total) == (len(messages) - 2, len(messages))
        assert catalog_status("so").reviewed is None


@pytest.mark.parametrize("locale", LOCALES)
def test_a_list_of_alternatives_has_no_english_in_it(locale: str) -> None:
    tr = translator(locale)
    shown = Msg("%(list)s", {"list": (Msg("Yes"), Msg("No"))}).render(tr)
    assert tr.gettext("Yes") in shown
    assert tr.gettext("No") in shown
    if locale != "en":
        assert " or " not in shown
