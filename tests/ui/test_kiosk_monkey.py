"""The monkey: random people at the kiosk, pressing anything, in any language.

A Hypothesis state machine drives the real kiosk through Textual's Pilot with keys, typed
names and dates in several scripts, clicks on whatever is on screen, language changes,
walking away until the idle reset, and terminal resizes. After every step the kiosk must
still be running with no error (not even one it recovered from), show nobody the data of a
person before a reset, and hold no confirmed answer that is not in the database.

CI runs a short walk (15 people of up to 30 steps, about two minutes on two cores); a long
one is an environment variable away: 2000 people of up to 100 steps take some hours::

    KOMPASS_MONKEY_EXAMPLES=2000 KOMPASS_MONKEY_STEPS=100 \\
        .venv/bin/pytest tests/ui/test_kiosk_monkey.py -m monkey -x -q

Hypothesis prints the shortest run of steps that breaks an invariant, each step a line, and
a ``@reproduce_failure`` line that replays it.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import tempfile
import time
import unicodedata
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from textual import events
from textual.keys import _character_to_key
from textual.pilot import OutOfBounds, Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, SelectionList, Static, TextArea
from textual.widgets._toggle_button import ToggleButton

from kompass_tui.i18n import set_locale
from kompass_tui.kiosk import app as app_module
from kompass_tui.kiosk.screens.guard import IdleScreen, PinScreen
from kompass_tui.storage import records
from kompass_tui.storage.database import Database, open_database
from kompass_tui.widgets.questions import QuestionField
from kompass_tui.wizard.registration import Registration
from kompass_tui.wizard.screens.language import LanguageScreen
from sporreskjema import values
from sporreskjema.calendars import AS_WRITTEN_SUFFIX
from sporreskjema.i18n import DEFAULT_LOCALE, available_locales
from tests.support.kiosk_pilot import PIN, make_app, pick_language

pytestmark = pytest.mark.monkey

T = TypeVar("T")

#: Examples and steps per example: small for CI, raised for a long run.
EXAMPLES = int(os.environ.get("KOMPASS_MONKEY_EXAMPLES", "15"))
STEPS = int(os.environ.get("KOMPASS_MONKEY_STEPS", "30"))
#: A step that takes longer than this is a kiosk that hangs.
STEP_TIMEOUT = 60.0

SIZE = (100, 32)
SIZES = st.tuples(st.integers(80, 160), st.integers(24, 50))

#: Single keys a person may press, in several scripts and digit systems.
KEYS = [
    "tab", "shift+tab", "enter", "space", "up", "down", "left", "right", "home", "end",
    "pageup", "pagedown", "escape", "backspace", "delete", "f2", "f3", "f4",
    "ctrl+q", "ctrl+c",
    "a", "Z", "ø", "é", "ж", "Ї", "ب", "ه", "ښ", "ሀ", "ት", "-", ".", "/", "+",
    "0", "1", "2", "4", "6", "9", "۲", "۴", "٣", "٦",
]  # fmt: skip

#: Answers that fit each type of question, as people type them (in their own digits too).
ANSWERS = {
    "text": ["Dawit Haile", "Олександр Коваленко", "أمينة يوسف", "ዳዊት ሃይለ", "Zarghuna Ahmadzai",
             "محمد رضایی", "Мирослава", "Kjøre buss", "Mottak Nord"],
    "date": ["14.03.1985", "03.04.1996", "۱۴.۰۳.۱۹۸۵", "10.11.2026"],
    "person_id": ["2024 1234 5678", "202400123456"],
    "phone": ["+47 912 34 567", "۹۱۲۳۴۵۶۷"],
    "country": ["ER", "Eritrea", "UA", "AF", "Syria", "ኤርትራ"],
    "language": ["ti", "uk", "prs", "Tigri", "ትግ", "Arab", "дарі"],
    "integer": ["0", "12", "۱۲", "٣"],
    "year": ["2013", "۲۰۱۳", "٢٠١٣", "1999"],
}  # fmt: skip
#: What a person may write that is theirs: on screen after the reset it would be a leak.
PERSONAL = [*ANSWERS["text"], *ANSWERS["date"], *ANSWERS["person_id"]]
#: What else a person types: searches, codes, years, numbers in other digits.
OTHER_TEXT = [
    "ER", "ti", "Eritrea", "Tigri", "ትግ", "Ukr", "دری", "AF", "nb", "2013", "۲۰۱۳", "٢٠١٣",
    "0", "12", "+47 912 34 567", "", " ", "x" * 40,
]  # fmt: skip

#: Digits that would finish the caseworker PIN: never typed into the PIN dialog.
PIN_LAST = PIN[-1]


def _never_the_pin(keys: list[str]) -> list[str]:
    """The keys without any form of the PIN's last digit, so the PIN is never complete."""
    return [
        key
        for key in keys
        if not (len(key) == 1 and unicodedata.numeric(key, None) == float(PIN_LAST))
    ]


