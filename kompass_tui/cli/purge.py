"""``kompass purge``: delete the personal data of records past the retention period.

It needs a caseworker login, asks before it deletes (``--yes`` for scripts), and leaves an
audit event and the anonymous counts of what it deleted.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption, UserOption, login, open_db, storage_failure
from kompass_tui.i18n import _, ngettext
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Status


def purge(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            min=1,
            metavar="DAYS",
            help=_("Delete records that have not changed for more than this many days."),
            show_default=False,
        ),
    ],
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status",
            help=_("Only records with this status (may be repeated). Default: every status."),
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help=_("Delete without asking first (for scripts)."))
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import purge as purging

    statuses = frozenset(status or ())
    database = open_db(db)
    try:
        worker = login(database, user)
        assert worker.id is not None
        found = purging.count(database, older_than_days=older_than, statuses=statuses)
        if not found:
            typer.echo(_("No records are that old. Nothing was deleted."))
            return
        question = ngettext(
            "Delete %(n)d record and everything said about it, for good?",
            "Delete %(n)d records and everything said about them, for good?",
            found,
        ) % {"n": found}
        if not yes and not typer.confirm(question, default=False):
            typer.echo(_("Nothing was deleted."))
            raise typer.Exit(1)
        result = purging.purge(
            database, older_than_days=older_than, actor_id=worker.id, statuses=statuses
        )
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    typer.echo(
        ngettext(
            "Records deleted: %(n)d. Only their anonymous counts are kept.",
            "Records deleted: %(n)d. Only their anonymous counts are kept.",
            result.records,
        )
        % {"n": result.records}
    )
    if not result.compacted:
        typer.echo(
            _(
                "Another program kept the database file busy, so it was not rebuilt: the deleted data may stay in its free space until the next purge."
            ),
            err=True,
        )
