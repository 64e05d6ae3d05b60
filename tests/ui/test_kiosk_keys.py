"""What a person at the kiosk expects of the keys and of Send, in four scripts: Enter confirms
and goes on, Space ticks, a required answer or the consent to begin cannot be skipped with an
empty Enter, Send says what is missing and goes there, and the cursor is where the person
expects it after a language change or an error."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, RadioSet, SelectionList

from kompass_tui.i18n import current
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.storage.database import Database
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import (
    answered_without_schooling,
    click,
    field_id,
    make_app,
    next_step,
    pick_language,
    press_button,
    reach,
    tick,
    type_text,
    wait_for_screen,
)

SIZE = (100, 32)
LOCALES = ["nb", "uk", "ar", "ti"]


def page(app: KioskApp) -> tuple[int, list[str]]:
    """The section shown and the questions on its page."""
    screen = app.screen
    assert isinstance(screen, SectionScreen), screen
    return screen.index, [path for _question, path in screen.page]


def error_at(app: KioskApp, path: str) -> str:
    field = app.screen.query_one(field_id(path))
    shown = field.has_class("-invalid") or field.has_class("-missing")
    return str(field.query_one(".question-error").render()) if shown else ""


def keys_shown(app: KioskApp) -> str:
    return str(app.screen.query_one("#keys").render())


def missing(locale: str, label: str, *, tick_box: bool = False) -> str:
    tr = translator(locale)
    msgid = (
        "%(field)s: tick the box to confirm."
        if tick_box
        else "%(field)s: please answer this question."
    )
    return tr.gettext(msgid) % {"field": tr.gettext(label)}


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_consent_to_begin_cannot_be_skipped(sqlite_db: Database, locale: str) -> None:
    """Enter on the box went on with it unticked (and Enter on a ticked box unticked it)."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        assert isinstance(app.focused, Checkbox)
        tr = translator(locale)
        assert keys_shown(app) == "  ·  ".join(
            tr.gettext(k) for k in ("Space: tick", "Enter: next")
        )
        await pilot.press("enter")
        assert page(app)[0] == 0
        assert error_at(app, "acknowledged") == missing(
            locale, "I have read this and want to start", tick_box=True
        )
        await next_step(pilot)  # nor with Next
        assert page(app)[0] == 0
        assert app.registration is not None
        assert app.registration.resume_code is None  # nothing was saved
        app.screen.query_one(Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.registration.form.get("acknowledged") is True
        await pilot.press("enter")
        await pilot.pause()
        assert page(app) == (1, ["full_name"])
        # back at the box, Enter goes on again and never unticks it
        await press_button(pilot, "#back")
        app.screen.query_one(Checkbox).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert page(app)[0] == 1
        assert app.registration.form.get("acknowledged") is True


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_empty_enter_does_not_skip_a_required_question(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        box = app.screen.query_one(field_id("full_name")).query_one(Input)
        assert app.focused is box
        await pilot.press("enter")
        await pilot.pause()
        assert page(app) == (1, ["full_name"])
        assert error_at(app, "full_name") == missing(locale, "Full name")
        assert app.focused is box  # the cursor stays, to type the answer
        # a wrong date, then an empty Enter: the message changes, the cursor stays
        await pilot.press(*"Олена Коваленко", "enter", *"31.02.1990", "enter")
        await pilot.pause()
        assert page(app) == (1, ["birth_date"])
        date = app.screen.query_one(field_id("birth_date")).query_one(Input)
        assert error_at(app, "birth_date")
        date.value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert page(app) == (1, ["birth_date"])
        assert error_at(app, "birth_date") == missing(locale, "Date of birth")
        assert app.focused is date
        # Next is the way on for someone who must ask the staff first
        await next_step(pilot)
        assert page(app) == (1, ["person_id"])


@pytest.mark.parametrize("locale", LOCALES)
async def test_enter_goes_on_from_choices_and_space_chooses(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await register_until_languages(pilot)
        # a search page: what is typed, then Enter, chooses and goes on
        await reach(pilot, "mother_tongues")
        search = app.screen.query_one(".picker-search", Input)
        search.focus()
        await pilot.press(*"ti", "enter")
        await pilot.pause()
        assert page(app) == (2, ["mother_tongues"])  # several may be chosen: it stays
        assert app.registration is not None
        assert app.registration.form.get("mother_tongues") == ["ti"]
        await pilot.press("enter")  # nothing typed: go on
        await pilot.pause()
        assert page(app) == (2, ["mother_tongue_literacy"])
        # a radio list: a stray Enter chooses nothing (it chose the first option)
        assert isinstance(app.focused, RadioSet)
        await pilot.press("enter")
        await pilot.pause()
        assert page(app) == (2, ["mother_tongue_literacy"])
        assert app.registration.form.get("mother_tongue_literacy") is None
        assert error_at(app, "mother_tongue_literacy")
        # the arrows move, Enter chooses where they are and goes on
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.registration.form.get("mother_tongue_literacy") == "a_little"
        assert page(app) == (2, ["latin_literacy"])
        # Space chooses and stays, Enter goes on
        await pilot.press("down", "space")
        await pilot.pause()
        assert app.registration.form.get("latin_literacy") == "yes"
        assert page(app) == (2, ["latin_literacy"])
        await pilot.press("enter")
        await pilot.pause()
        assert page(app) == (2, ["has_other_languages"])
        tr = translator(locale)
        assert keys_shown(app) == "  ·  ".join(
            tr.gettext(k) for k in ("↑ ↓: move", "Space: choose", "Enter: next")
        )


async def register_until_languages(pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Dawit Haile")
    await type_text(pilot, "birth_date", "01.01.2000")
    await type_text(pilot, "person_id", "2024 1234 5678")
    await type_text(pilot, "permit_date", "10.11.2026")
    field = await reach(pilot, "citizenship")
    field.query_one(".picker-search", Input).focus()
    await pilot.press(*"ER", "enter")  # one country: chosen, and on
    await pilot.pause()
    await type_text(pilot, "residence", "Mottak Nord")
    await next_step(pilot)


@pytest.mark.parametrize("locale", LOCALES)
async def test_space_ticks_and_enter_goes_on_in_a_list_of_ticks(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await answered_without_schooling(pilot)  # up to the summary
        app.go_to(5, start_at="skills")  # back to the skills, a list of ticks
        await wait_for_screen(pilot, SectionScreen)
        await pilot.pause()
        ticks = app.screen.query_one(field_id("skills")).query_one(SelectionList)
        ticks.focus()
        await pilot.press("home", "down", "space", "down", "space")
        await pilot.pause()
        chosen = app.registration.form.get("skills") if app.registration else None
        assert chosen is not None
        assert len(chosen) == 2  # the two ticked now
        await pilot.press("enter")
        await pilot.pause()
        assert page(app)[1] != ["skills"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_space_chooses_in_order_and_enter_goes_on_in_a_ranking(
    sqlite_db: Database, locale: str
) -> None:
    """The goals in the person's order: Space adds an option as the next in the order or takes
    it away (those after it move up), the box shows each option's place, Enter goes on."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await answered_without_schooling(pilot)  # norwegian first, then work
        app.go_to(6, start_at="short_term_goals")
        await wait_for_screen(pilot, SectionScreen)
        await pilot.pause()
        ranking = app.screen.query_one(field_id("short_term_goals")).query_one(SelectionList)
        ranking.focus()
        codes = [ranking.get_option_at_index(i).value for i in range(ranking.option_count)]
        assert codes[:3] == ["work", "education", "norwegian"]

        def goals() -> object:
            return app.registration.form.get("short_term_goals") if app.registration else None

        await pilot.press("home", "down", "space")  # education, the third
        await pilot.pause()
        assert goals() == ["norwegian", "work", "education"]
        await pilot.press("home", "space")  # work taken away: education moves up
        await pilot.pause()
        assert goals() == ["norwegian", "education"]
        await pilot.press("space")  # and back, now the last
        await pilot.pause()
        assert goals() == ["norwegian", "education", "work"]
        boxes = [
            "".join(s.text for s in ranking.render_line(i)) for i in range(ranking.option_count)
        ]
        places = {
            code: next((d for d in "123" if d in box), None)
            for code, box in zip(codes, boxes, strict=False)
        }
        assert places == {"work": "3", "education": "2", "norwegian": "1", "other": None}
        await pilot.press("enter")
        await pilot.pause()
        assert page(app)[1] != ["short_term_goals"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_send_says_what_is_missing_and_goes_to_the_first(
    sqlite_db: Database, locale: str
) -> None:
    """Send only scrolled to the top, with no word of what was missing."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Dawit Haile")
        for _ in range(60):  # Next past everything else, to the summary
            if isinstance(app.screen, SummaryScreen):
                break
            await next_step(pilot)
        assert isinstance(app.screen, SummaryScreen)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")  # Send
        await pilot.pause()
        assert page(app) == (1, ["birth_date"])  # the first thing missing
        tr = translator(locale)
        notice = str(app.screen.query_one(".page-notice").render())
        kompass = app.registration.questionnaire if app.registration else None
        assert kompass is not None
        for name in ("birth_date", "long_term_goal"):
            assert tr.gettext(kompass.question(name).label) in notice, name
        assert tr.gettext(kompass.question("full_name").label) not in notice
        assert error_at(app, "birth_date") == missing(locale, "Date of birth")
        assert isinstance(app.focused, Input)
        assert current().locale == translator(locale).locale
        # nothing was sent
        assert app.registration is not None
        from sqlmodel import select

        from kompass_tui.storage.models import Record, Status

        with sqlite_db.session() as session:
            (record,) = session.exec(select(Record)).all()
        assert record.status == Status.in_progress
        # after it, Next goes back to the summary as soon as the section is done
        await type_text(pilot, "birth_date", "01.01.2000")
        await next_step(pilot)
        assert "page-notice" not in {c for w in app.screen.query("*") for c in w.classes}


@pytest.mark.parametrize("locale", ["uk", "ti"])
async def test_change_opens_the_question_still_missing(sqlite_db: Database, locale: str) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await answered_without_schooling(pilot)
        assert app.registration is not None
        app.registration.answer("residence", "")  # cleared at the desk, say
        app.go_to(len(app.registration.questionnaire.sections) - 1)  # the summary anew
        await pilot.pause()
        await pilot.pause()
        change = next(b for b in app.screen.query(".summary-change") if b.name == "section-1")
        await click(pilot, change)
        await pilot.pause()
        assert page(app) == (1, ["residence"])


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_cursor_is_back_in_the_question_after_a_language_change(
    sqlite_db: Database, locale: str
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await pilot.press(*"Dawit")
        await pilot.press("f2")
        await pilot.pause()
        await pick_language(pilot, locale)
        await pilot.pause()
        box = app.screen.query_one(field_id("full_name")).query_one(Input)
        assert app.focused is box
        assert box.value == "Dawit"
        await pilot.press(*" Haile", "enter")
        await pilot.pause()
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Dawit Haile"
        assert page(app) == (1, ["birth_date"])


@pytest.mark.parametrize("locale", LOCALES)
async def test_tab_tab_enter_typed_at_once_goes_on(sqlite_db: Database, locale: str) -> None:
    """The keys come in one burst, as from a fast typist: the Enter must not be lost."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await pilot.press(*"Dawit Haile", "tab", "tab", "enter")
        await pilot.pause()
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Dawit Haile"
        assert page(app) == (1, ["birth_date"])


@pytest.mark.parametrize("locale", ["nb", "ar"])
async def test_an_answer_that_arrives_after_its_page_went_is_no_error(
    sqlite_db: Database, locale: str
) -> None:
    """Tab, Tab, Enter in one burst from a real terminal: the answer the first Tab confirmed
    reached the screen after Next had taken the page away, and the kiosk failed on it."""
    from kompass_tui.widgets.questions import QuestionField

    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await pilot.press(*"Dawit Haile")
        field = app.screen.query_one(field_id("full_name"), QuestionField)
        await next_step(pilot)  # the page goes, with what was typed
        assert page(app) == (1, ["birth_date"])
        app.screen.post_message(QuestionField.Answered(field, "Dawit Haile"))
        await pilot.pause()
        assert app.recovered == []
        assert page(app) == (1, ["birth_date"])
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Dawit Haile"
