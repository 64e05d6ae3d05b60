"""Driving the kiosk through Textual's Pilot the way a person does: keys and clicks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    OptionList,
    RadioButton,
    SelectionList,
    TextArea,
)

from kompass_tui.kiosk.app import KioskApp
from kompass_tui.kiosk.settings import KioskSettings
from kompass_tui.storage import records
from kompass_tui.storage.database import Database
from kompass_tui.widgets.questions import CalendarChoice, CalendarField
from kompass_tui.wizard.app import WizardApp
from kompass_tui.wizard.screens.language import LanguageScreen
from sporreskjema import Questionnaire
from sporreskjema.i18n import available_locales
from tests.support.helpers import TODAY

PIN = "2468"


@cache
def pin_hash() -> str:
    """The caseworker PIN hashed as the kiosk's settings keep it: once per process, since an
    Argon2 hash takes half a second of four cores and hundreds of tests start a kiosk."""
    from kompass_tui.kiosk import settings

    return settings._hasher.hash(PIN)


def make_app(
    db: Database, *, idle_seconds: int = 0, questionnaire: Questionnaire | None = None
) -> KioskApp:
    kiosk_settings = KioskSettings(pin_hash=pin_hash())
    return KioskApp(
        db, kiosk_settings, idle_seconds=idle_seconds, today=TODAY, questionnaire=questionnaire
    )


def field_id(path: str) -> str:
    return "#q-" + path.replace("[", "-").replace("].", "-")


async def show(pilot: Pilot[None], widget: Widget) -> None:
    """Scroll every container so that ``widget`` is on screen, as a person would."""
    pilot.app.screen.scroll_to_widget(widget, animate=False, immediate=True, top=True)
    await pilot.pause()


async def click(pilot: Pilot[None], widget: Widget) -> None:
    await show(pilot, widget)
    assert await pilot.click(widget), f"could not click {widget!r}"
    await pilot.pause()


async def choose_calendar(pilot: Pilot[None], where: Widget, calendar: str) -> None:
    """Click the calendar named ``calendar`` in the calendar choice inside ``where``."""
    choice = where.query_one(CalendarChoice)
    await show(pilot, choice)
    line = choice.line_of(calendar)
    assert await pilot.click(choice, offset=(1, line)), f"could not click {calendar} in {choice!r}"
    await pilot.pause()
    assert choice.chosen == calendar


async def pick_language(pilot: Pilot[None], code: str, *, it_ends: bool = False) -> None:
    """Choose the language ``code`` in the picker; ``it_ends``: choosing it ends the app (an
    error it cannot recover from), see :func:`press_and_let_it_end`."""
    screen = pilot.app.screen
    assert isinstance(screen, LanguageScreen), screen
    options = screen.query_one(OptionList)
    options.focus()
    await pilot.press("home", *["down"] * available_locales().index(code))
    if it_ends:
        await press_and_let_it_end(pilot, "enter")
        return
    await pilot.press("enter")
    await pilot.pause()


async def press_and_let_it_end(pilot: Pilot[None], *keys: str, timeout: float = 10.0) -> None:
    """Press ``keys`` as the terminal sends them, when the last one ends the app: Pilot's own
    ``press`` waits for the screen to settle, and a screen of an app that has ended never
    does (it gives up after 30 s)."""
    app = pilot.app
    for key in keys:
        app.post_message(
            events.Key(key, "\r" if key == "enter" else key if len(key) == 1 else None)
        )
    deadline = time.monotonic() + timeout
    while app.is_running:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app still runs {timeout} s after {keys}")
        await asyncio.sleep(0.05)


async def open_resume(pilot: Pilot[None], code: str, *, calendar: str | None = "gregorian") -> None:
    """From the language picker to the resume screen in the language ``code``: the picker's
    button first asks which language. The date of birth is typed in ``calendar``, chosen there
    if another one is preselected for the language (``None``: the preselected one); the
    cursor is in the code."""
    await press_button(pilot, "#resume")
    await pick_language(pilot, code)
    screen = pilot.app.screen
    if calendar is not None and getattr(screen, "calendar", calendar) != calendar:
        await choose_calendar(pilot, screen, calendar)
        screen.query_one("#code", Input).focus()
        await pilot.pause()


async def reach(pilot: Pilot[None], path: str) -> Widget:
    """Press Next until the page shows the question, as a person reading on would."""
    for _ in range(40):
        found = pilot.app.screen.query(field_id(path))
        if found:
            return found.first()
        await press_button(pilot, "#next")
    raise AssertionError(f"never reached {path}; on {pilot.app.screen!r}")


async def finish_entry(pilot: Pilot[None]) -> None:
    """Go through the rest of an entry's questions and close it (Next … Done)."""
    from kompass_tui.wizard.screens.entry import EntryScreen

    for _ in range(20):
        if not isinstance(pilot.app.screen, EntryScreen):
            return
        await press_button(pilot, "#next")
    raise AssertionError("the entry did not close")


