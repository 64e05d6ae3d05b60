"""The ``kompass`` command: one module per command group, joined here.

Help texts are translated into the language of the environment
(``KOMPASS_LOCALE`` or the POSIX locale variables; Norwegian bokmål by default).
Errors are one clear line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer

import kompass_tui
from kompass_tui.cli import (
    assist,
    audit,
    db,
    exchange,
    kiosk,
    locales,
    purge,
    questionnaire,
    records,
    review,
    user,
)
from kompass_tui.cli.output import fail_unexpected
from kompass_tui.i18n import _, locale_from_environment, set_locale

set_locale(locale_from_environment())

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
app.command("kiosk")(kiosk.kiosk)
app.command("assist")(assist.assist)
app.command("locales")(locales.locales)
app.command("review")(review.review)
app.command("list")(records.list_)
app.command("show")(records.show)
app.command("remark")(records.remark)
app.command("correct")(records.correct)
app.command("status")(records.status)
app.command("audit")(audit.audit)
app.command("export")(exchange.export)
app.command("import")(exchange.import_)
app.command("purge")(purge.purge)


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
