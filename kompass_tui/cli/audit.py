"""``kompass audit``: who did what to which record, and when."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.options import Action, JsonOption, choice
from kompass_tui.cli.output import print_json, safe
from kompass_tui.i18n import _, current

if TYPE_CHECKING:
    from kompass_tui.storage.models import AuditEvent


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
        Action | None,
        typer.Option(
            "--action",
            parser=choice(Action),
            help=_("Only one kind of event, for example answer_corrected."),
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10000, help=_("How many, newest first."))
    ] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import when
    from kompass_tui.storage import audit as log
    from kompass_tui.storage import review

    tr = current()
    kind = action
    with session(db, user) as (database, worker):
        record_id = review.find_record_id(database, record) if record else None
        events = log.events(
            database, record_id=record_id, action=kind, limit=limit, actor_id=worker.id
        )
        names = log.actor_names(database, {e.actor_id for e in events if e.actor_id is not None})
    if as_json:
        print_json({"events": [_event(event, names) for event in events]})
        return
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


def _event(event: AuditEvent, names: dict[int, str]) -> dict[str, Any]:
    """An event of ``kompass audit --json``: what the table shows, as data (README.md)."""
    import datetime as dt

    at = event.at if event.at.tzinfo is not None else event.at.replace(tzinfo=dt.UTC)
    return {
        "id": event.id,
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": None if event.actor_id is None else names.get(event.actor_id),
        "actor_name": event.actor_name,
        "action": event.action,
        "record_id": None if event.record_id is None else str(event.record_id),
        "detail": event.detail,
    }
