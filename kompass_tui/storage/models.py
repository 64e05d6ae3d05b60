"""The tables: records, answers, remarks, corrections, audit events, caseworker accounts, and
the anonymous counts that are all a purge leaves of a record.

Answers are stored one row per answer path (``jobs[2].job_title``) with the coded value
as JSON, so each confirmed answer is one small write. The person's name, birth date,
identifier and permit date are copied onto the record as they are answered, for the
review list, the deadline and the once-per-person rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from kompass_tui.storage.status import Status as Status


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp always stored and returned as an aware UTC datetime (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Mode(StrEnum):
    kiosk = "kiosk"
    assisted = "assisted"
    imported = "imported"


class Place(StrEnum):
    """Where an answer was given: alone at a kiosk, at the assisted desk with a caseworker,
    or in the review (a caseworker's correction)."""

    kiosk = "kiosk"
    desk = "desk"
    review = "review"


class Record(SQLModel, table=True):
    __tablename__ = "record"
    __table_args__ = (
        # The review list: records of some statuses, soonest deadline first (permit date, then
        # id). In status order, then this order, a page is read off the index for each status
        # and merged, instead of every open record being read and sorted; ``status`` alone is
        # this index's first column.
        sa.Index("ix_record_status_deadline", "status", "permit_date", "id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    questionnaire_id: str = Field(max_length=60)
    questionnaire_version: str = Field(max_length=20)
    status: str = Field(default=Status.in_progress, max_length=20)
    needs_follow_up: bool = Field(default=False)
    mode: str = Field(max_length=20)
    #: The language the person answered in (a locale code such as ``ti`` or ``fa_AF``).
    locale: str = Field(max_length=20)
    #: Every language the survey was shown in, in order of first use.
    locales_used: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    caseworker_id: int | None = Field(default=None, foreign_key="caseworker.id")
    interpreter_used: bool | None = None
    interpreter_language: str | None = Field(default=None, max_length=20)
    interpreter_registry_number: str | None = Field(default=None, max_length=20)
    interpreter_channel: str | None = Field(default=None, max_length=20)
    # Copied from the answers, for listing, searching and the deadline.
    full_name: str | None = Field(default=None, max_length=200, index=True)
    birth_date: dt.date | None = None
    #: The DUF number or national identity number, digits only; unique: one record per person.
    person_key: str | None = Field(default=None, max_length=12, unique=True)
    permit_date: dt.date | None = Field(default=None, index=True)
    #: The day the person was settled in the municipality (recorded by a caseworker): the
    #: career guidance is due within some months of it.
    settlement_date: dt.date | None = Field(default=None)
    #: Argon2id (or, written before, SHA-256) of the resume code; the code itself is shown once
    #: and never stored.
    resume_hash: str | None = Field(default=None, max_length=64, unique=True)
    resume_failures: int = Field(default=0)
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    exported_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The kiosk a record delivered through the inbox came from, and when it arrived.
    kiosk: str | None = Field(default=None, max_length=80)
    delivered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: A record collected on a tablet (``kompass import --from-odk``): the tools, the device
    #: and who submitted it.
    collected_with: str | None = Field(default=None, max_length=80)


class Answer(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("record_id", "path", name="uq_answer_record_path"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="record.id", ondelete="CASCADE", index=True)
    #: ``full_name`` or ``jobs[2].job_title``.
    path: str = Field(max_length=120)
    #: The coded value as JSON (text, number, ISO date, code or list of codes).
    value: Any = Field(sa_type=sa.JSON)
    #: Who gave the answer: a provenance code of the questionnaire.
    provenance: str = Field(max_length=30)
    #: Where it was given (a :class:`Place`); ``None`` when that was not recorded (an answer
    #: saved before Kompass kept it, or imported from a file that does not say).
    place: str | None = Field(default=None, max_length=10)
    answered_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RemarkKind(StrEnum):
    remark = "remark"
    counsellor_note = "counsellor_note"
    #: What a reviewer asked to be cleared up when sending the record back to the desk.
    sent_back = "sent_back"


class Remark(SQLModel, table=True):
    """Append-only: a correction to a remark is a new remark."""

    __tablename__ = "remark"

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="record.id", ondelete="CASCADE", index=True)
    #: The section remarked on; ``None`` for the whole record.
    section: str | None = Field(default=None, max_length=60)
    kind: str = Field(default=RemarkKind.remark, max_length=30)
    text: str = Field(max_length=4000)
    author_id: int = Field(foreign_key="caseworker.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Correction(SQLModel, table=True):
    """A caseworker's change of an answer, with the reason; the original value stays here."""

    __tablename__ = "correction"

    id: int | None = Field(default=None, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="record.id", ondelete="CASCADE", index=True)
    path: str = Field(max_length=120)
    old_value: Any = Field(default=None, sa_type=sa.JSON)
    new_value: Any = Field(default=None, sa_type=sa.JSON)
    reason: str = Field(max_length=1000)
    author_id: int = Field(foreign_key="caseworker.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, and when. Never deleted by the program; a purge only
    blanks the personal text events kept: a correction's answers, a search, an import's file
    name, a user name that is no account's (see :mod:`kompass_tui.storage.purge`)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    #: The caseworker, or ``None`` for the kiosk and the system itself.
    actor_id: int | None = Field(default=None, foreign_key="caseworker.id")
    #: The user name tried, for failed logins (no account may exist).
    actor_name: str | None = Field(default=None, max_length=80)
    action: str = Field(max_length=40, index=True)
    #: Not a foreign key: the event outlives a purged record.
    record_id: uuid.UUID | None = Field(default=None, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class Caseworker(SQLModel, table=True):
    __tablename__ = "caseworker"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    #: May add, disable and enable accounts and set anyone's password (``kompass user``). The
    #: first account is one; the database default keeps older programs' inserts ordinary.
    is_admin: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    failed_logins: int = Field(default=0)
    last_failed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FigureTally(SQLModel, table=True):
    """How many records begun on ``day`` with ``status`` have ``code`` in ``family``: kept by
    the database's triggers (``storage/tally.py``), read by the figures (``storage/stats.py``)."""

    __tablename__ = "figure_tally"

    family: str = Field(primary_key=True, max_length=20)
    day: dt.date = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    code: str = Field(primary_key=True, max_length=80)
    n: int


class Setting(SQLModel, table=True):
    """The municipality's own settings, one row each, kept in its database so that every
    program and machine on it reckons alike (``kompass deadlines``)."""

    __tablename__ = "setting"

    name: str = Field(primary_key=True, max_length=60)
    value: Any = Field(sa_type=sa.JSON)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PurgedCount(SQLModel, table=True):
    """What a purge leaves of the records it deletes: how many there were, by the month they
    were started, status, language and mode. Nothing here names or identifies a person; each
    purge adds rows of its own, and the statistics add them up."""

    __tablename__ = "purged_count"

    id: int | None = Field(default=None, primary_key=True)
    purged_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The month the registration was started, ``2026-11``.
    month: str = Field(max_length=7)
    status: str = Field(max_length=20)
    locale: str = Field(max_length=20)
    mode: str = Field(max_length=20)
    records: int


class SealedRecord(SQLModel, table=True):
    """A record sent at a kiosk that seals: the whole record in the export format, sealed to
    the municipality's public key (see :mod:`kompass_tui.exchange.sealed`). The kiosk cannot
    read it back; it keeps only what needs no personal data."""

    __tablename__ = "sealed_record"

    record_id: uuid.UUID = Field(primary_key=True)
    sealed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: SHA-256 of the envelope, in hex: the same envelope delivered twice is one.
    content_hash: str = Field(max_length=64)
    #: ``None`` once delivered (:attr:`delivered_at`): the server has it, the kiosk no longer.
    envelope: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    #: The person's identifier as an Argon2id tag (:class:`SealingSalt`'s salt), never in
    #: clear: the once-per-person rule still refuses a second registration.
    person_tag: str | None = Field(default=None, max_length=64, unique=True)
    #: The kiosk that sealed it (its machine's name).
    kiosk: str | None = Field(default=None, max_length=80)
    #: When the municipality's server confirmed it had the envelope (``kompass sync``).
    delivered_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class SealingSalt(SQLModel, table=True):
    """The one random salt of this database's identifier tags (:attr:`SealedRecord.person_tag`)."""

    __tablename__ = "sealing_salt"

    id: int = Field(default=1, primary_key=True)
    salt: str = Field(max_length=32)


class InboxEnvelope(SQLModel, table=True):
    """A sealed record a kiosk delivered to the municipality's server (``kompass sync``),
    waiting to be opened into the review records (``kompass inbox``). Kiosks may only insert
    here; on PostgreSQL a trigger keeps each record once and audits its arrival (migration
    0007)."""

    __tablename__ = "inbox"

    record_id: uuid.UUID = Field(primary_key=True)
    content_hash: str = Field(max_length=64)
    envelope: bytes = Field(sa_type=sa.LargeBinary)
    kiosk: str | None = Field(default=None, max_length=80)
    sealed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"server_default": sa.func.current_timestamp()},
    )
    #: When its record was opened into the review records.
    opened_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
