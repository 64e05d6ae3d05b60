"""Records as the export format has them (``kompass-record-3.schema.json``), read from the
database a batch at a time, so memory does not grow with the number of records.

Reading is SQLAlchemy Core: each batch is one query for the records (by id, after the last
one of the batch before) and one each for their answers, remarks and corrections.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.storage.answers import is_group, nest_answers
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from sporreskjema import Questionnaire
from sporreskjema.calendars import AS_WRITTEN_SUFFIX, WRITTEN_PATTERN

#: The version of the record format that the export writes.
SCHEMA_VERSION: Final = 3
#: Every version the importer reads → its JSON Schema. Version 1 had no ISCED codes beside
#: the education levels and fields, and wrote a record as it was before the export marked it
#: (docs/export-format.md).
SCHEMA_FILES: Final = {
    1: "kompass-record-1.schema.json",
    2: "kompass-record-2.schema.json",
    3: "kompass-record-3.schema.json",
}
SCHEMA_FILE: Final = SCHEMA_FILES[SCHEMA_VERSION]
#: Records read and written per batch.
BATCH: Final = 500


@dataclass(frozen=True)
class DerivedCode:
    """A code in another classification, written beside a single code whose choice has it
    (an attribute of ``sporreskjema.definition.Choice``), under the question's name with
    ``suffix``."""

    attribute: str
    suffix: str
    #: What the schema allows (the definition model's own pattern for the attribute).
    pattern: str


#: Every derived code, in the order they are written after the code; one for each of the
#: engine's ``DERIVED_CODES``.
DERIVED: Final = (
    DerivedCode("nus", "_nus2000", "^[0-9]$"),
    DerivedCode("isced", "_isced2011", "^[0-8]$"),
    DerivedCode("isced_f", "_iscedf2013", "^[0-9]{2}([0-9]{1,2})?$"),
)

_TABLES = SQLModel.metadata.tables
RECORD = _TABLES["record"]
ANSWER = _TABLES["answer"]
REMARK = _TABLES["remark"]
CORRECTION = _TABLES["correction"]
CASEWORKER = _TABLES["caseworker"]
AUDIT = _TABLES["audit_event"]


@cache
def schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one exported record, in the format's ``version``
    (the one the export writes unless given; ``SCHEMA_FILES`` has those the import reads)."""
    name = SCHEMA_FILES[version]
    text = resources.files("kompass_tui.exchange").joinpath(name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def derived_codes(questionnaire: Questionnaire, question: Any) -> tuple[DerivedCode, ...]:
    """The derived codes written beside ``question``'s answer: those its code list has, if
    it takes a single code (several codes get none)."""
    if not (
        question.kind.choice
        and question.choices
        and question.kind.json_schema.get("type") == "string"
    ):
        return ()
    choices = questionnaire.choice_list(question.choices)
    return tuple(d for d in DERIVED if any(getattr(c, d.attribute) for c in choices))


def answers_schema(questionnaire: Questionnaire) -> dict[str, Any]:
    """The JSON Schema of a record's ``answers`` for one questionnaire: each question's answer
    in the shape its type declares in the registry (``QuestionKind.answer_schema``), a repeat
    group as an array of entries, and the derived codes (NUS2000, ISCED) beside a code that
    has them. Stricter
    than the record schema's ``answers``, which every questionnaire shares."""

    def properties(questions: Sequence[Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for question in questions:
            if question.kind.container:
                found[question.name] = {
                    "type": "array",
                    "maxItems": question.max_entries,
                    "items": {
                        "type": "object",
                        "properties": properties(question.questions),
                        "additionalProperties": False,
                    },
                }
            elif question.holds_value:
                found[question.name] = question.kind.answer_schema(question)
                for derived in derived_codes(questionnaire, question):
                    found[question.name + derived.suffix] = {
                        "type": "string",
                        "pattern": derived.pattern,
                    }
                if question.kind.calendar:
                    found[question.name + AS_WRITTEN_SUFFIX] = {
                        "type": "string",
                        "pattern": WRITTEN_PATTERN,
                        "description": "The Gregorian answer beside it as the person wrote it: "
                        "the calendar (persian: solar Hijri; ethiopian) and the date "
                        "(year-month-day) or year in it.",
                    }
        return found

    top = [q for section in questionnaire.sections for q in section.questions]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties(top),
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Selection:
    """Which records: by status, changed since a day, or one record."""

    statuses: frozenset[Status] = frozenset()
    since: dt.date | None = None
    record_id: uuid.UUID | None = None

    def where(self, record_id: Any = None) -> list[Any]:
        """Conditions for the selected records; with ``record_id`` (another table's record id
        column), for the rows of the selected records (a subquery, when there is a choice)."""
        conditions: list[Any] = []
        if self.statuses:
            conditions.append(RECORD.c.status.in_(sorted(self.statuses)))
        if self.since is not None:
            start = dt.datetime.combine(self.since, dt.time(), tzinfo=dt.UTC)
            conditions.append(RECORD.c.updated_at >= start)
        if self.record_id is not None:
            conditions.append(RECORD.c.id == self.record_id)
        if record_id is None or record_id is RECORD.c.id or not conditions:
            return conditions
        return [record_id.in_(sa.select(RECORD.c.id).where(*conditions))]


def count(db: Database, selection: Selection) -> int:
    with db.session() as session:
        total = session.execute(
            sa.select(sa.func.count()).select_from(RECORD).where(*selection.where())
        ).scalar_one()
    return int(total)


def key(column: Any) -> Any:
    """A record id column compared with ids as the database hands them back: 32 hex digits on
    SQLite, UUIDs on PostgreSQL. Reading them so saves making a UUID of every record's id."""
    return sa.type_coerce(column, sa.String)


#: The record columns an export reads, in the order ``to_export`` unpacks them.
_RECORD_COLUMNS: Final = (
    "id", "questionnaire_id", "questionnaire_version", "status", "needs_follow_up", "mode",
    "locale", "locales_used", "full_name", "birth_date", "person_key", "permit_date",
    "interpreter_used", "interpreter_language", "interpreter_registry_number",
    "interpreter_channel", "caseworker_id", "started_at", "updated_at", "submitted_at",
    "reviewed_at", "exported_at", "settlement_date",
)  # fmt: skip
#: Read as the driver hands them. SQLite keeps these as text, which the export formats itself:
#: SQLAlchemy's types would make objects of them only for them to become text again.
_AS_STORED: Final = frozenset(
    {"id", "locales_used", "birth_date", "permit_date", "started_at", "updated_at",
     "submitted_at", "reviewed_at", "exported_at", "settlement_date"}
)  # fmt: skip
_CASEWORKER_ID: Final = _RECORD_COLUMNS.index("caseworker_id")
_RECORD_SELECT: Final = [
    key(RECORD.c[name]) if name in _AS_STORED else RECORD.c[name] for name in _RECORD_COLUMNS
]


@dataclass(frozen=True)
class Batch:
    """Records as exported, and their ids as the database hands them back, in the same order."""

    ids: list[Any]
    records: list[dict[str, Any]]
    selection: Selection

    def where(self, record_id: Any) -> list[Any]:
        """Conditions on a record id column for reading the rows of this batch's records: their
        id range and the selection, two bound values instead of one for each of hundreds of ids.
        A record saved since the batch was read may fall in the range too; its rows are read
        and left unused (the batch's records are looked up by id)."""
        return [key(record_id).between(self.ids[0], self.ids[-1]), *self.selection.where(record_id)]


def batches(
    db: Database, selection: Selection, questionnaire: Questionnaire | None = None
) -> Iterator[Batch]:
    """The selected records, a batch at a time, ordered by record id. ``questionnaire``: one
    that records may have been answered in besides the built-in one."""
    questionnaires: dict[tuple[str, str], Questionnaire | None] = {}
    if questionnaire is not None:
        questionnaires[questionnaire.id, questionnaire.version] = questionnaire
    last: Any = None
    usernames: dict[int, str] = {}
    while True:
        with db.session() as session:
            query = (
                sa.select(*_RECORD_SELECT)
                .where(*selection.where())
                .order_by(RECORD.c.id)
                .limit(BATCH)
            )
            if last is not None:
                query = query.where(key(RECORD.c.id) > last)
            rows = session.execute(query).all()
            if not rows:
                return
            batch = Batch([row[0] for row in rows], [], selection)
            answers = dict(
                session.execute(
                    _answers_query(session.get_bind(), batch.where(ANSWER.c.record_id))
                ).all()
            )
            remarks = _grouped(
                session.execute(
                    sa.select(REMARK, key(REMARK.c.record_id).label("key"))
                    .where(*batch.where(REMARK.c.record_id))
                    .order_by(REMARK.c.id)
                )
                .mappings()
                .all(),
                "key",
            )
            corrections = _grouped(
                session.execute(
                    sa.select(CORRECTION, key(CORRECTION.c.record_id).label("key"))
                    .where(*batch.where(CORRECTION.c.record_id))
                    .order_by(CORRECTION.c.id)
                )
                .mappings()
                .all(),
                "key",
            )
            authors = {
                r["author_id"]
                for group in (remarks, corrections)
                for rs in group.values()
                for r in rs
            } | {row[_CASEWORKER_ID] for row in rows if row[_CASEWORKER_ID] is not None}
            missing = authors - set(usernames)
            if missing:
                found = session.execute(
                    sa.select(CASEWORKER.c.id, CASEWORKER.c.username).where(
                        CASEWORKER.c.id.in_(sorted(missing))
                    )
                ).all()
                usernames.update({int(row[0]): str(row[1]) for row in found})
        for row in rows:
            record_key, questionnaire_id, questionnaire_version = row[:3]
            questionnaire_key = (questionnaire_id, questionnaire_version)
            if questionnaire_key not in questionnaires:
                questionnaires[questionnaire_key] = _questionnaire(*questionnaire_key)
            batch.records.append(
                to_export(
                    row,
                    answers.get(record_key, []),
                    remarks.get(record_key, []),
                    corrections.get(record_key, []),
                    usernames,
                    questionnaires[questionnaire_key],
                )
            )
        yield batch
        last = batch.ids[-1]


def _answers_query(bind: Any, where: list[Any]) -> sa.Select[Any]:
    """Each record's answers as one JSON array of ``[path, value, provenance, place]``, made
    by the database: one row a record instead of one an answer, decoded in one call."""
    if bind.dialect.name == "sqlite":
        each = sa.func.json_array(
            ANSWER.c.path, sa.func.json(ANSWER.c.value), ANSWER.c.provenance, ANSWER.c.place
        )
        grouped = sa.func.json_group_array(each)
    else:
        each = sa.func.json_build_array(
            ANSWER.c.path, ANSWER.c.value, ANSWER.c.provenance, ANSWER.c.place
        )
        grouped = sa.func.json_agg(each)
    return (
        sa.select(
            key(ANSWER.c.record_id),
            sa.type_coerce(grouped, _RawJson()),
        )
        .where(*where)
        .group_by(ANSWER.c.record_id)
    )


class _RawJson(sa.types.TypeDecorator[Any]):
    """An answer's JSON value decoded with nothing around it. SQLite hands numbers back as
    numbers (its JSON column has numeric affinity), everything else as JSON text; the
    PostgreSQL driver decodes JSON itself."""

    impl = sa.Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if dialect.name == "sqlite" and isinstance(value, str):
            return _loads(value)
        return value


_decoder = json.JSONDecoder()


def _loads(text: str) -> Any:
    """JSON that Kompass itself wrote (no surrounding blanks): ``raw_decode`` skips the two
    whitespace scans of ``json.loads``, a third of its time on short values."""
    return _decoder.raw_decode(text)[0]


def _grouped(rows: Sequence[Any], by: Any = 0) -> dict[Any, list[Any]]:
    """Rows by their record id (``by``: its index in a tuple row, or its name in a mapping)."""
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[by], []).append(row)
    return grouped


def _questionnaire(questionnaire_id: str, version: str) -> Questionnaire | None:
    """The record's own questionnaire, any built-in version (``None``: one Kompass does not
    have, whose answers are exported as stored)."""
    from sporreskjema import questionnaire_of

    return questionnaire_of(questionnaire_id, version)


def _date(value: dt.date | str | None) -> str | None:
    """A day as ISO 8601; SQLite keeps it so already."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _time(value: dt.datetime | str | None) -> str | None:
    """A timestamp as ISO 8601 in UTC, as ``datetime.isoformat`` writes it."""
    if value is None:
        return None
    if isinstance(value, str):
        # SQLite's text, in UTC (Kompass writes no other): "2026-11-20 09:30:00.000000".
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            fraction = "" if value.endswith(".000000") else value[19:]
            return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite keeps no zone; Kompass writes UTC only
        value = value.replace(tzinfo=dt.UTC)
    elif value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat()


def _record_id(value: uuid.UUID | str) -> str:
    """A record id as text with its hyphens; SQLite keeps the 32 hex digits alone."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(uuid.UUID(str(value)))


@lru_cache(maxsize=256)
def _locales(text: str) -> tuple[str, ...]:
    """The stored list of locales used (most records share one of a few)."""
    return tuple(_loads(text))


_DERIVED_OF: dict[tuple[str, str], dict[str, dict[str, tuple[tuple[str, str], ...]]]] = {}


def _derived_values(
    questionnaire: Questionnaire,
) -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    """Question name → code → the ``(name, value)`` of each code derived from it (NUS2000,
    ISCED), for every question whose codes have some; worked out once per questionnaire
    version."""
    version = (questionnaire.id, questionnaire.version)
    if version in _DERIVED_OF:
        return _DERIVED_OF[version]
    found = _DERIVED_OF[version] = {}
    for question in questionnaire.all_questions():
        kinds = derived_codes(questionnaire, question)
        if not kinds:
            continue
        by_code = found.setdefault(question.name, {})
        for choice in questionnaire.choice_list(question.choices or ""):
            pairs = tuple(
                (question.name + d.suffix, value)
                for d in kinds
                if (value := getattr(choice, d.attribute)) is not None
            )
            if pairs:
                by_code[choice.code] = pairs
    return found


def nested_with_derived(
    questionnaire: Questionnaire | None, answers: list[Any]
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """``[path, value, provenance, place]`` in path order → the answers nested (repeat
    groups as arrays of entries, gaps closed) with the derived codes (NUS2000, ISCED) beside
    each code that has them, the provenance by path, and where each answer was given by path
    (answers whose place was not recorded are left out)."""
    derived = None if questionnaire is None else _derived_values(questionnaire)
    pairs = ((answer[0], answer[1]) for answer in answers)
    shown = nest_answers(pairs, beside=derived)
    provenance = {answer[0]: answer[2] for answer in answers}
    places = {answer[0]: answer[3] for answer in answers if answer[3] is not None}
    return shown, provenance, places


_SUFFIXES: Final = tuple(d.suffix for d in DERIVED)


def without_derived(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: the derived codes (NUS2000, ISCED) are not answers."""
    kept: dict[str, Any] = {}
    for name, value in answers.items():
        if name.endswith(_SUFFIXES):
            continue
        if is_group(value):
            kept[name] = [without_derived(entry) for entry in value]
        else:
            kept[name] = value
    return kept


_by_path = itemgetter(0)


def to_export(
    row: Sequence[Any],
    answers: list[Any],
    remarks: list[Any],
    corrections: list[Any],
    usernames: dict[int, str],
    questionnaire: Questionnaire | None,
) -> dict[str, Any]:
    """One record as the schema has it, from a row of ``_RECORD_COLUMNS``."""
    (
        record_id, questionnaire_id, questionnaire_version, status, needs_follow_up, mode,
        locale, locales_used, full_name, birth_date, person_key, permit_date,
        interpreter_used, interpreter_language, interpreter_registry_number,
        interpreter_channel, caseworker_id, started_at, updated_at, submitted_at,
        reviewed_at, exported_at, settlement_date,
    ) = row  # fmt: skip
    if isinstance(locales_used, str):
        locales_used = _locales(locales_used)
    # By path, so that a record reads the same whatever order its answers were saved in.
    answers.sort(key=_by_path)
    shown, provenance, places = nested_with_derived(questionnaire, answers)
    return {
        "schema_version": SCHEMA_VERSION,
        "record_id": _record_id(record_id),
        "questionnaire": {"id": questionnaire_id, "version": questionnaire_version},
        "status": status,
        "needs_follow_up": bool(needs_follow_up),
        "mode": mode,
        "locale": locale,
        "locales_used": list(locales_used or [locale]),
        "person": {
            "full_name": full_name,
            "birth_date": _date(birth_date),
            "person_id": person_key,
            "permit_date": _date(permit_date),
            "settlement_date": _date(settlement_date),
        },
        "interpreter": {
            "used": interpreter_used,
            "language": interpreter_language,
            "registry_number": interpreter_registry_number,
            "channel": interpreter_channel,
        },
        "caseworker": usernames.get(caseworker_id) if caseworker_id else None,
        "timestamps": {
            "started": _time(started_at),
            "updated": _time(updated_at),
            "submitted": _time(submitted_at),
            "reviewed": _time(reviewed_at),
            "exported": _time(exported_at),
        },
        "answers": shown,
        "provenance": provenance,
        "places": places,
        "remarks": [
            {
                "section": remark["section"],
                "kind": remark["kind"],
                "text": remark["text"],
                "author": usernames.get(remark["author_id"], "?"),
                "created_at": _time(remark["created_at"]),
            }
            for remark in remarks
        ],
        "corrections": [
            {
                "path": correction["path"],
                "old": correction["old_value"],
                "new": correction["new_value"],
                "reason": correction["reason"],
                "author": usernames.get(correction["author_id"], "?"),
                "created_at": _time(correction["created_at"]),
            }
            for correction in corrections
        ],
    }


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the objects that were alive before an export or an import out of the garbage
    collector's scans while it runs: each makes millions of short-lived dicts for a large
    file, and every full collection would otherwise walk the whole heap again (a fifth of
    the export's time)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
