"""Printing for commands: clean one-line errors and text safe for any terminal."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import typer

from kompass_tui.i18n import _
from sporreskjema.text import json_escaped, shown


def safe(text: str, *, multiline: bool = False) -> str:
    """Text by the one rule for showing stored text (:func:`sporreskjema.text.shown`): control
    characters, escape sequences and bidi overrides removed, so it cannot steer a terminal,
    and on one line unless ``multiline``."""
    return shown(text, multiline=multiline)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` as one line on standard error and exit with ``code``."""
    typer.echo(_("Error: %(message)s") % {"message": safe(message)}, err=True)
    raise typer.Exit(code)


def fail_unexpected(exc: BaseException) -> NoReturn:
    typer.echo(
        _("Error: something unexpected went wrong (%(kind)s). Nothing was changed.")
        % {"kind": type(exc).__name__},
        err=True,
    )
    sys.exit(70)


def print_json(data: object) -> None:
    """``data`` as JSON on standard output, for scripts: made by :func:`json.dumps`, so it is
    valid whatever the stored text holds (quotes, line breaks, controls, right-to-left marks),
    written as UTF-8 whatever the terminal's encoding, and with every character a terminal or a
    bidi-aware viewer would act on as a ``\\u`` escape (:func:`sporreskjema.text.json_escaped`):
    a program reads the data as stored."""
    text = json_escaped(json.dumps(data, ensure_ascii=False, indent=2))
    typer.echo((text + "\n").encode("utf-8"), nl=False)
