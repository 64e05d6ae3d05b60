"""Options and helpers shared by the commands that touch the database.

Every such command opens its database with :func:`database` (or :func:`session`, which also
logs the caseworker in): it is opened or the command ends with one line, a storage problem
inside becomes one line too, and it is closed however the command ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def database(
    url: str | None, *, migrate_new: bool = True, allow_older: bool = False
) -> Iterator[Database]:
    """The database for one command: opened (or one line and exit 1), a :class:`StorageError`
    raised inside turned into one line and exit 1, and closed however the block ends."""
    opened = open_db(url, migrate_new=migrate_new, allow_older=allow_older)
    try:
        yield opened
    except StorageError as exc:
        storage_failure(exc)
    finally:
        opened.dispose()


@contextmanager
def session(url: str | None, user: str | None) -> Iterator[tuple[Database, Caseworker]]:
    """:func:`database`, and the caseworker who logged in to it."""
    with database(url) as opened:
        yield opened, login(opened, user)


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
    KOMPASS_PASSWORD for scripts); a wrong one exits with a message, and every try is audited.
    Call it inside :func:`database`, which closes the database."""
    import os

    from kompass_tui.storage import accounts

    name = username or typer.prompt(_("User name"))
    password = os.environ.get(PASSWORD_ENV_VAR) or typer.prompt(_("Password"), hide_input=True)
    try:
        return accounts.authenticate(database, username=name, password=password)
    except StorageError as exc:
        fail(exc.message.render(current()))