def western_digits(text: str) -> str:
    """``text`` with every digit as 0-9 (the kiosk shows a date typed in Persian digits so)."""
    return "".join(str(d) if (d := unicodedata.decimal(c, None)) is not None else c for c in text)


def shown_text(widget: Widget) -> str:
    """What a widget shows of its own: its text, value or options."""
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, OptionList):
        return " ".join(str(option.prompt) for option in widget.options)
    if isinstance(widget, Static | Button | ToggleButton):
        return str(widget.render())
    return ""


def confirmed_answers(registration: Registration) -> dict[str, Any]:
    """The form's answers by flat path, coded as they are stored."""
    form = registration.form
    flat: dict[str, Any] = {}
    for name, value in form.answers.items():
        if name.endswith(AS_WRITTEN_SUFFIX):  # a date as written in its calendar: stored as is
            flat[name] = value
            continue
        question = form.questionnaire.question(name)
        if question.type == "repeat":
            for index, entry in enumerate(form.encoded_entries(name)):
                for child, coded in entry.items():
                    flat[f"{name}[{index}].{child}"] = coded
        else:
            flat[name] = values.encode(question, value)
    return flat


def stored_answers(db: Database, registration: Registration) -> dict[str, Any]:
    if registration.record_id is None:
        return {}
    return {row.path: row.value for row in records.answer_rows(db, registration.record_id)}


