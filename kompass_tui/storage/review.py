"""The municipality's review: the record list, the record with its history, remarks,
corrections, status and the follow-up flag.

Every change is one transaction with its audit event. Reading a record is audited too: the
data are personal data, and the log shows who looked at whose record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import col, func, select

from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import audit, records, statements
from kompass_tui.storage import deadlines as municipal
from kompass_tui.storage.answers import parse_path
from kompass_tui.storage.choices import Sort as Sort
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.deadlines import DEFAULT_SURVEY_DAYS, Deadlines
from kompass_tui.storage.errors import RecordNotFound
from kompass_tui.storage.models import (
    Answer,
    AuditEvent,
    Caseworker,
    Correction,
    Place,
    Record,
    Remark,
    RemarkKind,
    UTCDateTime,
    utcnow,
)
from kompass_tui.storage.records import existing_record
from kompass_tui.storage.status import CORRECTABLE as CORRECTABLE
from kompass_tui.storage.status import OPEN_STATUSES as OPEN_STATUSES
from kompass_tui.storage.status import STATUS_NAMES as STATUS_NAMES
from kompass_tui.storage.status import TRANSITIONS as TRANSITIONS
from kompass_tui.storage.status import Status, may_follow
from kompass_tui.storage.status import status_msg as status_msg
from sporreskjema import Questionnaire
from sporreskjema.calendars import AS_WRITTEN_SUFFIX
from sporreskjema.text import clean_text

#: The survey is due within two weeks of the residence permit (integration act § 10), unless
#: the municipality set its own deadline (:mod:`kompass_tui.storage.deadlines`).
DEADLINE_DAYS: Final = DEFAULT_SURVEY_DAYS
REMARK_MAX_LENGTH: Final = 4000
REASON_MAX_LENGTH: Final = records.REASON_MAX_LENGTH
#: The most records one page of the list shows (``kompass list --limit`` allows no more), so
#: that the audit event of a listing can name every record it showed.
PAGE_MAX: Final = 1000


class ReviewError(StorageError):
    """A review action that cannot be done as asked; the message says why."""


#: The law's deadlines, for whoever is not told the municipality's own.
LAW: Final = Deadlines()


def deadline(permit_date: dt.date | None, deadlines: Deadlines = LAW) -> dt.date | None:
    """The survey's last day (two weeks after the permit date, by default)."""
    return deadlines.survey_due(permit_date)


def days_left(
    permit_date: dt.date | None, today: dt.date, deadlines: Deadlines = LAW
) -> int | None:
    """Days until the survey's deadline; negative when it has passed, None without a permit
    date."""
    due = deadline(permit_date, deadlines)
    return None if due is None else (due - today).days


def overdue(
    permit_date: dt.date | None, status: str, today: dt.date, deadlines: Deadlines = LAW
) -> bool:
    """Past the survey's deadline and not sent yet: the list shows it in red, as the figures
    count it (``kompass stats``: overdue now). A record sent is late or in time by its first
    sending (:func:`days_late`), whatever became of it since."""
    left = days_left(permit_date, today, deadlines)
    return left is not None and left < 0 and status == Status.in_progress


def days_late(
    permit_date: dt.date | None, submitted_at: dt.datetime | None, deadlines: Deadlines = LAW
) -> int | None:
    """For a record sent: how many days after the survey's deadline it was first sent (zero or
    less: in time); None without a permit date or a time of sending. Fixed once sent, so a
    printed or archived record says the same whenever it is read."""
    due = deadline(permit_date, deadlines)
    if due is None or submitted_at is None:
        return None
    return (submitted_at.date() - due).days


