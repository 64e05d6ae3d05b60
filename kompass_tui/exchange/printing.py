"""Printing through CUPS (``lp``): the person's own copy at the kiosk.

The PDF goes to ``lp`` on its standard input, so it is never a file on the kiosk's disk, and
the job's title names no one (a print queue is seen by everyone who can list it).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Final

from kompass_tui.storage.errors import StorageError
from sporreskjema.i18n import N_, Msg

#: The title of every print job: the program's name, never the person's.
JOB_TITLE: Final = "Kompass"
#: Seconds CUPS has to take a job (it queues it; printing goes on without us).
TIMEOUT: Final = 60


class PrintError(StorageError):
    pass


def _lp(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise PrintError(
            Msg(
                N_(
                    "This machine has no printing system (CUPS: %(program)s is missing). "
                    "Debian: apt-get install cups-client."
                ),
                {"program": program},
            )
        )
    return found


def check_printer(name: str) -> None:
    """That CUPS knows the printer ``name`` (``lpstat -p``), or a :class:`PrintError`."""
    lpstat = _lp("lpstat")
    _lp("lp")
    try:
        known = subprocess.run(  # noqa: S603 - a fixed program, the name as one argument
            [lpstat, "-p", name], capture_output=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        known = None
    if known is None or known.returncode != 0:
        raise PrintError(
            Msg(
                N_("The printing system knows no printer %(name)s (lpstat -p lists them)."),
                {"name": name},
            )
        )


def send(name: str, pdf: bytes) -> None:
    """Hand ``pdf`` to CUPS for the printer ``name``; a :class:`PrintError` if it refuses."""
    lp = _lp("lp")
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [lp, "-d", name, "-t", JOB_TITLE, "-"],
            input=pdf,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    if done is None or done.returncode != 0:
        raise PrintError(Msg(N_("The printer %(name)s did not take the copy."), {"name": name}))
