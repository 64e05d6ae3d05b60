"""The lifecycle of a registration: create, save each answer as it is given, resume, continue
at the assisted desk, submit.

It is written with the ORM session throughout; saving one answer, the kiosk's hot path, is
written in Core in :mod:`kompass_tui.storage.statements`. The answers' two shapes (flat
rows, nested forms) are :mod:`kompass_tui.storage.answers`, the statuses and which may follow
which :mod:`kompass_tui.storage.status`.

Every function here is one transaction: it either happens whole or not at all, and once
it has returned its change is on disk (SQLite: WAL with ``synchronous=FULL``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from argon2.low_level import Type, hash_secret_raw
from sqlmodel import Session, col, select

from kompass_tui.i18n import N_, Msg, Nn_
from kompass_tui.storage import audit, statements
from kompass_tui.storage.answers import PERSON_FIELDS as PERSON_FIELDS
from kompass_tui.storage.answers import flat_answers, moved_paths, nest_answers
from kompass_tui.storage.answers import parse_path as parse_path
from kompass_tui.storage.backoff import wait_after
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import DuplicatePerson as DuplicatePerson
from kompass_tui.storage.errors import RecordClosed as RecordClosed
from kompass_tui.storage.errors import RecordNotFound as RecordNotFound
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import (
    Answer,
    AuditEvent,
    Correction,
    Mode,
    Place,
    Record,
    Remark,
    RemarkKind,
    utcnow,
)
from kompass_tui.storage.status import ANSWERABLE, Status
from sporreskjema import Questionnaire

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
RESUME_ALPHABET: Final = "ACDEFGHJKMNPQRTUVWXY34679"
RESUME_LENGTH: Final = 8
#: Wrong dates of birth for one code before the code stops working.
RESUME_MAX_FAILURES: Final = 5
#: Argon2id for resume codes, with the parameters argon2-cffi uses for passwords (RFC 9106's
#: second recommended option): about 90 ms a code on a kiosk's two cores, so the 25⁸ codes
#: cannot be tried off a lost disk the way plain SHA-256 let them be (in minutes).
RESUME_HASH_TIME_COST: Final = 3
RESUME_HASH_MEMORY_KIB: Final = 64 * 1024
RESUME_HASH_PARALLELISM: Final = 4
#: A fixed salt: the record is found by its code's hash alone (the assisted desk has only the
#: code; the birth date is not known yet when the code is made, and it may change), so the
#: hash must be the same each time. One search of all codes would find every stored one at
#: once, but each try costs the full Argon2id work.
RESUME_HASH_SALT: Final = b"kompass resume code, Argon2id, v1"
#: "Already registered" answers a kiosk gives within this time: from the third, each further
#: look-up of an identifier waits first (the rule of wrong passwords: 5 s, doubling).
IDENTIFIER_WINDOW: Final = dt.timedelta(hours=1)


class ResumeFailed(StorageError):
    def __init__(self) -> None:
        super().__init__(
            Msg(
                N_(
                    "The code and the date of birth do not match an unfinished registration. Ask the staff for help."
                )
            )
        )


class LookupThrottled(StorageError):
    """Too many identifiers at this kiosk belonged to someone registered: the next one is not
    looked up before the wait is over, whether it is known or not."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            Msg.plural(
                Nn_(
                    "Please wait %(n)d second before you try again, or ask the staff for help.",
                    "Please wait %(n)d seconds before you try again, or ask the staff for help.",
                ),
                seconds,
            )
        )
        self.seconds = seconds


class NotUnfinished(StorageError):
    def __init__(self) -> None:
        super().__init__(Msg(N_("No unfinished registration has this resume code or identifier.")))


#: How an interpreter takes part.
INTERPRETER_CHANNELS: Final = ("on_site", "phone", "video")


