"""Review notes and back-translations kept in the catalogs' entries (sporreskjema/catalogs.py):
every critical message has a back-translation of its translation as it reads now, a review
counts only for the text that was reviewed, and the notes survive `pybabel update`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface

from sporreskjema import catalogs, i18n
from sporreskjema.catalogs import (
    back_translation,
    catalog_status,
    critical_ids,
    fingerprint,
    is_reviewed,
    mark_reviewed,
    notes,
    problems,
    set_back,
)
from sporreskjema.i18n import LOCALES

TODAY = dt.date(2026, 12, 5)
START = "I have read this and want to start"


def catalog(locale: str) -> Catalog:
    """The catalog as committed, read anew: a test may change it."""
    return catalogs.load(locale)


def entry(found: Catalog, msgid: str) -> Message:
    message = found[msgid]
    assert message is not None, msgid
    return message


def test_every_critical_message_is_in_the_template() -> None:
    template = {catalogs.singular(m) for m in catalogs.entries(catalogs.template())}
    critical = critical_ids()
    assert len(critical) == len(set(critical)) >= 40
    assert [msgid for msgid in critical if msgid not in template] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_has_current_back_translations_and_sound_notes(locale: str) -> None:
    found = catalogs.load(locale)
    assert problems(found, locale, critical_ids()) == []
    if locale != catalogs.SOURCE_LOCALE:
        # each entry says who drafted or reviewed it
        assert [m.id for m in catalogs.entries(found) if notes(m).review is None] == []
        assert back_translation(entry(found, "Send"))


@pytest.mark.parametrize("locale", ["uk", "ar", "ti"])
def test_a_changed_translation_needs_its_back_translation_again(locale: str) -> None:
    found = catalog(locale)
    message = entry(found, START)
    assert back_translation(message)
    message.string += " ."
    assert back_translation(message) is None
    assert any(
        "changed since its back-translation" in problem
        for problem in problems(found, locale, critical_ids())
    )
    set_back(found, START, "I read this and I want to begin .")
    assert back_translation(message) == "I read this and I want to begin ."
    assert problems(found, locale, critical_ids()) == []


def test_a_changed_english_needs_its_back_translation_again() -> None:
    found = catalog("uk")
    message = entry(found, "Send")
    message.id = "Send now"
    assert back_translation(message) is None
    # the list names a message that is gone
    assert any("'Send' is not in the catalog" in p for p in problems(found, "uk", critical_ids()))


def test_a_critical_message_without_back_translation_is_found() -> None:
    found = catalog("ti")
    message = entry(found, "Thank you!")
    message.user_comments = [line for line in message.user_comments if not line.startswith("back:")]
    assert problems(found, "ti", critical_ids()) == [
        "ti: the critical message 'Thank you!' has no back-translation"
    ]


def test_a_review_counts_for_the_text_that_was_reviewed() -> None:
    found = catalog("ar")
    before = catalogs.reviewed_count(found)
    assert mark_reviewed(found, "Amina Yusuf", TODAY, ["Send", "Yes"]) == 2
    send = entry(found, "Send")
    assert is_reviewed(send)
    assert notes(send).review == catalogs.Review("Amina Yusuf", TODAY, fingerprint(send))
    assert notes(send).back is not None  # the back-translation stays
    assert catalogs.reviewed_count(found) == before + 2
    send.string = send.string + "!"
    assert not is_reviewed(send)  # changed since: a review of another text
    assert any("review it again" in p for p in problems(found, "ar", critical_ids()))
    yes = entry(found, "Yes")
    yes.flags.add("fuzzy")
    assert not is_reviewed(yes)  # fuzzy: never counted


def test_a_fuzzy_entry_is_never_marked_reviewed() -> None:
    found = catalog("uk")
    entry(found, "Send").flags.add("fuzzy")
    marked = mark_reviewed(found, "Olena", TODAY)
    assert marked == len(catalogs.entries(found)) - 1
    assert not is_reviewed(entry(found, "Send"))


def test_notes_that_do_not_read_are_problems() -> None:
    found = catalog("so")
    entry(found, "Yes").user_comments = ["review: 12345678 yesterday Somebody"]
    entry(found, "No").user_comments = ["review: machine", "review: machine"]
    found_problems = problems(found, "so", critical_ids())
    assert sum("cannot read" in p for p in found_problems) == 2


def test_notes_survive_pybabel_update_and_long_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long back-translation is wrapped by the PO writer and read back whole; `pybabel
    update` keeps every note."""
    root = tmp_path / "locales"
    shutil.copytree(i18n.locales_dir(), root, ignore=shutil.ignore_patterns("clips"))
    monkeypatch.setattr(i18n, "locales_dir", lambda: root)
    found = catalogs.load("fr")
    long = "Norway wants to know " + "what you can do and what you have learned " * 6
    set_back(found, critical_ids()[3], long)
    mark_reviewed(found, "Claire Dubois", TODAY, ["Send"])
    catalogs.save(found, "fr")
    CommandLineInterface().run(
        ["pybabel", "--quiet", "update", "-i", str(root / "kompass.pot"), "-d", str(root),
         "-D", "kompass", "-l", "fr", "-w", "100", "--ignore-obsolete"]
    )  # fmt: skip
    again = catalogs.load("fr")
    assert back_translation(entry(again, critical_ids()[3])) == " ".join(long.split())
    assert is_reviewed(entry(again, "Send"))
    assert catalog_status("fr").reviewed == 1
    assert problems(again, "fr", critical_ids()) == []


def test_the_command_marks_reviews_and_keeps_back_translations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "locales"
    shutil.copytree(i18n.locales_dir(), root, ignore=shutil.ignore_patterns("clips"))
    monkeypatch.setattr(i18n, "locales_dir", lambda: root)
    assert catalogs.main(["review", "nb", "--by", "Kari Nordmann", "--msgid", "Send"]) == 0
    assert "1 entries marked reviewed by Kari Nordmann" in capsys.readouterr().out
    assert catalog_status("nb").reviewed == 1
    backs = tmp_path / "back.tsv"
    backs.write_text("Send\tSend it\nThank you!\tThanks a lot!\n", encoding="utf-8")
    assert catalogs.main(["back", "nb", str(backs)]) == 0
    assert back_translation(entry(catalogs.load("nb"), "Thank you!")) == "Thanks a lot!"
    backs.write_text("Nothing like this\tNo\n", encoding="utf-8")
    assert catalogs.main(["back", "nb", str(backs)]) == 1
    assert "Nothing like this" in capsys.readouterr().out
    assert catalogs.main(["show", "nb"]) == 0
    assert "nb: 1 of " in capsys.readouterr().out
    entry_file = catalogs.po_path("nb")
    entry_file.write_text(
        entry_file.read_text(encoding="utf-8").replace("# back:", "# back: broken", 1),
        encoding="utf-8",
    )
    assert catalogs.main(["show", "nb"]) == 1
