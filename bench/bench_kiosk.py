"""The kiosk against bare Textual: starting it (target ratio <= 1.5), its resident memory at
the first screen (<= 3.0), a keystroke in a text field (<= 1.5) and moving to the next
question (<= 2.0).

Every baseline is the same thing done by a bare Textual app with as many widgets as the
kiosk screen it stands for (counted from the kiosk while the case is built), at 80×24,
headless. "Painted" means the screen's compositor produced a frame (``App._display`` was
called with an update: the layout and the rendering of every visible line are done; only
the terminal write is skipped, as it is in any headless run).

The start is timed as whole processes (``python -c``) from their start to the first
frame; each ends itself there (``os._exit``), so interpreter shutdown is not counted. The other two keep one running
headless app per side for the whole measurement: ``run_test()`` lives in a task of an
event loop owned by :class:`_Running`, and each timed call hands that task one job and
runs the loop until the job is done, so a call costs only the keystroke or the switch.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from textual import events, on
from textual._compositor import LayoutUpdate
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from bench.harness import Case, benchmark
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.kiosk.settings import KioskSettings
from kompass_tui.storage.database import Database, open_database

T = TypeVar("T")
SIZE = (80, 24)
TIMEOUT = 30.0
#: Widgets Textual adds to every screen of a running app; not part of what the app composed.
TEXTUAL_OVERLAYS = frozenset({"ToastRack", "Tooltip"})


def count_widgets(screen: Screen[Any]) -> int:
    return sum(1 for w in screen.walk_children() if type(w).__name__ not in TEXTUAL_OVERLAYS)


def _temp_database() -> tuple[Path, Database]:
    folder = Path(tempfile.mkdtemp(prefix="kompass-bench-kiosk-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    db = open_database(f"sqlite:///{folder / 'kompass.sqlite3'}")
    atexit.register(db.dispose)
    return folder, db


# ------------------------------------------------------------------ 1. process start

#: Appended to both programs: run ``app`` headless until its first frame, then exit and
#: print how many widgets that frame's screen had ("start"), or, once the app is also READY,
#: how many bytes of memory the process has resident ("rss").
_UNTIL_FIRST_PAINT = """
_painted = []
_display = app._display
MEASURE = sys.argv[2] if len(sys.argv) > 2 else "start"


def _resident_bytes():
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource  # the peak instead, where there is no /proc

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _when_ready():
    if not READY():
        app.set_timer(0.01, _when_ready)
        return
    print(_resident_bytes(), flush=True)
    os._exit(0)


def _first_paint(screen, renderable):
    result = _display(screen, renderable)
    if renderable is not None and not _painted:
        _painted.append(1)
        if MEASURE == "rss":
            app.call_later(_when_ready)
            return result
        # The frame is rendered: the time to measure ends here, before any shutdown.
        print(sum(1 for w in screen.walk_children() if type(w).__name__ not in OVERLAYS), flush=True)
        os._exit(0)
    return result


app._display = _first_paint
app.run(headless=True, size=SIZE)
sys.exit("no frame was painted")
"""

_KIOSK_START = f"""
import os
import sys
from kompass_tui.kiosk.app import KioskApp
from kompass_tui.kiosk.settings import KioskSettings

OVERLAYS, SIZE = {sorted(TEXTUAL_OVERLAYS)!r}, {SIZE!r}
# As `kompass kiosk` does: the app opens the database after its first screen is painted.
app = KioskApp(sys.argv[1], KioskSettings())


def READY():
    # The database is open and the questionnaire loaded: the kiosk waits for a person.
    try:
        app.db
    except RuntimeError:
        return False
    return True

{_UNTIL_FIRST_PAINT}
"""

_BARE_START = f"""
import os
import sys
from textual.app import App
from textual.widgets import Static

OVERLAYS, SIZE = {sorted(TEXTUAL_OVERLAYS)!r}, {SIZE!r}


class Bare(App[None]):
    def compose(self):
        for i in range(int(sys.argv[1])):
            yield Static(f"Widget number {{i}}")