@dataclass(frozen=True)
class Assistance:
    """Who helps at the assisted desk: the caseworker, and the interpreter if there is one."""

    caseworker_id: int
    interpreter_used: bool
    #: The interpreter's language (a language code).
    interpreter_language: str | None = None
    #: The interpreter's number in Nasjonalt tolkeregister, digits only.
    registry_number: str | None = None
    #: One of :data:`INTERPRETER_CHANNELS`.
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.channel is not None and self.channel not in INTERPRETER_CHANNELS:
            raise ValueError(f"not an interpreter channel: {self.channel!r}")

    def apply(self, record: Record) -> None:
        record.mode = Mode.assisted
        record.caseworker_id = self.caseworker_id
        record.interpreter_used = self.interpreter_used
        record.interpreter_language = self.interpreter_language if self.interpreter_used else None
        record.interpreter_registry_number = self.registry_number if self.interpreter_used else None
        record.interpreter_channel = self.channel if self.interpreter_used else None


@dataclass(frozen=True)
class NewRecord:
    id: uuid.UUID
    #: Shown once to the person; only its hash is stored.
    resume_code: str


def normalise_resume_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()


def _resume_hash(code: str) -> str:
    """The Argon2id hash of a resume code, 64 hex digits (what ``record.resume_hash`` holds)."""
    return secret_tag(normalise_resume_code(code).encode(), RESUME_HASH_SALT)


def secret_tag(secret: bytes, salt: bytes) -> str:
    """Argon2id of a short secret (a resume code, an identifier) at the resume code's cost,
    64 hex digits: the same each time, and slow to guess."""
    return hash_secret_raw(
        secret,
        salt,
        time_cost=RESUME_HASH_TIME_COST,
        memory_cost=RESUME_HASH_MEMORY_KIB,
        parallelism=RESUME_HASH_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    ).hex()


def _sha256_resume_hash(code: str) -> str:
    """How resume codes were hashed before: still found, and rehashed when used."""
    return hashlib.sha256(f"kompass-resume:{normalise_resume_code(code)}".encode()).hexdigest()


def _resume_hashes(code: str) -> tuple[str, str]:
    """The code's hash now and as it was stored before (computed before a transaction begins:
    the slow hash must not hold the write lock)."""
    return _resume_hash(code), _sha256_resume_hash(code)


def _by_resume_code(session: Session, hashes: tuple[str, str]) -> Record | None:
    """The record whose code has either hash."""
    return session.exec(select(Record).where(col(Record.resume_hash).in_(hashes))).first()


def new_resume_code() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))


def format_resume_code(code: str) -> str:
    """``ACDE-FGHJ``: two groups of four are easier to copy down."""
    return f"{code[:4]}-{code[4:]}"


def create_record(
    db: Database,
    *,
    questionnaire: Questionnaire,
    mode: Mode,
    locale: str,
    caseworker_id: int | None = None,
    assistance: Assistance | None = None,
) -> NewRecord:
    """Start a registration; returns its id and the resume code to show the person.
    ``assistance``: begun at the assisted desk, with or without an interpreter."""
    code = new_resume_code()
    record = Record(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        mode=mode,
        locale=locale,
        locales_used=[locale],
        caseworker_id=caseworker_id,
        resume_hash=_resume_hash(code),
    )
    if assistance is not None:
        assistance.apply(record)
        caseworker_id = assistance.caseworker_id
    with db.write() as session:
        session.add(record)
        session.flush()
        audit.log(
            session,
            audit.Action.record_created,
            actor_id=caseworker_id,
            record_id=record.id,
            mode=mode,
        )
    return NewRecord(record.id, code)


def existing_record(session: Session, record_id: uuid.UUID) -> Record:
    """The record in this session; :class:`RecordNotFound` when there is none."""
    record = session.get(Record, record_id)
    if record is None:
        raise RecordNotFound(record_id)
    return record


def get_record(db: Database, record_id: uuid.UUID) -> Record:
    with db.session() as session:
        return existing_record(session, record_id)


