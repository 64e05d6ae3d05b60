"""Typer's own words, marked here so that they are in the catalogs.

Typer asks the standard ``gettext`` module for them with these very message ids, and
``i18n.translate_typer`` points that module at Kompass's catalogs. ``tests/cli/test_cli_language.py``
checks that Typer still uses each of them. The rest of what Typer prints ("Usage:", "Show this
message and exit.", its error messages) it does not offer for translation.
"""

from __future__ import annotations

from typing import Final

from kompass_tui.i18n import N_

TYPER_WORDS: Final = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Error"),
    # Rich markup: "[blue]" … "[/]" and the names in braces stay as they are.
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("[required]"),
    N_("required"),
    N_("[default: {}]"),
    N_("default: {default}"),
    N_("[env var: {}]"),
    N_("env var: {var}"),
    N_("(deprecated) "),
    N_("(dynamic)"),
    N_("Aborted."),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)
