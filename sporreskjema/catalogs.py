"""What is known of each translation in a catalog: who drafted or reviewed it, and what it says
back in English. Both are kept in the entry itself, as translator comments, so that they travel
with the translation through ``pybabel update`` and any PO editor::

    # review: machine
    # review: 3f2a9c1e 2026-12-05 Amina Yusuf
    # back: 3f2a9c1e Start the registration

``machine``: drafted by a machine, not reviewed. Otherwise the entry was reviewed by the
person named, on that day. ``back:`` is an English back-translation made from the translation
as it is, for the critical messages (``locales/critical.toml``).

The eight letters are the start of the entry's fingerprint (:func:`fingerprint`: its English
and its translation) when it was reviewed or back-translated. When either changes, the review
or back-translation is *stale*: it no longer counts, and must be made again.

``python -m sporreskjema.catalogs`` marks a catalog's entries reviewed, adds back-translations
and shows what is missing or stale (``--help``); CONTRIBUTING.md says when.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from sporreskjema import i18n
from sporreskjema.i18n import DOMAIN

#: The language the messages are written in: its catalog is the text itself, not reviewed.
SOURCE_LOCALE: Final = "en"
#: Who drafted an entry that nobody has reviewed yet.
MACHINE: Final = "machine"
#: The width the catalogs are written at (pyproject.toml, [tool.babel.update_catalog]).
WIDTH: Final = 100

_REVIEW = re.compile(
    r"^review:\s*(?:(?P<machine>machine)|(?P<print>[0-9a-f]{8}) (?P<day>\S+) (?P<by>.+))$"
)
_BACK = re.compile(r"^back:\s*(?P<print>[0-9a-f]{8}) (?P<text>.+)$")
_KEYS: Final = ("review:", "back:")


def fingerprint(message: Message) -> str:
    """Eight hex digits of a hash of the entry's context, English and translation."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    parts = [message.context or "", *ids, "", *strings]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Review:
    """A review line: by a person on a day, of the entry with ``print``; or a machine draft."""

    by: str
    day: dt.date | None = None
    print: str = ""

    @property
    def machine(self) -> bool:
        return self.by == MACHINE

    def line(self) -> str:
        if self.machine:
            return f"review: {MACHINE}"
        assert self.day is not None
        return f"review: {self.print} {self.day.isoformat()} {self.by}"


@dataclass(frozen=True)
class Back:
    """A back-translation of the entry with ``print``."""

    text: str
    print: str

    def line(self) -> str:
        return f"back: {self.print} {self.text}"


@dataclass(frozen=True)
class Notes:
    """What an entry's translator comments say, and the comments that are not ours."""

    review: Review | None
    back: Back | None
    others: tuple[str, ...]
    #: Lines that begin as ours but do not read as ours: a catalog problem to show.
    broken: tuple[str, ...] = ()


def _lines(comments: Iterable[str]) -> list[str]:
    """Comments with the lines a PO writer wrapped joined again to the line they began."""
    lines: list[str] = []
    for comment in comments:
        text = comment.strip()
        if lines and lines[-1].startswith(_KEYS) and not text.startswith(_KEYS) and text:
            lines[-1] += " " + text
        else:
            lines.append(text)
    return lines


def notes(message: Message) -> Notes:
    review: Review | None = None
    back: Back | None = None
    others: list[str] = []
    broken: list[str] = []
    for line in _lines(message.user_comments):
        if line.startswith("review:"):
            found = _REVIEW.match(line)
            day = _day(found.group("day")) if found and found.group("day") else None
            if found is None or (found.group("print") and day is None) or review is not None:
                broken.append(line)
            elif found.group("machine"):
                review = Review(MACHINE)
            else:
                review = Review(found.group("by").strip(), day, found.group("print"))
        elif line.startswith("back:"):
            found = _BACK.match(line)
            if found is None or back is not None:
                broken.append(line)
            else:
                back = Back(found.group("text").strip(), found.group("print"))
        else:
            others.append(line)
    return Notes(review, back, tuple(others), tuple(broken))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _write(message: Message, said: Notes) -> None:
    """Make ``said`` the entry's comments: the others as they were, then ours."""
    ours = [item.line() for item in (said.review, said.back) if item is not None]
    message.user_comments = [*said.others, *said.broken, *ours]


def translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def is_reviewed(message: Message) -> bool:
    """Reviewed by a person, as the entry reads now."""
    review = notes(message).review
    return (
        translated(message)
        and review is not None
        and not review.machine
        and review.print == fingerprint(message)
    )


def back_translation(message: Message) -> str | None:
    """The entry's back-translation, if it was made from the entry as it reads now."""
    back = notes(message).back
    if back is None or not translated(message) or back.print != fingerprint(message):
        return None
    return back.text


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def reviewed_count(catalog: Catalog) -> int:
    return sum(1 for message in entries(catalog) if is_reviewed(message))


def critical_ids() -> list[str]:
    """The critical messages (``locales/critical.toml``), each by its English (a plural's
    singular)."""
    with (i18n.locales_dir() / "critical.toml").open("rb") as handle:
        return list(tomllib.load(handle)["messages"])


def singular(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)


