"""``kompass user``: caseworker accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption, open_db, storage_failure
from kompass_tui.cli.output import safe
from kompass_tui.i18n import _
from kompass_tui.storage.errors import StorageError

app = typer.Typer(help=_("Caseworker accounts."), no_args_is_help=True)

Username = Annotated[
    str, typer.Argument(help=_("The user name, for example kari.nordmann."), show_default=False)
]


def _new_password() -> str:
    password: str = typer.prompt(
        _("New password"), hide_input=True, confirmation_prompt=_("Repeat the password")
    )
    return password


@app.command("add", help=_("Add a caseworker account (the password is asked for twice, hidden)."))
def add(
    username: Username,
    name: Annotated[
        str, typer.Option("--name", help=_("The caseworker's full name."), prompt=_("Full name"))
    ],
    db: DbOption = None,
) -> None:
    from kompass_tui.storage import accounts

    database = open_db(db)
    try:
        accounts.check_username(username)
        password = _new_password()
        user = accounts.add_user(database, username=username, full_name=name, password=password)
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    typer.echo(
        _("Added %(user)s (%(name)s).") % {"user": user.username, "name": safe(user.full_name)}
    )


@app.command("list", help=_("List the caseworker accounts."))
def list_(db: DbOption = None) -> None:
    from kompass_tui.storage import accounts

    database = open_db(db)
    try:
        users = accounts.list_users(database)
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    if not users:
        typer.echo(_("No caseworker accounts yet. Add one with: kompass user add USERNAME"))
        return
    for user in users:
        state = _("active") if user.active else _("disabled")
        typer.echo(f"{safe(user.username):<24} {state:<10} {safe(user.full_name)}")


@app.command("disable", help=_("Disable an account: it can no longer log in (its history stays)."))
def disable(username: Username, db: DbOption = None) -> None:
    from kompass_tui.storage import accounts

    database = open_db(db)
    try:
        accounts.disable_user(database, username=username)
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    typer.echo(_("Disabled %(user)s.") % {"user": username.strip().lower()})


@app.command("passwd", help=_("Set a new password for an account."))
def passwd(username: Username, db: DbOption = None) -> None:
    from kompass_tui.storage import accounts

    database = open_db(db)
    try:
        accounts.check_username(username)
        accounts.set_password(database, username=username, password=_new_password())
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    typer.echo(_("The password of %(user)s is changed.") % {"user": username.strip().lower()})
