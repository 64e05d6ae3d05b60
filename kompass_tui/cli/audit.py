"""``kompass audit``: who did what to which record, and when."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kompass_tui.cli.common import DbOption, UserOption, login, open_db, storage_failure
from kompass_tui.cli.output import safe
from kompass_tui.i18n import _, current
from kompass_tui.storage.errors import StorageError


def audit(
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            help=_("Only the events of this record (its id or start)."),
            show_default=False,
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            help=_("Only one kind of event, for example answer_corrected."),
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10000, help=_("How many, newest first."))
    ] = 100,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import when
    from kompass_tui.storage import audit as log
    from kompass_tui.storage import review

    tr = current()
    database = open_db(db)
    try:
        worker = login(database, user)
        kind = None
        if action is not None:
            try:
                kind = log.Action(action)
            except ValueError:
                typer.echo(
                    _("Unknown action '%(action)s'. The actions are: %(names)s.")
                    % {"action": safe(action), "names": ", ".join(a.value for a in log.Action)},
                    err=True,
                )
                raise typer.Exit(1) from None
        record_id = review.find_record_id(database, record) if record else None
        events = log.events(
            database, record_id=record_id, action=kind, limit=limit, actor_id=worker.id
        )
        names = log.actor_names(database, {e.actor_id for e in events if e.actor_id is not None})
    except StorageError as exc:
        storage_failure(exc)
    finally:
        database.dispose()
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading in (_("When"), _("Who"), _("What"), _("Record")):
        table.add_column(heading, no_wrap=True)
    table.add_column(_("Details"))
    for event in events:
        who = names.get(event.actor_id or -1) or event.actor_name or _("(kiosk or system)")
        details = ", ".join(f"{key}={value}" for key, value in sorted(event.detail.items()))
        # Text, not strings, which Rich would read as markup ("[/b]" would stop the command).
        table.add_row(
            Text(when(event.at, tr)),
            Text(safe(who)),
            Text(safe(event.action)),
            Text(str(event.record_id)[:8] if event.record_id else ""),
            Text(safe(details)),
        )
    Console(highlight=False, soft_wrap=False).print(table)
