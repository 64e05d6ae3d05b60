"""The kiosk in every locale it offers (``sporreskjema.i18n.LOCALES``, the sixteen languages
of README.md): whole registrations with no message left in English (typed key by key in
nb, uk, ar and ti; every other locale's catalog is checked for each message those showed, and
each section's first page for a message left in English), snapshots of the language picker
and of each section, and right-to-left text.

Norwegian bokmål and English are pictured at two sizes in ``test_kiosk_snapshots.py``; the
other locales are pictured here at 80×24. Update pictures after an intended change with
``pytest -n 0 tests/ui/test_kiosk_locales.py --snapshot-update`` and look at every changed one.

A browser or SVG viewer applies the bidi algorithm to the pictures' text once more, so
right-to-left lines that the kiosk already put in visual order look reversed there; what the
terminal receives is checked by the right-to-left tests below, on the painted characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.pilot import Pilot

from kompass_tui.i18n import _
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.widgets import bidi
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema import Translator, load_builtin, translator
from sporreskjema.i18n import LOCALES, available_locales, watch_missing
from tests.support.kiosk_pilot import (
    make_app,
    pick_language,
    press_button,
    register_without_schooling,
    section_matches,
    show,
    stored,
    tick,
)

OTHER_LOCALES = [code for code in LOCALES if code not in ("nb", "en")]
RTL_LOCALES = ["ar", "fa_AF", "ps", "ckb"]


def test_every_locale_has_its_catalog() -> None:
    assert available_locales() == list(LOCALES)


@contextmanager
def messages_looked_up() -> Iterator[set[str | tuple[str, str]]]:
    """Every message id (a plural as its pair) any translator looks up meanwhile."""
    seen: set[str | tuple[str, str]] = set()
    gettext, ngettext = Translator.gettext, Translator.ngettext

    def recording_gettext(self: Translator, message: str) -> str:
        seen.add(message)
        return gettext(self, message)

    def recording_ngettext(self: Translator, singular: str, plural: str, n: int) -> str:
        seen.add((singular, plural))
        return ngettext(self, singular, plural, n)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Translator, "gettext", recording_gettext)
        patch.setattr(Translator, "ngettext", recording_ngettext)
        yield seen


def untranslated(locale: str, messages: set[str | tuple[str, str]]) -> list[str]:
    """The messages among ``messages`` that ``locale``'s catalog lacks or leaves empty."""
    catalog: dict[Any, str] = translator(locale)._t._catalog  # type: ignore[attr-defined]
    lacking = []
    for message in messages:
        key = (message[0], 0) if isinstance(message, tuple) else message
        if message and not catalog.get(key):
            lacking.append(str(message))
    return sorted(lacking)


#: The locales a whole registration is typed in, key by key: one for each kind of script the
#: kiosk must get right (Latin, Cyrillic, right to left, Ethiopic). Every other locale is
#: checked for the same messages in its catalog (below) and on each page it shows
#: (``test_section``, which also pictures it).
WALKED = ["nb", "uk", "ar", "ti"]


@pytest.mark.parametrize("locale", WALKED)
async def test_whole_registration_without_a_missing_message(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    with watch_missing() as missing, messages_looked_up() as used:
        async with app.run_test(size=(100, 32)) as pilot:
            await pick_language(pilot, locale)
            await register_without_schooling(pilot)
            assert isinstance(app.screen, SummaryScreen)
            await tick(pilot, "confirmed")
            await press_button(pilot, "#next")
            assert isinstance(app.screen, ReceiptScreen)
            await press_button(pilot, "#finish")
    assert sorted(missing) == []
    record, answers = stored(sqlite_db)
    assert (record.status, record.locale) == (Status.submitted, locale)
    assert (answers["citizenship"], answers["mother_tongues"]) == ("ER", ["ti"])
    assert {row.provenance for row in records.answer_rows(sqlite_db, record.id)} == {"self"}
    # Every message this registration showed is translated in every locale not walked.
    assert len(used) > 100, "the recorder saw no messages"
    lacking = {code: untranslated(code, used) for code in LOCALES if code not in WALKED}
    assert {code: found for code, found in lacking.items() if found} == {}


def test_the_catalog_check_sees_a_missing_message() -> None:
    assert untranslated("so", {"Next", "no such message in any catalog"}) == [
        "no such message in any catalog"
    ]


# ---------------------------------------------------------------- pictures


@pytest.mark.parametrize("locale", LOCALES)
def test_language_picker(
    snap_compare: Callable[..., bool], sqlite_db: Database, locale: str
) -> None:
    """The picker as a person opens it with F2, in the language chosen before."""
    app = make_app(sqlite_db)

    async def switch(pilot: Pilot[Any]) -> None:
        app.start(locale)
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=switch)


