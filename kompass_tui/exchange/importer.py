"""``kompass import``: records from JSON or JSON Lines, all or nothing, and never twice.

The file is read once, and each record is checked as it is read and written with the others
of its batch (:data:`BATCH` records, a few statements), all in one write transaction: what is
written is exactly what was checked, even if another program rewrites
the file meanwhile, and a pipe (``kompass import /dev/stdin``) works as well as a file. Each
record is checked against the JSON Schema, the questionnaire and the answers' own rules; the
first problem stops the import with its line (or record number) and reason, and the
transaction is rolled back, so nothing has been written then. A JSON Lines file is read a line
at a time, so its size is not limited; a JSON array is read whole, up to
:data:`MAX_JSON_BYTES`, and parsed a record at a time.

A record that is already in the database keeps what it has and gains only the remarks and
corrections it does not have yet, so the same file imported twice changes nothing. The audit
names every record the import created or changed, and every remark and correction it added to
a record that was already here, with the author and the time the file gives them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Final

import sqlalchemy as sa
from jsonschema import Draft202012Validator, ValidationError
from sqlmodel import Session, select

from kompass_tui.exchange import sealed
from kompass_tui.exchange.records import (
    ANSWER,
    BATCH,
    CORRECTION,
    RECORD,
    REMARK,
    SCHEMA_FILES,
    heap_frozen,
    schema,
    without_derived,
)
from kompass_tui.exchange.sealed import Identity
from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import audit
from kompass_tui.storage.accounts import AccountError, check_username
from kompass_tui.storage.answers import flat_answers
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError, file_problem
from kompass_tui.storage.models import Caseworker
from sporreskjema import (
    Form,
    FormError,
    Questionnaire,
    bounds,
    cldr,
    load_builtin,
    questionnaire_of,
)
from sporreskjema.engine import REMEMBER_AT_MOST, Checked, recurring
from sporreskjema.engine import Path as AnswerPath
from sporreskjema.i18n import LOCALES
from sporreskjema.text import has_controls

try:  # the JSON Schema compiled to native code: a few microseconds a record
    import jsonschema_rs
except ImportError:  # pragma: no cover - a platform without its wheel: jsonschema alone
    jsonschema_rs = None  # type: ignore[assignment]

#: Longest line of a JSON Lines file (one record); a longer one is refused unread.
MAX_LINE_BYTES: Final = 8 * 1024 * 1024
#: Largest JSON (array) file, read whole (and parsed a record at a time); JSON Lines beyond.
MAX_JSON_BYTES: Final = 64 * 1024 * 1024
#: Deepest nesting of lists and objects in a record (a record itself is 1); a good record
#: needs about 5. Deeper ones are refused before anything walks them.
MAX_DEPTH: Final = 20

_BLANK: Final = b" \t\r\n"  # JSON's white space
_WHITESPACE: Final = re.compile(r"[ \t\r\n]*")
_PIECE: Final = 1024 * 1024


class ImportRefused(StorageError):
    """The file is refused whole; the message says where and why."""


@dataclass(frozen=True)
class ImportResult:
    new: int
    existing: int
    remarks_added: int
    corrections_added: int


@cache
def _validator(version: int) -> Draft202012Validator:
    """The reference check of the record schema of a format version, whose errors the
    refusals quote."""
    Draft202012Validator.check_schema(schema(version))
    return Draft202012Validator(schema(version), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _quick_validator(version: int) -> Callable[[Any], bool] | None:
    """Whether a record follows the record schema, a few hundred times quicker than
    :func:`_validator` (which takes over a millisecond a record). It is as strict as the
    reference or stricter (its formats are checked too, its ``$`` ends the text): a record it
    passes, the reference passes; one it does not, the reference checks again, and its error
    is the one the refusal quotes."""
    if jsonschema_rs is None:  # pragma: no cover
        return None
    validator = jsonschema_rs.validator_for(schema(version), validate_formats=True)
    return validator.is_valid


def _where(kind: str, number: int) -> Msg:
    return (
        Msg(N_("line %(n)d"), {"n": number})
        if kind == "line"
        else Msg(N_("record %(n)d"), {"n": number})
    )


def _refuse(where: Msg, reason: Msg) -> ImportRefused:
    return ImportRefused(
        Msg(
            N_("%(where)s: %(reason)s. Nothing was imported."),
            {"where": where, "reason": reason},
        )
    )


def _too_deep() -> Msg:
    return Msg(N_("lists and objects are nested more than %(n)d deep"), {"n": MAX_DEPTH})


def _cannot_read(path: Path, exc: OSError) -> ImportRefused:
    return ImportRefused(file_problem(N_("Cannot read %(path)s: %(reason)s."), path, exc))


class _Source:
    """The open file, whose read errors (a disk error, a folder) are refusals."""

    def __init__(self, handle: IO[bytes], path: Path) -> None:
        self.handle, self.path = handle, path

    def read(self, size: int) -> bytes:
        try:
            return self.handle.read(size)
        except OSError as exc:
            raise _cannot_read(self.path, exc) from None

    def readline(self, size: int) -> bytes:
        try:
            return self.handle.readline(size)
        except OSError as exc:
            raise _cannot_read(self.path, exc) from None


#: A record read from a file: where it is, the record, and whether its text is plain (see
#: :func:`_plain`).
Found = tuple[Msg, Any, bool]


def read(handle: IO[bytes], path: Path) -> Iterator[Found]:
    """Each record of the open file with where it is; JSON Lines, or one JSON array.

    The file is read once, from where it is to its end, without seeking: a pipe works too."""
    source = _Source(handle, path)
    number = 0
    while True:  # blank lines before the first record
        raw = source.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        start = raw.lstrip(_BLANK)[:1]
        if start or len(raw) > MAX_LINE_BYTES:
            break
    if start == b"\xef":  # a byte order mark: JSON does not allow one
        raise _refuse(_where("line", number), Msg(N_("the file starts with a byte order mark")))
    if start == b"[":
        yield from _json_array(source, raw, number - 1)
    else:
        yield from _json_lines(source, raw, number)


def _json_array(source: _Source, first: bytes, lines_before: int) -> Iterator[Found]:
    """The records of a JSON array, parsed one by one (the text is held, the list is not)."""
    raw = bytearray(first)
    while len(raw) <= MAX_JSON_BYTES:  # in pieces: no second copy of the whole file
        piece = source.read(min(_PIECE, MAX_JSON_BYTES + 1 - len(raw)))
        if not piece:
            break
        raw += piece
    if len(raw) > MAX_JSON_BYTES:
        raise _refuse(
            _where("line", lines_before + 1),
            Msg(
                N_("the JSON file is larger than %(mb)d MB; use JSON Lines"),
                {"mb": MAX_JSON_BYTES >> 20},
            ),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = lines_before + raw[: exc.start].count(b"\n") + 1
        raise _refuse(_where("line", line), Msg(N_("the file is not UTF-8 text"))) from None
    del raw
    decoder = json.JSONDecoder()

    def invalid(exc: json.JSONDecodeError) -> ImportRefused:
        return _refuse(
            _where("line", lines_before + exc.lineno),
            Msg(N_("not valid JSON (%(detail)s)"), {"detail": exc.msg}),
        )

    def blank(at: int) -> int:
        found = _WHITESPACE.match(text, at)
        assert found is not None  # it matches the empty string
        return found.end()

    at = blank(text.index("[") + 1)
    number = 0
    if text.startswith("]", at):
        at += 1
    else:
        while True:
            number += 1
            try:
                record, at = decoder.raw_decode(text, at)
            except json.JSONDecodeError as exc:
                raise invalid(exc) from None
            except RecursionError:
                raise _refuse(_where("record", number), _too_deep()) from None
            yield _where("record", number), record, False
            at = blank(at)
            if text.startswith(",", at):
                at = blank(at + 1)
            elif text.startswith("]", at):
                at += 1
                break
            else:
                raise invalid(json.JSONDecodeError("Expecting ',' delimiter", text, at))
    at = blank(at)
    if at < len(text):
        raise invalid(json.JSONDecodeError("Extra data", text, at))


def _json_lines(source: _Source, first: bytes, number: int) -> Iterator[Found]:
    raw = first
    while raw:
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise _refuse(
                _where("line", number),
                Msg(N_("the line is longer than %(mb)d MB"), {"mb": MAX_LINE_BYTES >> 20}),
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(_where("line", number), Msg(N_("the file is not UTF-8 text"))) from None
        if text.strip():
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _refuse(
                    _where("line", number),
                    Msg(N_("not valid JSON (%(detail)s)"), {"detail": exc.msg}),
                ) from None
            except RecursionError:
                raise _refuse(_where("line", number), _too_deep()) from None
            yield _where("line", number), record, _plain(text)
        raw = source.readline(MAX_LINE_BYTES + 1)
        number += 1


_NOT_A_BRACKET: Final = re.compile(r"[^\[\]{}]+")


def _plain(text: str) -> bool:
    """Whether the JSON ``text`` is known, from its text alone, to hold no control character
    in any key or value and no lists or objects nested deeper than :data:`MAX_DEPTH`: then
    the record it holds needs no :func:`_walk`. A text with a backslash (an escape such as
    ``\\u001b`` may stand for a control character) or a control character anywhere is not
    plain, and is walked."""
    if "\\" in text or has_controls(text):
        return False
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return True  # it cannot nest deeper than it has brackets, in strings or not
    # With no backslash, a string ends at the next quote: every other piece is outside one.
    outside = "".join(text.split('"')[::2])
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", outside):
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        else:
            depth -= 1
    return True


def _walk(value: Any, limit: int) -> tuple[bool, list[str]]:
    """Whether lists and objects in ``value`` nest deeper than ``limit``, and every text in
    it (keys and values) met before that was found: one walk, without recursion, so that no
    depth can exhaust the stack."""
    texts: list[str] = []
    if isinstance(value, str):
        return False, [value]
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, _CONTAINERS) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True, texts
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    texts.append(key)
                if isinstance(child, str):
                    texts.append(child)
                elif isinstance(child, _CONTAINERS):
                    stack.append((child, depth + 1))
        else:
            for child in item:
                if isinstance(child, str):
                    texts.append(child)
                elif isinstance(child, _CONTAINERS):
                    stack.append((child, depth + 1))
    return False, texts


_CONTAINERS: Final = (dict, list)


def check(
    where: Msg,
    record: Any,
    questionnaire: Questionnaire,
    checked: Checked | None = None,
    *,
    plain: bool = False,
) -> dict[str, Any]:
    """Refuse a record that the schema, the questionnaire or its answers' rules do not allow;
    its answers without the codes that are derived from them, as they are stored.
    ``plain``: its text is known to be plain (:func:`_plain`), so it is not walked.

    The record schema is checked by the quick validator. A record that any check refuses is
    checked once more from the start with the reference validator (jsonschema), so that the
    refusal is the one it has always been: the first problem in the order of the checks, a
    schema error in jsonschema's words."""
    try:
        return _check(where, record, questionnaire, exact=False, checked=checked, plain=plain)
    except ImportRefused:
        _check(where, record, questionnaire, exact=True)
        raise


