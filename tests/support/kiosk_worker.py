"""The real kiosk app driven by a script in a program of its own, for the kill-and-resume test.

    python tests/support/kiosk_worker.py URL RUN        # a new registration
    python tests/support/kiosk_worker.py URL RUN CODE   # resume it with its code
    python tests/support/kiosk_worker.py --fork-server  # many runs, each a forked process

The fork server imports Textual and Kompass and compiles the catalog once, then reads
commands on standard input: ``start URL RUN CODE|- OUT ERR`` forks a process that runs one
kiosk as above, its standard output and error going to the files OUT and ERR, and answers
``pid PID``; ``kill PID`` kills that process with SIGKILL and answers ``killed PID`` once it
is gone. Each run is still a process of its own that is killed without warning, as the
kiosk on a machine whose power goes; only the seconds of importing are not repeated.

It registers (or resumes) Amina, born 03.04.1996, goes to the question "Where do you live?"
and answers it again and again with ``Place RUN-1``, ``Place RUN-2`` … It prints ``code CODE``
once the registration has one, ``ready`` on that question, and ``confirmed VALUE`` each time an
answer has been confirmed (the kiosk saves it then), until it is killed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import contextlib

from textual.widgets import Input

from kompass_tui.storage.database import open_database
from tests.support.kiosk_pilot import (
    make_app,
    next_step,
    open_resume,
    pick_language,
    reach,
    tick,
    type_text,
)

BIRTH_DATE = "03.04.1996"


async def main(url: str, run: int, code: str | None) -> None:
    db = open_database(url)
    app = make_app(db)
    async with app.run_test(size=(100, 32)) as pilot:
        if code is None:
            await pick_language(pilot, "nb")
            await tick(pilot, "acknowledged")
            await next_step(pilot)
            await type_text(pilot, "full_name", "Amina Yusuf")
            await type_text(pilot, "birth_date", BIRTH_DATE)
            assert app.registration is not None
            print(f"code {app.registration.resume_code}", flush=True)
        else:
            await open_resume(pilot, "nb")
            app.screen.query_one("#code", Input).focus()
            await pilot.press(*code, "enter", *BIRTH_DATE, "enter")
            # The code is checked off the event loop (an Argon2id hash, slow on a busy machine).
            for _ in range(600):
                if app.registration is not None:
                    break
                await pilot.pause(0.05)
            assert app.registration is not None, "the code did not resume the registration"
        field = await reach(pilot, "residence")
        box = field.query_one(Input)
        print("ready", flush=True)
        number = 0
        while True:
            number += 1
            value = f"Place {run}-{number}"
            # Typed, then confirmed by leaving the field (as Tab does), many times a second.
            box.focus()
            box.value = value
            await pilot.pause()
            app.screen.query_one("#next").focus()
            await pilot.pause()
            assert app.registration.form.get("residence") == value
            print(f"confirmed {value}", flush=True)


def fork_server() -> None:
    from sporreskjema import translator
    from tests.support.kiosk_pilot import pin_hash

    translator("nb").gettext("Next")  # the catalog compiled (and cached) once
    pin_hash()
    print("fork-server ready", flush=True)
    for line in sys.stdin:
        command, *arguments = line.split()
        if command == "start":
            url, run, code, out, err = arguments
            pid = os.fork()
            if pid == 0:  # the kiosk's own process
                try:
                    null = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(null, 0)
                    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                    os.dup2(os.open(out, flags, 0o600), 1)
                    os.dup2(os.open(err, flags, 0o600), 2)
                    sys.stdin = open(os.devnull)  # noqa: SIM115
                    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
                    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
                    asyncio.run(main(url, int(run), None if code == "-" else code))
                except BaseException:
                    import traceback

                    traceback.print_exc()
                    sys.stderr.flush()
                    os._exit(1)
                os._exit(0)
            print(f"pid {pid}", flush=True)
        elif command == "kill":
            pid = int(arguments[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print(f"killed {pid}", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments == ["--fork-server"]:
        fork_server()
    else:
        asyncio.run(
            main(arguments[0], int(arguments[1]), arguments[2] if len(arguments) > 2 else None)
        )
