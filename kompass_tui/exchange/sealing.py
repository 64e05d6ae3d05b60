"""Sealing at a kiosk: a record sent at a kiosk with a recipient set becomes an envelope.

The record, in the export format (one line of JSON Lines, as ``kompass export`` writes it),
is sealed to the municipality's public key; in one transaction the envelope is kept and the
record with its answers is deleted (see :mod:`kompass_tui.storage.sealed_records`). The
SQLite file is then compacted and its write-ahead log emptied, so that nothing the person
wrote is left in either file; its pages were overwritten as they were freed
(``secure_delete``).

:func:`seal_sent` seals every sent kiosk record that is still clear: called when a record is
sent, and when the kiosk starts (a record sent just before a power cut is sealed then).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from kompass_tui.exchange.export import record_json
from kompass_tui.exchange.records import RECORD, Selection, batches
from kompass_tui.exchange.sealed import Recipient, seal
from kompass_tui.storage import sealed_records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode
from kompass_tui.storage.purge import compact
from kompass_tui.storage.status import Status


def seal_sent(db: Database, recipients: Sequence[Recipient], *, kiosk: str | None) -> int:
    """Seal every sent kiosk record that is still in clear; how many were sealed."""
    with db.session() as session:
        pending = list(
            session.execute(
                sa.select(RECORD.c.id).where(
                    RECORD.c.status == Status.submitted, RECORD.c.mode == Mode.kiosk
                )
            ).scalars()
        )
    sealed = sum(seal_record(db, record_id, recipients, kiosk=kiosk) for record_id in pending)
    if sealed and db.backend == "sqlite":
        compact(db)
    return sealed


def record_line(db: Database, record_id: uuid.UUID) -> bytes | None:
    """The record as ``kompass export --format jsonl`` writes it (one line, UTF-8); ``None``
    when it is not here."""
    found = batches(db, Selection(record_id=record_id))
    record = next((record for batch in found for record in batch.records), None)
    return None if record is None else (record_json(record) + "\n").encode("utf-8")


def seal_record(
    db: Database, record_id: uuid.UUID, recipients: Sequence[Recipient], *, kiosk: str | None
) -> bool:
    """Seal one sent record; False when it is no longer a sent one here. A sent record
    cannot change at a kiosk (it is closed to answers), so what was read is what is sealed."""
    line = record_line(db, record_id)
    if line is None:
        return False
    envelope = seal(line, recipients)
    with db.write() as session:
        row = session.execute(
            sa.select(RECORD.c.status, RECORD.c.person_key).where(RECORD.c.id == record_id)
        ).first()
        if row is None or row.status != Status.submitted:
            return False
        sealed_records.replace_with_envelope(
            session,
            record_id=record_id,
            envelope=envelope,
            person_key=row.person_key,
            kiosk=kiosk,
        )
    return True
