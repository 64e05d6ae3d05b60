"""Submissions from ODK Collect and KoboToolbox back into Kompass (``kompass import
--from-odk``): the form ``kompass questionnaire xlsform`` wrote, filled on a tablet.

Read: a submission's XML instance as a device sends it (ODK Central and Briefcase keep them
as ``submission.xml``), a folder of them, ODK Central's CSV export (the zip, or its main
``.csv`` with the repeats' ``NAME-REPEAT.csv`` beside it), or the JSON of KoboToolbox's and ODK
Central's exports (a list of submissions, or ``{"results": [...]}``, or ``{"value": [...]}``,
with answers by name or by group path ``about_you/full_name``).

Each submission's answers are given to the engine one by one, as the kiosk gives what a
person typed (:meth:`sporreskjema.engine.Form.set`): a wrong answer (a phone number that is
no real number, an identity number whose check digits are wrong, an answer a skip rule hides)
refuses the file with the submission and the question named. The record is then written as
an import writes one (:func:`kompass_tui.exchange.importer.import_records`): all or nothing,
in one transaction. Its id is the submission's ``instanceID``, so the same submission imported
twice is one record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from kompass_tui.exchange.importer import ImportRefused, ImportResult, import_records
from kompass_tui.i18n import N_, Msg
from kompass_tui.storage.database import Database
from sporreskjema import Form, Question, Questionnaire, load_builtin
from sporreskjema.engine import FormError
from sporreskjema.engine import Path as AnswerPath

#: The submission's own fields (the XLSForm's metadata rows and ODK's and Kobo's own), which
#: are not answers.
META: Final = frozenset(
    {"meta", "instanceID", "instanceName", "deprecatedID", "__version__", "_version_", "formhub",
     "uuid", "__system", "SubmitterID", "AttachmentsPresent", "AttachmentsExpected", "Status",
     "ReviewState", "Edits", "FormVersion", "isValidated"}
)  # fmt: skip
#: The form's metadata (``xlsform.METADATA``) and ODK Central's names for two of them, and the
#: submission's attribute each fills.
_METADATA: Final = {
    "started_at": "started", "ended_at": "ended", "device_id": "device", "submitter": "submitter",
    "deviceID": "device", "submitterName": "submitter", "DeviceID": "device",
    "SubmitterName": "submitter",
}  # fmt: skip
#: Where the records came from, shown in the review.
COLLECTED_WITH: Final = "ODK/KoboToolbox"


@dataclass
class Submission:
    """One filled form: where it is (for messages), its instance id and its answers."""

    where: str
    instance_id: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    repeats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    started: str | None = None
    ended: str | None = None
    device: str | None = None
    submitter: str | None = None


def _refuse(where: str, reason: Msg) -> ImportRefused:
    return ImportRefused(
        Msg(N_("%(where)s: %(reason)s. Nothing was imported."), {"where": where, "reason": reason})
    )


# ---------------------------------------------------------------- reading


def read(path: Path, questionnaire: Questionnaire) -> Iterator[Submission]:
    """The submissions in ``path``: a folder of XML instances, or a file (an XML instance, a
    zip or main table of ODK Central's CSV export, a JSON export), told by its start and name."""
    groups = {q.name for q in questionnaire.all_questions() if q.kind.container}
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.xml") if p.is_file())
        if not files:
            raise _refuse(str(path), Msg(N_("the folder holds no submission (.xml)"), {}))
        for file in files:
            yield _from_xml(file, groups)
        return
    try:
        with path.open("rb") as handle:
            start = handle.read(1024).lstrip()
    except OSError as exc:
        raise _refuse(
            str(path), Msg(N_("cannot be read (%(reason)s)"), {"reason": exc.strerror or ""})
        ) from None
    if start.startswith(b"<"):
        yield _from_xml(path, groups)
    elif path.suffix.lower() == ".zip":
        yield from _from_csv_zip(path, groups)
    elif path.suffix.lower() == ".csv":
        tables = {p.name: p.read_bytes() for p in path.parent.glob(f"{path.stem}-*.csv")}
        yield from _from_csv(path.name, path.read_bytes(), tables, groups)
    else:
        yield from _from_json(path, groups)


def _from_xml(path: Path, groups: set[str]) -> Submission:
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, DefusedXmlException, OSError) as exc:
        raise _refuse(
            str(path), Msg(N_("is not a submission (%(reason)s)"), {"reason": str(exc)[:200]})
        ) from None
    if root is None:
        raise _refuse(str(path), Msg(N_("is not a submission (%(reason)s)"), {"reason": "empty"}))
    submission = Submission(where=path.name)
    _walk(root, submission, groups, entry=None)
    return submission


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _walk(
    element: Element, submission: Submission, groups: set[str], entry: dict[str, Any] | None
) -> None:
    for child in element:
        name = _local(child.tag)
        if name in groups:
            new: dict[str, Any] = {}
            submission.repeats.setdefault(name, []).append(new)
            _walk(child, submission, groups, new)
        elif len(child):
            _walk(child, submission, groups, entry)
        else:
            _answer(submission, entry, name, (child.text or "").strip())