@pytest.mark.parametrize("section", range(8))
@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_section(
    snap_compare: Callable[..., bool], sqlite_db: Database, locale: str, section: int
) -> None:
    """The first page of each section as pictured, and no message on it left in English."""
    with watch_missing() as missing:
        assert section_matches(snap_compare, sqlite_db, locale, section, (80, 24))
    assert sorted(missing) == []


# ---------------------------------------------------------------- right to left


def screen_lines(app: KioskApp) -> list[str]:
    """The characters of the painted screen, line by line, as the terminal receives them."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def _full_name_screen(db: Database, locale: str) -> tuple[list[str], str]:
    """The painted 'About you' page in ``locale``, and its first question's label (logical)."""
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start(locale)
        await pilot.pause()
        app.go_to(1)
        await pilot.pause()
        label = _(load_builtin().question("full_name").label)
        return screen_lines(app), label


@pytest.mark.parametrize("locale", ["ar", "fa_AF"])
async def test_right_to_left_question_in_app_mode(sqlite_db: Database, locale: str) -> None:
    """--bidi app: the label is painted shaped and in visual order, against the right edge."""
    lines, label = await _full_name_screen(sqlite_db, locale)
    shown = bidi.visual(label, True)
    assert shown != label
    # Shaped: Arabic letters became their joined presentation forms.
    assert any("\ufb50" <= ch <= "\ufeff" for ch in shown)
    # In visual order: the label's last word is painted first (leftmost).
    last_word = bidi.visual(label.split()[-1], True)
    assert shown.lstrip().startswith(last_word)
    (line,) = [line for line in lines if shown in line]
    assert not any(label in line for line in lines)
    # Right-aligned: nothing but blanks (and the page's padding) after the label.
    assert line.rstrip().endswith(shown.rstrip())
    assert len(line.rstrip()) > 60


@pytest.mark.parametrize("locale", ["ar", "fa_AF"])
async def test_right_to_left_question_in_terminal_mode(sqlite_db: Database, locale: str) -> None:
    """--bidi terminal: the label goes to the terminal in logical order, unshaped."""
    bidi.set_mode(bidi.BidiMode.TERMINAL)
    lines, label = await _full_name_screen(sqlite_db, locale)
    assert any(label in line for line in lines)
    assert not any(bidi.has_rtl(ch) and "\ufb50" <= ch <= "\ufeff" for ch in "".join(lines))


def test_mixed_text_reads_correctly() -> None:
    """Numbers and Latin names inside Arabic keep their own left-to-right order."""
    text = "اسمي Ali Hassan وعمري 34 سنة"
    shown = bidi.visual(text, True)
    assert "Ali Hassan" in shown
    assert "34" in shown
    assert shown.index("Ali Hassan") > shown.index("34")  # Ali comes first, so it is further right
    bidi.set_mode(bidi.BidiMode.OFF)
    assert bidi.visual(text, True) == text


def test_letters_without_presentation_forms_join_their_neighbours() -> None:
    """Pashto's ښ has no presentation form: it stays as typed, but the letters beside it
    still take their joined forms, so the language's own name پښتو holds together."""
    # In visual order: و final, ت medial, ښ as typed, پ initial.
    assert bidi.visual("پښتو", True) == "\ufeee\ufe98\u069a\ufb58"
    # ډ joins only to the letter before it: ب before it is initial, ه after it stands alone.
    assert bidi.visual("بډه", True) == "\ufee9\u0689\ufe91"


@pytest.mark.parametrize(
    "text", ["مثلاً +47 912 34 567", "برای مثال +47 912 34 567 بنویسید", "تماس: +47 912 34 567."]
)
def test_a_phone_number_in_right_to_left_text_keeps_its_order(text: str) -> None:
    assert "+47 912 34 567" in bidi.visual(text, True)


def test_brackets_in_right_to_left_text_stay_around_their_words() -> None:
    """A Latin word before "(12 رقم)" must not pull the opening bracket and the number to it."""
    shown = bidi.visual(
        "%(field)s: یک نمبر DUF (12 رقم) یا یک نمبر هویت ملی (11 رقم) بنویسید.", True
    )
    number = bidi.visual("نمبر", True)
    digits = bidi.visual("رقم", True)
    assert f"({digits} 12) DUF {number}" in shown
    assert f"({digits} 11)" in shown
    assert "DUF (12" not in shown