async def type_text(
    pilot: Pilot[None], path: str, text: str, *, calendar: str | None = "gregorian"
) -> None:
    """Type into a field and leave it with Tab (which confirms the answer). A date or a year
    is typed in ``calendar``, chosen first if another one is (``None``: in the one chosen or
    preselected for the language)."""
    field = await reach(pilot, path)
    if calendar is not None and isinstance(field, CalendarField) and field.calendar != calendar:
        await choose_calendar(pilot, field, calendar)
    area = field.query(TextArea)
    box: Input | TextArea = area.first() if area else field.query_one(Input)
    await show(pilot, box)
    box.focus()
    await pilot.pause()
    if isinstance(box, Input):
        box.value = ""
    else:
        box.text = ""
    await pilot.press(*[" " if c == " " else c for c in text])
    await pilot.press("tab")
    await pilot.pause()


async def choose(pilot: Pilot[None], path: str, code: str) -> None:
    field = await reach(pilot, path)
    button = next(b for b in field.query(RadioButton) if b.name == code)
    await click(pilot, button)


async def choose_many(pilot: Pilot[None], path: str, codes: Sequence[str]) -> None:
    field = await reach(pilot, path)
    selection = field.query_one(SelectionList)
    await show(pilot, selection)
    selection.focus()
    for code in codes:
        index = next(
            i
            for i in range(selection.option_count)
            if selection.get_option_at_index(i).value == code
        )
        selection.highlighted = index
        await pilot.press("space")
        await pilot.pause()


async def pick(pilot: Pilot[None], path: str, search: str) -> None:
    """Type part of a language or country name and take the first match."""
    field = await reach(pilot, path)
    box = field.query_one(".picker-search", Input)
    await show(pilot, box)
    box.focus()
    box.value = ""
    await pilot.press(*search, "enter")
    await pilot.pause()


async def tick(pilot: Pilot[None], path: str) -> None:
    await click(pilot, (await reach(pilot, path)).query_one(Checkbox))


