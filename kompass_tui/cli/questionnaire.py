"""``kompass questionnaire``: work with questionnaire definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kompass_tui.cli.output import fail, safe
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


@app.command(
    "xlsform",
    help=_(
        "Write the questionnaire as an XLSForm for ODK Collect, ODK Central and KoboToolbox: every question, skip rule and check, in all sixteen languages."
    ),
)
def xlsform(
    out: Annotated[
        Path, typer.Option("--out", help=_("The file to write (.xlsx)."), show_default=False)
    ],
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help=_("The questionnaire version (default: the newest)."),
            show_default=False,
        ),
    ] = None,
    odk_public_key: Annotated[
        Path | None,
        typer.Option(
            "--odk-public-key",
            help=_(
                "An RSA public key (PEM) that ODK encrypts each submission to. ODK cannot use the age key of sealed records."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    from kompass_tui.exchange.xlsform import KeyError_, build, read_odk_public_key
    from sporreskjema.definition import BUILTIN_ID, BUILTIN_VERSION, questionnaire_of

    questionnaire = questionnaire_of(BUILTIN_ID, version or BUILTIN_VERSION)
    if questionnaire is None:
        fail(_("There is no questionnaire version %(version)s.") % {"version": safe(version or "")})
    try:
        key = read_odk_public_key(odk_public_key) if odk_public_key else None
    except KeyError_ as exc:
        fail(exc.message.render(current()))
    try:
        build(questionnaire, public_key=key).save(out)
    except OSError as exc:
        fail(
            _("Cannot write %(path)s: %(reason)s.")
            % {"path": safe(str(out)), "reason": exc.strerror or type(exc).__name__}
        )
    typer.echo(_("Written: %(path)s") % {"path": safe(str(out))})