def _answer(submission: Submission, entry: dict[str, Any] | None, name: str, value: Any) -> None:
    if name == "instanceID":
        submission.instance_id = str(value)
    elif name in _METADATA:
        setattr(submission, _METADATA[name], str(value) or None)
    elif name in META or name.startswith("_"):
        return
    elif entry is not None:
        entry[name] = value
    else:
        submission.answers[name] = value


def _from_json(path: Path, groups: set[str]) -> Iterator[Submission]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(
            str(path), Msg(N_("is not a submission (%(reason)s)"), {"reason": str(exc)[:200]})
        ) from None
    if isinstance(data, dict):
        data = data.get("results", data.get("value", [data]))
    if not isinstance(data, list):
        raise _refuse(str(path), Msg(N_("is not a list of submissions"), {}))
    for number, item in enumerate(data, start=1):
        where = f"{path.name} #{number}"
        if not isinstance(item, dict):
            raise _refuse(where, Msg(N_("is not a submission"), {}))
        submission = Submission(where=where)
        _flatten(item, submission, groups, entry=None)
        yield submission


# ODK Central's CSV export (as ODK Briefcase's): a table of the submissions (``KEY`` their
# instanceID; a column per field, named by its groups joined with ``-``) and a table per
# repeat (``PARENT_KEY`` the submission, ``KEY`` ``…/educations[2]``). Dates are read as
# Central writes them (ISO); Briefcase's dates in the desktop's language are not.
_CSV_KEYS: Final = frozenset({"KEY", "PARENT_KEY", "SubmissionDate"})
_REPEAT_KEY: Final = re.compile(r"/([a-z][a-z0-9_]*)\[([0-9]+)\]$")


def _from_csv_zip(path: Path, groups: set[str]) -> Iterator[Submission]:
    try:
        with zipfile.ZipFile(path) as archive:
            tables = {
                Path(name).name: archive.read(name)
                for name in archive.namelist()
                if name.lower().endswith(".csv")
            }
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(
            path.name, Msg(N_("is not a submission (%(reason)s)"), {"reason": str(exc)[:200]})
        ) from None
    roots = [name for name, data in tables.items() if b"PARENT_KEY" not in data.split(b"\n", 1)[0]]
    if len(roots) != 1:
        raise _refuse(path.name, Msg(N_("holds no submission"), {}))
    (root,) = roots
    yield from _from_csv(root, tables.pop(root), tables, groups)


def _rows(name: str, data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            name, Msg(N_("is not a submission (%(reason)s)"), {"reason": str(exc)[:200]})
        ) from None
    return list(csv.DictReader(io.StringIO(text)))


