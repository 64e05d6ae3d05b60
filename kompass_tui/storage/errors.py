"""The storage error, apart from the database code so that catching it costs no import."""

from __future__ import annotations

from sporreskjema.i18n import Msg


class StorageError(Exception):
    """A database problem, with a message for the person at the terminal."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message