def find_by_person(db: Database, person_key: str) -> Record | None:
    with db.session() as session:
        return session.exec(select(Record).where(Record.person_key == person_key)).first()


def _open_for_answers(session: Session, record_id: uuid.UUID) -> Record:
    """The record, still in progress or sent back for clarification."""
    record = existing_record(session, record_id)
    if record.status not in ANSWERABLE:
        raise RecordClosed(record.status)
    return record


def _kiosk_wait(session: Session, kiosk: str, now: dt.datetime) -> int:
    """Seconds before the kiosk named ``kiosk`` may look up the next identifier: counted from
    its "already registered" answers in the audit log, so a restart does not forget them."""
    known = [
        at
        for at, detail in session.exec(
            select(AuditEvent.at, AuditEvent.detail)
            .where(
                AuditEvent.action == audit.Action.identifier_known,
                col(AuditEvent.actor_id).is_(None),
                AuditEvent.at >= now - IDENTIFIER_WINDOW,
            )
            .order_by(col(AuditEvent.at))
        )
        if isinstance(detail, dict) and detail.get("kiosk") == kiosk
    ]
    wait = wait_after(len(known))
    if not wait:
        return 0
    remaining = (known[-1] + dt.timedelta(seconds=wait) - now).total_seconds()
    return max(0, math.ceil(remaining))


def _note_known(session: Session, existing: uuid.UUID, kiosk: str) -> None:
    audit.log(session, audit.Action.identifier_known, record_id=existing, kiosk=kiosk)


def _note_refused(
    session: Session,
    *,
    existing: uuid.UUID,
    attempt: uuid.UUID,
    place: str | None,
    actor_id: int | None,
    kiosk: str | None = None,
) -> None:
    """A registration refused as a second one of the person of ``existing``: on that record,
    for the staff (the person at a kiosk is not told which record it is). What was typed is
    not kept, only where and the refused registration's own record."""
    detail: dict[str, Any] = {"mode": place, "attempt": str(attempt)}
    if kiosk is not None:
        detail["kiosk"] = kiosk
    audit.log(
        session, audit.Action.duplicate_refused, actor_id=actor_id, record_id=existing, **detail
    )


def _look_up_at_kiosk(db: Database, *, record_id: uuid.UUID, person_key: str, kiosk: str) -> None:
    """The look-up of an identifier typed at a kiosk, before it is saved: refused unread with
    :class:`LookupThrottled` while the kiosk must wait; :class:`DuplicatePerson` when it is
    someone else's, with an audit entry (no actor: the kiosk) naming the record found."""
    with db.write() as session:
        wait = _kiosk_wait(session, kiosk, utcnow())
        if wait:
            raise LookupThrottled(wait)
        other = statements.owner_of(session, person_key, record_id)
        if other is None:
            return
        _note_known(session, other, kiosk)
        _note_refused(
            session,
            existing=other,
            attempt=record_id,
            place=Place.kiosk,
            actor_id=None,
            kiosk=kiosk,
        )
    raise DuplicatePerson(other)


