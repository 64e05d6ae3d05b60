"""Option types the commands share: choices, days and ``--json``.

A choice option is annotated with an enum, so that its help lists the choices, and parsed by
:func:`choice`, so that a bad value is a usage error (exit code 2) in the user's language that
names the option and the choices. A day is parsed by :func:`day` the same way.

The enums are the storage's and the export's own (``Sort``, ``Action``, ``Format``), kept in
light modules of their own (``storage/choices.py``, ``exchange/formats.py``): Typer builds every
command's options each time ``kompass`` starts, the kiosk included, and they load no database
code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Final, TypeVar

import typer

from kompass_tui.cli.output import safe
from kompass_tui.exchange.formats import Format as Format
from kompass_tui.i18n import _
from kompass_tui.storage.choices import Action as Action
from kompass_tui.storage.choices import Sort as Sort
from kompass_tui.storage.status import Status

E = TypeVar("E", bound=Enum)


class BadValue(typer.BadParameter):
    """A value an option cannot take, said in the user's language with the option's name
    (Typer would put English words around it)."""

    def format_message(self) -> str:
        name = _option_name(self.param)
        return f"{name}: {self.message}" if name else self.message


def _option_name(param: Any) -> str:
    if param is None:
        return ""
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("-")]
    if opts:
        return str(max(opts, key=len))
    return str(getattr(param, "metavar", None) or getattr(param, "name", "") or "").upper()


def choice(kind: type[E]) -> Callable[[Any], E]:
    """The parser of an option whose annotation is the enum ``kind``."""

    def parse(value: Any) -> E:
        if isinstance(value, kind):
            return value
        for member in kind:
            if member.value == value:
                return member
        raise BadValue(
            _("'%(value)s' is not one of: %(allowed)s")
            % {
                "value": safe(str(value)),
                "allowed": ", ".join(str(member.value) for member in kind),
            }
        )

    return parse


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day(value: Any) -> dt.date:
    """The parser of a day option: YYYY-MM-DD, a day that exists."""
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if _DAY.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise BadValue(_("'%(day)s' is not a day; write it as YYYY-MM-DD.") % {"day": safe(text)})


#: What ``--settled none`` is read as: the settlement date cleared.
NO_DAY: Final = dt.date.min


def day_or_none(value: Any) -> dt.date:
    """A day option that may also clear what it sets: ``none`` is :data:`NO_DAY`."""
    return NO_DAY if str(value).strip().lower() == "none" else day(value)


JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help=_("Write JSON for scripts instead of text (the README describes its shape).")
    ),
]


#: ``--status S`` (repeatable): the records a command reads, by their status.
StatusOption = Annotated[
    list[Status] | None,
    typer.Option(
        "--status",
        parser=choice(Status),
        help=_("Only records with this status (may be repeated)."),
        show_default=False,
    ),
]
