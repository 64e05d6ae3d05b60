"""``kompass stats``: the municipality's figures for a period, as a table, JSON or CSV.

A caseworker's login first, as for every command that reads records; the figures name nobody,
so reading them is not audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.options import StatusOption, day
from kompass_tui.cli.output import fail, print_json
from kompass_tui.i18n import _, current

if TYPE_CHECKING:
    from kompass_tui.storage.stats import Stats


def stats(
    first: Annotated[
        dt.date | None,
        typer.Option(
            "--from",
            parser=day,
            metavar="YYYY-MM-DD",
            help=_("Only records begun on or after this day."),
            show_default=False,
        ),
    ] = None,
    last: Annotated[
        dt.date | None,
        typer.Option(
            "--to",
            parser=day,
            metavar="YYYY-MM-DD",
            help=_("Only records begun on or before this day."),
            show_default=False,
        ),
    ] = None,
    status: StatusOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help=_("Write the figures as JSON for scripts."))
    ] = False,
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help=_("Write the figures as CSV: figure, key, value a line.")),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help=_("Also write the figures with their charts as a web page (owner-only)."),
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage.stats import Period, figures

    if as_json and as_csv:
        fail(_("Choose one of --json and --csv."))
    if first is not None and last is not None and last < first:
        fail(_("--to is before --from."))
    with session(db, user) as (database, _worker):
        found = figures(
            database,
            period=Period(first, last),
            statuses=frozenset(status or ()),
            today=dt.date.today(),
        )
    if html is not None:
        from kompass_tui.exchange.overview_report import ReportError, write_overview

        try:
            write_overview(html, found, current())
        except ReportError as exc:
            fail(exc.message.render(current()))
    data = as_data(found)
    if as_json:
        print_json(data)
    elif as_csv:
        _write_csv(data)
    else:
        _print_table(found)


def as_data(found: Stats) -> dict[str, Any]:
    """The figures as ``kompass stats --json`` writes them (the README lists the keys)."""
    share = found.share_within_deadline
    return {
        "period": {
            "from": found.period.first and found.period.first.isoformat(),
            "to": found.period.last and found.period.last.isoformat(),
        },
        "statuses": sorted(found.statuses),
        "today": found.today.isoformat(),
        "records": found.records,
        "by_status": found.by_status,
        "by_week": found.by_week,
        "deadline": {
            "sent_with_permit_date": found.sent_with_permit,
            "median_days_from_permit_to_sent": found.median_days_to_sent,
            "sent_within_deadline": found.sent_within_deadline,
            "share_within_deadline": None if share is None else round(share, 4),
            "overdue_now": found.overdue_now,
            "deadline_days": found.deadlines.survey_days,
        },
        "sent_back": found.sent_back,
        "career_guidance": {
            "deadline_months": found.deadlines.guidance_months,
            "with_settlement_date": found.with_settlement_date,
            "overdue_now": found.guidance_overdue,
            "due_within_28_days": found.guidance_due_soon,
        },
        "mother_tongues": found.mother_tongues,
        "answered_in": found.answered_in,
        "education_levels": found.education_levels,
        "modes": found.modes,
        "interpreter": found.interpreter,
        "purged": found.purged,
    }


def _write_csv(data: dict[str, Any]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["figure", "key", "value"])
    for figure, value in data.items():
        if isinstance(value, dict):
            for key, inner in value.items():
                writer.writerow([figure, key, "" if inner is None else inner])
        elif isinstance(value, list):
            writer.writerow([figure, "", "|".join(value)])
        else:
            writer.writerow([figure, "", "" if value is None else value])


def _print_table(found: Stats) -> None:
    """The figures as the review's overview words them (one list of sections for both), a
    heading per section and a row per figure; overdue counts in red."""
    from kompass_tui.exchange.overview_report import overview_sections

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(_("Figure"))
    table.add_column(_("Value"), justify="right")
    for section in overview_sections(found, current()):
        table.add_row(Text(section.title, style="bold"), "")
        for row in section.rows or ():
            table.add_row(
                Text("  " + row.label), Text(row.value, style="bold red" if row.alert else "")
            )
        if not section.rows:
            table.add_row("  —", "")
    Console(highlight=False).print(table)
