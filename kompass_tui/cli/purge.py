"""``kompass purge``: delete the personal data of records past the retention period.

It needs a caseworker login, asks before it deletes (``--yes`` for scripts), and leaves an
audit event and the anonymous counts of what it deleted. ``kompass purge --counts`` shows those
counts (also with a login; they name nobody, so reading them is not audited).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.options import choice
from kompass_tui.cli.output import fail, print_json, safe
from kompass_tui.i18n import _, ngettext
from kompass_tui.storage.status import Status


def purge(
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            metavar="DAYS",
            help=_("Delete records that have not changed for more than this many days."),
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status",
            parser=choice(Status),
            help=_("Only records with this status (may be repeated). Default: every status."),
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help=_("Delete without asking first (for scripts)."))
    ] = False,
    counts: Annotated[
        bool,
        typer.Option(
            "--counts",
            help=_(
                "Show the anonymous counts of the records purged so far (by month, status, "
                "language and mode), and delete nothing."
            ),
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help=_("With --counts: write them as JSON for scripts (see the README).")
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import purge as purging

    if counts:
        if older_than is not None or status or yes:
            fail(_("--counts deletes nothing: give it without --older-than, --status or --yes."))
        _show_counts(db, user, as_json=as_json)
        return
    if as_json:
        fail(_("--json is for --counts only."))
    if older_than is None:
        fail(_("Say which records to delete with --older-than DAYS (or see --counts)."))
    statuses = frozenset(status or ())
    with session(db, user) as (database, worker):
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


def _show_counts(db: str | None, user: str | None, *, as_json: bool) -> None:
    """The anonymous counts every purge kept, added up; a caseworker's login first, as for a
    purge. They name no one (month, status, language, mode and a number), so no audit entry."""
    from kompass_tui.storage import purge as purging

    with session(db, user) as (database, _worker):
        kept = purging.counts(database)
    if as_json:
        print_json(
            {
                "counts": [
                    {
                        "month": count.month,
                        "status": count.status,
                        "locale": count.locale,
                        "mode": count.mode,
                        "records": count.records,
                    }
                    for count in kept
                ],
                "total": sum(count.records for count in kept),
            }
        )
        return
    if not kept:
        typer.echo(_("No records have been purged."))
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading in (_("Month"), _("Status"), _("Language"), _("Mode")):
        table.add_column(heading, no_wrap=True)
    table.add_column(_("Records"), justify="right")
    for count in kept:
        # Text, not strings, which Rich would read as markup; stored codes shown by the one rule.
        table.add_row(
            Text(safe(count.month)),
            Text(safe(count.status)),
            Text(safe(count.locale)),
            Text(safe(count.mode)),
            Text(str(count.records)),
        )
    table.add_section()
    table.add_row(Text(_("Total")), "", "", "", Text(str(sum(c.records for c in kept))))
    Console(highlight=False, soft_wrap=False).print(table)
