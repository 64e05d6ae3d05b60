"""The storage error, apart from the database code so that catching it costs no import."""

from __future__ import annotations

from sporreskjema.i18n import Msg


class StorageError(Exception):
    """A database problem, with a message for the person at the terminal."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


def file_problem(msgid: str, path: object, exc: OSError) -> Msg:
    """``msgid`` (with ``%(path)s`` and ``%(reason)s``) about a file the system refused us."""
    return Msg(msgid, {"path": str(path), "reason": exc.strerror or str(exc)})
