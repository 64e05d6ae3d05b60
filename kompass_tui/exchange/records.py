"""Records as the export format has them (``kompass-record-1.schema.json``), read from the
database a batch at a time, so memory does not grow with the number of records.

Reading is SQLAlchemy Core: each batch is one query for the records (by id, after the last
one of the batch before) and one each for their answers, remarks and corrections.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.storage.records import parse_path as _parse
from sporreskjema import Path, Questionnaire

SCHEMA_VERSION: Final = 1
SCHEMA_FILE: Final = "kompass-record-1.schema.json"
#: Records read and written per batch.
BATCH: Final = 500
#: Added beside an answer whose code has a NUS2000 level digit (ISCED levels).
NUS_SUFFIX: Final = "_nus2000"

_TABLES = SQLModel.metadata.tables
RECORD = _TABLES["record"]
ANSWER = _TABLES["answer"]
REMARK = _TABLES["remark"]
CORRECTION = _TABLES["correction"]
CASEWORKER = _TABLES["caseworker"]
AUDIT = _TABLES["audit_event"]


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one exported record."""
    text = resources.files("kompass_tui.exchange").joinpath(SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


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


@dataclass(frozen=True)
class Batch:
    """Records as exported, and their ids in the database, in the same order."""

    ids: list[uuid.UUID]
    records: list[dict[str, Any]]
    selection: Selection

    def where(self, record_id: Any) -> list[Any]:
        """Conditions on a record id column for reading the rows of this batch's records: their
        id range and the selection, two bound values instead of one for each of hundreds of ids.
        A record saved since the batch was read may fall in the range too; its rows are read
        and left unused (the batch's records are looked up by id)."""
        return [record_id.between(self.ids[0], self.ids[-1]), *self.selection.where(record_id)]


def batches(db: Database, selection: Selection) -> Iterator[Batch]:
    """The selected records, a batch at a time, ordered by record id."""
    questionnaires: dict[tuple[str, str], Questionnaire | None] = {}
    last: uuid.UUID | None = None
    usernames: dict[int, str] = {}
    while True:
        with db.session() as session:
            query = sa.select(RECORD).where(*selection.where()).order_by(RECORD.c.id).limit(BATCH)
            if last is not None:
                query = query.where(RECORD.c.id > last)
            rows = session.execute(query).mappings().all()
            if not rows:
                return
            ids = [row["id"] for row in rows]
            batch = Batch(ids, [], selection)
            # Keyed by the id's hex digits: SQLite hands back text, PostgreSQL a UUID.
            answers = {
                key.hex if isinstance(key, uuid.UUID) else key: found
                for key, found in session.execute(
                    _answers_query(session.get_bind(), batch.where(ANSWER.c.record_id))
                ).all()
            }
            remarks = _grouped(
                session.execute(
                    sa.select(REMARK).where(*batch.where(REMARK.c.record_id)).order_by(REMARK.c.id)
                )
                .mappings()
                .all(),
                "record_id",
            )
            corrections = _grouped(
                session.execute(
                    sa.select(CORRECTION)
                    .where(*batch.where(CORRECTION.c.record_id))
                    .order_by(CORRECTION.c.id)
                )
                .mappings()
                .all(),
                "record_id",
            )
            authors = {
                r["author_id"]
                for group in (remarks, corrections)
                for rs in group.values()
                for r in rs
            } | {row["caseworker_id"] for row in rows if row["caseworker_id"] is not None}
            missing = authors - set(usernames)
            if missing:
                found = session.execute(
                    sa.select(CASEWORKER.c.id, CASEWORKER.c.username).where(
                        CASEWORKER.c.id.in_(sorted(missing))
                    )
                ).all()
                usernames.update({int(row[0]): str(row[1]) for row in found})
        for row in rows:
            key = (row["questionnaire_id"], row["questionnaire_version"])
            if key not in questionnaires:
                questionnaires[key] = _questionnaire(*key)
            batch.records.append(
                to_export(
                    row,
                    answers.get(row["id"].hex, []),
                    remarks.get(row["id"], []),
                    corrections.get(row["id"], []),
                    usernames,
                    questionnaires[key],
                )
            )
        yield batch
        last = ids[-1]


def _answers_query(bind: Any, where: list[Any]) -> sa.Select[Any]:
    """Each record's answers as one JSON array of ``[path, value, provenance]``, made by the
    database: one row a record instead of one an answer, decoded in one call."""
    if bind.dialect.name == "sqlite":
        triple = sa.func.json_array(
            ANSWER.c.path, sa.func.json(ANSWER.c.value), ANSWER.c.provenance
        )
        grouped = sa.func.json_group_array(triple)
    else:
        triple = sa.func.json_build_array(ANSWER.c.path, ANSWER.c.value, ANSWER.c.provenance)
        grouped = sa.func.json_agg(triple)
    return (
        sa.select(
            # As text on SQLite: made a UUID once a record, not through the column type.
            sa.type_coerce(ANSWER.c.record_id, sa.String),
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


def _grouped(rows: Sequence[Any], key: Any = 0) -> dict[Any, list[Any]]:
    """Rows by their record id (``key``: its index in a tuple row, or its name in a mapping)."""
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _questionnaire(questionnaire_id: str, version: str) -> Questionnaire | None:
    from sporreskjema import load_builtin

    builtin = load_builtin()
    if (builtin.id, builtin.version) == (questionnaire_id, version):
        return builtin
    return None


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite keeps no zone; Kompass writes UTC only
        value = value.replace(tzinfo=dt.UTC)
    elif value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat()


_NUS_DIGITS: dict[tuple[str, str], dict[tuple[str, str], str]] = {}


def _nus_digits(questionnaire: Questionnaire) -> dict[tuple[str, str], str]:
    """(question name, code) → NUS2000 digit, for every single-choice question whose codes
    have one; worked out once per questionnaire version."""
    key = (questionnaire.id, questionnaire.version)
    if key in _NUS_DIGITS:
        return _NUS_DIGITS[key]
    digits = _NUS_DIGITS[key] = {}
    for question in questionnaire.all_questions():
        if question.type == "single" and question.choices:
            for choice in questionnaire.choice_list(question.choices):
                if choice.nus is not None:
                    digits[(question.name, choice.code)] = choice.nus
    return digits


def nested_with_nus(
    questionnaire: Questionnaire | None, answers: list[Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``[path, value, provenance]`` triples in path order → the answers nested (repeat
    groups as arrays of entries, gaps closed) with the NUS2000 level digit beside each code
    that has one, and the provenance by path. One pass: an export makes this for every record.
    """
    digits = {} if questionnaire is None else _nus_digits(questionnaire)
    shown: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    groups: dict[str, dict[int, dict[str, Any]]] = {}
    for path, value, who in answers:
        provenance[path] = who
        if "[" in path:
            parsed = _parse(path)
            assert parsed.group is not None
            assert parsed.index is not None
            entry = groups.setdefault(parsed.group, {}).setdefault(parsed.index, {})
            _put(entry, digits, parsed.name, value)
        else:
            _put(shown, digits, path, value)
    for group, entries in groups.items():
        shown[group] = [entries[index] for index in sorted(entries)]
    return shown, provenance


def _put(
    answers: dict[str, Any], digits: dict[tuple[str, str], str], name: str, value: Any
) -> None:
    answers[name] = value
    if isinstance(value, str):
        nus = digits.get((name, value))
        if nus is not None:
            answers[name + NUS_SUFFIX] = nus


def _is_group(value: Any) -> bool:
    """A repeat group's entries (a list of dicts), not a list of codes."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def without_nus(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: the NUS2000 digits are derived, not answers."""
    kept: dict[str, Any] = {}
    for name, value in answers.items():
        if name.endswith(NUS_SUFFIX):
            continue
        if _is_group(value):
            kept[name] = [without_nus(entry) for entry in value]
        else:
            kept[name] = value
    return kept


_by_path = itemgetter(0)


def to_export(
    row: Any,
    answers: list[Any],
    remarks: list[Any],
    corrections: list[Any],
    usernames: dict[int, str],
    questionnaire: Questionnaire | None,
) -> dict[str, Any]:
    # By path, so that a record reads the same whatever order its answers were saved in.
    shown, provenance = nested_with_nus(questionnaire, sorted(answers, key=_by_path))
    return {
        "schema_version": SCHEMA_VERSION,
        "record_id": str(row["id"]),
        "questionnaire": {"id": row["questionnaire_id"], "version": row["questionnaire_version"]},
        "status": row["status"],
        "needs_follow_up": bool(row["needs_follow_up"]),
        "mode": row["mode"],
        "locale": row["locale"],
        "locales_used": list(row["locales_used"] or [row["locale"]]),
        "person": {
            "full_name": row["full_name"],
            "birth_date": _date(row["birth_date"]),
            "person_id": row["person_key"],
            "permit_date": _date(row["permit_date"]),
        },
        "interpreter": {
            "used": row["interpreter_used"],
            "language": row["interpreter_language"],
            "registry_number": row["interpreter_registry_number"],
            "channel": row["interpreter_channel"],
        },
        "caseworker": usernames.get(row["caseworker_id"]) if row["caseworker_id"] else None,
        "timestamps": {
            "started": _time(row["started_at"]),
            "updated": _time(row["updated_at"]),
            "submitted": _time(row["submitted_at"]),
            "reviewed": _time(row["reviewed_at"]),
            "exported": _time(row["exported_at"]),
        },
        "answers": shown,
        "provenance": provenance,
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


def flat_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """``{"jobs": [{"job_title": …}]}`` → ``{"jobs[0].job_title": …}``, as stored."""
    flat: dict[str, Any] = {}
    for name, value in answers.items():
        if _is_group(value):
            for index, entry in enumerate(value):
                for child, child_value in entry.items():
                    flat[str(Path(child, name, index))] = child_value
        else:
            flat[name] = value
    return flat
