"""Typer's own words, marked here so that they are in the catalogs.

Typer asks the standard ``gettext`` module for them with these very message ids, and
``i18n.translate_typer`` points that module at Kompass's catalogs. ``tests/cli/test_cli_language.py``
checks that Typer still uses each of them. "Usage:" and "Show this message and exit." Typer's own
copy of click writes as they are: :func:`plain_types` has them asked for too. The rest of what
Typer prints (its error messages) it does not offer for translation.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from typing import Any, Final

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
#: The words Typer's copy of click writes as they are, asked for by :func:`plain_types`.
WRITTEN_AS_THEY_ARE: Final = (N_("Usage:"), N_("Show this message and exit."))

#: Typer's names of Python types, as a placeholder a person reads in the help.
_PLACEHOLDERS: Final = {
    "str": "TEXT",
    "int": "N",
    "int range": "N",
    "float": "NUMBER",
    "path": "PATH",
}


def plain_types() -> None:
    """Typer's help shows each option's Python type (``<bool>``, ``<str>``, ``<int range>``).
    A flag takes no value, so it shows none; another shows a placeholder (N, TEXT, PATH) or its
    choices (``json|csv``), as click's own help does. ``tests/cli/test_cli_language.py`` checks
    the help of every command for what is left."""
    from typer._click.formatting import HelpFormatter
    from typer.core import TyperArgument, TyperOption

    # Both are loaded with Typer itself: its rich help (typer.rich_utils) is not, and must
    # not be at every start of the kiosk.
    write_usage = HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, gettext.gettext("Usage:") + " " if prefix is None else prefix)

    setattr(HelpFormatter, "write_usage", usage)  # noqa: B010

    for kind in (TyperOption, TyperArgument):
        typed = kind.display_type_rich

        def shown(
            self: Any, ctx: Any, typed: Callable[[Any, Any], str | None] = typed
        ) -> str | None:
            if self.help == "Show this message and exit.":  # asked for before the help
                self.help = gettext.gettext(self.help)
            if getattr(self, "is_flag", False) and self.metavar is None:
                return None
            text = typed(self, ctx)
            if text is None or self.metavar is not None:
                return text
            inner = text.removeprefix("<").removesuffix(">")
            inner = (
                inner.removeprefix("list[").removesuffix("]")
                if inner.startswith("list[")
                else inner
            )
            return _PLACEHOLDERS.get(inner, inner)

        setattr(kind, "display_type_rich", shown)  # noqa: B010 - a method of Typer's, replaced
