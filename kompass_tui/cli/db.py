"""``kompass db``: the database schema."""

from __future__ import annotations

import typer

from kompass_tui.cli.common import DbOption, database
from kompass_tui.cli.output import safe
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
