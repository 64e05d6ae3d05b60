"""``kompass export``: records to JSON, JSON Lines, CSV (one file per table) or a printable
bilingual HTML summary, written as they are read.

Exported records that were reviewed become ``exported``; every exported record gets an audit
event under the caseworker who exported it, in the same transaction as its new status. The
files show each record as it is after the export: a record the export marks is written with
status ``exported`` and the export's time, the one the database is given.

All or nothing: every file is written under a temporary name in its own folder (owner-only)
and takes its name only when the whole export is written and audited. A failure on the way
(a full disk, a database error, an interrupt) removes what was written, and nothing is
audited or marked.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import gc
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import sqlalchemy as sa

from kompass_tui.exchange import pdf, sealed
from kompass_tui.exchange.formats import Format as Format
from kompass_tui.exchange.printable import PAGE_END, Printable, full_names, page_start
from kompass_tui.exchange.records import (
    AUDIT,
    RECORD,
    Selection,
    batches,
    derived_codes,
    heap_frozen,
    key,
)
from kompass_tui.exchange.sealed import Recipient
from kompass_tui.i18n import N_, Msg, current
from kompass_tui.storage import audit
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError, file_problem
from kompass_tui.storage.models import Status, utcnow
from sporreskjema import Questionnaire, Translator, load_builtin
from sporreskjema.calendars import AS_WRITTEN_SUFFIX
from sporreskjema.definition import builtin_versions
from sporreskjema.files import make_private_dir
from sporreskjema.text import json_escaped, shown


@dataclass(frozen=True)
class PdfOptions:
    """``one_file``: every record in the one file ``out`` (a file per record in the folder
    ``out`` otherwise); ``archive``: PDF/A-3u with each record's JSON attached."""

    one_file: bool = False
    archive: bool = False


@dataclass(frozen=True)
class ExportResult:
    records: int
    files: list[Path]


class ExportError(StorageError):
    pass


#: The CSV tables every export has: the persons table (the record and its answers that are
#: not in a repeat group) and the remarks. Every repeat group of the questionnaire has a table
#: of its own besides, one row per entry (``csv_tables``).
FIXED_TABLES: Final = ("persons", "remarks")
#: Repeat groups whose tables keep the names that municipal systems have read since
#: kompass-v1; any other group's table is named after the group. A questionnaire without
#: these groups simply has no such tables.
KEPT_TABLE_NAMES: Final = {
    "other_languages": "languages",
    "educations": "education",
    "jobs": "work",
}
#: The table of the other languages also lists the mother tongues (when the questionnaire
#: asks for them), each row with its ``kind``: kompass-v1's languages table.
LANGUAGES_GROUP: Final = "other_languages"
MOTHER_TONGUES: Final = "mother_tongues"
#: Records audited (and marked) by one statement; all of them in one transaction, at the end.
MARK_EVERY: Final = 5000
#: A cell that a spreadsheet would take for a formula gets a leading apostrophe.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def export(
    db: Database,
    *,
    fmt: Format,
    out: Path,
    selection: Selection,
    actor_id: int,
    delimiter: str = ",",
    progress: Callable[[int], None] | None = None,
    mark: bool = True,
    questionnaire: Questionnaire | None = None,
    recipients: Sequence[Recipient] = (),
    pdf_options: PdfOptions | None = None,
) -> ExportResult:
    """Write the selected records to ``out`` (a folder for CSV); returns how many.

    ``mark``: reviewed records become exported (not when records only move to another
    database), and are written so; every exported record is audited either way. Should a
    record written as exported no longer be reviewed when the export marks it (changed by
    someone meanwhile), nothing is written, marked or audited. ``questionnaire``: the one whose
    questions and repeat groups the CSV tables and the HTML pages follow (the built-in one
    unless given). ``recipients``: every file is sealed to them as it is written (its name
    gains ``.age``; see :mod:`kompass_tui.exchange.sealed`). ``pdf_options``: for PDF, one
    file or a file per record (in the folder ``out``), and whether PDF/A for the archive."""
    files = _Files(recipients)
    questionnaire = questionnaire or load_builtin()
    pdf_options = pdf_options or PdfOptions()
    made_folder = _writes_a_folder(fmt, pdf_options) and not out.exists()
    # The export's time: written into the records it marks, and given to them and their
    # audit events in the database.
    now = utcnow()
    stamp = now.isoformat()
    try:
        with ExitStack() as stack:
            stack.enter_context(heap_frozen())
            written = stack.enter_context(_Ids())
            marked = stack.enter_context(_Ids())
            writer = _writer(fmt, out, delimiter, questionnaire, stack, files, db, pdf_options)
            for batch in batches(db, selection, questionnaire):
                to_mark = []
                for record_key, record in zip(batch.ids, batch.records, strict=True):
                    if mark and record["status"] == _REVIEWED:
                        _as_exported(record, stamp)
                        to_mark.append(record_key)
                    writer.write(record)
                written.extend(batch.ids)
                marked.extend(to_mark)
                if progress is not None:
                    progress(len(batch.ids))
            writer.close()
            files.sync()
            # Audited (and marked) only now that every file is whole; then the files take
            # their names. A file on disk under its name has always its audit entries.
            _mark_exported(db, written, marked, actor_id, fmt, now, sealed=bool(recipients))
        try:
            files.commit()
        except OSError as exc:
            # After the audit's commit: say so, not "nothing was changed". What was renamed
            # goes too, so no half export is left under its names.
            files.discard(made_folder and out)
            raise ExportError(
                file_problem(
                    N_(
                        "The records are audited as exported, but %(path)s could not be given "
                        "its name: %(reason)s. The export's files were removed; export the "
                        "records again."
                    ),
                    files.current or out,
                    exc,
                )
            ) from None
    except OSError as exc:
        files.discard(made_folder and out)
        raise ExportError(_write_problem(files.current or out, exc)) from None
    except BaseException:
        files.discard(made_folder and out)
        raise
    return ExportResult(len(written), files.final)


