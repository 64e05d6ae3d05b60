"""The real ``kompass kiosk`` in a real terminal: tmux types into it and reads its screen.

A person registers in Norwegian bokmål with the keyboard alone, every way out of the
kiosk asks for the caseworker PIN, only the right PIN ends the program, and the
answers typed are in the database afterwards.

The test waits for what the screen shows, never for a fixed time. Keys sent in one
burst reach the widget that had the focus when the burst began (Textual moves the focus
a moment later), so after every key that moves the focus the test waits until the move
shows (a highlight, or the frame of the next input) before typing on, as a person
reading the screen would.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from sqlmodel import select

from kompass_tui.storage import records
from kompass_tui.storage.database import open_database
from kompass_tui.storage.models import Mode, Record, Status

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

KOMPASS = Path(sys.executable).with_name("kompass")
PIN = "2468"
WRONG_PIN = "1111"
NAME = "Amina Haddad Øvrebø"
BIRTH_DATE = "17.05.1990"
WIDTH, HEIGHT = 100, 30

# What the screens say in Norwegian bokmål (locales/nb).
BOKMAL = "Norsk bokmål"
ACKNOWLEDGE = "Jeg har lest dette og vil begynne"
NEXT = "Neste →"
FULL_NAME = "Fullt navn *"
DATE_OF_BIRTH = "Fødselsdato *"
PERSON_ID = "DUF-nummer eller fødselsnummer *"
PIN_TITLE = "PIN-kode for saksbehandler"
PIN_HELP = "Bare de ansatte kan gå ut av kiosken."
WRONG_PIN_SHOWN = "Feil PIN-kode."
RESUME_CODE = re.compile(r"Koden din: ([A-Z0-9]{4}-[A-Z0-9]{4})")

#: Every key that would leave a plain Textual app (tmux key names).
EXIT_KEYS = ("C-c", "C-q", "C-p", "C-z", "C-\\")

_SGR_RUN = re.compile(r"(?:\x1b\[[0-9;]*m)+$")
_CELL = re.compile(r"((?:\x1b\[[0-9;]*m)*)([^\x1b])")


def cells(line: str) -> list[tuple[str, str]]:
    """Each character of a line captured with escapes, with the escapes just before it."""
    return [(match.group(2), match.group(1)) for match in _CELL.finditer(line)]


def input_at(lines: list[str], label: str) -> tuple[int, int] | None:
    """Where the input under ``label`` shows its text: its row and its left border's column."""
    for row, line in enumerate(lines):
        column = line.find(label)
        if column >= 0:
            for below in range(row + 1, len(lines)):
                if lines[below][column : column + 2] == "▊▔":
                    return below + 1, column
    return None


def is_highlighted_style(sgr_run: str) -> bool:
    """Whether SGR escapes paint a background or reverse video (a cursor, a focused widget)."""
    codes = [
        int(code or 0) for seq in re.findall(r"\[([0-9;]*)m", sgr_run) for code in seq.split(";")
    ]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in (38, 48, 58):  # extended colours: 5;N or 2;R;G;B
            if code == 48:
                return True
            i += 3 if i + 1 < len(codes) and codes[i + 1] == 5 else 5
            continue
        if code == 7 or 40 <= code <= 47 or 100 <= code <= 107:
            return True
        i += 1
    return False


