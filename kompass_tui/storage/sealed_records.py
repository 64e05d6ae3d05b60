"""A sealing kiosk's sent records: each kept only as its envelope (see
:mod:`kompass_tui.exchange.sealing`), with the record id, the time, the envelope's hash and
the person's identifier as an Argon2id tag, so that the once-per-person rule still holds
without the identifier in clear."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from kompass_tui.storage import audit
from kompass_tui.storage.models import utcnow

_RECORD = SQLModel.metadata.tables["record"]
_SEALED = SQLModel.metadata.tables["sealed_record"]
_SALT = SQLModel.metadata.tables["sealing_salt"]
#: The record's own rows, deleted with it (the audit events stay: they name no one).
_CHILDREN = tuple(SQLModel.metadata.tables[name] for name in ("answer", "remark", "correction"))


def person_tag(
    where: Session | sa.Connection, person_key: str, *, create: bool = False
) -> str | None:
    """The identifier's tag in this database; ``None`` when nothing was ever sealed here (no
    salt yet) unless ``create``."""
    salt = where.execute(sa.select(_SALT.c.salt).where(_SALT.c.id == 1)).scalar()
    if salt is None:
        if not create:
            return None
        salt = secrets.token_hex(16)
        where.execute(sa.insert(_SALT).values(id=1, salt=salt))
    from kompass_tui.storage.records import secret_tag  # records imports this module

    return secret_tag(person_key.encode(), bytes.fromhex(salt))


def sealed_owner(where: Session | sa.Connection, person_key: str) -> uuid.UUID | None:
    """The sealed record of the person with this identifier, if one was sealed here."""
    tag = person_tag(where, person_key)
    if tag is None:
        return None
    owner: uuid.UUID | None = where.execute(
        sa.select(_SEALED.c.record_id).where(_SEALED.c.person_tag == tag)
    ).scalar()
    return owner


def content_hash(envelope: bytes) -> str:
    return hashlib.sha256(envelope).hexdigest()


def replace_with_envelope(
    session: Session,
    *,
    record_id: uuid.UUID,
    envelope: bytes,
    person_key: str | None,
    kiosk: str | None,
) -> str:
    """In ``session``'s transaction: the record's envelope kept, the record and its rows
    deleted, and the sealing audited. Returns the envelope's hash."""
    digest = content_hash(envelope)
    session.execute(
        sa.insert(_SEALED).values(
            record_id=record_id,
            sealed_at=utcnow(),
            content_hash=digest,
            envelope=envelope,
            person_tag=person_tag(session, person_key, create=True) if person_key else None,
            kiosk=kiosk,
        )
    )
    for table in _CHILDREN:
        session.execute(sa.delete(table).where(table.c.record_id == record_id))
    session.execute(sa.delete(_RECORD).where(_RECORD.c.id == record_id))
    audit.log(
        session, audit.Action.record_sealed, record_id=record_id, content_hash=digest, kiosk=kiosk
    )
    return digest