def _write_problem(path: Path, exc: OSError) -> Any:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return Msg(N_("The disk is full; nothing was saved."))
    return file_problem(N_("Cannot write %(path)s: %(reason)s."), path, exc)


class _Files:
    """The export's files, each written under a temporary name beside the one it will have."""

    def __init__(self, recipients: Sequence[Recipient] = ()) -> None:
        self.recipients = recipients
        #: Each file's temporary name, final name, text handle (none for a file written
        #: whole) and, for a sealed one, the file the envelope goes to.
        self.parts: list[tuple[Path, Path, IO[str] | None, IO[bytes] | None]] = []
        #: The files that have taken their names (removed too when the export fails).
        self.named: list[Path] = []
        #: The file being made, for a message about it.
        self.current: Path | None = None

    @property
    def final(self) -> list[Path]:
        return [final for _temp, final, _handle, _sealed in self.parts]

    def _new(self, path: Path) -> tuple[int, Path, Path]:
        """A new file readable by its owner only (exports hold personal data), in ``path``'s
        folder under a name of its own: its descriptor, that name, and the name it will take."""
        if self.recipients and not path.name.endswith(sealed.SUFFIX):
            path = path.with_name(path.name + sealed.SUFFIX)
        self.current = path
        if path.is_dir():
            # Found now, before anything is written or audited: the rename at the end, after
            # the audit, would fail on it.
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            Path(name).unlink(missing_ok=True)
            raise
        return fd, Path(name), path

    def open(self, path: Path, stack: ExitStack, **kwargs: Any) -> IO[str]:
        """A new text file (see :meth:`_new`), sealed as it is written if the export is."""
        fd, temp, path = self._new(path)
        envelope: IO[bytes] | None = None
        try:
            if self.recipients:
                envelope = open(fd, "wb")  # noqa: SIM115 - closed by sync or discard
                handle: IO[str] = sealed.sealed_text(envelope, self.recipients, **kwargs)
            else:
                handle = open(fd, "w", **kwargs)  # noqa: SIM115
        except BaseException:
            if envelope is not None:
                envelope.close()
            else:
                os.close(fd)
            temp.unlink(missing_ok=True)
            raise
        self.parts.append((temp, path, handle, envelope))
        stack.enter_context(handle)
        return handle

    def write_whole(self, path: Path, data: bytes) -> None:
        """A file made whole in memory (a PDF), sealed if the export is, written to the disk and
        closed at once: an export of thousands of records keeps no file open for each."""
        fd, temp, path = self._new(path)
        try:
            with open(fd, "wb") as handle:
                handle.write(sealed.seal(data, self.recipients) if self.recipients else data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self.parts.append((temp, path, None, None))

    def sync(self) -> None:
        """Every byte on the disk before the export is audited (a full disk shows here)."""
        for _temp, final, handle, envelope in self.parts:
            self.current = final
            if handle is None:  # written whole, already on the disk
                continue
            if envelope is None:
                handle.flush()
                os.fsync(handle.fileno())
            else:
                handle.close()  # the envelope finished, or why not
                envelope.flush()
                os.fsync(envelope.fileno())
                envelope.close()

    def commit(self) -> None:
        for temp, final, _handle, _envelope in self.parts:
            self.current = final
            os.replace(temp, final)
            self.named.append(final)

    def discard(self, folder: Path | bool) -> None:
        """Remove what was written; and the folder, if the export made it and it is empty."""
        for temp, _final, handle, envelope in self.parts:
            if handle is not None:
                with suppress(OSError):  # a full disk again: the file goes anyway
                    handle.close()
            if envelope is not None:
                with suppress(OSError):
                    envelope.close()
            temp.unlink(missing_ok=True)
        for final in self.named:
            with suppress(OSError):
                final.unlink()
        self.named.clear()
        if isinstance(folder, Path):
            with suppress(OSError):
                folder.rmdir()


class _Ids:
    """The ids of the records written, as the database hands them back, kept in an unnamed
    temporary file (16 bytes each) until the export is audited: memory does not grow with
    the number of records."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__
        self.count = 0
        self.as_text = True  # SQLite hands back 32 hex digits, PostgreSQL UUIDs

    def __enter__(self) -> _Ids:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.file.close()

    def __len__(self) -> int:
        return self.count

    def extend(self, ids: list[Any]) -> None:
        if ids:
            self.as_text = isinstance(ids[0], str)
            raw = b"".join(bytes.fromhex(i) if self.as_text else i.bytes for i in ids)
            self.file.write(raw)
            self.count += len(ids)

    def chunks(self, size: int) -> Iterator[list[Any]]:
        self.file.seek(0)
        while raw := self.file.read(16 * size):
            parts = [raw[at : at + 16] for at in range(0, len(raw), 16)]
            yield [p.hex() if self.as_text else uuid.UUID(bytes=p) for p in parts]


_REVIEWED: Final = str(Status.reviewed)
_EXPORTED: Final = str(Status.exported)


def _as_exported(record: dict[str, Any], stamp: str) -> None:
    """A reviewed record as the export leaves it: exported, at the export's time."""
    record["status"] = _EXPORTED
    times = record["timestamps"]
    times["exported"] = times["updated"] = stamp


def _mark_exported(
    db: Database,
    ids: _Ids,
    marked: _Ids,
    actor_id: int,
    fmt: Format,
    now: dt.datetime,
    *,
    sealed: bool = False,
) -> None:
    """Every record of the export audited, and those written as exported marked so, in one
    transaction; if one of them is no longer reviewed, nothing (the files say otherwise).

    The ids are bound when each statement runs, not built into it: SQLAlchemy keeps the
    statements it has compiled, and with them any values built in."""
    values = {
        "now": now,
        "actor": actor_id,
        "action": str(audit.Action.exported),
        "detail": {"format": str(fmt), **({"sealed": True} if sealed else {})},
    }
    # The ids themselves, not the batches' id ranges: a record saved meanwhile may fall in one.
    # As the database handed them back: 32 hex digits on SQLite, UUIDs on PostgreSQL.
    column = key(RECORD.c.id) if ids.as_text else RECORD.c.id
    where = [column.in_(sa.bindparam("ids", expanding=True))]
    # One event a record, made by the database in one statement for many records: an export
    # may hold 100,000 records.
    events = sa.insert(AUDIT).from_select(
        ["at", "actor_id", "action", "record_id", "detail"],
        sa.select(
            sa.bindparam("now", type_=AUDIT.c.at.type),
            sa.bindparam("actor", type_=AUDIT.c.actor_id.type),
            sa.bindparam("action", type_=AUDIT.c.action.type),
            RECORD.c.id,
            sa.bindparam("detail", type_=AUDIT.c.detail.type),
        ).where(*where),
    )
    mark = (
        sa.update(RECORD)
        .where(*where, RECORD.c.status == Status.reviewed)
        .values(
            status=Status.exported,
            exported_at=sa.bindparam("now", type_=RECORD.c.exported_at.type),
            updated_at=sa.bindparam("now", type_=RECORD.c.updated_at.type),
        )
    )
    with db.connection() as connection:
        for chunk in ids.chunks(MARK_EVERY):
            connection.execute(events, {**values, "ids": chunk})
        changed = 0
        for chunk in marked.chunks(MARK_EVERY):
            changed += connection.execute(mark, {"now": now, "ids": chunk}).rowcount
        if changed != len(marked):  # rolled back with the audit
            raise ExportError(
                Msg(
                    N_(
                        "A record changed while it was exported; nothing was exported. "
                        "Export the records again."
                    )
                )
            )


def _open(path: Path, stack: ExitStack, files: _Files, **kwargs: Any) -> IO[str]:
    return files.open(path, stack, **kwargs)


class _Writer:
    def write(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _writes_a_folder(fmt: Format, pdf_options: PdfOptions) -> bool:
    """Whether ``--out`` is a folder the export makes: CSV's tables, a PDF per record."""
    return fmt is Format.csv or (fmt is Format.pdf and not pdf_options.one_file)


def _writer(
    fmt: Format,
    out: Path,
    delimiter: str,
    questionnaire: Questionnaire,
    stack: ExitStack,
    files: _Files,
    db: Database,
    pdf_options: PdfOptions,
) -> _Writer:
    if _writes_a_folder(fmt, pdf_options):
        try:
            make_private_dir(out)
        except OSError as exc:
            raise ExportError(
                file_problem(N_("Cannot write %(path)s: %(reason)s."), out, exc)
            ) from None
    if fmt is Format.csv:
        return _CsvWriter(out, delimiter, questionnaire, stack, files)
    if fmt is Format.pdf:
        return _PdfWriter(out, files, questionnaire, full_names(db), pdf_options)
    handle = _open(out, stack, files, encoding="utf-8", newline="\n")
    if fmt is Format.jsonl:
        return _JsonLinesWriter(handle)
    if fmt is Format.json:
        return _JsonWriter(handle)
    return _HtmlWriter(handle, questionnaire, full_names(db))


def record_json(record: dict[str, Any]) -> str:
    """A record as one line of JSON: letters as they are (UTF-8), but every character that a
    terminal or a bidi-aware viewer would act on as a ``\\u`` escape."""
    return json_escaped(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


class _JsonLinesWriter(_Writer):
    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(record_json(record) + "\n")


class _JsonWriter(_Writer):
    """A JSON array, one record a line, written as the records come."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.first = True
        handle.write("[")

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(("\n" if self.first else ",\n") + record_json(record))
        self.first = False

    def close(self) -> None:
        self.handle.write("\n]\n")


# ---------------------------------------------------------------- CSV


def safe_cell(value: Any) -> Any:
    """A value for a CSV cell: lists joined with '|', control characters and escape sequences
    removed (a CSV file is often looked at with ``cat``), and text that a spreadsheet would run
    as a formula made inert with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "|".join(str(v) for v in value)
    if isinstance(value, str):
        value = _safe_text(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def _safe_text(text: str) -> str:
    """Text as it was typed (cleaned then), or cleaned again if it came some other way: the
    one rule for showing stored text."""
    return shown(text, multiline=True)


class _CsvWriter(_Writer):
    """persons.csv, remarks.csv and one table for each repeat group of the questionnaire
    (kompass-v1: languages.csv, education.csv, work.csv, courses.csv), joined by record_id;
    UTF-8 with a byte order mark so that Excel reads the letters right."""

    def __init__(
        self,
        folder: Path,
        delimiter: str,
        questionnaire: Questionnaire,
        stack: ExitStack,
        files: _Files,
    ) -> None:
        self.writers: dict[str, Any] = {}
        self.columns: dict[str, list[str]] = {}
        # The questionnaire's columns first, then those only an earlier version of it has
        # (kompass-v1's school_years …): a record keeps its own questionnaire's answers.
        every = [questionnaire] + [
            q for q in builtin_versions(questionnaire.id) if q.version != questionnaire.version
        ]
        top: list[str] = []
        for version in every:
            top += _with_derived_columns(
                version,
                [q.name for q in version.all_questions() if q.group is None and q.holds_value],
            )
        self.columns["persons"] = [
            "record_id", "status", "needs_follow_up", "mode", "locale", "started", "submitted",
            "reviewed", "exported", *dict.fromkeys(top),
        ]  # fmt: skip
        #: Repeat group → its table, for every repeat group of this questionnaire.
        self.tables = csv_tables(questionnaire)
        #: The group whose table lists the mother tongues too, if this questionnaire has one.
        self.languages = _languages_group(questionnaire)
        for group, table in self.tables.items():
            columns = [
                column
                for version in every
                if version.has_question(group) and version.question(group).kind.container
                for column in _group_columns(version, group)
            ]
            columns = list(dict.fromkeys(columns))
            if group == self.languages:
                columns = ["kind", "language", *(c for c in columns if c != "language")]
            self.columns[table] = ["record_id", "entry", *columns]
        self.columns["remarks"] = ["record_id", "section", "kind", "text", "author", "created_at"]
        for table, columns in self.columns.items():
            handle = _open(folder / f"{table}.csv", stack, files, encoding="utf-8-sig", newline="")
            writer = csv.DictWriter(handle, columns, delimiter=delimiter, extrasaction="ignore")
            writer.writeheader()
            self.writers[table] = writer

    def write(self, record: dict[str, Any]) -> None:
        answers = record["answers"]
        record_id = record["record_id"]
        person = {name: value for name, value in answers.items() if name not in self.tables}
        times = record["timestamps"]
        self._row(
            "persons",
            {
                "record_id": record_id, "status": record["status"],
                "needs_follow_up": record["needs_follow_up"], "mode": record["mode"],
                "locale": record["locale"], "started": times["started"],
                "submitted": times["submitted"], "reviewed": times["reviewed"],
                "exported": times["exported"], **person,
            },
        )  # fmt: skip
        if self.languages is not None:
            mother_tongues = answers.get(MOTHER_TONGUES) or []
            if not isinstance(mother_tongues, list):  # a row written past the program
                mother_tongues = [mother_tongues]
            for language in mother_tongues:
                self._row(
                    self.tables[self.languages],
                    {
                        "record_id": record_id,
                        "entry": "",
                        "kind": "mother_tongue",
                        "language": language,
                    },
                )
        for group, table in self.tables.items():
            for index, entry in enumerate(answers.get(group) or []):
                row = {"record_id": record_id, "entry": index + 1, **entry}
                if group == self.languages:
                    row["kind"] = "other"
                self._row(table, row)
        for remark in record["remarks"]:
            self._row("remarks", {"record_id": record_id, **remark})

    def _row(self, table: str, row: dict[str, Any]) -> None:
        self.writers[table].writerow({key: safe_cell(value) for key, value in row.items()})


def csv_tables(questionnaire: Questionnaire) -> dict[str, str]:
    """Every repeat group of the questionnaire → the name of its CSV table (without ``.csv``),
    in the questionnaire's order. A group's table is named after the group (or as kompass-v1
    named it, ``KEPT_TABLE_NAMES``); a name already taken, by the fixed tables or another
    group's table, gets ``_entries`` (and a number if need be) added."""
    taken = set(FIXED_TABLES)
    tables: dict[str, str] = {}
    for question in questionnaire.all_questions():
        if not question.kind.container:
            continue
        name = KEPT_TABLE_NAMES.get(question.name, question.name)
        if name in taken:
            name = stem = f"{question.name}_entries"
            number = 2
            while name in taken:
                name, number = f"{stem}_{number}", number + 1
        taken.add(name)
        tables[question.name] = name
    return tables


def _languages_group(questionnaire: Questionnaire) -> str | None:
    """The repeat group whose table lists the mother tongues too: kompass-v1's other languages,
    with a ``language`` question, in a questionnaire that asks for the mother tongues."""
    if not (
        questionnaire.has_question(LANGUAGES_GROUP) and questionnaire.has_question(MOTHER_TONGUES)
    ):
        return None
    group = questionnaire.question(LANGUAGES_GROUP)
    if not group.kind.container or not any(q.name == "language" for q in group.questions):
        return None
    return LANGUAGES_GROUP


def _group_columns(questionnaire: Questionnaire, group: str) -> list[str]:
    names = [q.name for q in questionnaire.question(group).questions if q.holds_value]
    return _with_derived_columns(questionnaire, names)


def _with_derived_columns(questionnaire: Questionnaire, names: list[str]) -> list[str]:
    """Each question's column, and after it a column for each code derived from its answer
    (NUS2000, ISCED), as the JSON has them."""
    columns: list[str] = []
    for name in names:
        columns.append(name)
        question = questionnaire.question(name)
        columns.extend(name + d.suffix for d in derived_codes(questionnaire, question))
        if question.kind.calendar:  # a date or year as written in another calendar
            columns.append(name + AS_WRITTEN_SUFFIX)
    return columns


# ---------------------------------------------------------------- HTML


class _PdfWriter(_Writer):
    """Each record as the HTML export's page, laid out as PDF (:mod:`kompass_tui.exchange.pdf`):
    a file per record in the folder ``out``, named by the record's id (never by the person's
    name); or, ``one_file``, every record in the file ``out``, each from a new page. ``archive``:
    PDF/A-3u, each record's JSON (as the JSON Lines export writes it) attached."""

    def __init__(
        self,
        out: Path,
        files: _Files,
        questionnaire: Questionnaire,
        names: dict[str, str],
        options: PdfOptions,
    ) -> None:
        reader = current()
        self.out = out
        self.files = files
        self.one_file = options.one_file
        self.archive = options.archive
        self.renderer = pdf.Renderer(archive=options.archive)
        self.printable = Printable(questionnaire, reader, names)
        self.source = reader.gettext("The record as data (JSON, as kompass export writes it)")
        #: With ``one_file``: the pages and sources so far, laid out together at the end.
        self.articles: list[str] = []
        self.sources: list[pdf.Attachment] = []

    def write(self, record: dict[str, Any]) -> None:
        article = self.printable.article(record)
        record_id = str(record["record_id"])
        sources = []
        if self.archive:
            data = (record_json(record) + "\n").encode()
            sources.append(pdf.Attachment(f"{record_id}.json", data, self.source))
        if self.one_file:
            self.articles.append(article)
            self.sources += sources
            return
        page = self.printable.page([article])
        # A layout leaves thousands of boxes that point at each other; collected before the
        # next record is laid out, the export's memory stays that of one record however many
        # there are (and an export of one record does not wait for its own boxes). Cheap: the
        # heap from before the export is frozen (heap_frozen), so only the objects made since
        # are looked at (under a millisecond before the first layout).
        gc.collect()
        self.files.write_whole(self.out / f"{record_id}.pdf", self.renderer.render(page, sources))

    def close(self) -> None:
        if self.one_file:
            page = self.printable.page(self.articles)
            self.files.write_whole(self.out, self.renderer.render(page, self.sources))


class _HtmlWriter(_Writer):
    """Each record as a printable page (``printable.Printable``): everything the review shows
    about it, in the reader's language (the program's), each answer in the person's language
    beside it.

    Everything a person or a caseworker typed is escaped; the person's text carries its own
    ``lang`` and ``dir``, so Arabic, Dari, Pashto and Sorani read right to left."""

    def __init__(
        self,
        handle: IO[str],
        questionnaire: Questionnaire,
        names: dict[str, str],
        reader: Translator | None = None,
    ) -> None:
        self.handle = handle
        reader = reader or current()
        self.printable = Printable(questionnaire, reader, names)
        handle.write(page_start(reader, questionnaire))

    def write(self, record: dict[str, Any]) -> None:
        self.handle.write(self.printable.article(record))

    def close(self) -> None:
        self.handle.write(PAGE_END)