app = Bare()
READY = lambda: True  # noqa: E731
{_UNTIL_FIRST_PAINT}
"""


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@benchmark("kiosk: start to first screen")
def kiosk_start(quick: bool) -> Case:
    folder, db = _temp_database()  # created and migrated here: each start opens it as it is
    db.dispose()
    url = f"sqlite:///{folder / 'kompass.sqlite3'}"
    widgets = int(_python(_KIOSK_START, url).split()[-1])
    if int(_python(_BARE_START, str(widgets)).split()[-1]) != widgets:
        raise RuntimeError("the bare app should paint as many widgets as the kiosk")

    return Case(
        target=1.5,
        subject=lambda: _python(_KIOSK_START, url),
        baseline=lambda: _python(_BARE_START, str(widgets)),
        detail=f"wall time of a fresh `python -c` from start to first frame: import, "
        f"KioskApp(URL of an existing temp SQLite, KioskSettings()) headless "
        f"{SIZE[0]}×{SIZE[1]} until the language picker ({widgets} widgets) is rendered; "
        f"baseline: bare App with {widgets} Static, same",
        # Nine rounds in --quick too: each start is a fresh process whose time a busy neighbour
        # moves by tens of milliseconds, and the best of nine is steadier than the best of five.
        # Two starts a round there (not five): a fresh process has nothing piled up by the
        # other side's round to pay for, and the run takes 8 s instead of 19.
        rounds=9 if quick else None,
        min_calls=2 if quick else None,
    )


@benchmark("kiosk: resident memory at the first screen")
def kiosk_memory(quick: bool) -> Case:
    folder, db = _temp_database()
    db.dispose()
    url = f"sqlite:///{folder / 'kompass.sqlite3'}"
    widgets = int(_python(_KIOSK_START, url).split()[-1])
    return Case(
        target=3.0,
        subject=lambda: int(_python(_KIOSK_START, url, "rss").split()[-1]),
        baseline=lambda: int(_python(_BARE_START, str(widgets), "rss").split()[-1]),
        detail=f"resident memory (VmRSS) of a fresh `python -c`: KioskApp(URL of an existing "
        f"temp SQLite, KioskSettings()) headless {SIZE[0]}×{SIZE[1]}, its language picker "
        f"({widgets} widgets) painted, the database open and the questionnaire loaded; "
        f"baseline: bare App with {widgets} Static, painted",
        measures="value",
        unit="bytes",
        rounds=3,  # a process's memory varies little from one start to the next
    )


# ------------------------------------------------------------------ running apps


class _Running:
    """One headless app running in an event loop of its own, driven by synchronous calls."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.paints = 0
        self._old: Screen[Any] | None = None
        self._new_screen: asyncio.Future[Screen[Any]] | None = None
        self._shown: Callable[[Screen[Any]], bool] = lambda screen: False
        self._watched: tuple[Input, str] | None = None
        self._watched_painted = False
        original = app._display

        def display(screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None:
                self.paints += 1
                watched = self._watched
                if (
                    watched is not None
                    and watched[0].value != watched[1]
                    and (
                        watched[0] in screen._dirty_widgets or isinstance(renderable, LayoutUpdate)
                    )
                ):
                    self._watched_painted = True
                waiter = self._new_screen
                if waiter is not None and not waiter.done() and self._shown(screen):
                    waiter.set_result(screen)
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]
        self.loop = asyncio.new_event_loop()
        self._jobs: asyncio.Queue[tuple[Callable[[], Awaitable[Any]], asyncio.Future[Any]]]
        self._jobs = asyncio.Queue()
        self._pending: asyncio.Future[Any] | None = None
        self._host_task = self.loop.create_task(self._host())
        self._host_task.add_done_callback(self._host_done)
        self._closed = False
        atexit.register(self.close)

    async def _host(self) -> None:
        async with self.app.run_test(size=SIZE) as pilot:
            self.pilot = pilot
            while True:
                job, future = await self._jobs.get()
                if job is _STOP:
                    return
                self._pending = future
                try:
                    future.set_result(await job())
                except Exception as exc:
                    future.set_exception(exc)

    def _host_done(self, task: asyncio.Task[None]) -> None:
        if self._pending is not None and not self._pending.done():
            error = task.exception() if not task.cancelled() else None
            self._pending.set_exception(error or RuntimeError("the app stopped"))

    def call(self, job: Callable[[], Awaitable[T]]) -> T:
        """Run ``job`` inside the running app and wait for it; the loop runs only meanwhile."""
        future: asyncio.Future[T] = self.loop.create_future()
        self._pending = future
        self._jobs.put_nowait((job, future))
        return self.loop.run_until_complete(future)

    async def settle(self) -> None:
        await self.pilot.pause()
        await self.pilot.pause()

    async def type_key(self, field: Input, key: str, char: str | None) -> None:
        """One key event as the terminal driver sends it, until ``field`` holds it and the
        frame is rendered.

        The Input marks itself for repaint, the screen collects it and resumes its update
        timer, whose next 60 fps tick renders the frame. The wait for that tick (up to
        16.7 ms, the same for both sides) is skipped: the frame is rendered the moment the
        screen asks for it, as ``Pilot.pause`` does.
        """
        before = field.value
        self._watched, self._watched_painted = (field, before), False
        event = events.Key(key, char)
        event.set_sender(self.app)
        self.app.post_message(event)
        screen = self.app.screen
        deadline = time.perf_counter() + TIMEOUT
        try:
            while field.value == before or not (
                self._watched_painted or field in screen._dirty_widgets
            ):
                await asyncio.sleep(0)
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"the key {key!r} was not taken or not repainted")
            if not self._watched_painted:
                screen._on_timer_update()
            if not self._watched_painted:
                raise RuntimeError("the keystroke was not repainted")
        finally:
            self._watched = None

    async def press_until_new_screen(self, button: str) -> Screen[Any]:
        """Press ``button`` on the current screen; wait until another screen, mounted with
        all its widgets, has been painted."""
        old = self.app.screen
        self._old = old
        return await self.press_until(
            button,
            lambda screen: screen is not old and screen is self.app.screen and screen.is_mounted,
        )

    async def press_until(self, button: str, shown: Callable[[Screen[Any]], bool]) -> Screen[Any]:
        """Press ``button``; wait until a frame is painted of a screen for which ``shown`` holds."""
        return await self.until(self.app.screen.query_one(button, Button).press, shown)

    async def until(
        self, action: Callable[[], object], shown: Callable[[Screen[Any]], bool]
    ) -> Screen[Any]:
        """Do ``action``; wait until a frame is painted of a screen for which ``shown`` holds."""
        self._shown = shown
        self._new_screen = self.loop.create_future()
        action()
        try:
            return await asyncio.wait_for(self._new_screen, TIMEOUT)
        finally:
            self._new_screen = None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self._host_task.done():
                future = self.loop.create_future()
                self._jobs.put_nowait((_STOP, future))
                self.loop.run_until_complete(self._host_task)
        finally:
            self.loop.close()