def guidance_days_left(
    settlement_date: dt.date | None, today: dt.date, deadlines: Deadlines = LAW
) -> int | None:
    """Days until the career guidance's deadline; None without a settlement date."""
    due = deadlines.guidance_due(settlement_date)
    return None if due is None else (due - today).days


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: a page of records matching filters, in an order."""

    statuses: frozenset[Status] = OPEN_STATUSES
    follow_up_only: bool = False
    #: Only records someone was refused a second registration for (``duplicate_refused``).
    refused_duplicates_only: bool = False
    #: Only records whose permit date is before this day (with ``statuses`` of only
    #: ``in_progress``: those whose survey deadline has passed, the overview's overdue records).
    permit_before: dt.date | None = None
    #: Part of a name, identifier digits or the start of a record id.
    search: str = ""
    sort: Sort = Sort.deadline
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class RecordRow:
    id: uuid.UUID
    status: Status
    full_name: str | None
    person_key: str | None
    permit_date: dt.date | None
    needs_follow_up: bool
    locale: str
    updated_at: dt.datetime
    settlement_date: dt.date | None = None
    submitted_at: dt.datetime | None = None


@dataclass(frozen=True)
class RecordPage:
    rows: list[RecordRow]
    #: How many records match in all (the page is a slice of them).
    total: int
    query: ListQuery
    #: The municipality's deadlines, which the rows' are reckoned by.
    deadlines: Deadlines = LAW


_LIST_COLUMNS = (
    col(Record.id),
    col(Record.status),
    col(Record.full_name),
    col(Record.person_key),
    col(Record.permit_date),
    col(Record.needs_follow_up),
    col(Record.locale),
    col(Record.updated_at),
    col(Record.settlement_date),
    col(Record.submitted_at),
)


@dataclass(frozen=True)
class SearchTerm:
    """What the list's search box finds: records whose name contains ``name`` (in any case),
    whose identifier starts with ``digits``, or whose id starts with ``hexdigits``."""

    name: str
    #: Empty unless the search is digits (and spaces between them).
    digits: str = ""
    #: Empty unless the search is at least four hexadecimal digits (and hyphens).
    hexdigits: str = ""

    @classmethod
    def parse(cls, search: str) -> SearchTerm | None:
        """The search as typed; ``None`` when it has nothing to search for."""
        needle = clean_text(search).strip()
        if not needle:
            return None
        digits = "".join(ch for ch in needle if ch.isdigit())
        hexdigits = needle.replace("-", "").lower()
        return cls(
            name=needle.lower(),
            digits=digits if digits and len(digits) == len(needle.replace(" ", "")) else "",
            hexdigits=(
                hexdigits
                if len(hexdigits) >= 4 and all(ch in "0123456789abcdef" for ch in hexdigits)
                else ""
            ),
        )


def _filters(query: ListQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.statuses:
        conditions.append(col(Record.status).in_(sorted(query.statuses)))
    if query.follow_up_only:
        conditions.append(col(Record.needs_follow_up).is_(True))
    if query.permit_before is not None:
        conditions.append(col(Record.permit_date) < query.permit_before)
    if query.refused_duplicates_only:
        conditions.append(
            col(Record.id).in_(
                sa.select(col(AuditEvent.record_id)).where(
                    col(AuditEvent.action) == audit.Action.duplicate_refused
                )
            )
        )
    term = SearchTerm.parse(query.search)
    if term is not None:
        options = [func.lower(col(Record.full_name)).contains(term.name, autoescape=True)]
        if term.digits:
            options.append(col(Record.person_key).startswith(term.digits, autoescape=True))
        if term.hexdigits:
            options.append(_id_prefix(term.hexdigits))
        conditions.append(sa.or_(*options))
    return conditions


def _id_prefix(hexdigits: str) -> Any:
    """Records whose id starts with ``hexdigits``, whatever way the database keeps UUIDs."""
    low = uuid.UUID(hexdigits.ljust(32, "0"))
    high = uuid.UUID(hexdigits.ljust(32, "f"))
    return col(Record.id).between(low, high)


def _order(sort: Sort) -> list[Any]:
    if sort is Sort.name:
        return [func.lower(col(Record.full_name)).asc().nulls_last(), col(Record.id)]
    if sort is Sort.updated:
        return [col(Record.updated_at).desc(), col(Record.id)]
    return [col(Record.permit_date).asc().nulls_last(), col(Record.id)]


def list_records(db: Database, query: ListQuery, *, actor_id: int | None) -> RecordPage:
    """One page of the list: only the page's rows are read, and the matching count.

    The list shows names and identifiers, so a caseworker's reading (``actor_id``) is audited
    with what was asked and which records were shown (``records``: their ids, at most
    :data:`PAGE_MAX`, the most a page holds); ``None`` is for the program itself."""
    conditions = _filters(query)
    with db.session() as session:
        total = session.execute(
            sa.select(sa.func.count()).select_from(Record).where(*conditions)
        ).scalar_one()
        rows = session.execute(
            sa.select(*_LIST_COLUMNS)
            .where(*conditions)
            .order_by(*_order(query.sort))
            .offset(max(query.offset, 0))
            .limit(max(min(query.limit, PAGE_MAX), 0))
        ).all()
    if actor_id is not None:
        # What was asked; the filter of refused duplicates only when it was used.
        extra: dict[str, Any] = (
            {"refused_duplicates_only": True} if query.refused_duplicates_only else {}
        )
        with db.write() as session:
            audit.log(
                session,
                audit.Action.records_listed,
                actor_id=actor_id,
                statuses=sorted(str(status) for status in query.statuses),
                follow_up_only=query.follow_up_only,
                search=clean_text(query.search),
                offset=query.offset,
                shown=len(rows),
                records=[str(row[0]) for row in rows],
                **extra,
            )
    return RecordPage(
        [
            RecordRow(
                id=row[0],
                status=Status(row[1]),
                full_name=row[2],
                person_key=row[3],
                permit_date=row[4],
                needs_follow_up=bool(row[5]),
                locale=row[6],
                updated_at=row[7],
                settlement_date=row[8],
                submitted_at=row[9],
            )
            for row in rows
        ],
        int(total),
        query,
        municipal.load(db),
    )


@dataclass(frozen=True)
class RefusedDuplicates:
    """Second registrations refused for the person of a record: how many, and the last."""

    count: int
    last: dt.datetime


def refused_duplicates(
    db: Database, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, RefusedDuplicates]:
    """For each of these records (a page of the list) that someone was refused a second
    registration for, how many times and when last (``duplicate_refused`` events)."""
    if not record_ids:
        return {}
    with db.session() as session:
        rows = session.execute(
            sa.select(
                col(AuditEvent.record_id),
                sa.func.count(),
                # typed as the column, so that the driver's text comes back an aware time
                sa.type_coerce(sa.func.max(col(AuditEvent.at)), UTCDateTime()),
            )
            .where(
                col(AuditEvent.action) == audit.Action.duplicate_refused,
                col(AuditEvent.record_id).in_(list(record_ids)),
            )
            .group_by(col(AuditEvent.record_id))
        ).all()
    return {row[0]: RefusedDuplicates(int(row[1]), row[2]) for row in rows if row[0] is not None}


def find_record_id(db: Database, text: str) -> uuid.UUID:
    """The record a person typed: a whole id, or the start of one (at least 8 characters) that
    only one record has."""
    cleaned = clean_text(text).strip().lower()
    try:
        return _existing(db, uuid.UUID(cleaned))
    except ValueError:
        pass
    hexdigits = cleaned.replace("-", "")
    if len(hexdigits) < 8 or not all(ch in "0123456789abcdef" for ch in hexdigits):
        raise RecordNotFound(text)
    with db.session() as session:
        found = session.exec(select(Record.id).where(_id_prefix(hexdigits)).limit(2)).all()
    if len(found) != 1:
        if found:
            raise ReviewError(
                Msg(
                    N_("More than one record starts with %(id)s; give more of the id."),
                    {"id": text},
                )
            )
        raise RecordNotFound(text)
    return found[0]


def _existing(db: Database, record_id: uuid.UUID) -> uuid.UUID:
    with db.session() as session:
        existing_record(session, record_id)
    return record_id


# ---------------------------------------------------------------- one record


@dataclass
class RecordView:
    """A record with everything said about it, oldest first."""

    record: Record
    answers: list[Answer]
    remarks: list[Remark]
    corrections: list[Correction]
    #: Caseworker ids to names, for authors.
    names: dict[int, str] = field(default_factory=dict)
    #: The municipality's deadlines, which the record's are reckoned by.
    deadlines: Deadlines = LAW

    def author(self, caseworker_id: int | None) -> str:
        return self.names.get(caseworker_id or -1, "?")

    def answer_values(self) -> dict[str, Any]:
        return {answer.path: answer.value for answer in self.answers}


def view_record(db: Database, record_id: uuid.UUID, *, actor_id: int) -> RecordView:
    """Read a record for a caseworker; the reading is audited."""
    with db.write() as session:
        record = existing_record(session, record_id)
        audit.log(session, audit.Action.record_viewed, actor_id=actor_id, record_id=record_id)
    return load_view(db, record_id, record=record)


def load_view(db: Database, record_id: uuid.UUID, *, record: Record | None = None) -> RecordView:
    """The record view without an audit event (after the caseworker's own change)."""
    with db.session() as session:
        record = record or existing_record(session, record_id)
        answers = list(
            session.exec(
                select(Answer).where(Answer.record_id == record_id).order_by(col(Answer.id))
            )
        )
        remarks = list(
            session.exec(
                select(Remark).where(Remark.record_id == record_id).order_by(col(Remark.id))
            )
        )
        corrections = list(
            session.exec(
                select(Correction)
                .where(Correction.record_id == record_id)
                .order_by(col(Correction.id))
            )
        )
        authors = {r.author_id for r in remarks} | {c.author_id for c in corrections}
        if record.caseworker_id is not None:
            authors.add(record.caseworker_id)
        names: dict[int, str] = {}
        if authors:
            for worker in session.exec(
                select(Caseworker).where(col(Caseworker.id).in_(sorted(authors)))
            ):
                assert worker.id is not None
                # The full name; the user name of an account that has none (a row written
                # past the program).
                names[worker.id] = worker.full_name or worker.username
    return RecordView(record, answers, remarks, corrections, names, municipal.load(db))


# ---------------------------------------------------------------- changes


def add_remark(
    db: Database,
    *,
    record_id: uuid.UUID,
    actor_id: int,
    text: str,
    questionnaire: Questionnaire,
    section: str | None = None,
    kind: RemarkKind = RemarkKind.remark,
) -> Remark:
    """Append a remark (to one section, or to the whole record with ``section`` None)."""
    cleaned = _checked_text(
        text,
        REMARK_MAX_LENGTH,
        empty=N_("A remark needs some text."),
        too_long=N_("A remark can be at most %(max)d characters long."),
    )
    if section is not None:
        check_section(questionnaire, section)
    with db.write() as session:
        existing_record(session, record_id)
        remark = Remark(
            record_id=record_id, section=section, kind=kind, text=cleaned, author_id=actor_id
        )
        session.add(remark)
        audit.log(
            session,
            audit.Action.remark_added,
            actor_id=actor_id,
            record_id=record_id,
            section=section,
            kind=str(kind),
        )
    return remark


def _checked_text(text: str, limit: int, *, empty: str, too_long: str) -> str:
    """Free text from a caseworker, cleaned of control characters; refused when empty or long."""
    cleaned = clean_text(text, multiline=True).strip()
    if not cleaned:
        raise ReviewError(Msg(empty))
    if len(cleaned) > limit:
        raise ReviewError(Msg(too_long, {"max": limit}))
    return cleaned


def check_section(questionnaire: Questionnaire, section: str) -> None:
    names = [s.name for s in questionnaire.sections]
    if section not in names:
        raise ReviewError(
            Msg(
                N_("There is no section '%(section)s'. The sections are: %(names)s."),
                {"section": section, "names": ", ".join(names)},
            )
        )


def correct_answer(
    db: Database,
    *,
    record_id: uuid.UUID,
    actor_id: int,
    path: str,
    value: Any,
    reason: str,
    place: Place = Place.review,
    provenance: str = "caseworker",
    beside: Mapping[str, Any] | None = None,
) -> Correction:
    """Change one answer, keeping the old value and the reason in the record's history.

    ``value`` is the new answer already checked by the questionnaire's engine, in its JSON
    form (``None`` removes the answer). In the review the caseworker gives it (the
    defaults); at the assisted desk, clearing up a record sent back, it is given there, by
    whoever gives it (``place``, ``provenance``), with the rows that go ``beside`` it (a
    date as written in another calendar: path → value, ``None`` removes it).
    """
    parse_path(path)
    why = _checked_text(
        reason,
        REASON_MAX_LENGTH,
        empty=N_("A correction needs a reason."),
        too_long=N_("A reason can be at most %(max)d characters long."),
    )
    with db.write() as session:
        record = existing_record(session, record_id)
        if record.status not in CORRECTABLE:
            raise ReviewError(
                Msg(
                    N_(
                        "Only submitted or reviewed records can be corrected; this one is %(status)s."
                    ),
                    {"status": status_msg(Status(record.status))},
                )
            )
        answer = session.exec(
            select(Answer).where(Answer.record_id == record_id, Answer.path == path)
        ).first()
        old = None if answer is None else answer.value
        if old == value:
            raise ReviewError(Msg(N_("The new answer is the same as the old one.")))
        now = utcnow()
        _put(session, record_id, path, answer, value, provenance, place, now)
        # A date as the person wrote it in another calendar is theirs, not the caseworker's:
        # it goes with the answer it was beside (the correction keeps the old answer), unless
        # it is given anew beside the new one.
        rows = dict(beside or {path + AS_WRITTEN_SUFFIX: None})
        for other, other_value in rows.items():
            found = session.exec(
                select(Answer).where(Answer.record_id == record_id, Answer.path == other)
            ).first()
            _put(session, record_id, other, found, other_value, provenance, place, now)
        for column, copied in statements.person_changes(session, record_id, path, value).items():
            setattr(record, column, copied)
        record.updated_at = now
        session.add(record)
        correction = records.note_correction(
            session,
            record_id=record_id,
            path=path,
            old=old,
            new=value,
            reason=why,
            actor_id=actor_id,
            at=now,
            place=place,
        )
    return correction


def _put(
    session: Any,
    record_id: uuid.UUID,
    path: str,
    answer: Answer | None,
    value: Any,
    provenance: str,
    place: str,
    now: dt.datetime,
) -> None:
    """Write ``value`` at ``path`` over the stored ``answer`` (``None``: remove it)."""
    if value is None:
        if answer is not None:
            session.delete(answer)
        return
    if answer is None:
        answer = Answer(record_id=record_id, path=path, value=value, provenance=provenance)
    answer.value = value
    answer.provenance = provenance
    answer.place = place
    answer.answered_at = now
    session.add(answer)


def set_status(db: Database, *, record_id: uuid.UUID, actor_id: int, status: Status) -> Record:
    """Move a record on (or back) by one allowed step. Sending it back for clarification
    needs a comment: :func:`send_back`."""
    with db.write() as session:
        record = existing_record(session, record_id)
        old = Status(record.status)
        if not may_follow(old, status):
            raise TransitionRefused(old, status)
        if status is Status.sent_back:
            raise ReviewError(Msg(SENT_BACK_NEEDS_COMMENT))
        now = utcnow()
        record.status = status
        record.updated_at = now
        if status is Status.submitted and record.submitted_at is None:
            record.submitted_at = now
            record.resume_hash = None
        if status is Status.reviewed:
            record.reviewed_at = now
        if status is Status.exported:
            record.exported_at = now
        session.add(record)
        audit.log(
            session,
            audit.Action.status_changed,
            actor_id=actor_id,
            record_id=record_id,
            old=str(old),
            new=str(status),
        )
    return record


SENT_BACK_NEEDS_COMMENT: Final = N_(
    "A record is sent back for clarification with a comment saying what to clear up."
)


def send_back(db: Database, *, record_id: uuid.UUID, actor_id: int, comment: str) -> Remark:
    """Send a submitted or reviewed record back for clarification: the comment (required) is
    kept as a remark of kind ``sent_back``, shown on top when the record opens at the
    assisted desk, where it is corrected and sent again."""
    text = _checked_text(
        comment,
        REMARK_MAX_LENGTH,
        empty=SENT_BACK_NEEDS_COMMENT,
        too_long=N_("A remark can be at most %(max)d characters long."),
    )
    with db.write() as session:
        record = existing_record(session, record_id)
        old = Status(record.status)
        if not may_follow(old, Status.sent_back):
            raise TransitionRefused(old, Status.sent_back)
        now = utcnow()
        remark = Remark(
            record_id=record_id,
            kind=RemarkKind.sent_back,
            text=text,
            author_id=actor_id,
            created_at=now,
        )
        session.add(remark)
        record.status = Status.sent_back
        record.updated_at = now
        session.add(record)
        session.flush()
        audit.log(
            session,
            audit.Action.sent_back,
            actor_id=actor_id,
            record_id=record_id,
            old=str(old),
            remark=remark.id,
        )
    return remark


def clarification(db: Database, record_id: uuid.UUID) -> Remark | None:
    """What the reviewer asked to clear up when the record was last sent back."""
    with db.session() as session:
        return records.asked_to_clear_up(session, record_id)


def set_settlement_date(
    db: Database, *, record_id: uuid.UUID, actor_id: int, settlement_date: dt.date | None
) -> Record:
    """Record (or, with ``None``, clear) the day the person was settled in the municipality,
    from which the career guidance's deadline is reckoned."""
    with db.write() as session:
        record = existing_record(session, record_id)
        old = record.settlement_date
        if old != settlement_date:
            record.settlement_date = settlement_date
            record.updated_at = utcnow()
            session.add(record)
            audit.log(
                session,
                audit.Action.settlement_changed,
                actor_id=actor_id,
                record_id=record_id,
                old=None if old is None else old.isoformat(),
                new=None if settlement_date is None else settlement_date.isoformat(),
            )
    return record


class TransitionRefused(ReviewError):
    def __init__(self, old: Status, new: Status) -> None:
        allowed = TRANSITIONS[old]
        super().__init__(
            Msg(
                N_("A record that is %(old)s cannot become %(new)s, only %(allowed)s."),
                {
                    "old": status_msg(old),
                    "new": status_msg(new),
                    "allowed": tuple(status_msg(s) for s in allowed),
                },
            )
        )
        self.old = old
        self.new = new


def set_follow_up(db: Database, *, record_id: uuid.UUID, actor_id: int, flag: bool) -> Record:
    with db.write() as session:
        record = existing_record(session, record_id)
        if record.needs_follow_up != flag:
            record.needs_follow_up = flag
            record.updated_at = utcnow()
            session.add(record)
            audit.log(
                session,
                audit.Action.follow_up_changed,
                actor_id=actor_id,
                record_id=record_id,
                follow_up=flag,
            )
    return record


def unknown_question(path: str) -> Msg:
    return Msg(N_("There is no question '%(name)s'."), {"name": path})