async def press_button(pilot: Pilot[None], selector: str, timeout: float = 10.0) -> None:
    """Press the button ``selector`` of the screen on top, once it has one: a page that has
    just been switched to (after a page turn or a resume) may still be composing."""
    deadline = time.monotonic() + timeout
    while not (found := pilot.app.screen.query(selector)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {selector} on {pilot.app.screen!r}")
        await pilot.pause(0.02)
    await click(pilot, found.first(Button))
    await pilot.pause()


async def next_step(pilot: Pilot[None]) -> None:
    await press_button(pilot, "#next")


async def add_entry(pilot: Pilot[None], group: str) -> None:
    field = await reach(pilot, group)
    await click(pilot, field.query_one(".entry-add", Button))


def error_of(pilot: Pilot[None], path: str) -> str:
    field = pilot.app.screen.query_one(field_id(path))
    return str(field.query_one(".question-error").render()) if field.has_class("-invalid") else ""


async def wait_for_screen(pilot: Pilot[None], kind: type, timeout: float = 6.0) -> None:
    """Let time pass (the kiosk's own timers run) until a screen of ``kind`` is on top, its
    widgets mounted (a screen is on top a moment before its content is, which on a loaded
    machine is long enough to read an empty screen)."""
    waited = 0.0
    while not isinstance(pilot.app.screen, kind):
        assert waited < timeout, f"no {kind.__name__} after {timeout} s; on {pilot.app.screen!r}"
        await pilot.pause(0.2)
        waited += 0.2
    await pilot.pause()


async def register_without_schooling(pilot: Pilot[None]) -> None:
    """From the first section to the summary, in any language: Dawit Haile, a Tigrinya speaker
    from Eritrea, with no formal schooling and no work history. Languages and countries are
    found by their codes, which the pickers accept in every language."""
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Dawit Haile")
    await type_text(pilot, "birth_date", "01.01.2000")
    await register_without_schooling_from_person_id(pilot)


#: Dawit's answers as :func:`register_without_schooling` gives them, in the order it does.
WITHOUT_SCHOOLING: tuple[tuple[str, Any], ...] = (
    ("acknowledged", True), ("full_name", "Dawit Haile"), ("birth_date", "01.01.2000"),
    ("person_id", "2024 1234 5678"), ("permit_date", "10.11.2026"), ("citizenship", "ER"),
    ("residence", "Mottak Nord"), ("mother_tongues", ["ti"]),
    ("mother_tongue_literacy", "a_little"), ("latin_literacy", "no"),
    ("has_other_languages", "no"), ("norwegian_level", "none"), ("years_school", "0"),
    ("years_higher_education", "0"), ("educations[0].level", "none"),
    ("has_work_experience", "no"), ("has_driving_licence", "no"),
    ("digital_smartphone", "can"), ("digital_email", "cannot"), ("digital_forms", "cannot"),
    ("digital_text", "cannot"), ("digital_spreadsheets", "cannot"), ("has_courses", "no"),
    ("short_term_goals", ["norwegian", "work"]), ("long_term_goal", "Kjøre buss"),
)  # fmt: skip


async def answered_without_schooling(pilot: Pilot[None]) -> None:
    """Dawit's registration answered at once, as :func:`register_without_schooling` types it
    (a test of the walk checks that both store the same), and its summary shown: for tests
    of what comes after the pages, which need not walk through every page again."""
    from kompass_tui.wizard.screens.summary import SummaryScreen

    app = pilot.app
    assert isinstance(app, WizardApp)
    assert app.registration is not None
    registration = app.registration
    for path, raw in WITHOUT_SCHOOLING:
        if path.startswith("educations[0]") and not registration.form.get("educations"):
            registration.add_entry("educations")
        assert registration.answer(path, raw) is None, path
    app.go_to(len(registration.questionnaire.sections) - 1)
    await wait_for_screen(pilot, SummaryScreen)


async def register_without_schooling_from_person_id(pilot: Pilot[None]) -> None:
    """The rest of Dawit's registration, from his identifier to the summary."""
    await type_text(pilot, "person_id", "2024 1234 5678")
    await type_text(pilot, "permit_date", "10.11.2026")
    await pick(pilot, "citizenship", "ER")
    await type_text(pilot, "residence", "Mottak Nord")
    await next_step(pilot)
    await pick(pilot, "mother_tongues", "ti")
    await choose(pilot, "mother_tongue_literacy", "a_little")
    await choose(pilot, "latin_literacy", "no")
    await choose(pilot, "has_other_languages", "no")
    await choose(pilot, "norwegian_level", "none")
    await next_step(pilot)
    await type_text(pilot, "years_school", "0")
    await type_text(pilot, "years_higher_education", "0")
    await add_entry(pilot, "educations")
    await choose(pilot, "educations[0].level", "none")
    await finish_entry(pilot)
    await next_step(pilot)
    await choose(pilot, "has_work_experience", "no")
    await next_step(pilot)
    await choose(pilot, "has_driving_licence", "no")
    for skill, level in [("smartphone", "can"), ("email", "cannot"), ("forms", "cannot"),
                         ("text", "cannot"), ("spreadsheets", "cannot")]:  # fmt: skip
        await choose(pilot, f"digital_{skill}", level)
    await choose(pilot, "has_courses", "no")
    await next_step(pilot)
    await choose_many(pilot, "short_term_goals", ["norwegian", "work"])
    await type_text(pilot, "long_term_goal", "Kjøre buss")
    await reach(pilot, "confirmed")


SIZE = (100, 32)


def stored(db: Database) -> tuple[Any, dict[str, Any]]:
    with db.session() as session:
        from sqlmodel import select

        from kompass_tui.storage.models import Record

        (record,) = session.exec(select(Record)).all()
    return record, records.load_answers(db, record.id)


def steady(pilot: Pilot[None]) -> None:
    """No blinking cursor, so the pictures never differ by chance."""
    for box in pilot.app.query(Input):
        box.cursor_blink = False


def section_matches(
    snap_compare: Callable[..., bool],
    db: Database,
    locale: str,
    section: int,
    size: tuple[int, int],
) -> bool:
    """The first page of ``section`` in ``locale`` looks as its stored picture."""
    app = make_app(db)

    async def open_section(pilot: Pilot[Any]) -> None:
        app.start(locale)
        await pilot.pause()
        app.go_to(section)
        await pilot.pause()
        steady(pilot)

    return snap_compare(app, terminal_size=size, run_before=open_section)


async def checked(pilot: Pilot[None], group: str = "resume") -> None:
    """Wait for what a screen checks off the event loop (a resume code: group ``resume``) to be
    done and shown: one pause is not enough on a busy machine."""
    running = [worker for worker in pilot.app.workers if worker.group == group]
    if running:
        await pilot.app.workers.wait_for_complete(running)
    await pilot.pause()
    await pilot.pause()