class Kiosk:
    """One ``kompass kiosk`` running in a detached tmux pane of its own tmux server."""

    def __init__(self, root: Path) -> None:
        self.socket = f"kompass-test-{uuid.uuid4().hex[:10]}"
        self.session = f"kiosk-{uuid.uuid4().hex[:8]}"
        self.socket_path: Path | None = None
        self.exit_file = root / "exit-status"
        self.config = root / "tmux.conf"
        # The pane stays after the program ends, so its exit status can be read.
        self.config.write_text(
            "set-option -g remain-on-exit on\n"
            "set-option -g status off\n"
            "set-option -g default-shell /bin/sh\n",
            encoding="utf-8",
        )
        home = root / "home"
        home.mkdir()
        self.db_url = f"sqlite:///{root / 'kiosk.sqlite3'}"
        #: The program's whole environment: no KOMPASS_*, NO_COLOR or locale from outside.
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
        }

    # ------------------------------------------------------------ tmux

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=10,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, *, idle_timeout: int = 0, program: Sequence[str] = (str(KOMPASS),)) -> None:
        """Start ``kompass kiosk`` (``program``: the command that stands for ``kompass``)."""
        kiosk = shlex.join(
            [
                "env",
                "-i",
                *(f"{key}={value}" for key, value in self.env.items()),
                *program,
                "kiosk",
                "--db",
                self.db_url,
                "--idle-timeout",
                str(idle_timeout),
            ]
        )
        # The shell notes the exit status: tmux 3.3 may mark the pane dead without ever
        # learning it (its child left unreaped; tmux/tmux#4841 is about that race).
        written = shlex.quote(str(self.exit_file))
        command = f"{kiosk}; echo $? > {written}.tmp && mv {written}.tmp {written}"
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", str(HEIGHT), command
        )
        self.socket_path = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())

    def stop(self) -> None:
        """End the kiosk (if it still runs), the tmux server and its socket."""
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10, check=False
        )
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)

    def keys(self, *keys: str) -> None:
        """Press keys by their tmux names (``Enter``, ``Tab``, ``C-q``)."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self, *, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.session)

    def lines(self) -> list[str]:
        return self.screen().splitlines()

    def pane_dead(self) -> bool:
        return self.tmux("list-panes", "-t", self.session, "-F", "#{pane_dead}").strip() == "1"

    def alive(self) -> bool:
        """Whether the kiosk still runs."""
        return not self.exit_file.exists() and not self.pane_dead()

    # ------------------------------------------------------------ waiting

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen:\n{self.screen()}")
            if not self.alive():
                pytest.fail(f"the kiosk ended while waiting for {what}:\n{self.screen()}")
            time.sleep(0.1)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        """Wait until ``text`` is on the screen; the screen then."""
        self.wait_until(lambda: text in self.screen(), repr(text), timeout)
        return self.screen()

    def wait_exit(self, timeout: float = 15) -> int:
        """Wait until the kiosk has ended and its pane is dead; its exit status."""
        deadline = time.monotonic() + timeout
        while not (self.exit_file.exists() and self.pane_dead()):
            if time.monotonic() > deadline:
                pytest.fail(f"the kiosk did not end:\n{self.screen()}")
            time.sleep(0.1)
        return int(self.exit_file.read_text(encoding="utf-8"))

    def wait_gone(self, text: str, timeout: float = 15) -> None:
        self.wait_until(lambda: text not in self.screen(), f"{text!r} to go away", timeout)

    # ------------------------------------------------------------ reading the screen

    def highlighted(self, text: str) -> bool:
        """Whether ``text`` is drawn highlighted: the chosen option, a focused box or button."""
        for line in self.screen(escapes=True).splitlines():
            at = line.find(text)
            if at >= 0:
                run = _SGR_RUN.search(line[:at].rstrip(" "))
                return run is not None and is_highlighted_style(run.group())
        return False

    def input_at(self, label: str) -> tuple[int, int]:
        found = input_at(self.lines(), label)
        if found is None:
            pytest.fail(f"no input under {label!r}:\n{self.screen()}")
        return found

    def input_text(self, label: str) -> str:
        """What the input under ``label`` shows."""
        row, column = self.input_at(label)
        return self.lines()[row][column + 1 :].split("▎", 1)[0].strip()

    def shows_in_input(self, label: str, text: str) -> Callable[[], bool]:
        return lambda: self.input_text(label) == text

    def in_input(self, label: str) -> Callable[[], bool]:
        """Whether the input under ``label`` has the focus: its frame alone is drawn
        unlike every other framed box on the screen (the terminal cursor would not do:
        Textual moves it only after a key)."""

        def focused() -> bool:
            screen = [cells(line) for line in self.screen(escapes=True).splitlines()]
            lines = ["".join(char for char, _ in line) for line in screen]
            target = input_at(lines, label)
            if target is None:
                return False
            frames = {
                (row + 1, column): screen[row + 1][column][1]
                for row, line in enumerate(lines[:-1])
                for column in (m.start() for m in re.finditer("▊▔", line))
                if column < len(screen[row + 1])
            }
            others = [style for place, style in frames.items() if place != target]
            return bool(others) and all(style != frames.get(target) for style in others)

        return focused

    def tab_to(self, focused: Callable[[], bool], what: str, tabs: int = 8) -> None:
        """Press Tab until ``focused`` holds (not at all when it already does)."""
        for _ in range(tabs):
            if focused():
                return
            self.keys("Tab")
            deadline = time.monotonic() + 5
            while not focused() and time.monotonic() < deadline:
                time.sleep(0.1)
        if not focused():
            pytest.fail(f"{tabs} tabs did not reach {what}:\n{self.screen()}")


def with_pin(root: Path) -> Kiosk:
    """A kiosk in ``root`` whose caseworker PIN is set, as staff would before it starts (it
    asks twice); not started yet."""
    root.mkdir(parents=True, exist_ok=True)
    kiosk = Kiosk(root)
    done = subprocess.run(
        [str(KOMPASS), "kiosk", "--set-pin"],
        input=f"{PIN}\n{PIN}\n",
        env=kiosk.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "config" / "kompass" / "kiosk.json").is_file()
    return kiosk


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    kiosk = with_pin(tmp_path)
    kiosk.start()
    try:
        yield kiosk
    finally:
        kiosk.stop()


def test_a_person_registers_and_only_the_pin_ends_the_kiosk(kiosk: Kiosk) -> None:
    # The language picker opens with the first language, Norsk bokmål, highlighted.
    kiosk.wait_for(BOKMAL)
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    assert not kiosk.highlighted("English")
    kiosk.keys("Enter")

    # Start: tick "I have read this"; the first saved answer creates the record and its code.
    kiosk.wait_for("Steg 1 av 8")
    kiosk.tab_to(lambda: kiosk.highlighted(ACKNOWLEDGE), "the acknowledgement box")
    kiosk.keys("Space")
    code_shown = RESUME_CODE.search(kiosk.wait_for("Koden din:"))
    assert code_shown is not None
    kiosk.tab_to(lambda: kiosk.highlighted(NEXT), "the Next button")
    kiosk.keys("Enter")

    # About you, one question at a time: the cursor is in the name at once; Enter confirms
    # each answer and moves on to the next question.
    kiosk.wait_for("Steg 2 av 8")
    kiosk.wait_for(FULL_NAME)
    kiosk.type(NAME)  # no Tab first: the cursor is in the question when the page opens
    kiosk.wait_until(kiosk.shows_in_input(FULL_NAME, NAME), "the name typed")
    kiosk.keys("Enter")
    kiosk.wait_for(DATE_OF_BIRTH)
    kiosk.type(BIRTH_DATE)
    kiosk.wait_until(kiosk.shows_in_input(DATE_OF_BIRTH, BIRTH_DATE), "the date typed")
    kiosk.keys("Enter")
    kiosk.wait_for(PERSON_ID)

    assert "Steg 2 av 8  Om deg" in kiosk.screen()
    assert code_shown.group(0) in kiosk.screen()  # the same code, still shown

    # Every way out of a Textual app asks for the PIN; Escape goes back to the form.
    for key in EXIT_KEYS:
        kiosk.keys(key)
        kiosk.wait_for(PIN_TITLE)
        assert kiosk.alive(), key
        kiosk.keys("Escape")
        kiosk.wait_gone(PIN_TITLE)
        assert kiosk.alive(), key
        assert PERSON_ID in kiosk.screen(), key

    # A wrong PIN is refused and the kiosk stays; the right one ends it.
    kiosk.keys("C-q")
    kiosk.wait_for(PIN_TITLE)
    kiosk.type(WRONG_PIN)
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(WRONG_PIN)), "the PIN typed")
    kiosk.keys("Enter")
    kiosk.wait_for(WRONG_PIN_SHOWN)
    assert kiosk.alive()
    assert PIN_TITLE in kiosk.screen()
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, ""), "the wrong PIN cleared")
    kiosk.type(PIN)
    kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(PIN)), "the PIN typed")
    kiosk.keys("Enter")
    assert kiosk.wait_exit() == 0

    # The database has the registration, in progress, with what was typed.
    db = open_database(kiosk.db_url)
    try:
        with db.session() as session:
            saved = session.exec(select(Record)).all()
        assert len(saved) == 1
        record = saved[0]
        assert record.status == Status.in_progress
        assert record.mode == Mode.kiosk
        assert record.locale == "nb"
        assert record.full_name == NAME
        assert record.birth_date == dt.date(1990, 5, 17)
        assert records.load_answers(db, record.id) == {
            "acknowledged": True,
            "full_name": NAME,
            "birth_date": "1990-05-17",
        }
        assert {row.provenance for row in records.answer_rows(db, record.id)} == {"self"}
        # The code the person saw continues this registration.
        resumed = records.resume(db, code=code_shown.group(1), birth_date=dt.date(1990, 5, 17))
        assert resumed.id == record.id
    finally:
        db.dispose()


#: Keys and chords that must do nothing at the kiosk: no way out, no other record, no shell.
HARMLESS_KEYS = (
    "F1", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
    "C-d", "C-w", "C-x", "C-o", "C-s", "C-t", "C-a", "C-e", "C-l", "C-r", "C-y", "C-n",
    "M-x", "M-q", "Escape", "C-Escape",
)  # fmt: skip


def mouse_click(kiosk: Kiosk, column: int, row: int) -> None:
    """A click at a cell (1-based), as the terminal reports it (SGR mouse mode)."""
    for end in ("M", "m"):  # press, release
        kiosk.type(f"\x1b[<0;{column};{row}{end}")


def test_no_key_or_click_leaves_the_kiosk(kiosk: Kiosk) -> None:
    kiosk.wait_for(BOKMAL)
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys("Enter")
    kiosk.wait_for("Steg 1 av 8")
    kiosk.tab_to(lambda: kiosk.highlighted(ACKNOWLEDGE), "the acknowledgement box")
    kiosk.keys("Space")
    kiosk.wait_for("Koden din:")
    kiosk.tab_to(lambda: kiosk.highlighted(NEXT), "the Next button")
    kiosk.keys("Enter")
    kiosk.wait_for(FULL_NAME)
    kiosk.type(NAME)
    kiosk.wait_until(kiosk.shows_in_input(FULL_NAME, NAME), "the name typed")
    for key in HARMLESS_KEYS:
        kiosk.keys(key)
        time.sleep(0.3)
        assert kiosk.alive(), key
        assert PIN_TITLE not in kiosk.screen(), key
        assert FULL_NAME in kiosk.screen(), key
    # Clicks on the top bar: the step, the section's title, the code.
    for column, row in [(1, 1), (3, 2), (10, 2), (20, 2), (40, 2), (60, 3)]:
        mouse_click(kiosk, column, row)
        time.sleep(0.3)
        assert kiosk.alive(), (column, row)
        assert FULL_NAME in kiosk.screen(), (column, row)
    # The language button on the top bar opens only the language picker, and choosing a
    # language goes back to the same question with the name still typed.
    top = kiosk.lines()[1]
    mouse_click(kiosk, top.index("Språk") + 2, 2)
    kiosk.wait_for("Choose your language")
    assert NAME not in kiosk.screen()
    kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
    kiosk.keys("Enter")
    kiosk.wait_for(FULL_NAME)
    # Every way out still asks for the PIN, and nothing else is shown meanwhile.
    for key in EXIT_KEYS:
        kiosk.keys(key)
        kiosk.wait_for(PIN_TITLE)
        assert NAME not in kiosk.screen().replace(PIN_TITLE, ""), key
        kiosk.keys("Escape")
        kiosk.wait_gone(PIN_TITLE)
    assert kiosk.alive()


def test_the_first_run_asks_again_until_the_pin_is_good(tmp_path: Path) -> None:
    """No PIN yet: the kiosk asks staff for one first. Two digits, and then two different
    PINs, are refused in their language and asked for again; the PIN typed the same twice is
    saved, the language picker opens, and that PIN ends the kiosk."""
    from sporreskjema import translator

    nb = translator("nb")
    new_pin = nb.gettext("New caseworker PIN (digits)")
    repeat = nb.gettext("Repeat the PIN")
    kiosk = Kiosk(tmp_path)
    kiosk.start()
    try:
        kiosk.wait_for(new_pin)
        kiosk.type("12")
        kiosk.keys("Enter")
        kiosk.wait_for(nb.gettext("A PIN has %(min)d to %(max)d digits.") % {"min": 4, "max": 12})
        kiosk.wait_until(lambda: kiosk.screen().count(new_pin) == 2, "the PIN asked for again")
        kiosk.type("1357")
        kiosk.keys("Enter")
        kiosk.wait_for(repeat)
        kiosk.type("7531")
        kiosk.keys("Enter")
        kiosk.wait_for(nb.gettext("The two PINs are not the same. Try again."))
        assert "do not match" not in kiosk.screen()
        kiosk.wait_until(lambda: kiosk.screen().count(new_pin) == 3, "the PIN asked for again")
        kiosk.type(PIN)
        kiosk.keys("Enter")
        kiosk.wait_until(lambda: kiosk.screen().count(repeat) == 2, "the PIN asked to repeat")
        kiosk.type(PIN)
        kiosk.keys("Enter")
        kiosk.wait_for(BOKMAL)
        kiosk.wait_until(lambda: kiosk.highlighted(BOKMAL), f"{BOKMAL!r} highlighted")
        assert (tmp_path / "config" / "kompass" / "kiosk.json").is_file()
        kiosk.keys("C-q")
        kiosk.wait_for(PIN_TITLE)
        kiosk.type(PIN)
        kiosk.wait_until(kiosk.shows_in_input(PIN_HELP, "•" * len(PIN)), "the PIN typed")
        kiosk.keys("Enter")
        assert kiosk.wait_exit() == 0
    finally:
        kiosk.stop()