def save_answer(
    db: Database,
    *,
    record_id: uuid.UUID,
    path: str,
    value: Any,
    provenance: str,
    kiosk: str | None = None,
    place: str | None = None,
    caseworker_id: int | None = None,
    beside: Mapping[str, Any] | None = None,
) -> None:
    """Save one confirmed answer (``None`` removes it) in its own transaction.

    ``beside``: rows that belong to the answer, written in the same transaction (path →
    value, ``None`` removes it): a date or year as written in another calendar.

    ``value`` is the JSON form of the coded value (``Form.relevant_answers`` style).
    ``place``: where it was given (a :class:`Place`; at a kiosk by default when ``kiosk``
    is given). ``caseworker_id``: the caseworker at the desk, as in :func:`create_record`.
    Raises :class:`DuplicatePerson` when an identifier already belongs to another record,
    and audits the refusal on that record (``duplicate_refused``).
    ``kiosk``: typed at the kiosk of this name, where nobody is logged in: finding an
    identifier is audited, and from the third within :data:`IDENTIFIER_WINDOW` each further
    look-up waits (:class:`LookupThrottled`), so nobody there can test number after number.
    This is the kiosk's hot path: the write itself is :func:`statements.write_answer`.
    """
    parse_path(path)
    if place is None and kiosk is not None:
        place = Place.kiosk
    if kiosk is not None and PERSON_FIELDS.get(path) == "person_key" and isinstance(value, str):
        _look_up_at_kiosk(db, record_id=record_id, person_key=value, kiosk=kiosk)
    try:
        statements.write_answer(
            db,
            record_id=record_id,
            path=path,
            value=value,
            provenance=provenance,
            place=place,
            beside=beside,
        )
    except DuplicatePerson as exc:  # at a kiosk: registered by another program meanwhile
        with db.write() as session:
            if kiosk is not None:
                _note_known(session, exc.existing, kiosk)
            _note_refused(
                session,
                existing=exc.existing,
                attempt=record_id,
                place=place,
                actor_id=caseworker_id,
                kiosk=kiosk,
            )
        raise


def save_entries(
    db: Database,
    *,
    record_id: uuid.UUID,
    group: str,
    entries: Sequence[Mapping[str, Any]],
    provenance: str,
    origins: Sequence[int] | None = None,
    place: str | None = None,
    caseworker_id: int | None = None,
) -> None:
    """Replace every answer of a repeat group at once (after entries are removed or moved).

    On a record sent back for clarification every answer that changes is kept as a
    correction by ``caseworker_id`` (the desk's), as when it is corrected one by one.

    ``origins``: each entry's index before (its own index when not given). An answer that
    moves with its entry, or stays where it was, keeps its provenance, place and time: who
    gave it, and where, does not change because another entry was removed. New or changed
    answers take ``provenance`` and ``place``.
    """
    now = utcnow()
    if origins is None:
        origins = range(len(entries))
    if len(origins) != len(entries):
        raise ValueError("one origin for each entry")
    nested = {group: [dict(entry) for entry in entries]} if entries else {}
    wanted = {path: value for path, value in flat_answers(nested).items() if value is not None}
    with db.write() as session:
        record = _open_for_answers(session, record_id)
        rows = [
            row
            for row in session.exec(select(Answer).where(Answer.record_id == record_id))
            if row.path.startswith(f"{group}[")
        ]
        # What each answer was, read before any row goes, and where it is now.
        before = {row.path: (row.value, row.provenance, row.place, row.answered_at) for row in rows}
        was = moved_paths(before, group, list(origins))
        kept = set()
        for row in rows:
            if was.get(row.path) == row.path and wanted.get(row.path) == row.value:
                kept.add(row.path)
            else:
                session.delete(row)
        session.flush()
        for path, value in wanted.items():
            if path in kept:
                continue
            old_value, old_provenance, old_place, old_time = before.get(
                was.get(path, ""), (None, "", None, now)
            )
            same = old_value == value
            session.add(
                Answer(
                    record_id=record_id,
                    path=path,
                    value=value,
                    provenance=old_provenance if same else provenance,
                    place=old_place if same else place,
                    answered_at=old_time if same else now,
                )
            )
        if record.status == Status.sent_back:
            _clarified(session, record, before, wanted, caseworker_id, place, now)
        record.updated_at = now
        session.add(record)


def _clarified(
    session: Session,
    record: Record,
    before: Mapping[str, tuple[Any, ...]],
    wanted: Mapping[str, Any],
    caseworker_id: int | None,
    place: str | None,
    now: dt.datetime,
) -> None:
    """The corrections of a group rewritten on a record sent back: one per path whose
    answer changed, with what was asked as the reason, audited like any correction."""
    if caseworker_id is None:
        raise RecordClosed(record.status)  # only the desk, with its caseworker, clears up
    reason = asked_text(asked_to_clear_up(session, record.id))[:REASON_MAX_LENGTH]
    for path in sorted(set(before) | set(wanted)):
        old = before[path][0] if path in before else None
        new = wanted.get(path)
        if old == new:
            continue
        note_correction(
            session,
            record_id=record.id,
            path=path,
            old=old,
            new=new,
            reason=reason,
            actor_id=caseworker_id,
            at=now,
            place=place or Place.desk,
        )


