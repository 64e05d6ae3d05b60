"""``kompass user``: caseworker accounts.

Account administration is a role. ``add``, ``disable``, ``enable`` and ``admin`` need an
administrator's login (``--user`` and a hidden password prompt, or ``KOMPASS_USER`` and
``KOMPASS_PASSWORD``); ``passwd`` needs the caseworker's own login (their old password) or an
administrator's. Only the very first account is added without a login, and it is an
administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kompass_tui.cli.common import DbOption, UserOption, database, login
from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.models import Caseworker

app = typer.Typer(help=_("Caseworker accounts."), no_args_is_help=True)

Username = Annotated[
    str, typer.Argument(help=_("The user name, for example kari.nordmann."), show_default=False)
]


def _new_password() -> str:
    """A new password, typed twice; a repetition that differs is asked for again, with the
    reason in the user's language (Typer's own check says it in English)."""
    while True:
        password: str = typer.prompt(_("New password"), hide_input=True)
        again: str = typer.prompt(_("Repeat the password"), hide_input=True)
        if again == password:
            return password
        typer.echo(_("The two passwords are not the same. Try again."), err=True)


def _admin_login(database: Database, user: str | None) -> Caseworker:
    """The administrator behind this command, or a one-line refusal."""
    worker = login(database, user)
    if not worker.is_admin:
        fail(
            _("%(user)s is not an administrator: only an administrator can change accounts.")
            % {"user": worker.username}
        )
    return worker


@app.command(
    "add",
    help=_(
        "Add a caseworker account (the password is asked for twice, hidden). Needs an administrator's login, except for the very first account, which is an administrator."
    ),
)
def add(
    username: Username,
    name: Annotated[
        str, typer.Option("--name", help=_("The caseworker's full name."), prompt=_("Full name"))
    ],
    admin: Annotated[
        bool,
        typer.Option("--admin", help=_("Make the account an administrator.")),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import accounts

    with database(db) as opened:
        accounts.check_username(username)
        first = not accounts.has_users(opened)
        actor = None if first else _admin_login(opened, user)
        password = _new_password()
        added = accounts.add_user(
            opened,
            username=username,
            full_name=name,
            password=password,
            admin=admin,
            actor_id=None if actor is None else actor.id,
            only_first=first,
        )
    typer.echo(
        _("Added %(user)s (%(name)s).") % {"user": added.username, "name": safe(added.full_name)}
    )
    if added.is_admin:
        typer.echo(_("%(user)s is an administrator.") % {"user": added.username})


@app.command("list", help=_("List the caseworker accounts."))
def list_(db: DbOption = None) -> None:
    from kompass_tui.storage import accounts

    with database(db) as opened:
        users = accounts.list_users(opened)
    if not users:
        typer.echo(_("No caseworker accounts yet. Add one with: kompass user add USERNAME"))
        return
    for worker in users:
        state = _("active") if worker.active else _("disabled")
        role = _("administrator") if worker.is_admin else ""
        typer.echo(f"{safe(worker.username):<24} {state:<10} {role:<14} {safe(worker.full_name)}")


def _switch(username: str, db: str | None, user: str | None, *, active: bool) -> str:
    """Disable or enable an account, as an administrator; the account's user name."""
    from kompass_tui.storage import accounts

    with database(db) as opened:
        name = accounts.check_username(username)
        actor = _admin_login(opened, user)
        assert actor.id is not None
        change = accounts.enable_user if active else accounts.disable_user
        change(opened, username=name, actor_id=actor.id)
    return name


@app.command("disable", help=_("Disable an account: it can no longer log in (its history stays)."))
def disable(username: Username, db: DbOption = None, user: UserOption = None) -> None:
    name = _switch(username, db, user, active=False)
    typer.echo(_("Disabled %(user)s.") % {"user": name})


@app.command("enable", help=_("Enable a disabled account again."))
def enable(username: Username, db: DbOption = None, user: UserOption = None) -> None:
    name = _switch(username, db, user, active=True)
    typer.echo(_("Enabled %(user)s.") % {"user": name})


@app.command(
    "admin", help=_("Make an account an administrator (or, with --revoke, no longer one).")
)
def admin(
    username: Username,
    revoke: Annotated[
        bool, typer.Option("--revoke", help=_("Make the account an ordinary one again."))
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import accounts

    with database(db) as opened:
        name = accounts.check_username(username)
        actor = _admin_login(opened, user)
        assert actor.id is not None
        accounts.set_admin(opened, username=name, admin=not revoke, actor_id=actor.id)
    if revoke:
        typer.echo(_("%(user)s is no longer an administrator.") % {"user": name})
    else:
        typer.echo(_("%(user)s is an administrator.") % {"user": name})


@app.command(
    "passwd",
    help=_(
        "Set a new password for an account: your own (log in with your old password), or anyone's as an administrator."
    ),
)
def passwd(username: Username, db: DbOption = None, user: UserOption = None) -> None:
    from kompass_tui.storage import accounts

    with database(db) as opened:
        name = accounts.check_username(username)
        actor = login(opened, user)
        if actor.username != name and not actor.is_admin:
            fail(
                _("%(user)s is not an administrator: you can change only your own password.")
                % {"user": actor.username}
            )
        assert actor.id is not None
        accounts.set_password(opened, username=name, password=_new_password(), actor_id=actor.id)
    typer.echo(_("The password of %(user)s is changed.") % {"user": name})