def _check(
    where: Msg,
    record: Any,
    questionnaire: Questionnaire,
    *,
    exact: bool,
    checked: Checked | None = None,
    plain: bool = False,
) -> dict[str, Any]:
    too_deep, texts = (False, []) if plain else _walk(record, MAX_DEPTH)
    if too_deep:  # first: the checks below walk it recursively
        raise _refuse(where, _too_deep())
    version = record.get("schema_version") if isinstance(record, dict) else None
    # Any other value, True (== 1) and 2.0 too, is no version of the format.
    if version.__class__ is not int or version not in SCHEMA_FILES:
        raise _refuse(
            where,
            Msg(
                N_("schema version %(found)s is not one this Kompass reads (%(versions)s)"),
                {
                    "found": json.dumps(version),
                    "versions": ", ".join(str(v) for v in sorted(SCHEMA_FILES)),
                },
            ),
        )
    # One search of all the text at once; the place is looked for only if there is one.
    place = _controls_at(record) if has_controls("".join(texts)) else None
    if place is not None:
        raise _refuse(
            where,
            Msg(
                N_("%(place)s holds control characters or terminal escape sequences"),
                {"place": place},
            ),
        )
    if exact or not _follows_schema_quickly(version, record):
        _check_schema(where, version, record)
    found = record["questionnaire"]
    if (found["id"], found["version"]) != (questionnaire.id, questionnaire.version):
        # A record answered in another built-in version (kompass-v1 after v2) is checked
        # against its own questionnaire.
        own = questionnaire_of(found["id"], found["version"])
        if own is not None:
            questionnaire = own
    if (found["id"], found["version"]) != (questionnaire.id, questionnaire.version):
        raise _refuse(
            where,
            Msg(
                N_("questionnaire %(id)s version %(version)s is not known here"),
                {"id": found["id"], "version": found["version"]},
            ),
        )
    answers = without_derived(record["answers"])
    try:
        Form.from_json(questionnaire, answers, strict=True, checked=checked)
    except FormError as exc:
        raise _refuse(where, exc.message) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _refuse(
            where, Msg(N_("an answer has a wrong value (%(detail)s)"), {"detail": str(exc)[:200]})
        ) from None
    sections = {s.name for s in questionnaire.sections}
    for remark in record["remarks"]:
        if remark["section"] is not None and remark["section"] not in sections:
            raise _refuse(
                where,
                Msg(
                    N_("a remark is on an unknown section '%(section)s'"),
                    {"section": remark["section"]},
                ),
            )
    for correction in record["corrections"]:
        if not _is_answer_path(questionnaire, correction["path"]):
            raise _refuse(
                where,
                Msg(
                    N_("a correction is on an unknown question '%(path)s'"),
                    {"path": correction["path"]},
                ),
            )
    _check_codes(where, record)
    _check_bounds(where, record, questionnaire)
    _check_user_names(where, record)
    return answers


