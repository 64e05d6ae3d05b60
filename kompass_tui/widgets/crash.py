"""What the Kompass apps do with an unexpected error: the details go to a log file readable
by its owner only, the screen gets one translated line, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar, TextIO

import platformdirs

from kompass_tui.i18n import _
from sporreskjema.files import make_private_dir


def crash_log_path() -> Path:
    return Path(platformdirs.user_log_dir("kompass", appauthor=False)) / "crash.log"


def log_error(error: BaseException | None) -> str:
    """Append ``error`` to the crash log; the log's path, or ``-`` when it cannot be written.

    Only where the error happened is written: the kind of error and the stack, without local
    variables and without the error's own text, either of which can quote what a person typed.
    """
    path = crash_log_path()
    try:
        with _appending(path) as log:
            seen: set[int] = set()
            while error is not None and id(error) not in seen:
                seen.add(id(error))
                log.write("Traceback (most recent call last):\n")
                log.writelines(traceback.format_list(traceback.extract_tb(error.__traceback__)))
                kind = type(error)
                log.write(f"{kind.__module__}.{kind.__qualname__}\n")
                error = error.__cause__ or error.__context__
                if error is not None:
                    log.write("... while handling or caused by:\n")
        return str(path)
    except OSError:
        return "-"


def notice_log_path() -> Path:
    return crash_log_path().with_name("kompass.log")


def log_notice(line: str) -> None:
    """Append one line for the staff to the notice log beside the crash log: something the app
    does without, such as sound, and why (the crash log is for errors alone)."""
    with suppress(OSError), _appending(notice_log_path()) as log:
        log.write(f"{line}\n")


@contextmanager
def _appending(path: Path) -> Iterator[TextIO]:
    """The log at ``path``, readable by its owner only, open at its end after a line with the
    time."""
    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as log:
        log.write(f"--- {dt.datetime.now(dt.UTC).isoformat()}\n")
        yield log


class CrashLog:
    """Mixin for a Textual App: replaces its traceback screen with a line and a log entry."""

    #: The line shown, with ``%(path)s`` for the log file (marked with N_ by the app).
    CRASH_MESSAGE: ClassVar[str]

    _exception: Exception | None
    _exit_renderables: list[Any]

    def _fatal_error(self) -> None:
        where = log_error(self._exception or sys.exc_info()[1])
        self._exit_renderables.append(_(self.CRASH_MESSAGE) % {"path": where})
        self._close_messages_no_wait()  # type: ignore[attr-defined]