def asked_to_clear_up(session: Session, record_id: uuid.UUID) -> Remark | None:
    """What the reviewer asked to clear up when the record was last sent back."""
    return session.exec(
        select(Remark)
        .where(Remark.record_id == record_id, Remark.kind == RemarkKind.sent_back)
        .order_by(col(Remark.id).desc())
    ).first()


def note_correction(
    session: Session,
    *,
    record_id: uuid.UUID,
    path: str,
    old: Any,
    new: Any,
    reason: str,
    actor_id: int,
    at: dt.datetime,
    place: str,
) -> Correction:
    """Keep a changed answer's old and new value in the record's history, with the reason,
    and audit it (``place`` named unless the change was made in the review)."""
    correction = Correction(
        record_id=record_id,
        path=path,
        old_value=old,
        new_value=new,
        reason=reason,
        author_id=actor_id,
        created_at=at,
    )
    session.add(correction)
    audit.log(
        session,
        audit.Action.answer_corrected,
        actor_id=actor_id,
        record_id=record_id,
        path=path,
        old=old,
        new=new,
        **({} if place == Place.review else {"place": str(place)}),
    )
    return correction


#: As long as a correction's reason may be.
REASON_MAX_LENGTH: Final = 1000


def asked_text(asked: Remark | None) -> str:
    """What the reviewer asked of a record sent back (a dash for one sent back some other way,
    without the remark): shown at the desk, the reason of each correction made there."""
    return asked.text if asked is not None else "—"


def load_answers(db: Database, record_id: uuid.UUID) -> dict[str, Any]:
    """The record's answers in the nested form ``Form.from_json`` reads."""
    with db.session() as session:
        existing_record(session, record_id)
        rows = session.exec(
            select(Answer.path, Answer.value).where(Answer.record_id == record_id)
        ).all()
    return nest_answers(dict(rows))


def answer_rows(db: Database, record_id: uuid.UUID) -> list[Answer]:
    """Every stored answer of a record, with provenance and time, in path order."""
    with db.session() as session:
        existing_record(session, record_id)
        return list(
            session.exec(
                select(Answer).where(Answer.record_id == record_id).order_by(col(Answer.path))
            )
        )


def resume(db: Database, *, code: str, birth_date: dt.date) -> Record:
    """The unfinished record for a resume code and date of birth.

    Each wrong date of birth for a code counts; after five the code stops working and
    the staff must help. Not finding the code and a wrong date give the same message.
    """
    hashes = _resume_hashes(code)
    failed = False
    with db.write() as session:
        record = _by_resume_code(session, hashes)
        if record is None or record.status != Status.in_progress:
            audit.log(session, audit.Action.resume_failed)
            failed = True
        elif record.birth_date != birth_date:
            record.resume_failures += 1
            if record.resume_failures >= RESUME_MAX_FAILURES:
                record.resume_hash = None
            session.add(record)
            audit.log(session, audit.Action.resume_failed, record_id=record.id)
            failed = True
        else:
            record.resume_failures = 0
            record.resume_hash = hashes[0]  # a code hashed the old way is rehashed now
            session.add(record)
            audit.log(session, audit.Action.record_resumed, record_id=record.id)
    if failed:
        raise ResumeFailed()
    assert record is not None
    return record


