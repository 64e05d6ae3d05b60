"""The ``kompass`` command: one module per command group, joined here.

Help texts are translated into the language of the environment
(``KOMPASS_LOCALE`` or the POSIX locale variables; Norwegian bokmål by default).
Errors are one clear line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from typing import Annotated

from kompass_tui.i18n import _, locale_from_environment, set_locale, translate_typer

# Before Typer is imported: it translates some of its own words once, when imported.
translate_typer(set_locale(locale_from_environment()).locale)

import typer  # noqa: E402

import kompass_tui  # noqa: E402
from kompass_tui.cli import (  # noqa: E402
    assist,
    audio,
    audit,
    db,
    deadlines,
    delivery,
    exchange,
    keys,
    kiosk,
    locales,
    purge,
    questionnaire,
    records,
    review,
    stats,
    user,
)
from kompass_tui.cli.output import fail_unexpected  # noqa: E402
from kompass_tui.cli.typer_words import plain_types  # noqa: E402

plain_types()

app = typer.Typer(
    name="kompass",
    help=_("Kompass TUI: the competence survey for newly arrived refugees."),
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(questionnaire.app, name="questionnaire")
app.add_typer(db.app, name="db")
app.add_typer(user.app, name="user")
app.add_typer(audio.app, name="audio")
app.add_typer(keys.app, name="keys")
#: Each command, the function that runs it, and its help.
# fmt: off
_COMMANDS = (
    ("kiosk", kiosk.kiosk, _("Start the self-registration kiosk.")),
    ("assist", assist.assist, _("Register a person together with them (and an interpreter) at the caseworker's desk.")),
    ("locales", locales.locales, _("List every locale with its own name, its direction, its completeness, its review and how it speaks.")),
    ("review", review.review, _("Review records: read them by section, add remarks and notes, correct answers, move them on.")),
    ("list", records.list_, _("List records with their status and the days left to the survey's deadline.")),
    ("show", records.show, _("Show a record by section: answers, who gave them, remarks and corrections.")),
    ("remark", records.remark, _("Add a remark to a record (remarks are never changed; a correction is a new remark).")),
    ("correct", records.correct, _("Correct an answer, with a reason; the old answer stays in the record's history.")),
    ("status", records.status, _("Move a record on (in_progress → submitted → reviewed → exported) or send it back for clarification, flag it for follow-up, or record when the person was settled.")),
    ("deadlines", deadlines.deadlines, _("Show the municipality's deadlines for the survey and the career guidance; an administrator may set them.")),
    ("stats", stats.stats, _("The municipality's figures for a period: records by status and week, days from the permit to sending, the deadline, languages, education, kiosk or desk, interpreters.")),
    ("audit", audit.audit, _("Show the audit log, newest first.")),
    ("export", exchange.export, _("Export records for the municipal system; reviewed records become exported.")),
    ("import", exchange.import_, _("Import records (all or none; a record already here only gains new remarks).")),
    ("sync", delivery.sync, _("Deliver this kiosk's sealed records to the municipality's PostgreSQL; each is deleted here once the server has it.")),
    ("inbox", delivery.inbox, _("List the sealed records kiosks delivered; with --identity, open them into the review records.")),
    ("purge", purge.purge, _("Delete the personal data of old records for good; only anonymous counts are kept.")),
)
# fmt: on
for _name, _function, _help in _COMMANDS:
    app.command(_name, help=_help)(_function)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"kompass {kompass_tui.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
) -> None:
    """Kompass TUI: the competence survey for newly arrived refugees.

    Without a command, it starts the kiosk.
    """
    set_locale(locale_from_environment())
    if ctx.invoked_subcommand is None:
        kiosk.kiosk()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except Exception as exc:
        fail_unexpected(exc)
