"""Options and helpers shared by the commands that touch the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kompass_tui.cli.output import fail
from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database

#: The environment variable with the database URL (kompass_tui.storage.database reads it too).
ENV_VAR = "KOMPASS_DB"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        show_envvar=True,
        help=_(
            "Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME. Default: an SQLite file in your user data folder."
        ),
        show_default=False,
    ),
]


def open_db(url: str | None, *, migrate_new: bool = True) -> Database:
    """Open the database for a command, or exit with a one-line message."""
    from kompass_tui.storage.database import open_database

    try:
        return open_database(url, migrate_new=migrate_new)
    except StorageError as exc:
        fail(exc.message.render(current()))


def storage_failure(exc: StorageError) -> None:
    fail(exc.message.render(current()))
