"""Option types the commands share: choices, days and ``--json``.

A choice option is annotated with an enum, so that its help lists the choices, and parsed by
:func:`choice`, so that a bad value is a usage error (exit code 2) in the user's language that
names the option and the choices. A day is parsed by :func:`day` the same way.

Typer builds every command's options each time ``kompass`` starts, the kiosk included, so the
enums here are light copies of those in the storage and export modules, which would import the
database layer (``tests/test_cli_options.py`` checks that they hold the same values); each
command turns its copy into the original with :func:`same`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar

import typer

from kompass_tui.cli.output import safe
from kompass_tui.i18n import _

E = TypeVar("E", bound=Enum)


class Format(StrEnum):
    """:class:`kompass_tui.exchange.export.Format`."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"


class Sort(StrEnum):
    """:class:`kompass_tui.storage.review.Sort`."""

    deadline = "deadline"
    name = "name"
    updated = "updated"


class Action(StrEnum):
    """:class:`kompass_tui.storage.audit.Action`."""

    login = "login"
    login_failed = "login_failed"
    login_refused = "login_refused"
    user_added = "user_added"
    user_disabled = "user_disabled"
    user_enabled = "user_enabled"
    admin_granted = "admin_granted"
    admin_revoked = "admin_revoked"
    password_changed = "password_changed"  # noqa: S105 - an action name, not a password
    record_created = "record_created"
    record_resumed = "record_resumed"
    resume_failed = "resume_failed"
    identifier_known = "identifier_known"
    record_submitted = "record_submitted"
    records_listed = "records_listed"
    record_viewed = "record_viewed"
    remark_added = "remark_added"
    answer_corrected = "answer_corrected"
    status_changed = "status_changed"
    follow_up_changed = "follow_up_changed"
    provenance_changed = "provenance_changed"
    exported = "exported"
    imported = "imported"
    remark_imported = "remark_imported"
    correction_imported = "correction_imported"
    purged = "purged"
    audit_viewed = "audit_viewed"


def same(kind: type[E], value: Enum) -> E:
    """The member of ``kind`` with ``value``'s value: a copy above turned into the original."""
    return kind(value.value)


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


JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help=_("Write JSON for scripts instead of text (the README describes its shape).")
    ),
]
