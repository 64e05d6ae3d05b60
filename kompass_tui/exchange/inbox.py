"""``kompass inbox``: the envelopes kiosks delivered, opened into the review records.

Each envelope is opened with the municipality's private key and written in a transaction of
its own: the record (checked as an import checks it), where it came from (the kiosk and the
delivery time), the envelope marked opened, and the opening audited. A damaged envelope, one
sealed to another key or one whose record is refused stays in the inbox, reported; the others
are opened. Opening again opens only what is still waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.exchange import importer, sealed
from kompass_tui.exchange.sealed import Identity
from kompass_tui.i18n import N_, Msg
from kompass_tui.storage import audit, inbox
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.sealed_records import content_hash

_RECORD = SQLModel.metadata.tables["record"]


@dataclass
class Opening:
    new: int = 0
    existing: int = 0
    #: Envelopes left in the inbox, each with why.
    problems: list[tuple[uuid.UUID, Msg]] = field(default_factory=list)


def open_waiting(
    db: Database,
    identities: Sequence[Identity],
    *,
    actor_id: int,
) -> Opening:
    result = Opening()
    for item in inbox.waiting(db):
        try:
            new = _open(db, item.record_id, identities, actor_id)
        except StorageError as exc:  # sealing and import refusals are storage errors too
            result.problems.append((item.record_id, exc.message))
        else:
            if new is True:
                result.new += 1
            elif new is False:
                result.existing += 1
    return result


def _open(
    db: Database, record_id: uuid.UUID, identities: Sequence[Identity], actor_id: int
) -> bool | None:
    """Open one envelope: True when its record is new here, False when it was here already,
    None when someone else opened it meanwhile."""
    found = inbox.envelope(db, record_id)
    if found is None:
        return None
    data, digest = found
    name = f"inbox/{record_id}"
    if content_hash(data) != digest:
        raise StorageError(
            Msg(N_("%(name)s does not match its content hash; it stays in the inbox."),
                {"name": name})
        )  # fmt: skip
    clear = sealed.unseal(data, identities, name)  # before the transaction: it can take time
    with db.write() as session:
        row = inbox.claim(session, record_id)
        if row is None or row.content_hash != digest:
            return None  # opened (or replaced by its owner) meanwhile
        done = importer.import_envelope(
            session, clear, record_id=record_id, name=name, actor_id=actor_id
        )
        session.execute(
            sa.update(_RECORD)
            .where(_RECORD.c.id == record_id, _RECORD.c.delivered_at.is_(None))
            .values(kiosk=row.kiosk, delivered_at=row.delivered_at)
        )
        inbox.mark_opened(session, record_id)
        audit.log(
            session,
            audit.Action.envelope_opened,
            actor_id=actor_id,
            record_id=record_id,
            kiosk=row.kiosk,
            delivered_at=row.delivered_at.isoformat(),
            new=done.new == 1,
        )
    return done.new == 1