def _follows_schema_quickly(version: int, record: Any) -> bool:
    """Whether the quick validator passes the record (and so would the reference)."""
    quick = _quick_validator(version)
    try:
        return quick is not None and quick(record)
    except (ValueError, TypeError, OverflowError, RecursionError):  # pragma: no cover
        return False  # what it cannot take, the reference judges


def _check_schema(where: Msg, version: int, record: Any) -> None:
    try:
        _validator(version).validate(record)
    except RecursionError:
        raise _refuse(where, _too_deep()) from None
    except ValidationError as exc:
        place = "/".join(str(p) for p in exc.absolute_path) or "$"  # $: the record itself
        raise _refuse(
            where,
            Msg(
                N_("%(place)s does not follow the record format (%(detail)s)"),
                {"place": place, "detail": exc.message[:200]},
            ),
        ) from None


def _is_answer_path(questionnaire: Questionnaire, text: str) -> bool:
    """Whether ``text`` names a question that holds an answer, in its own repeat group if any."""
    try:
        path = AnswerPath.parse(text)
    except ValueError:
        return False
    if str(path) != text or not questionnaire.has_question(path.name):
        return False
    question = questionnaire.question(path.name)
    return question.group == path.group and question.holds_value


def _check_codes(where: Msg, record: dict[str, Any]) -> None:
    """Languages: the person's must be ones this Kompass has (every screen and the HTML export
    show the record in it), the interpreter's one that the desk's picker offers."""
    places = [("locale", record["locale"])] + [
        (f"locales_used/{i}", code) for i, code in enumerate(record["locales_used"])
    ]
    for place, code in places:
        if code not in LOCALES:
            raise _refuse(where, _unknown_language(place, code))
    language = record["interpreter"]["language"]
    if language is not None and language not in cldr.language_codes():
        raise _refuse(where, _unknown_language("interpreter/language", language))