async def _STOP() -> None:
    """The job that ends the host task (a sentinel, never awaited)."""


def _kiosk(db: Database) -> tuple[_Running, KioskApp]:
    app = KioskApp(db, KioskSettings())
    running = _Running(app)
    running.call(running.settle)
    return running, app


async def _go_to_section(running: _Running, app: KioskApp, index: int) -> None:
    app.start("nb")
    await running.settle()
    if index != 0:
        app.go_to(index)
        await running.settle()


# ------------------------------------------------------------------ 2. keystroke


class _OneInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Input()


@benchmark("kiosk: keystroke to repaint in a text field")
def kiosk_keystroke(quick: bool) -> Case:
    _folder, db = _temp_database()
    kiosk, app = _kiosk(db)

    async def about_you() -> tuple[Input, int]:
        await _go_to_section(kiosk, app, 1)
        field = app.screen.query_one("#q-full_name Input", Input)
        field.focus()
        await kiosk.settle()
        return field, count_widgets(app.screen)

    kiosk_field, widgets = kiosk.call(about_you)
    if app.screen.focused is not kiosk_field:
        raise RuntimeError("the full-name field should have the focus")

    bare = _Running(_OneInput())

    async def bare_ready() -> Input:
        await bare.settle()
        field = bare.app.query_one(Input)
        field.focus()
        await bare.settle()
        return field

    bare_field = bare.call(bare_ready)

    def keystrokes(running: _Running, field: Input) -> Callable[[], None]:
        async def job() -> None:
            await running.type_key(field, "a", "a")
            await running.type_key(field, "backspace", None)

        return lambda: running.call(job)

    return Case(
        target=1.5,
        subject=keystrokes(kiosk, kiosk_field),
        baseline=keystrokes(bare, bare_field),
        detail=f"two key events ('a', backspace) into the focused full-name Input of a running "
        f"KioskApp on 'About you' ({widgets} widgets), each until the Input holds it and the "
        f"frame is rendered; baseline: a running bare App with one Input, same keys",
    )