def _from_csv(
    name: str, data: bytes, repeats: dict[str, bytes], groups: set[str]
) -> Iterator[Submission]:
    entries: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for table, content in repeats.items():
        for row in _rows(table, content):
            found = _REPEAT_KEY.search(row.get("KEY") or "")
            if found is None or found.group(1) not in groups:
                continue
            entry = {
                column.rsplit("-", 1)[-1]: value
                for column, value in row.items()
                if column and column not in _CSV_KEYS and not column.startswith("SET-OF-")
            }
            entries.setdefault(row.get("PARENT_KEY") or "", []).append(
                (int(found.group(2)), found.group(1), entry)
            )
    for number, row in enumerate(_rows(name, data), start=2):
        submission = Submission(where=f"{name}:{number}")
        for column, value in row.items():
            if not column or column in _CSV_KEYS or column.startswith("SET-OF-"):
                continue
            _answer(submission, None, column.rsplit("-", 1)[-1], (value or "").strip())
        submission.instance_id = submission.instance_id or row.get("KEY")
        for _order, group, entry in sorted(entries.get(row.get("KEY") or "", [])):
            submission.repeats.setdefault(group, []).append(entry)
        yield submission


def _flatten(
    item: dict[str, Any], submission: Submission, groups: set[str], entry: dict[str, Any] | None
) -> None:
    for key, value in item.items():
        name = key.rsplit("/", 1)[-1]
        if name == "__system" and isinstance(value, dict):  # ODK Central's own fields
            submission.device = value.get("deviceId") or submission.device
            submission.submitter = value.get("submitterName") or submission.submitter
        elif name == "meta" and isinstance(value, dict):
            _flatten(value, submission, groups, entry)
        elif name in groups and isinstance(value, list):
            for element in value:
                if isinstance(element, dict):
                    new: dict[str, Any] = {}
                    submission.repeats.setdefault(name, []).append(new)
                    _flatten(element, submission, groups, new)
        elif isinstance(value, dict):
            _flatten(value, submission, groups, entry)
        else:
            _answer(submission, entry, name, "" if value is None else value)


# ---------------------------------------------------------------- answers


def _raw(question: Question, text: Any) -> Any:
    """What ODK stores, as the kiosk's parse takes it."""
    if text in ("", None):
        return None
    if question.type in ("multiple", "ranked") or (
        question.type == "language" and question.multiple
    ):
        return str(text).split() if isinstance(text, str) else text
    if question.type == "date":
        try:
            return dt.date.fromisoformat(str(text)[:10])
        except ValueError:
            return str(text)
    if question.type == "confirm":
        return True if str(text).strip().upper() in ("OK", "TRUE", "1", "YES") else str(text)
    return str(text)


def record_id_of(submission: Submission) -> uuid.UUID:
    """The record's id: the submission's instanceID (``uuid:…``)."""
    text = (submission.instance_id or "").removeprefix("uuid:")
    try:
        return uuid.UUID(text)
    except ValueError:
        raise _refuse(
            submission.where,
            Msg(N_("has no instanceID (uuid:…), which makes its import idempotent"), {}),
        ) from None


def form_of(submission: Submission, questionnaire: Questionnaire, today: dt.date) -> Form:
    """The submission's answers given to the engine in the questionnaire's order, as typed."""
    form = Form(questionnaire, today=today)
    known = {q.name for q in questionnaire.all_questions()}
    unknown = sorted(
        set(submission.answers) - known
        | {name for entries in submission.repeats.values() for e in entries for name in e} - known
    )
    if unknown:
        raise _refuse(
            submission.where,
            Msg(N_("answers a question this questionnaire does not have: %(name)s"),
                {"name": unknown[0]}),
        )  # fmt: skip
    for section in questionnaire.sections:
        for question in section.questions:
            if question.kind.container:
                for entry in submission.repeats.get(question.name, []):
                    try:
                        index = form.add_entry(question.name)
                    except FormError as exc:  # more entries than the question allows
                        raise _refuse(submission.where, exc.message) from None
                    for inner in question.questions:
                        _set(form, submission, inner, entry.get(inner.name),
                             AnswerPath(inner.name, question.name, index))  # fmt: skip
            elif question.holds_value:
                _set(form, submission, question, submission.answers.get(question.name),
                     AnswerPath(question.name))  # fmt: skip
    return form


