"""The real kiosk app driven by a script in a program of its own, for the kill-and-resume test.

    python tests/kiosk_worker.py URL RUN               # a new registration
    python tests/kiosk_worker.py URL RUN CODE          # resume it with its code

It registers (or resumes) Amina, born 03.04.1996, goes to the question "Where do you live?"
and answers it again and again with ``Place RUN-1``, ``Place RUN-2`` … It prints ``code CODE``
once the registration has one, ``ready`` on that question, and ``confirmed VALUE`` each time an
answer has been confirmed (the kiosk saves it then), until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

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
            await pilot.pause()
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


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(main(arguments[0], int(arguments[1]), arguments[2] if len(arguments) > 2 else None))
