"""``kompass assist``: the survey at the caseworker's desk, in two languages, after a login."""

from __future__ import annotations

from typing import Annotated

import typer

from kompass_tui.cli.common import DbOption, database
from kompass_tui.cli.options import choice
from kompass_tui.cli.output import fail
from kompass_tui.i18n import _
from kompass_tui.widgets import bidi
from sporreskjema.i18n import DEFAULT_LOCALE, available_locales, normalise_locale


def assist(
    db: DbOption = None,
    companion: Annotated[
        str,
        typer.Option(
            "--language",
            help=_("The caseworker's language, shown beside the person's (F4 switches)."),
        ),
    ] = DEFAULT_LOCALE,
    lock_after: Annotated[
        int,
        typer.Option(
            "--lock-after",
            min=0,
            help=_("Seconds without input before the screen locks until your password (0: never)."),
        ),
    ] = 300,
    bidi_mode: Annotated[
        bidi.BidiMode | None,
        typer.Option(
            "--bidi",
            parser=choice(bidi.BidiMode),
            help=_("Right-to-left text: 'app', 'terminal' or 'off', as for kompass kiosk."),
            show_default=False,
        ),
    ] = None,
) -> None:
    try:
        locale = normalise_locale(companion)
    except ValueError:
        locale = ""
    if locale not in available_locales():
        fail(
            _("There is no language %(code)s. Choose one of: %(codes)s.")
            % {"code": companion, "codes": ", ".join(available_locales())}
        )
    from kompass_tui.assist.app import run_assist

    # Process-wide: set only once the command is going to run the desk.
    bidi.set_mode(bidi_mode or bidi.mode_from_environment())
    with database(db) as opened:
        code = run_assist(opened, companion=locale, lock_seconds=lock_after)
    if code:
        raise typer.Exit(code)