def _sent_back_by_id(session: Session, key: str) -> Record | None:
    """A record sent back for clarification, by its id or the id's first eight or more hex
    digits as the review's list shows them (one record only)."""
    hexdigits = key.strip().replace("-", "").lower()
    if not 8 <= len(hexdigits) <= 32 or any(ch not in "0123456789abcdef" for ch in hexdigits):
        return None
    low, high = uuid.UUID(hexdigits.ljust(32, "0")), uuid.UUID(hexdigits.ljust(32, "f"))
    found = session.exec(
        select(Record)
        .where(col(Record.id).between(low, high), Record.status == Status.sent_back)
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def continue_assisted(db: Database, *, key: str, assistance: Assistance) -> Record:
    """An unfinished registration found by its resume code or the person's identifier (DUF
    number or national identity number), continued at the assisted desk: the record notes
    the caseworker and the interpreter from now on. The caseworker is logged in, so no date
    of birth is asked; the opening is audited under their name.

    A record sent back for clarification is found by the identifier too, or by its record
    id as the review shows it (its resume code ended when it was sent)."""
    digits = re.sub(r"[\s.\-]", "", key)
    hashes = _resume_hashes(key)
    with db.write() as session:
        record = _by_resume_code(session, hashes)
        if record is not None:
            record.resume_hash = hashes[0]  # a code hashed the old way is rehashed now
        elif digits.isdigit() and len(digits) in (11, 12):
            record = session.exec(select(Record).where(Record.person_key == digits)).first()
        elif (sent_back := _sent_back_by_id(session, key)) is not None:
            record = sent_back
        if record is None:
            raise NotUnfinished()
        if record.status not in ANSWERABLE:
            raise RecordClosed(record.status)
        assistance.apply(record)
        record.resume_failures = 0
        session.add(record)
        audit.log(
            session,
            audit.Action.record_resumed,
            actor_id=assistance.caseworker_id,
            record_id=record.id,
            mode=Mode.assisted,
        )
    return record


def set_provenance(
    db: Database, *, record_id: uuid.UUID, paths: Sequence[str], provenance: str, actor_id: int
) -> int:
    """Who gave these answers, changed by the caseworker at the assisted desk; how many
    stored answers changed (answers not given yet take it when they come)."""
    with db.write() as session:
        _open_for_answers(session, record_id)
        changed = 0
        for answer in session.exec(
            select(Answer).where(Answer.record_id == record_id, col(Answer.path).in_(list(paths)))
        ):
            answer.provenance = provenance
            session.add(answer)
            changed += 1
        audit.log(
            session,
            audit.Action.provenance_changed,
            actor_id=actor_id,
            record_id=record_id,
            paths=sorted(paths),
            provenance=provenance,
        )
    return changed


def note_locale(db: Database, *, record_id: uuid.UUID, locale: str) -> None:
    """Remember that the survey was shown in ``locale`` (the person switched language)."""
    with db.write() as session:
        record = existing_record(session, record_id)
        if locale not in record.locales_used:
            record.locales_used = [*record.locales_used, locale]
        record.locale = locale
        session.add(record)


def submit(
    db: Database,
    *,
    record_id: uuid.UUID,
    actor_id: int | None = None,
    follow_up: Sequence[str] = (),
) -> Record:
    """Mark a registration as sent; it can no longer be resumed or changed at the kiosk.
    ``follow_up``: the questionnaire's follow-up notes shown for its answers (an age outside
    the programme's group): the record is flagged for staff's follow-up, in the same
    transaction, and the audit entry names them."""
    with db.write() as session:
        record = _open_for_answers(session, record_id)
        again = record.status == Status.sent_back
        record.status = Status.submitted
        now = utcnow()
        record.updated_at = now
        if record.submitted_at is None:  # sent again: the deadline was met (or not) the first time
            record.submitted_at = now
        record.resume_hash = None
        if follow_up:
            record.needs_follow_up = True
        session.add(record)
        detail: dict[str, Any] = {"follow_up": list(follow_up)} if follow_up else {}
        if again:
            detail["again"] = True
        audit.log(
            session,
            audit.Action.record_submitted,
            actor_id=actor_id,
            record_id=record.id,
            **detail,
        )
    return record
