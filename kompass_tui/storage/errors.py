"""The storage errors, apart from the database code so that catching them costs no import."""

from __future__ import annotations

import uuid

from sporreskjema.i18n import N_, Msg


class StorageError(Exception):
    """A database problem, with a message for the person at the terminal."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


def file_problem(msgid: str, path: object, exc: OSError) -> Msg:
    """``msgid`` (with ``%(path)s`` and ``%(reason)s``) about a file the system refused us."""
    return Msg(msgid, {"path": str(path), "reason": exc.strerror or str(exc)})


class RecordNotFound(StorageError):
    def __init__(self, record_id: object) -> None:
        super().__init__(Msg(N_("There is no record %(id)s."), {"id": str(record_id)}))


class DuplicatePerson(StorageError):
    """A second registration for a person who already has a record."""

    def __init__(self, existing: uuid.UUID) -> None:
        super().__init__(
            Msg(
                N_(
                    "This person is already registered (record %(id)s). Add a remark to that record instead of registering again."
                ),
                {"id": str(existing)},
            )
        )
        self.existing = existing


class RecordClosed(StorageError):
    def __init__(self, status: str) -> None:
        super().__init__(
            Msg(
                N_(
                    "This registration has been sent (status: %(status)s) and can no longer be changed here."
                ),
                {"status": status},
            )
        )
