"""The language the application speaks right now, and ``_`` to translate into it.

The engine renders messages with an explicit translator; the UI and the CLI use
the one set here. Strings defined at import time are marked with ``N_`` and
translated when shown, so changing the language takes effect at once.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping

from sporreskjema.i18n import (
    DEFAULT_LOCALE,
    DOMAIN,
    N_,
    Msg,
    Nn_,
    Translator,
    compiled_file,
    normalise_locale,
    translator,
)

__all__ = [
    "N_",
    "Msg",
    "Nn_",
    "_",
    "current",
    "locale_from_environment",
    "ngettext",
    "set_locale",
    "translate_typer",
]

_current: list[Translator] = [translator(DEFAULT_LOCALE)]


def current() -> Translator:
    return _current[0]


def set_locale(locale: str) -> Translator:
    """Switch the application's language; ``locale`` may be ``nb-NO``, ``fa_AF`` …"""
    _current[0] = translator(normalise_locale(locale))
    return _current[0]


def _(message: str) -> str:
    return _current[0].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current[0].ngettext(singular, plural, n)


def locale_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``KOMPASS_LOCALE``, else the POSIX locale variables, else Norwegian bokmål."""
    env = os.environ if environ is None else environ
    for variable in ("KOMPASS_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        for candidate in value.split(":"):
            if candidate and candidate not in ("C", "POSIX") and not candidate.startswith("C."):
                try:
                    return normalise_locale(candidate)
                except ValueError:
                    continue
    return DEFAULT_LOCALE


def translate_typer(locale: str) -> None:
    """Typer's own words (its panel titles, "Try … for help.", "Aborted.") in ``locale``.

    Typer asks the standard ``gettext`` module, whose global domain and language this points
    at the same catalog (the words are marked in ``cli/typer_words.py``). Call it before Typer
    is imported: it translates some words once, when imported. For the ``kompass`` command
    only, as it changes the process's gettext domain and its ``LANGUAGE``.
    """
    locale = normalise_locale(locale)
    path = compiled_file(locale)
    if path is None:
        return
    gettext.bindtextdomain(DOMAIN, path.parents[2])
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = locale