def _set(
    form: Form, submission: Submission, question: Question, text: Any, path: AnswerPath
) -> None:
    raw = _raw(question, text)
    if raw is None:
        return
    error = form.set(path, raw)
    if error is not None:
        raise _refuse(submission.where, error)


# ---------------------------------------------------------------- records


def _moment(text: str | None, fallback: dt.datetime) -> str:
    """A submission's time in the export format (UTC, ``Z``); ``fallback`` when it has none."""
    moment = fallback
    if text:
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            moment = parsed
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def record_of(
    submission: Submission, questionnaire: Questionnaire, *, locale: str, now: dt.datetime
) -> dict[str, Any]:
    """The submission as a record in the export format, as the kiosk would have sent it."""
    form = form_of(submission, questionnaire, now.date())
    missing = form.errors()
    if missing:
        raise _refuse(submission.where, missing[0].message)
    # A repeat without entries is no answer (the kiosk stores none either).
    answers = {name: value for name, value in form.relevant_answers().items() if value != []}
    record_id = record_id_of(submission)
    started = _moment(submission.started, now)
    ended = _moment(submission.ended, now)

    def person(name: str) -> Any:
        value = answers.get(name)
        return None if value is None else str(value)

    provenance = {
        path: "self" for path in _paths(answers, questionnaire)
    }  # the person answered on the tablet
    return {
        "schema_version": 2,
        "record_id": str(record_id),
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version},
        "status": "submitted",
        "needs_follow_up": bool(form.follow_ups()),
        "mode": "imported",
        "locale": locale,
        "locales_used": [locale],
        "person": {
            "full_name": person("full_name"),
            "birth_date": person("birth_date"),
            "person_id": person("person_id"),
            "permit_date": person("permit_date"),
        },
        "interpreter": {"used": None, "language": None, "registry_number": None, "channel": None},
        "caseworker": None,
        "timestamps": {
            "started": started,
            "updated": ended,
            "submitted": ended,
            "reviewed": None,
            "exported": None,
        },
        "answers": answers,
        "provenance": provenance,
        "remarks": [],
        "corrections": [],
    }


def _paths(answers: dict[str, Any], questionnaire: Questionnaire) -> Iterator[str]:
    names = {q.name for q in questionnaire.all_questions()}
    for name, value in answers.items():
        if name not in names:
            continue  # as written (…_written), not an answer of its own
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                for inner in entry:
                    if inner in names:
                        yield f"{name}[{index}].{inner}"
        else:
            yield name


def collected_with(submission: Submission) -> str:
    """Where a record came from, for the review: the tools, the device and who submitted."""
    parts = [COLLECTED_WITH]
    if submission.device:
        parts.append(submission.device)
    if submission.submitter:
        parts.append(submission.submitter)
    return " · ".join(parts)[:80]


def import_odk(
    db: Database, path: Path, *, actor_id: int, locale: str, now: dt.datetime | None = None
) -> ImportResult:
    """Every submission in ``path``, all or none, as records of the newest questionnaire."""
    questionnaire = load_builtin()
    moment = now or dt.datetime.now(dt.UTC)
    records = [
        (submission.where, record_of(submission, questionnaire, locale=locale, now=moment),
         collected_with(submission))
        for submission in read(path, questionnaire)
    ]  # fmt: skip
    if not records:
        raise _refuse(path.name, Msg(N_("holds no submission"), {}))
    return import_records(db, records, actor_id=actor_id, file=path.name)