# ------------------------------------------------------------------ 3. next section


class _BareSection(Screen[None]):
    """As many widgets as a section screen: one button that switches to the other screen,
    and Static lines."""

    def __init__(self, widgets: int, button: str, other: tuple[int, str]) -> None:
        super().__init__()
        self.widgets = widgets
        self.button = button
        self.other = other

    def compose(self) -> ComposeResult:
        yield Button(self.button.title(), id=self.button)
        for i in range(self.widgets - 1):
            yield Static(f"Line {i} of a screen as large as a section")

    @on(Button.Pressed)
    def _pressed(self) -> None:
        widgets, button = self.other
        self.app.switch_screen(_BareSection(widgets, button, (self.widgets, self.button)))


class _BareScreens(App[None]):
    pass


def _page_of(app: KioskApp, question: str) -> Callable[[Screen[Any]], bool]:
    """True once the kiosk's screen shows ``question``, mounted."""

    def shown(screen: Screen[Any]) -> bool:
        found = screen.query(f"#q-{question}")
        return screen is app.screen and bool(found) and found.first().is_mounted

    return shown


@benchmark("kiosk: next question")
def kiosk_next_question(quick: bool) -> Case:
    _folder, db = _temp_database()
    kiosk, app = _kiosk(db)

    async def sizes() -> tuple[int, int]:
        await _go_to_section(kiosk, app, 1)
        first = count_widgets(app.screen)
        await kiosk.press_until("#next", _page_of(app, "birth_date"))
        await kiosk.settle()
        second = count_widgets(app.screen)
        await kiosk.press_until("#back", _page_of(app, "full_name"))
        await kiosk.settle()
        return first, second

    first, second = kiosk.call(sizes)

    bare = _Running(_BareScreens())

    async def bare_ready() -> None:
        await bare.settle()
        await bare.app.push_screen(_BareSection(first, "next", (second, "back")))
        await bare.settle()

    bare.call(bare_ready)

    async def kiosk_job() -> None:
        app.touch()  # what the click on Next would do; Button.press() is not input
        await kiosk.press_until("#next", _page_of(app, "birth_date"))
        await kiosk.press_until("#back", _page_of(app, "full_name"))

    async def bare_job() -> None:
        await bare.press_until_new_screen("#next")
        await bare.press_until_new_screen("#back")
        if count_widgets(bare.app.screen) != first:
            raise RuntimeError("the bare app should be back on its first screen")

    return Case(
        target=2.0,
        subject=lambda: kiosk.call(kiosk_job),
        baseline=lambda: bare.call(bare_job),
        # Fifteen rounds in --quick too (about 4 s more): a page switch is tens of
        # milliseconds, and in five rounds on a busy machine none may be a quiet one.
        rounds=15,
        detail=f"Next on 'About you' from the full name ({first} widgets) until the date of birth "
        f"({second}) is mounted and painted, then Back; baseline: bare screens of {first} and "
        f"{second} widgets (a Button + Static), Button.press → switch_screen, same waits",
    )
