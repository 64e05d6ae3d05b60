"""``kompass export`` and ``kompass import``: records to the municipal system, and from a
kiosk's database to a central one."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kompass_tui.cli import keys
from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.options import Format, StatusOption, choice, day
from kompass_tui.cli.output import fail, safe
from kompass_tui.i18n import _, current
from sporreskjema.i18n import LOCALES


class Delimiter(StrEnum):
    comma = ","
    semicolon = ";"


@contextmanager
def _progress(total: int, label: str) -> Iterator[Progress | None]:
    """A progress bar on standard error, for long runs in a terminal only."""
    if total < 1000 or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress


def export(
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            parser=choice(Format),
            help=_(
                "json, jsonl, csv (a folder of tables), html or pdf (a folder of one file per record)."
            ),
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help=_("The file to write (for csv, and pdf without --one-file: the folder)."),
            show_default=False,
        ),
    ],
    status: StatusOption = None,
    since: Annotated[
        dt.date | None,
        typer.Option(
            "--since",
            parser=day,
            metavar="YYYY-MM-DD",
            help=_("Only records changed on or after this day (YYYY-MM-DD)."),
            show_default=False,
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record", help=_("Only this record (its id or the start of it)."), show_default=False
        ),
    ] = None,
    delimiter: Annotated[
        Delimiter,
        typer.Option(
            "--delimiter",
            parser=choice(Delimiter),
            help=_("The CSV separator; ';' for Excel with Norwegian settings."),
        ),
    ] = Delimiter.comma,
    keep_status: Annotated[
        bool,
        typer.Option(
            "--keep-status",
            help=_(
                "Leave reviewed records as they are (when records only move to another database)."
            ),
        ),
    ] = False,
    recipient: Annotated[
        Path | None,
        typer.Option(
            "--recipient",
            help=_(
                "Seal every file to this public key (kompass-recipient.txt): only the private key opens it. The names gain .age."
            ),
            show_default=False,
        ),
    ] = None,
    one_file: Annotated[
        bool,
        typer.Option(
            "--one-file",
            help=_("PDF: every record in the one file --out, each from a new page."),
        ),
    ] = False,
    archive: Annotated[
        bool,
        typer.Option(
            "--archive",
            help=_("PDF: PDF/A-3u for the archive, with each record's JSON attached."),
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.exchange import export as exporting
    from kompass_tui.exchange.records import Selection, count
    from kompass_tui.storage import review

    if (one_file or archive) and fmt is not Format.pdf:
        fail(_("--one-file and --archive are for --format pdf."))
    if fmt is Format.pdf:  # before the log-in: what to install, if anything
        from kompass_tui.exchange import pdf

        try:
            pdf.require()
        except pdf.PdfError as exc:
            fail(_("%(reason)s Nothing was exported.") % {"reason": exc.message.render(current())})
    sealed_to = keys.recipients(recipient) if recipient else []
    with session(db, user) as (database, worker):
        assert worker.id is not None
        selection = Selection(
            statuses=frozenset(status or ()),
            since=since,
            record_id=review.find_record_id(database, record) if record else None,
        )
        total = count(database, selection)
        with _progress(total, _("Exporting")) as bar:
            task = bar.add_task("", total=total) if bar else None

            def advance(done: int) -> None:
                if bar is not None and task is not None:
                    bar.advance(task, done)

            result = exporting.export(
                database,
                fmt=fmt,
                out=out,
                selection=selection,
                actor_id=worker.id,
                delimiter=delimiter.value,
                progress=advance,
                mark=not keep_status,
                recipients=sealed_to,
                pdf_options=exporting.PdfOptions(one_file=one_file, archive=archive),
            )
    typer.echo(
        _("Records exported: %(n)d, to %(files)s")
        % {"n": result.records, "files": ", ".join(str(path) for path in result.files)}
    )


def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help=_("A JSON or JSON Lines file from kompass export, clear or sealed."),
            show_default=False,
        ),
    ],
    identity: keys.IdentityOption = None,
    from_odk: Annotated[
        bool,
        typer.Option(
            "--from-odk",
            help=_(
                "PATH holds submissions from ODK Collect or KoboToolbox (XML instances, a folder of them, or their JSON export) of the form kompass questionnaire xlsform wrote."
            ),
        ),
    ] = False,
    locale: Annotated[
        str,
        typer.Option(
            "--locale",
            help=_(
                "With --from-odk: the language the people answered in (ODK does not record it)."
            ),
        ),
    ] = "nb",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.exchange import importer

    if from_odk and locale not in LOCALES:
        fail(_("There is no locale '%(locale)s'.") % {"locale": safe(locale)})
    opening = keys.identities(identity) if identity else []
    with session(db, user) as (database, worker):
        assert worker.id is not None
        if from_odk:
            from kompass_tui.exchange.odk import import_odk

            result = import_odk(database, path, actor_id=worker.id, locale=locale)
        else:
            result = importer.import_file(database, path, actor_id=worker.id, identities=opening)
    typer.echo(
        _(
            "Records imported: %(new)d new, %(existing)d already here. Remarks added: %(remarks)d. Corrections added: %(corrections)d."
        )
        % {
            "new": result.new,
            "existing": result.existing,
            "remarks": result.remarks_added,
            "corrections": result.corrections_added,
        }
    )