def problems(catalog: Catalog, locale: str, critical: Sequence[str]) -> list[str]:
    """What a catalog's review notes get wrong: broken lines, a stale review (the entry changed
    after it), a critical message without a back-translation of the entry as it reads now."""
    found: list[str] = []
    by_id = {singular(message): message for message in entries(catalog)}
    for message in entries(catalog):
        said = notes(message)
        found += [f"{locale}: {singular(message)!r}: cannot read {line!r}" for line in said.broken]
        review = said.review
        if review is not None and not review.machine:
            if review.print != fingerprint(message):
                found.append(
                    f"{locale}: {singular(message)!r}: reviewed by {review.by} on "
                    f"{review.day}, but it changed since: review it again"
                )
            elif review.day is not None and review.day > dt.date.today():
                found.append(f"{locale}: {singular(message)!r}: reviewed on a day to come")
    if locale == SOURCE_LOCALE:
        return found  # the source language: nothing to back-translate
    for msgid in critical:
        entry = by_id.get(msgid)
        if entry is None:
            found.append(f"{locale}: the critical message {msgid!r} is not in the catalog")
        elif back_translation(entry) is None:
            back = notes(entry).back
            why = "changed since its back-translation" if back else "has no back-translation"
            found.append(f"{locale}: the critical message {msgid!r} {why}")
    return found


@dataclass(frozen=True)
class CatalogStatus:
    """How far one locale's catalog has come: translated and reviewed entries."""

    locale: str
    translated: int
    total: int
    #: Entries a person has reviewed as they read now; None when there is no catalog at all.
    reviewed: int | None

    @property
    def complete(self) -> float:
        return self.translated / self.total if self.total else 0.0

    @property
    def reviewed_share(self) -> float:
        return (self.reviewed or 0) / self.total if self.total else 0.0


def catalog_status(locale: str) -> CatalogStatus:
    """Count the entries of ``locale`` that are translated (not fuzzy) and reviewed."""
    if not po_path(locale).is_file():
        return CatalogStatus(locale, 0, len(entries(template())), None)
    catalog = load(locale)
    found = entries(catalog)
    return CatalogStatus(
        locale,
        sum(1 for message in found if translated(message)),
        len(found),
        sum(1 for message in found if is_reviewed(message)),
    )


# ---------------------------------------------------------------- changing a catalog


def mark_reviewed(catalog: Catalog, by: str, day: dt.date, ids: Iterable[str] | None = None) -> int:
    """Mark translated entries (all, or those of ``ids``) reviewed by ``by`` on ``day``; how
    many were marked. A fuzzy or untranslated entry is never marked."""
    wanted = None if ids is None else set(ids)
    marked = 0
    for message in entries(catalog):
        if wanted is not None and singular(message) not in wanted:
            continue
        if not translated(message):
            continue
        said = notes(message)
        _write(message, replace(said, review=Review(by, day, fingerprint(message))))
        marked += 1
    return marked


def mark_drafted(catalog: Catalog) -> int:
    """Mark entries without a review line as drafted by a machine; how many were marked."""
    marked = 0
    for message in entries(catalog):
        said = notes(message)
        if said.review is None:
            _write(message, replace(said, review=Review(MACHINE)))
            marked += 1
    return marked


def set_back(catalog: Catalog, msgid: str, text: str) -> None:
    """Keep ``text`` as the back-translation of the entry ``msgid`` as it reads now."""
    message = next((m for m in entries(catalog) if singular(m) == msgid), None)
    if message is None:
        raise KeyError(msgid)
    if not translated(message):
        raise ValueError(f"{msgid!r} has no translation to back-translate")
    text = " ".join(text.split())
    if not text:
        raise ValueError(f"{msgid!r}: the back-translation is empty")
    _write(message, replace(notes(message), back=Back(text, fingerprint(message))))


def po_path(locale: str) -> Path:
    return i18n.locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def template() -> Catalog:
    """The template every catalog is updated from (``pybabel extract`` writes it)."""
    with (i18n.locales_dir() / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def load(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    """Write the catalog as ``pybabel update`` does, with the revision date of now."""
    catalog.revision_date = dt.datetime.now(dt.UTC)
    with po_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=WIDTH, ignore_obsolete=True)


# ---------------------------------------------------------------- the command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sporreskjema.catalogs",
        description="Review notes and back-translations in the translation catalogs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    review = commands.add_parser(
        "review", help="mark a catalog's translated entries reviewed by a person, today"
    )
    review.add_argument("locale")
    review.add_argument("--by", required=True, help="the reviewer's name")
    review.add_argument("--msgid", action="append", help="only this entry (repeatable)")
    back = commands.add_parser(
        "back", help="keep back-translations: a file of lines 'English<TAB>back-translation'"
    )
    back.add_argument("locale")
    back.add_argument("file", type=Path)
    show = commands.add_parser("show", help="reviewed share, and what is missing or stale")
    show.add_argument("locales", nargs="*")
    args = parser.parse_args(argv)

    if args.command == "review":
        catalog = load(args.locale)
        marked = mark_reviewed(catalog, args.by.strip(), dt.date.today(), args.msgid)
        save(catalog, args.locale)
        print(f"{args.locale}: {marked} entries marked reviewed by {args.by.strip()}")
        return 0
    if args.command == "back":
        catalog = load(args.locale)
        kept = 0
        for number, line in enumerate(args.file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            msgid, tab, text = line.partition("\t")
            if not tab:
                print(f"{args.file}:{number}: no tab between the English and its back-translation")
                return 1
            try:
                set_back(catalog, msgid.replace("\\n", "\n"), text)
            except (KeyError, ValueError) as exc:
                print(f"{args.file}:{number}: {exc}")
                return 1
            kept += 1
        save(catalog, args.locale)
        print(f"{args.locale}: {kept} back-translations kept")
        return 0
    critical = critical_ids()
    found = False
    for locale in args.locales or sorted(
        p.parent.parent.name for p in i18n.locales_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    ):
        catalog = load(locale)
        total = len(entries(catalog))
        print(f"{locale}: {reviewed_count(catalog)} of {total} entries reviewed")
        for problem in problems(catalog, locale, critical):
            print(f"  {problem}")
            found = True
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
