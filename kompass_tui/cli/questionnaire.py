"""``kompass questionnaire``: work with questionnaire definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompass_tui.cli.output import safe
from kompass_tui.i18n import _, current, ngettext

app = typer.Typer(help=_("Work with questionnaire definitions."), no_args_is_help=True)


@app.command(
    "check", help=_("Check a questionnaire definition and list every problem with its place.")
)
def check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help=_("The definition file to check (TOML). Without it, the built-in questionnaire."),
            show_default=False,
        ),
    ] = None,
) -> None:
    from sporreskjema.definition import DefinitionError, builtin_path, load_definition

    path = file or builtin_path()
    try:
        questionnaire = load_definition(path)
    except DefinitionError as exc:
        tr = current()
        count = len(exc.problems)
        typer.echo(
            ngettext("%(file)s: %(n)d problem", "%(file)s: %(n)d problems", count)
            % {"file": safe(str(path)), "n": count}
        )
        for problem in exc.problems:
            typer.echo(f"  {safe(problem.where())}: {safe(problem.message.render(tr))}")
        raise typer.Exit(1) from None
    questions = sum(1 for _q in questionnaire.all_questions())
    typer.echo(
        _(
            "%(file)s: OK — %(id)s version %(version)s, %(sections)d sections, %(questions)d questions, %(lists)d code lists"
        )
        % {
            "file": safe(str(path)),
            "id": questionnaire.id,
            "version": questionnaire.version,
            "sections": len(questionnaire.sections),
            "questions": questions,
            "lists": len(questionnaire.choices),
        }
    )
