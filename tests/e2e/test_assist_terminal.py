"""The real ``kompass assist`` in a real terminal: tmux types into it and reads its screen.

A caseworker logs in and begins a registration with the person; the desk locks after a time
without input. Nothing then leaves the desk without the caseworker's password: not the keys
that end, suspend or open a way out of a program (they once ended it, leaving the
caseworker's shell open in the room), and not an unexpected error, after which the desk is
started again, locked.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from kompass_tui.storage import accounts
from kompass_tui.storage.database import open_database
from tests.support.terminal import WIDTH, Kiosk, input_at

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parents[2]
#: The program from this checkout, as ``python -m kompass_tui``.
KOMPASS = [sys.executable, "-m", "kompass_tui"]
FAULTY = [
    sys.executable,
    str(Path(__file__).resolve().parents[1] / "support" / "faulty_kompass.py"),
]
PASSWORD = "a long passphrase"
NAME = "Amina Haddad"
LOCK_AFTER = 4

# What the desk says in Norwegian bokmål (locales/nb).
USER_NAME = "Brukernavn"
PASSWORD_LABEL = "Passord"
LOCKED = "Låst"
START = "Personens språk"
FULL_NAME = "Fullt navn *"
DATE_OF_BIRTH = "Fødselsdato *"

#: The keys that end, suspend or open a way out of a Textual app (tmux key names).
EXIT_KEYS = ("C-q", "C-c", "C-z", "C-p", "C-\\")


class Desk(Kiosk):
    """One ``kompass assist`` in a tmux pane of its own tmux server, with an account made
    beforehand in its own database."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.env["PYTHONPATH"] = str(ROOT)
        self.env["XDG_STATE_HOME"] = str(root / "state")
        db = open_database(self.db_url)
        try:
            accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
        finally:
            db.dispose()

    def start_desk(self, *, lock_after: int, program: Sequence[str] = KOMPASS) -> None:
        desk = shlex.join(
            [
                "env",
                "-i",
                *(f"{key}={value}" for key, value in self.env.items()),
                *program,
                "assist",
                "--db",
                self.db_url,
                "--lock-after",
                str(lock_after),
            ]
        )
        written = shlex.quote(str(self.exit_file))
        command = f"{desk}; echo $? > {written}.tmp && mv {written}.tmp {written}"
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", "32", command)
        self.socket_path = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())

    def shows(self, label: str, text: str) -> Callable[[], bool]:
        """Whether the input under ``label`` is drawn and shows ``text``."""

        def shown() -> bool:
            found = input_at(self.lines(), label)
            if found is None:
                return False
            row, column = found
            return self.lines()[row][column + 1 :].split("▎", 1)[0].strip() == text

        return shown

    def log_in(self) -> None:
        self.wait_for(USER_NAME)
        self.type("kari")
        self.wait_until(self.shows(USER_NAME, "kari"), "the user name typed")
        self.keys("Enter")
        time.sleep(0.5)  # a person looks up: the cursor goes to the password
        self.type(PASSWORD)
        self.wait_until(self.shows(PASSWORD_LABEL, "•" * len(PASSWORD)), "the password typed")
        self.keys("Enter")
        self.wait_for(START)

    def unlock(self) -> None:
        self.type(PASSWORD)
        self.keys("Enter")
        self.wait_gone(LOCKED)

    def crash_logs(self) -> list[Path]:
        return list(Path(self.env["XDG_STATE_HOME"]).rglob("crash.log"))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(tmp_path)
    try:
        yield desk
    finally:
        desk.stop()


def test_a_locked_desk_ends_only_after_the_password(desk: Desk) -> None:
    desk.start_desk(lock_after=LOCK_AFTER)
    desk.log_in()
    # The person's language (bokmål, the first), no interpreter, and the first page.
    desk.keys("Enter")
    desk.wait_until(lambda: desk.highlighted("Tolk er med"), "the interpreter box")
    desk.keys("Tab")
    desk.wait_until(lambda: desk.highlighted("Start en ny registrering"), "the start button")
    desk.keys("Enter")
    desk.wait_for("Steg 1 av 8")
    desk.keys("Space")  # the cursor is in the box to tick; the record and its code are made
    desk.wait_for("Koden din:")
    desk.keys("Enter")
    desk.wait_for(FULL_NAME)
    desk.type(NAME)
    desk.keys("Enter")
    desk.wait_for(DATE_OF_BIRTH)
    # The caseworker leaves the desk: it locks, and covers the page.
    desk.wait_for(LOCKED, timeout=LOCK_AFTER + 10)
    assert NAME not in desk.screen()
    desk.keys(*EXIT_KEYS)
    for key in EXIT_KEYS:  # and once more, each on its own
        desk.keys(key)
        time.sleep(0.5)  # the time a program takes to end
        assert desk.alive(), key
        assert LOCKED in desk.screen(), key
    assert NAME not in desk.screen()
    # The password: the page is back, as it was; only now does Ctrl+Q end the desk.
    desk.unlock()
    desk.wait_for(DATE_OF_BIRTH)
    desk.keys("C-q")
    assert desk.wait_exit() == 0
    assert desk.crash_logs() == []


def test_an_error_at_the_locked_desk_starts_it_again_locked(desk: Desk) -> None:
    """The first F4 fails in the app itself, which then ends: ``kompass assist`` starts the
    desk again, locked for the same caseworker, and the password tells what happened."""
    desk.start_desk(lock_after=LOCK_AFTER, program=[*FAULTY, "desk"])
    desk.log_in()
    desk.wait_for(LOCKED, timeout=LOCK_AFTER + 10)
    desk.keys("F4")
    desk.wait_until(lambda: bool(desk.crash_logs()), "the error logged")
    desk.wait_gone(LOCKED)  # the desk that failed ends …
    assert "Traceback" not in desk.screen()
    desk.wait_for(LOCKED)  # … and a new one starts, locked
    desk.keys(*EXIT_KEYS)
    time.sleep(1)
    assert desk.alive()
    assert LOCKED in desk.screen()
    desk.unlock()
    desk.wait_for(START)
    # The caseworker is told where the details are; the notice wraps the path where the
    # terminal ends, at a place that depends on how long the temporary folder's name is.
    desk.wait_until(
        lambda: "crash.log" in re.sub(r"[\s▌]", "", desk.screen()), "the crash log named"
    )
    (log,) = desk.crash_logs()
    assert "builtins.RuntimeError" in log.read_text(encoding="utf-8")
    if LOCKED in desk.screen():  # the idle time may have run out again meanwhile
        desk.unlock()
    desk.keys("C-q")
    assert desk.wait_exit() == 0
