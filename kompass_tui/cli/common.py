"""Options and helpers shared by the commands that touch the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kompass_tui.cli.output import fail
from kompass_tui.i18n import _, current
from kompass_tui.storage import DB_ENV_VAR
from kompass_tui.storage.errors import StorageError

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.models import Caseworker

#: The environment variable with the database URL (kompass_tui.storage.database reads it too).
ENV_VAR = DB_ENV_VAR

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


def open_db(url: str | None, *, migrate_new: bool = True, allow_older: bool = False) -> Database:
    """Open the database for a command, or exit with a one-line message."""
    from kompass_tui.storage.database import open_database

    try:
        return open_database(url, migrate_new=migrate_new, allow_older=allow_older)
    except StorageError as exc:
        fail(exc.message.render(current()))


def storage_failure(exc: StorageError) -> None:
    fail(exc.message.render(current()))


#: Environment variables a script may use instead of answering the login prompts.
USER_ENV_VAR = "KOMPASS_USER"
PASSWORD_ENV_VAR = "KOMPASS_PASSWORD"  # noqa: S105 - the name of a variable, not a password

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar=USER_ENV_VAR,
        show_envvar=True,
        help=_("Your caseworker user name (asked for when not given)."),
        show_default=False,
    ),
]


def login(database: Database, username: str | None) -> Caseworker:
    """The caseworker behind this command: user name and password (hidden prompt, or
    KOMPASS_PASSWORD for scripts); a wrong one exits with a message, and every try is audited."""
    import os

    from kompass_tui.storage import accounts

    name = username or typer.prompt(_("User name"))
    password = os.environ.get(PASSWORD_ENV_VAR) or typer.prompt(_("Password"), hide_input=True)
    try:
        return accounts.authenticate(database, username=name, password=password)
    except StorageError as exc:
        database.dispose()
        fail(exc.message.render(current()))