def _unknown_language(place: str, code: str) -> Msg:
    return Msg(
        N_("%(place)s: '%(code)s' is not a language this Kompass knows"),
        {"place": place, "code": code},
    )


_date_questions_of: list[tuple[Questionnaire, list[tuple[str | None, str]]]] = []


def _date_questions(questionnaire: Questionnaire) -> list[tuple[str | None, str]]:
    """The repeat group (or None) and name of each question whose answer is a date, worked
    out once for the questionnaire an import checks against (not once a record)."""
    if not _date_questions_of or _date_questions_of[0][0] is not questionnaire:
        found = [
            (question.group, question.name)
            for question in questionnaire.all_questions()
            if question.kind.json_schema.get("format") == "date"  # a type whose answer is a date
        ]
        _date_questions_of[:] = [(questionnaire, found)]
    return _date_questions_of[0][1]


def _check_bounds(where: Msg, record: dict[str, Any], questionnaire: Questionnaire) -> None:
    """Dates and times inside :mod:`sporreskjema.bounds`, the bounds every screen can show."""
    today = dt.date.today()
    first_day, last_day = bounds.person_dates(today)
    person = record["person"]
    dates = [
        (f"person/{name}", person.get(name))
        for name in ("birth_date", "permit_date", "settlement_date")
    ]
    answers = record["answers"]
    for group, name in _date_questions(questionnaire):
        if group is None:
            dates.append((f"answers/{name}", answers.get(name)))
        else:
            for index, entry in enumerate(answers.get(group) or []):
                dates.append((f"answers/{group}/{index}/{name}", entry.get(name)))
    for place, text in dates:
        if text is None:
            continue
        day = bounds.parse_date(text) if isinstance(text, str) else None
        if day is None or not first_day <= day <= last_day:
            raise _refuse(
                where,
                Msg(
                    N_("%(place)s is not a date from %(first)s to %(last)s"),
                    {"place": place, "first": first_day.isoformat(), "last": last_day.isoformat()},
                ),
            )
    first, last = bounds.times(dt.datetime.now(dt.UTC))
    moments = [(f"timestamps/{name}", text) for name, text in record["timestamps"].items()]
    for kind in ("remarks", "corrections"):
        moments += [
            (f"{kind}/{index}/created_at", item["created_at"])
            for index, item in enumerate(record[kind])
        ]
    for place, text in moments:
        if text is None:
            continue
        moment = bounds.parse_time(text)
        if moment is None or not first <= moment <= last:
            raise _refuse(
                where,
                Msg(
                    N_("%(place)s is not a time from %(first)s to %(last)s"),
                    {
                        "place": place,
                        "first": first.isoformat(timespec="seconds"),
                        "last": last.isoformat(timespec="seconds"),
                    },
                ),
            )