def _differences(confirmed: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    return [
        f"{path}: confirmed {confirmed.get(path, '<none>')!r}, stored {stored.get(path, '<none>')!r}"
        for path in sorted(set(confirmed) | set(stored))
        if confirmed.get(path, ...) != stored.get(path, ...)
    ]


async def _bounded(step: Coroutine[Any, Any, T]) -> T:
    async with asyncio.timeout(STEP_TIMEOUT):
        return await step


class KioskMonkey(RuleBasedStateMachine):
    """One kiosk with its own database, and a stream of random people at it."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.db = open_database(f"sqlite:///{Path(self.folder.name) / 'kompass.sqlite3'}")
        self.loop = asyncio.new_event_loop()
        self.context_vars = contextvars.Context()
        self.app = make_app(self.db)
        self.context = self.app.run_test(size=SIZE)
        self.pilot: Pilot[None] = self.run(self.context.__aenter__())
        #: The personal text typed since the last reset, and that of the people before.
        self.typed: set[str] = set()
        self.earlier: set[str] = set()
        #: The registration open after the last step, and what it had confirmed then.
        self.open: Registration | None = None
        self.confirmed: dict[str, Any] = {}
        #: True when the last step's countdown ran out (the screen was cleared).
        self.cleared = False

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        """Run one step on the kiosk's event loop, in the one context the app was entered in
        (Textual keeps the active app in context variables)."""
        task = self.loop.create_task(_bounded(step), context=self.context_vars)
        return self.loop.run_until_complete(task)

    def teardown(self) -> None:
        try:
            self.run(self.context.__aexit__(None, None, None))
        finally:
            self.loop.close()
            self.db.dispose()
            self.folder.cleanup()
            PinScreen.failures = 0
            PinScreen.locked_until = 0.0
            set_locale(DEFAULT_LOCALE)

    # ---------------------------------------------------------------- what the monkey does

    @initialize(code=st.sampled_from(available_locales()))
    def choose_language(self, code: str) -> None:
        self.run(pick_language(self.pilot, code))
        self.after_step()

    @rule(key=st.sampled_from(KEYS))
    def press(self, key: str) -> None:
        self.run(self.pilot.press(*self.safe([key])))
        self.after_step()

    @rule(text=st.sampled_from(PERSONAL), then=st.sampled_from(["enter", "tab", ""]))
    def write_personal(self, text: str, then: str) -> None:
        self.mine(text)
        self.run(self.type(text, then))
        self.after_step()

    @rule(text=st.sampled_from(OTHER_TEXT), then=st.sampled_from(["enter", "tab", ""]))
    def write(self, text: str, then: str) -> None:
        self.run(self.type(text, then))
        self.after_step()

    @rule(data=st.data())
    def answer_as_asked(self, data: st.DataObject) -> None:
        """Answer a question on the page with something that fits it, as a person who reads
        the question does: otherwise the monkey seldom gets past the first pages."""
        fields = [field for field in self.app.screen.query(QuestionField) if field.display]
        if not fields:
            return
        field = data.draw(st.sampled_from(fields), label="field")
        kind = field.question.type
        if kind in ANSWERS:
            text = data.draw(st.sampled_from(ANSWERS[kind]), label="text")
            then = data.draw(st.sampled_from(["enter", "tab"]), label="then")
            self.run(self.write_into(field, text, then))
        elif choices := [*field.query(ToggleButton), *field.query(".entry-add")]:
            self.run(self.click_on(data.draw(st.sampled_from(choices), label="choice"), 0))
        elif lists := field.query(SelectionList):
            self.run(self.tick_one(lists.first(), data.draw(st.integers(0, 20), label="option")))
        self.after_step()

    async def write_into(self, field: QuestionField, text: str, then: str) -> None:
        boxes = [*field.query(TextArea), *field.query(Input)]
        if not boxes:
            return
        box = boxes[0]
        self.app.screen.scroll_to_widget(box, animate=False, immediate=True)
        box.focus()
        await self.pilot.pause()
        if isinstance(box, Input):
            box.value = ""
        else:
            box.text = ""
        if text in PERSONAL:
            self.mine(text)
        await self.type(text, then)

    async def tick_one(self, options: SelectionList[Any], index: int) -> None:
        options.focus()
        if options.option_count:
            options.highlighted = index % options.option_count
        await self.pilot.press("space")

    def mine(self, text: str) -> None:
        """``text`` is the present person's: theirs to see."""
        self.typed.add(western_digits(text))
        self.earlier = {e for e in self.earlier if e not in western_digits(text)}

    async def type(self, text: str, then: str) -> None:
        """Type as a quick typist does, each key without waiting for the last, then press
        ``then`` (if any) as a key of its own."""
        for char in self.safe(list(text)):
            key = "space" if char == " " else char if char.isalnum() else _character_to_key(char)
            self.app.post_message(events.Key(key, char))
        await self.pilot.pause()
        if then:
            await self.pilot.press(then)

    @rule(data=st.data())
    def click(self, data: st.DataObject) -> None:
        targets = [
            widget
            for widget in self.app.screen.query("*")
            if isinstance(widget, Button | ToggleButton | OptionList | Input | TextArea)
            and widget.display
            and widget.visible
            and not widget.disabled
        ]
        if not targets:
            return
        widget = data.draw(st.sampled_from(targets), label="widget")
        row = data.draw(st.integers(0, 9), label="row") if isinstance(widget, OptionList) else 0
        self.run(self.click_on(widget, row))
        self.after_step()

    async def click_on(self, widget: Widget, row: int) -> None:
        self.app.screen.scroll_to_widget(widget, animate=False, immediate=True)
        await self.pilot.pause()
        region = widget.region
        if not region:
            return
        try:
            await self.pilot.click(widget, offset=(min(2, region.width - 1), row % region.height))
        except OutOfBounds:
            return
        await self.pilot.pause()

    @rule(code=st.sampled_from(available_locales()))
    def switch_language(self, code: str) -> None:
        self.run(self.switch_to(code))
        self.after_step()

    async def switch_to(self, code: str) -> None:
        await self.pilot.press("f2")
        await self.pilot.pause()
        screen = self.app.screen
        if isinstance(screen, LanguageScreen) and screen.switching:
            screen.query_one(OptionList).highlighted = available_locales().index(code)
            await self.pilot.press("enter")
            await self.pilot.pause()

    @rule(comes_back=st.booleans())
    def walk_away(self, comes_back: bool) -> None:
        """The person leaves: the kiosk's own idle check finds the time passed and warns; the
        person comes back in time (a key), or the countdown runs out and the kiosk resets."""
        self.run(self.idle(comes_back))
        self.after_step()

    async def idle(self, comes_back: bool) -> None:
        app = self.app
        app.idle_seconds = 1
        try:
            app.last_input = time.monotonic() - 5
            app._check_idle()
            await self.pilot.pause()
            screen = app.screen
            if isinstance(screen, IdleScreen):
                if comes_back:
                    await self.pilot.press("space")
                else:
                    screen._tick()  # the last second of the countdown
                    self.cleared = True
                await self.pilot.pause()
        finally:
            app.idle_seconds = 0

    @rule(size=SIZES)
    def resize(self, size: tuple[int, int]) -> None:
        self.run(self.pilot.resize_terminal(*size))
        self.after_step()

    def safe(self, keys: list[str]) -> list[str]:
        """Never type the caseworker PIN into its dialog."""
        return _never_the_pin(keys) if isinstance(self.app.screen, PinScreen) else keys

    # ---------------------------------------------------------------- after each step

    def after_step(self) -> None:
        """Notice a reset: whatever the person typed is now someone else's."""
        registration = self.app.registration
        changed = self.open is not None and registration is not self.open
        if changed or self.cleared:
            self.earlier |= self.typed
            self.typed = set()
            self.cleared = False
        if self.open is not None and changed:
            # what the person confirmed stays stored after the reset
            stored = stored_answers(self.db, self.open)
            lost = _differences(self.confirmed, {p: stored.get(p) for p in self.confirmed})
            assert not lost, "answers lost at the reset:\n" + "\n".join(lost)
        self.open = registration
        self.confirmed = confirmed_answers(registration) if registration else {}

    @invariant()
    def still_running(self) -> None:
        app = self.app
        assert app.recovered == [], f"the kiosk recovered from {app.recovered!r}"
        assert app.is_running, "the kiosk ended"
        assert app.return_code is None, f"the kiosk ended with {app.return_code}"

    @invariant()
    def nobody_elses_data(self) -> None:
        if not self.earlier:
            return
        for screen in self.app.screen_stack:
            for widget in screen.query("*"):
                text = western_digits(shown_text(widget))
                leaked = [earlier for earlier in self.earlier if earlier in text]
                assert not leaked, f"{widget!r} on {screen!r} shows {leaked} after a reset"

    @invariant()
    def confirmed_is_stored(self) -> None:
        registration = self.app.registration
        if registration is None:
            return
        differences = _differences(
            confirmed_answers(registration), stored_answers(self.db, registration)
        )
        assert not differences, "form and database differ:\n" + "\n".join(differences)


@pytest.fixture
def short_countdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The idle warning counts down one second, not thirty."""
    monkeypatch.setattr(app_module, "IDLE_WARNING_SECONDS", 1)
    return


@pytest.mark.usefixtures("short_countdown")
def test_random_people_at_the_kiosk() -> None:
    run_state_machine_as_test(
        KioskMonkey,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
