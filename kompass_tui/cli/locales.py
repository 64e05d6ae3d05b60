"""``kompass locales``: the languages Kompass speaks, and how far each catalog has come."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from babel.numbers import format_percent
from rich import box
from rich.console import Console
from rich.table import Table

from kompass_tui.cli.options import JsonOption
from kompass_tui.cli.output import print_json
from kompass_tui.i18n import _, current
from kompass_tui.widgets import bidi
from sporreskjema.catalogs import SOURCE_LOCALE, CatalogStatus, catalog_status
from sporreskjema.i18n import LOCALES, available_locales, own_name, translator

if TYPE_CHECKING:
    from kompass_tui.voice.voices import Speech


def locales(as_json: JsonOption = False) -> None:
    from kompass_tui.voice.player import find_player
    from kompass_tui.voice.voices import speech

    codes = list(LOCALES) + [code for code in available_locales() if code not in LOCALES]
    if as_json:
        print_json({"locales": [_locale(code) for code in codes]})
        return
    tr = current()
    console = Console(highlight=False, soft_wrap=False)
    # Names in Arabic script are shaped and reordered only for a terminal; a pipe or a file
    # gets them in logical order, as they are stored.
    shown = bidi.visual if sys.stdout.isatty() else (lambda text: text)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(_("Code"), no_wrap=True)
    table.add_column(_("Language"), no_wrap=True)
    table.add_column(_("Direction"), no_wrap=True)
    table.add_column(_("Complete"), justify="right", no_wrap=True)
    table.add_column(_("Native review"), justify="right")
    table.add_column(_("Speech"), no_wrap=True)
    statuses = [catalog_status(code) for code in codes]
    for code, status in zip(codes, statuses, strict=True):
        direction = _("right to left") if translator(code).rtl else _("left to right")
        table.add_row(
            code,
            shown(own_name(code)),
            direction,
            format_percent(status.complete, locale=tr.cldr),
            _reviewed(status),
            _spoken(speech(code)),
        )
    console.print(table)
    player = find_player()
    if player.found:
        typer.echo(_("Sound on this machine: %(how)s") % {"how": player.reason.render(tr)})
    else:
        typer.echo(_("No sound on this machine: %(why)s") % {"why": player.reason.render(tr)})
    missing = [status.locale for status in statuses if status.complete < 1]
    if missing:
        typer.echo(_("Not complete: %(locales)s") % {"locales": ", ".join(missing)})


def _reviewed(status: CatalogStatus) -> str:
    """The share of entries a native speaker has reviewed; none for the source language (its
    catalog is the text itself)."""
    if status.locale == SOURCE_LOCALE:
        return "—"
    if status.reviewed is None:
        return _("no catalog")
    return format_percent(status.reviewed_share, locale=current().cldr)


def _spoken(how: Speech) -> str:
    if how.way == "voice":
        return "espeak-ng" + (
            _(", clips %(share)s") % {"share": format_percent(how.coverage, locale=current().cldr)}
            if how.clips
            else ""
        )
    if how.way == "clips":
        return _("clips %(share)s") % {"share": format_percent(how.coverage, locale=current().cldr)}
    return _("none")


def _locale(code: str) -> dict[str, object]:
    """A locale of ``kompass locales --json``: what the table shows, as data (README.md); the
    name in logical order, as stored."""
    from kompass_tui.voice.voices import speech

    status = catalog_status(code)
    return {
        "code": code,
        "name": own_name(code),
        "direction": "rtl" if translator(code).rtl else "ltr",
        "translated": status.translated,
        "total": status.total,
        "complete": status.complete,
        "reviewed": None if code == SOURCE_LOCALE else status.reviewed,
        "reviewed_share": None if code == SOURCE_LOCALE else round(status.reviewed_share, 4),
        "speech": _speech_json(speech(code)),
    }


def _speech_json(how: Speech) -> dict[str, object]:
    return {
        "way": how.way,
        "voice": how.voice,
        "clips": how.clips,
        "messages": how.messages,
        "coverage": round(how.coverage, 4),
    }
