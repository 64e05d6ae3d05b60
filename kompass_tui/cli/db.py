"""``kompass db``: the database schema."""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption, database
from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _

app = typer.Typer(
    help=_("The database: create it and bring its schema up to date."), no_args_is_help=True
)


@app.command(
    "upgrade", help=_("Create the database or bring its schema to this version of Kompass.")
)
def upgrade_command(db: DbOption = None) -> None:
    from kompass_tui.storage.database import safe_url, schema_revision, upgrade

    with database(db, migrate_new=False, allow_older=True) as opened:
        before = schema_revision(opened.engine)
        upgrade(opened.engine)
        after = schema_revision(opened.engine)
    where = safe(safe_url(opened.url))
    if before == after:
        typer.echo(
            _("%(db)s: the schema is up to date (version %(version)s).")
            % {"db": where, "version": after}
        )
    else:
        typer.echo(
            _("%(db)s: schema upgraded from %(old)s to %(new)s.")
            % {"db": where, "old": before or _("empty"), "new": after}
        )


@app.command(
    "kiosk-role",
    help=_(
        "Make a database role for kiosks: it may deliver sealed records into the inbox and nothing else, not even read them. Prints the URL to give the kiosks."
    ),
)
def kiosk_role_command(
    name: Annotated[str, typer.Argument(help=_("The role's name."), show_default=False)],
    sql: Annotated[
        bool,
        typer.Option(
            "--sql",
            help=_(
                "Only print the SQL statements, for a database administrator to run; change nothing."
            ),
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    import secrets

    from sqlalchemy.engine import make_url

    from kompass_tui.storage import inbox

    password = secrets.token_urlsafe(24)
    with database(db) as opened:
        if opened.backend != "postgresql":
            fail(_("Kiosks deliver to PostgreSQL only; this database is SQLite."))
        statements = inbox.kiosk_role_sql(name, password, inbox.current_schema(opened))
        if sql:
            for statement in statements:
                typer.echo(statement + ";")
            return
        inbox.create_kiosk_role(opened, statements)
        url = make_url(opened.url).set(username=name, password=password, query={})
    typer.echo(_("Role %(name)s made. The kiosks deliver with:") % {"name": name})
    typer.echo("  kompass sync --to " + url.render_as_string(hide_password=False))
