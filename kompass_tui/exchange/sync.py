"""``kompass sync``: a kiosk delivers its sealed records to the municipality's PostgreSQL.

Batch by batch, in record id order: a batch is inserted into the server's inbox in one
transaction and, only once the server has committed it, the envelopes are deleted here (their
ids, hashes and identifier tags stay). A sync stopped at any moment leaves each record either
still here or already on the server, and often both: the next sync sends those again, and the
server keeps each record once (see :mod:`kompass_tui.storage.inbox`). A record the server
holds with other content is refused, reported, and stays here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy.engine import Engine

from kompass_tui.storage import delivery, inbox
from kompass_tui.storage.database import Database, safe_url
from kompass_tui.storage.delivery import Envelope

#: Envelopes per transaction on the server.
BATCH: Final = 1000


@dataclass
class SyncResult:
    delivered: int = 0
    #: Records the server holds with other content; they stay here.
    refused: list[uuid.UUID] = field(default_factory=list)


def sync(
    db: Database,
    url: str,
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> SyncResult:
    """Deliver every envelope waiting here. The kiosk's side runs in a thread of its own, so
    that reading the next batch and noting the last one's delivery overlap the server's work
    on this one; a batch is noted only once the server has committed it."""
    result = SyncResult()
    to = safe_url(url)
    with inbox.server(url) as engine, ThreadPoolExecutor(1, "kompass-sync") as kiosk_side:
        noted: Future[None] | None = None
        envelopes = delivery.undelivered(db, limit=batch)
        try:
            while envelopes:
                following = kiosk_side.submit(
                    delivery.undelivered, db, limit=batch, after=envelopes[-1].record_id
                )
                try:
                    inbox.deliver(engine, url, envelopes)
                    arrived = envelopes
                except inbox.DeliveryConflict:
                    arrived = _one_by_one(db, engine, url, envelopes, result, to)
                if noted is not None:
                    noted.result()
                noted = kiosk_side.submit(delivery.mark_delivered, db, arrived, to=to)
                result.delivered += len(arrived)
                if progress is not None:
                    progress(len(arrived))
                envelopes = following.result()
        finally:
            if noted is not None:
                noted.result()  # what the server confirmed is noted here, whatever happens next
    return result


def _one_by_one(
    db: Database,
    engine: Engine,
    url: str,
    envelopes: list[Envelope],
    result: SyncResult,
    to: str,
) -> list[Envelope]:
    """A batch with a conflict, sent again an envelope at a time to find which."""
    arrived = []
    for sent in envelopes:
        try:
            inbox.deliver(engine, url, [sent])
        except inbox.DeliveryConflict:
            delivery.refused(db, sent, to=to)
            result.refused.append(sent.record_id)
        else:
            arrived.append(sent)
    return arrived
