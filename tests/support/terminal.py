"""The real ``kompass`` in a real terminal: a tmux server of its own types into it and reads its
screen (see tests/e2e/test_kiosk_terminal.py for how the tests wait)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sporreskjema import load_builtin
from sporreskjema.i18n import translator

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
#: The identifier's label as the catalog has it (its wording is the built-in questionnaire's,
#: which asks for a Norwegian number plainly since kompass-v2).
PERSON_ID = translator("nb").gettext(load_builtin().question("person_id").label) + " *"
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
