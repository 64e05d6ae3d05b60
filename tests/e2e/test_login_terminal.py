"""The real ``kompass review`` login in a real terminal: tmux types the user name, Tab, the
password and Enter in one burst, as a password manager does, and the caseworker is in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kompass_tui.storage import accounts, audit
from kompass_tui.storage.database import open_database

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long passphrase"


@pytest.mark.parametrize("shown", [False, True], ids=["while-it-starts", "once-shown"])
def test_a_burst_at_the_login_logs_in(tmp_path: Path, shown: bool) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    db = open_database(url)
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    socket = f"kompass-login-{uuid.uuid4().hex[:10]}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "LANG": "C.UTF-8", "TERM": "xterm-256color", "KOMPASS_LOCALE": "en",
        "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state"),
    }  # fmt: skip
    program = " ".join(
        ["env", "-i", *(f"{key}={value}" for key, value in env.items()),
         sys.executable, "-m", "kompass_tui", "review", "--db", url]
    )  # fmt: skip

    def tmux(*args: str) -> str:
        done = subprocess.run(
            ["tmux", "-u", "-L", socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=10, check=True, cwd=ROOT,
        )  # fmt: skip
        return done.stdout

    tmux("new-session", "-d", "-x", "100", "-y", "30", "-c", str(ROOT), program)
    try:
        if shown:  # the burst once the whole form is on the screen, not after a fixed time
            deadline = time.monotonic() + 30
            while "Log in" not in tmux("capture-pane", "-p") and time.monotonic() < deadline:
                time.sleep(0.1)
        tmux("send-keys", "kari", "Tab", PASSWORD, "Enter")  # one write: one burst
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if audit.events(db, action=audit.Action.login):
                break
            time.sleep(0.2)
        screen = tmux("capture-pane", "-p")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
    assert [e.actor_name for e in audit.events(db, action=audit.Action.login)] == ["kari"], screen
    assert audit.events(db, action=audit.Action.login_failed) == []
    assert PASSWORD not in screen
    db.dispose()
