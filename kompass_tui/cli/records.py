"""``kompass list``, ``show``, ``remark``, ``correct`` and ``status``: the review for scripts.

Each asks for a caseworker login (``--user`` and a hidden password prompt, or
``KOMPASS_USER`` and ``KOMPASS_PASSWORD``), and each action is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from babel.dates import format_date
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kompass_tui.cli.common import DbOption, UserOption, session
from kompass_tui.cli.options import NO_DAY, JsonOption, Sort, choice, day_or_none
from kompass_tui.cli.output import fail, print_json, safe
from kompass_tui.i18n import _, current, ngettext
from kompass_tui.storage.status import Status

if TYPE_CHECKING:
    import uuid

    from kompass_tui.record_view import RemarkLine
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.deadlines import Deadlines
    from kompass_tui.storage.review import RecordRow, RefusedDuplicates

RecordArgument = Annotated[
    str,
    typer.Argument(
        help=_("The record: its id, or the first 8 or more characters of it."),
        show_default=False,
    ),
]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _today() -> dt.date:
    return dt.date.today()


def list_(
    status: Annotated[
        list[Status] | None,
        typer.Option(
            "--status",
            parser=choice(Status),
            help=_(
                "Only records with this status (may be repeated). Default: in progress and submitted."
            ),
            show_default=False,
        ),
    ] = None,
    all_statuses: Annotated[
        bool, typer.Option("--all", help=_("Records of every status."))
    ] = False,
    follow_up: Annotated[
        bool, typer.Option("--follow-up", help=_("Only records that need follow-up."))
    ] = False,
    refused_duplicates: Annotated[
        bool,
        typer.Option(
            "--refused-duplicates",
            help=_(
                "Only records for whose person a second registration was refused (kompass audit --action duplicate_refused --record ID says when and where)."
            ),
        ),
    ] = False,
    search: Annotated[
        str,
        typer.Option(
            "--search", help=_("Part of a name, an identifier, or the start of a record id.")
        ),
    ] = "",
    sort: Annotated[
        Sort,
        typer.Option(
            "--sort",
            parser=choice(Sort),
            help=_("deadline (soonest first), name or updated (newest first)."),
        ),
    ] = Sort.deadline,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help=_("How many to show."))
    ] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help=_("How many to skip."))] = 0,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import deadline_text, guidance_text, status_text
    from kompass_tui.storage import review

    statuses = frozenset(Status) if all_statuses else frozenset(status or review.OPEN_STATUSES)
    query = review.ListQuery(
        statuses=statuses,
        follow_up_only=follow_up,
        refused_duplicates_only=refused_duplicates,
        search=search,
        sort=sort,
        offset=offset,
        limit=limit,
    )
    tr = current()
    today = _today()
    with session(db, user) as (database, worker):
        page = review.list_records(database, query, actor_id=worker.id)
        refused = review.refused_duplicates(database, [row.id for row in page.rows])
    if as_json:
        print_json(
            {
                "total": page.total,
                "offset": offset,
                "records": [
                    _list_row(row, today, page.deadlines, refused.get(row.id)) for row in page.rows
                ],
            }
        )
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    # Every column keeps room for its values (12-digit identifiers, dates) however long the
    # headings are in the language shown; headings wrap instead.
    table.add_column(_("Record"), min_width=8)
    table.add_column(_("Status"), min_width=9)
    table.add_column(_("Name"), min_width=12, ratio=2)
    table.add_column(_("Deadline"), min_width=12, ratio=2)
    table.add_column(_("Career guidance"), min_width=12, ratio=2)
    table.add_column(_("Identifier"), min_width=12, no_wrap=True)
    table.add_column(_("Permit date"), min_width=10)
    for row in page.rows:
        # Every cell is a Text: a string would be read as Rich markup, so a name like
        # "[/b]" would stop the command and "[link=…]" would send an escape sequence.
        table.add_row(
            Text(str(row.id)[:8]),
            # A flagged record says so under its status: "submitted / Follow-up".
            # So does a record for whose person a second registration was refused.
            Text(
                status_text(row.status, tr)
                + ("\n" + _("Follow-up") if row.needs_follow_up else "")
                + _refused_text(refused.get(row.id))
            ),
            Text(safe(row.full_name or "—")),
            Text(
                deadline_text(row, today, tr, page.deadlines),
                style="bold red"
                if review.overdue(row.permit_date, row.status, today, page.deadlines)
                else "",
            ),
            Text(guidance_text(row.settlement_date, today, tr, page.deadlines) or "—"),
            Text(safe(row.person_key or "—")),
            Text(format_date(row.permit_date, "short", locale=tr.cldr) if row.permit_date else "—"),
        )
    _console().print(table)
    if page.rows:
        typer.echo(
            _("Records %(first)d–%(last)d of %(total)d.")
            % {"first": offset + 1, "last": offset + len(page.rows), "total": page.total}
        )
    else:
        typer.echo(_("No records match."))


def _refused_text(refused: RefusedDuplicates | None) -> str:
    """Under a record's status in the list: how often a second registration was refused."""
    if refused is None:
        return ""
    return "\n" + ngettext("%(n)d refused duplicate", "%(n)d refused duplicates", refused.count) % {
        "n": refused.count
    }