#: The goals as a list of ticks (kompass-v1) and as a ranking (kompass-v2, in the person's
#: order): the same boxes beside the same labels.
TICKED = [pytest.param("1", id="ticks"), pytest.param("2", id="ranked")]


@pytest.mark.parametrize("version", TICKED)
@pytest.mark.parametrize("locale", ["nb", "uk", "ti", "ar", "fa_AF", "ps", "ckb"])
async def test_multiple_choice_box_beside_its_label(
    sqlite_db: Database, locale: str, version: str
) -> None:
    """The tick box of a multiple choice (or a ranking) is before its label: on the left in a
    left-to-right language, on the right (and the labels against the right edge) in a
    right-to-left one."""
    from textual.widgets._toggle_button import ToggleButton

    box = ToggleButton.BUTTON_LEFT + ToggleButton.BUTTON_INNER + ToggleButton.BUTTON_RIGHT
    questionnaire = load_builtin("kompass", version)
    app = make_app(sqlite_db, questionnaire=questionnaire)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start(locale)
        await pilot.pause()
        app.go_to(6, start_at="short_term_goals")
        await pilot.pause()
        rtl = app.has_class("-rtl")
        lines = [line.rstrip(" ▎") for line in screen_lines(app)]
        question = questionnaire.question("short_term_goals")
        for choice in questionnaire.choice_list(question.choices or ""):
            label = _(choice.label)
            if rtl:
                (line,) = [
                    line for line in lines if line.endswith(f"{bidi.visual(label, True)} {box}")
                ]
                assert len(line) > 70  # against the right edge
            else:
                assert any(line.lstrip(" ▊").startswith(f"{box} {label}") for line in lines)
    assert rtl == (locale in RTL_LOCALES)


@pytest.mark.parametrize("locale", ["nb", "uk", "ti", "ar", "fa_AF", "ps"])
async def test_long_choices_wrap_instead_of_being_cut(sqlite_db: Database, locale: str) -> None:
    """At 80×24 every word of every choice is on the screen; none is cut with "…"."""
    from kompass_tui.widgets.visual import RadioButton

    questionnaire = load_builtin()
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        app.start(locale)
        await pilot.pause()
        app.go_to(6, start_at="wished_occupation_group")
        await pilot.pause()
        rtl = app.has_class("-rtl")
        question = questionnaire.question("wished_occupation_group")
        choices = questionnaire.choice_list(question.choices or "")
        buttons = list(app.screen.query(RadioButton))
        assert len(buttons) == len(choices)
        for choice, button in zip(choices, buttons, strict=True):
            await show(pilot, button)
            region = button.region
            lines = screen_lines(app)[region.y : region.bottom]
            shown = " ".join(line[region.x : region.right] for line in lines)
            assert "…" not in shown
            words = _(choice.label).split()
            last = bidi.visual(words[-1], True) if rtl else words[-1]
            assert last in shown, (last, shown)


@pytest.mark.parametrize("version", TICKED)
@pytest.mark.parametrize("locale", ["nb", "uk", "ti", "ar", "fa_AF"])
async def test_long_multiple_choices_wrap_beside_their_box(
    sqlite_db: Database, locale: str, version: str
) -> None:
    """On a narrow terminal the options of a multiple choice go on over more lines."""
    from kompass_tui.widgets.visual import SelectionList

    questionnaire = load_builtin("kompass", version)
    app = make_app(sqlite_db, questionnaire=questionnaire)
    async with app.run_test(size=(26, 40)) as pilot:
        app.start(locale)
        await pilot.pause()
        app.go_to(6, start_at="short_term_goals")
        await pilot.pause()
        rtl = app.has_class("-rtl")
        selection = app.screen.query_one(SelectionList)
        await show(pilot, selection)
        region = selection.region
        lines = screen_lines(app)[region.y : region.bottom]
        shown = " ".join(line[region.x : region.right] for line in lines)
        assert "…" not in shown
        question = questionnaire.question("short_term_goals")
        for choice in questionnaire.choice_list(question.choices or ""):
            words = _(choice.label).split()
            last = bidi.visual(words[-1], True) if rtl else words[-1]
            assert last in shown, (last, shown)