def _check_user_names(where: Msg, record: dict[str, Any]) -> None:
    """The caseworker and the authors must be user names as ``kompass user add`` makes them:
    a name that is not one (``=cw``, one with a line break or spaces) would become an
    account, and be shown as the author of what it signed."""
    names = [("caseworker", record["caseworker"])]
    names += [(f"remarks/{n}/author", r["author"]) for n, r in enumerate(record["remarks"])]
    names += [(f"corrections/{n}/author", c["author"]) for n, c in enumerate(record["corrections"])]
    for place, name in names:
        if name is None:
            continue
        try:
            valid = check_username(name) == name
        except AccountError:
            valid = False
        if not valid:
            raise _refuse(
                where,
                Msg(
                    N_(
                        "%(place)s is not a user name (2 to 40 small letters, digits, dots, hyphens or underscores)"
                    ),
                    {"place": place},
                ),
            )


def _controls_at(value: Any, place: str = "") -> str | None:
    """Where the first text with control characters or bidi overrides is (``answers/full_name``).

    Text typed at a kiosk or by a caseworker never has them (they are cleaned away as it is
    typed), so a file that has them was made or changed by hand, and is refused: the text
    would go round the kiosk's checks into every screen and file that shows it."""
    if isinstance(value, str):
        return (place or "$") if has_controls(value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        shown = str(key).encode("unicode_escape").decode("ascii")  # a key's controls as \x1b
        inner = f"{place}/{shown}" if place else shown
        if isinstance(key, str) and has_controls(key):
            return inner
        found = _controls_at(item, inner)
        if found is not None:
            return found
    return None


def import_file(
    db: Database, path: Path, *, actor_id: int, identities: Sequence[Identity] = ()
) -> ImportResult:
    """Check and write every record of the file, read once, in one transaction.

    A sealed file (an age envelope, :mod:`kompass_tui.exchange.sealed`) is opened with
    ``identities`` into memory first, whole: a damaged or altered one is refused before
    anything is read from it."""
    questionnaire = load_builtin()
    try:
        handle: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise _cannot_read(path, exc) from None
    with handle:
        try:
            start = handle.peek(sealed.MAGIC_BYTES)[: sealed.MAGIC_BYTES]  # type: ignore[attr-defined]
        except OSError as exc:
            raise _cannot_read(path, exc) from None
        was_sealed = sealed.is_envelope(start)
        if was_sealed:
            if not identities:
                raise ImportRefused(
                    Msg(
                        N_(
                            "%(name)s is sealed: give its key with --identity FILE. Nothing was imported."
                        ),
                        {"name": path.name},
                    )
                )
            try:
                handle = io.BytesIO(sealed.unseal(handle, identities, path.name))
            except OSError as exc:
                raise _cannot_read(path, exc) from None
        found = read(handle, path)
        # A JSON array is read whole here, before the write lock is taken.
        first = next(found, None)
        with heap_frozen(), db.write() as session:
            result = _write(
                session,
                itertools.chain([first] if first else [], found),
                questionnaire,
                actor_id=actor_id,
                file=path.name,
                was_sealed=was_sealed,
            )
    return result


def import_envelope(
    session: Session, clear: bytes, *, record_id: uuid.UUID, name: str, actor_id: int
) -> ImportResult:
    """An opened envelope from the inbox: exactly one record, ``record_id``, in the export
    format, checked and written in ``session``'s transaction like a file's."""
    found = list(read(io.BytesIO(clear), Path(name)))
    ids = [record.get("record_id") if isinstance(record, dict) else None for _, record, _ in found]
    if ids != [str(record_id)]:
        raise ImportRefused(
            Msg(
                N_("%(name)s does not hold record %(id)s alone. Nothing was imported."),
                {"name": name, "id": str(record_id)},
            )
        )
    return _write(
        session, iter(found), load_builtin(), actor_id=actor_id, file=name, was_sealed=True
    )


def import_records(
    db: Database,
    records: Sequence[tuple[str, dict[str, Any], str]],
    *,
    actor_id: int,
    file: str,
) -> ImportResult:
    """Records made elsewhere in the export format (``kompass import --from-odk``), each with
    where it is in its file and where it was collected, checked and written as a file's are,
    in one transaction; a new record keeps where it was collected."""
    questionnaire = load_builtin()
    found: list[Found] = [
        (Msg(N_("submission %(where)s"), {"where": where}), record, False)
        for where, record, _ in records
    ]
    with db.write() as session:
        ids = [uuid.UUID(record["record_id"]) for _where, record, _origin in records]
        here = set(session.execute(sa.select(RECORD.c.id).where(RECORD.c.id.in_(ids))).scalars())
        result = _write(session, iter(found), questionnaire, actor_id=actor_id, file=file)
        for record_id, (_where, _record, origin) in zip(ids, records, strict=True):
            if record_id not in here:
                session.execute(
                    sa.update(RECORD).where(RECORD.c.id == record_id).values(collected_with=origin)
                )
    return result


def _write(
    session: Session,
    found: Iterator[Found],
    questionnaire: Questionnaire,
    *,
    actor_id: int,
    file: str,
    was_sealed: bool = False,
) -> ImportResult:
    """Each record checked as it is read, and written with the others of its batch; the first
    refusal rolls the whole transaction back."""
    seen: set[uuid.UUID] = set()
    pending = _Pending(session, actor_id)
    checked: Checked = {}  # the answers' values that recur from record to record, parsed once
    for where, record, plain in found:
        try:
            answers = check(where, record, questionnaire, checked, plain=plain)
            record_id = uuid.UUID(record["record_id"])
            if record_id in seen:
                raise _refuse(
                    where,
                    Msg(N_("record %(id)s is in the file twice"), {"id": record["record_id"]}),
                )
        except ImportRefused:
            # A refusal the database gives an earlier record (its person is here already)
            # comes first, as the file's first problem.
            pending.flush()
            raise
        seen.add(record_id)
        pending.records.append((where, record, record_id, answers))
        if len(pending.records) >= BATCH:
            pending.flush()
    pending.flush()
    audit.log(
        session,
        audit.Action.imported,
        actor_id=actor_id,
        file=file,
        sealed=was_sealed,
        new=pending.new,
        existing=pending.existing,
        remarks=pending.remarks,
        corrections=pending.corrections,
        records=pending.changed,
    )
    return ImportResult(pending.new, pending.existing, pending.remarks, pending.corrections)


@dataclass
class _Pending:
    """Checked records not written yet, and what the import has done so far. A batch is
    written with a few statements: one query for which of its records are here already, one
    for the persons they name, and one insert of many rows for each table."""

    session: Session
    actor_id: int
    #: Checked, not written yet: where each is, the record, its id, its answers as stored.
    records: list[tuple[Msg, dict[str, Any], uuid.UUID, dict[str, Any]]] = field(
        default_factory=list
    )
    authors: dict[str, int] = field(default_factory=dict)
    #: Answers' values as stored, for those that recur (see :class:`_AnswerRows`).
    stored: dict[tuple[type, Any], Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # created or changed, in the file's order
    new: int = 0
    existing: int = 0
    remarks: int = 0
    corrections: int = 0

    def flush(self) -> None:
        """Write the pending records, in the file's order, or refuse the first one that names
        a person who has another record here (or earlier in the file)."""
        if not self.records:
            return
        session, batch = self.session, self.records
        self.records = []
        ids = {record_id for _where, _record, record_id, _answers in batch}
        keys = {record["person"]["person_id"] for _where, record, _id, _answers in batch} - {None}
        # One query for both: the batch's records that are here, and the records here of the
        # persons the batch names.
        here: set[uuid.UUID] = set()
        owners: dict[str, uuid.UUID] = {}
        for found_id, person_key in session.execute(
            sa.select(RECORD.c.id, RECORD.c.person_key).where(
                sa.or_(RECORD.c.id.in_(sorted(ids)), RECORD.c.person_key.in_(sorted(keys)))
            )
        ):
            if found_id in ids:
                here.add(found_id)
            if person_key is not None:
                owners[person_key] = found_id
        records = _RecordRows(session)
        answers = _AnswerRows(session, self.stored)
        remarks: list[dict[str, Any]] = []
        corrections: list[dict[str, Any]] = []
        for where, record, record_id, stored in batch:
            if record_id in here:
                self._add_history(record, record_id)
                continue
            key = record["person"]["person_id"]
            if key is not None:
                other = owners.get(key)
                if other is not None:
                    raise _refuse(
                        where,
                        Msg(N_("this person already has record %(id)s here"), {"id": str(other)}),
                    )
                owners[key] = record_id
            records.add(self._record_row(record, record_id))
            answers.add(record, record_id, stored)
            remarks += [
                {"record_id": record_id, **row}
                for row in _remark_rows(session, record, self.authors)
            ]
            corrections += [
                {"record_id": record_id, **row}
                for row in _correction_rows(session, record, self.authors)
            ]
            self.new += 1
            self.remarks += len(record["remarks"])
            self.corrections += len(record["corrections"])
            self.changed.append(str(record_id))
        records.insert()
        answers.insert()
        for table, rows in ((REMARK, remarks), (CORRECTION, corrections)):
            if rows:
                session.execute(sa.insert(table), rows)

    def _record_row(self, record: dict[str, Any], record_id: uuid.UUID) -> dict[str, Any]:
        person, times = record["person"], record["timestamps"]
        interpreter, caseworker = record["interpreter"], record["caseworker"]
        return {
            "id": record_id,
            "questionnaire_id": record["questionnaire"]["id"],
            "questionnaire_version": record["questionnaire"]["version"],
            "status": record["status"],
            "needs_follow_up": record["needs_follow_up"],
            "mode": record["mode"],
            "locale": record["locale"],
            "locales_used": record["locales_used"],
            "caseworker_id": (
                None if caseworker is None else _author(self.session, caseworker, self.authors)
            ),
            "interpreter_used": interpreter["used"],
            "interpreter_language": interpreter["language"],
            "interpreter_registry_number": interpreter["registry_number"],
            "interpreter_channel": interpreter["channel"],
            "full_name": person["full_name"],
            "birth_date": _date(person["birth_date"]),
            "person_key": person["person_id"],
            "permit_date": _date(person["permit_date"]),
            "settlement_date": _date(person.get("settlement_date")),  # from version 3
            "resume_failures": 0,
            "started_at": _time(times["started"]),
            "updated_at": _time(times["updated"]),
            "submitted_at": _time(times["submitted"]),
            "reviewed_at": _time(times["reviewed"]),
            "exported_at": _time(times["exported"]),
            # Set by kompass inbox for a record it opened; not part of the export format.
            "kiosk": None,
            "delivered_at": None,
            "collected_with": None,  # set by kompass import --from-odk
        }

    def _add_history(self, record: dict[str, Any], record_id: uuid.UUID) -> None:
        """A record that is here keeps what it has and gains the remarks and corrections it
        does not have yet, each audited on the record."""
        session, authors = self.session, self.authors
        self.existing += 1
        added_remarks = _add_missing(
            session, REMARK, record_id, _remark_rows(session, record, authors)
        )
        added_corrections = _add_missing(
            session, CORRECTION, record_id, _correction_rows(session, record, authors)
        )
        self.remarks += len(added_remarks)
        self.corrections += len(added_corrections)
        if not (added_remarks or added_corrections):
            return
        self.changed.append(str(record_id))
        names = {number: name for name, number in authors.items()}
        for action, rows, fields in (
            (audit.Action.remark_imported, added_remarks, ("kind", "section")),
            (audit.Action.correction_imported, added_corrections, ("path",)),
        ):
            for row in rows:
                audit.log(
                    session,
                    action,
                    actor_id=self.actor_id,
                    record_id=record_id,
                    author=names[row["author_id"]],
                    created_at=row["created_at"].isoformat(),
                    **{name: row[name] for name in fields},
                )


def _time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class _DriverRows:
    """Rows of one table for one insert of many, handed to the driver as they are: no
    statement is compiled and no parameters are processed for each row, as SQLAlchemy does
    for an insert of many. Each value must have gone through its column type's own bind
    processing (:func:`_bind`, for the database in use) already: a subclass does that, and
    does the same work once where many rows share a value."""

    def __init__(self, session: Session, table: sa.Table, columns: tuple[str, ...]) -> None:
        self.connection = session.connection()
        self.sql, self.named = _insert_of(table, columns, self.connection.dialect)
        self.columns = columns
        self.rows: list[Any] = []

    def _add(self, rows: list[tuple[Any, ...]]) -> None:
        if self.named:
            self.rows += [dict(zip(self.columns, row, strict=True)) for row in rows]
        else:
            self.rows += rows

    def insert(self) -> None:
        if self.rows:
            self.connection.exec_driver_sql(self.sql, self.rows)


@lru_cache(maxsize=16)
def _insert_of(table: sa.Table, columns: tuple[str, ...], dialect: sa.Dialect) -> tuple[str, bool]:
    """The insert of ``columns`` into ``table`` as the driver takes it, and whether its
    parameters are by name; compiled once for each database an import writes to."""
    for column in table.columns:
        if column.name not in columns and column.default is not None:
            # A programming error (the table gained a column), not something a file can do.
            raise RuntimeError(f"{table.name}.{column.name} has a default: insert it too")
    untyped = sa.table(table.name, *(sa.column(name) for name in columns))
    compiled = sa.insert(untyped).compile(dialect=dialect)
    # Positional parameters (SQLite's ?) in the statement's order, else by name.
    order = compiled.positiontup if compiled.positional else None
    if order is not None and tuple(order) != columns:
        raise RuntimeError(f"the {table.name} insert takes {order}, not {columns}")
    return str(compiled), order is None


class _RecordRows(_DriverRows):
    """The record rows of many records (from :meth:`_Pending._record_row`), each value
    processed by its column's type."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, RECORD, _RECORD_COLUMNS)
        dialect = self.connection.dialect
        self.pick = itemgetter(*_RECORD_COLUMNS)
        # Only the columns whose type changes a value (ids, dates, times, JSON) on this database.
        self.process = [
            (index, process)
            for index, name in enumerate(_RECORD_COLUMNS)
            if (process := _processor(RECORD.c[name], dialect)) is not None
        ]

    def add(self, row: dict[str, Any]) -> None:
        values = list(self.pick(row))
        for index, process in self.process:
            values[index] = process(values[index])
        self._add([tuple(values)])


#: The record's columns an import writes (a record's resume code is never exported).
_RECORD_COLUMNS: Final = tuple(c.name for c in RECORD.columns if c.name != "resume_hash")
_ANSWER_COLUMNS: Final = ("record_id", "path", "value", "provenance", "place", "answered_at")


class _AnswerRows(_DriverRows):
    """The answer rows of many records. A record's id and time are processed once for all its
    answers instead of once an answer."""

    def __init__(self, session: Session, stored: dict[tuple[type, Any], Any]) -> None:
        super().__init__(session, ANSWER, _ANSWER_COLUMNS)
        dialect = self.connection.dialect
        self.as_id, self.to_json, self.as_time = (
            _bind(ANSWER.c[name], dialect) for name in ("record_id", "value", "answered_at")
        )
        #: Values that recur from record to record ("yes", 2015, ["ti", "ar"]) as stored,
        #: kept by the import from batch to batch.
        self.stored = stored

    def as_json(self, value: Any) -> Any:
        """The value as its column stores it; one that recurs is encoded once."""
        key = recurring(value)
        if key is None:
            return self.to_json(value)
        stored = self.stored.get(key)
        if stored is None:
            if len(self.stored) >= REMEMBER_AT_MOST:
                self.stored.clear()  # names and identifiers do not recur
            stored = self.stored[key] = self.to_json(value)
        return stored

    def add(self, record: dict[str, Any], record_id: uuid.UUID, stored: dict[str, Any]) -> None:
        """The record's answers as stored (``stored``: without the derived codes)."""
        flat = flat_answers(stored)
        provenance = record["provenance"]
        places = record.get("places", {})  # where each answer was given; older files: none
        stored_id = self.as_id(record_id)
        answered = self.as_time(_time(record["timestamps"]["updated"]))
        as_json = self.as_json
        self._add(
            [
                (
                    stored_id,
                    path,
                    as_json(value),
                    provenance.get(path, "self"),
                    places.get(path),
                    answered,
                )
                for path, value in flat.items()
            ]
        )


def _processor(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """What the column's type does to a value it is given to store, on this database;
    ``None`` when it stores the value as it is."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _bind(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any]:
    """:func:`_processor`, or the value as it is."""
    return _processor(column, dialect) or _same


def _same(value: Any) -> Any:
    return value


def _author(session: Session, username: str, authors: dict[str, int]) -> int:
    """The caseworker with this user name; one who is not known here is added, disabled (no
    password can open it), so that remarks keep their author."""
    if username in authors:
        return authors[username]
    worker = session.exec(select(Caseworker).where(Caseworker.username == username)).first()
    if worker is None:
        worker = Caseworker(
            username=username,
            full_name=username,
            password_hash="!imported",  # noqa: S106 - no password opens it
            active=False,
        )
        session.add(worker)
        session.flush()
    assert worker.id is not None
    authors[username] = worker.id
    return worker.id


def _remark_rows(
    session: Session, record: dict[str, Any], authors: dict[str, int]
) -> list[dict[str, Any]]:
    return [
        {
            "section": remark["section"],
            "kind": remark["kind"],
            "text": remark["text"],
            "author_id": _author(session, remark["author"], authors),
            "created_at": _time(remark["created_at"]),
        }
        for remark in record["remarks"]
    ]


def _correction_rows(
    session: Session, record: dict[str, Any], authors: dict[str, int]
) -> list[dict[str, Any]]:
    return [
        {
            "path": correction["path"],
            "old_value": correction["old"],
            "new_value": correction["new"],
            "reason": correction["reason"],
            "author_id": _author(session, correction["author"], authors),
            "created_at": _time(correction["created_at"]),
        }
        for correction in record["corrections"]
    ]


def _add_missing(
    session: Session, table: sa.Table, record_id: uuid.UUID, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add the rows the record does not have yet (the same author, time and content); the
    rows added."""
    if not rows:
        return []
    keys = [key for key in rows[0] if key not in ("old_value", "new_value")]
    present = {
        tuple(_comparable(row[key]) for key in keys)
        for row in session.execute(
            sa.select(table).where(table.c.record_id == record_id)
        ).mappings()
    }
    new = [row for row in rows if tuple(_comparable(row[key]) for key in keys) not in present]
    if new:
        session.execute(sa.insert(table), [{"record_id": record_id, **row} for row in new])
    return new


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return value