def _list_row(
    row: RecordRow, today: dt.date, deadlines: Deadlines, refused: RefusedDuplicates | None = None
) -> dict[str, Any]:
    """A row of ``kompass list --json``: what the table shows, as data (README.md)."""
    from kompass_tui.storage import review

    due = review.deadline(row.permit_date, deadlines)
    guidance = deadlines.guidance_due(row.settlement_date)
    return {
        "record_id": str(row.id),
        "status": str(row.status),
        "needs_follow_up": bool(row.needs_follow_up),
        "full_name": row.full_name,
        "person_id": row.person_key,
        "permit_date": None if row.permit_date is None else row.permit_date.isoformat(),
        "deadline": None if due is None else due.isoformat(),
        "days_left": review.days_left(row.permit_date, today, deadlines),
        "overdue": review.overdue(row.permit_date, row.status, today, deadlines),
        "settlement_date": None if row.settlement_date is None else row.settlement_date.isoformat(),
        "guidance_deadline": None if guidance is None else guidance.isoformat(),
        "guidance_days_left": review.guidance_days_left(row.settlement_date, today, deadlines),
        "refused_duplicates": 0 if refused is None else refused.count,
        "last_refused_duplicate": None if refused is None else refused.last.isoformat(),
    }


def show(
    record: RecordArgument,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import build_report, questionnaire_of_record
    from kompass_tui.storage import review

    tr = current()
    with session(db, user) as (database, worker):
        assert worker.id is not None
        record_id = review.find_record_id(database, record)
        view = review.view_record(database, record_id, actor_id=worker.id)
        if as_json:
            exported = _as_exported(database, record_id)
    if as_json:
        print_json(exported)
        return
    report = build_report(view, questionnaire_of_record(view.record), tr, _today())
    console = _console()
    console.print(Text(report.title, style="bold"))
    for label, value in report.facts:
        style = "bold red" if report.overdue and label == _("Deadline") else ""
        console.print(Text.assemble(f"  {label}: ", (value, style)))
    for section in report.sections:
        if not section.lines and not section.remarks:
            continue
        console.print()
        console.print(Text(section.title, style="bold underline"))
        for line in section.lines:
            indent = "  " * (line.depth + 1)
            mark = " *" if line.corrected else ""
            given = f"  [{line.given}]" if line.given else ""
            text = "" if line.heading else f": {line.text or '—'}"
            console.print(Text.assemble(f"{indent}{line.label}{mark}", text, (given, "dim")))
        _print_remarks(console, section.remarks)
    if report.remarks:
        console.print()
        console.print(Text(_("Remarks on the whole record"), style="bold underline"))
        _print_remarks(console, report.remarks)
    if report.history:
        console.print()
        console.print(Text(_("Corrections (* above)"), style="bold underline"))
        for change in report.history:
            console.print(Text(f"  {change.when} · {change.author} · {change.question}"))
            console.print(Text(f"    {change.old} → {change.new}"))
            console.print(
                Text("    " + _("Reason: %(reason)s") % {"reason": change.reason}, style="dim")
            )


def _as_exported(database: Database, record_id: uuid.UUID) -> dict[str, Any]:
    """The record as ``kompass export`` writes it (``kompass-record-3.schema.json``), read
    after the audited reading (a change in between is in what is shown)."""
    from kompass_tui.exchange.records import Selection, batches
    from kompass_tui.storage.records import RecordNotFound

    for batch in batches(database, Selection(record_id=record_id)):
        return batch.records[0]
    raise RecordNotFound(record_id)


def _print_remarks(console: Console, remarks: list[RemarkLine]) -> None:
    for line in remarks:
        console.print(Text(f"  ▸ {line.kind} · {line.author} · {line.when}", style="italic"))
        console.print(Text(f"    {line.text}"))


def remark(
    record: RecordArgument,
    text: Annotated[str, typer.Option("--text", help=_("The remark."), show_default=False)],
    section: Annotated[
        str | None,
        typer.Option(
            "--section",
            help=_(
                "The section it is about (for example languages); without it, the whole record."
            ),
            show_default=False,
        ),
    ] = None,
    counsellor: Annotated[
        bool,
        typer.Option("--counsellor", help=_("A career counsellor's note rather than a remark.")),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import questionnaire_of_record
    from kompass_tui.storage import records as stored
    from kompass_tui.storage import review
    from kompass_tui.storage.models import RemarkKind

    with session(db, user) as (database, worker):
        assert worker.id is not None
        record_id = review.find_record_id(database, record)
        review.add_remark(
            database,
            record_id=record_id,
            actor_id=worker.id,
            text=text,
            questionnaire=questionnaire_of_record(stored.get_record(database, record_id)),
            section=section,
            kind=RemarkKind.counsellor_note if counsellor else RemarkKind.remark,
        )
    typer.echo(_("The remark is added to record %(id)s.") % {"id": str(record_id)})


def correct(
    record: RecordArgument,
    question: Annotated[
        str,
        typer.Argument(
            help=_("The question, for example full_name or jobs[2].job_title."), show_default=False
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help=_("The new answer, typed as at the kiosk (empty: no answer)."), show_default=False
        ),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help=_("Why the answer is changed."), show_default=False)
    ],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.record_view import questionnaire_of_record
    from kompass_tui.storage import records as stored
    from kompass_tui.storage import review
    from sporreskjema import Form, FormError, Path, values

    tr = current()
    with session(db, user) as (database, worker):
        assert worker.id is not None
        record_id = review.find_record_id(database, record)
        # The record's own questionnaire: a record on kompass-v1 is corrected by v1's questions.
        questionnaire = questionnaire_of_record(stored.get_record(database, record_id))
        form = Form.from_json(
            questionnaire,
            stored.load_answers(database, record_id),
            today=_today(),
        )
        try:
            path = Path.parse(question)
            if not questionnaire.has_question(path.name):
                raise FormError(review.unknown_question(question))
            if path.group is not None and (path.index or 0) >= len(form.entries(path.group)):
                raise FormError(review.unknown_question(question))
            parsed, error = form.check(path, value)
        except (FormError, ValueError) as exc:
            message = (
                exc.message if isinstance(exc, FormError) else review.unknown_question(question)
            )
            fail(message.render(tr))
        if error is not None:
            fail(error.render(tr))
        target = questionnaire.question(path.name)
        review.correct_answer(
            database,
            record_id=record_id,
            actor_id=worker.id,
            path=str(path),
            value=None if parsed is None else values.encode(target, parsed),
            reason=reason,
        )
    typer.echo(_("The answer is corrected in record %(id)s.") % {"id": str(record_id)})


def status(
    record: RecordArgument,
    new_status: Annotated[
        Status | None,
        typer.Argument(
            metavar="STATUS",
            parser=choice(Status),
            help=_("The new status."),
            show_default=False,
        ),
    ] = None,
    follow_up: Annotated[
        bool | None,
        typer.Option(
            "--follow-up/--no-follow-up", help=_("Set or clear the 'needs follow-up' flag.")
        ),
    ] = None,
    comment: Annotated[
        str | None,
        typer.Option(
            "--comment",
            help=_("What to clear up: required with the status sent_back."),
            show_default=False,
        ),
    ] = None,
    settled: Annotated[
        dt.date | None,
        typer.Option(
            "--settled",
            parser=day_or_none,
            metavar="YYYY-MM-DD",
            help=_(
                "The day the person was settled in the municipality, from which the career guidance's deadline is reckoned; 'none' clears it."
            ),
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    from kompass_tui.storage import review

    if new_status is None and follow_up is None and settled is None:
        fail(_("Give a new status, --follow-up, --no-follow-up or --settled."))
    if comment is not None and new_status is not Status.sent_back:
        fail(_("--comment goes with the status sent_back."))
    settlement = None if settled in (None, NO_DAY) else settled
    tr = current()
    with session(db, user) as (database, worker):
        assert worker.id is not None
        record_id = review.find_record_id(database, record)
        if new_status is Status.sent_back:
            review.send_back(
                database, record_id=record_id, actor_id=worker.id, comment=comment or ""
            )
        elif new_status is not None:
            review.set_status(database, record_id=record_id, actor_id=worker.id, status=new_status)
        if new_status is not None:
            typer.echo(
                _("Record %(id)s is now %(status)s.")
                % {"id": str(record_id), "status": review.status_msg(new_status).render(tr)}
            )
        if follow_up is not None:
            review.set_follow_up(database, record_id=record_id, actor_id=worker.id, flag=follow_up)
            typer.echo(
                (
                    _("Record %(id)s needs follow-up.")
                    if follow_up
                    else _("Record %(id)s needs no follow-up.")
                )
                % {"id": str(record_id)}
            )
        if settled is not None:
            review.set_settlement_date(
                database, record_id=record_id, actor_id=worker.id, settlement_date=settlement
            )
            typer.echo(
                _("Record %(id)s: settled %(date)s.")
                % {"id": str(record_id), "date": settlement.isoformat() if settlement else "—"}
            )
