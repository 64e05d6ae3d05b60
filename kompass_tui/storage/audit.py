"""The audit log: who logged in, viewed, remarked, corrected, exported, imported and purged what.

Events are written in the same transaction as the action they describe, so an action
and its audit entry are saved together or not at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from kompass_tui.storage.choices import Action as Action
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import AuditEvent


def log(
    session: Session,
    action: Action,
    *,
    actor_id: int | None = None,
    actor_name: str | None = None,
    record_id: uuid.UUID | None = None,
    **detail: Any,
) -> None:
    """Add an event to ``session``'s transaction."""
    session.add(
        AuditEvent(
            action=action,
            actor_id=actor_id,
            actor_name=actor_name,
            record_id=record_id,
            detail=detail,
        )
    )


def events(
    db: Database,
    *,
    record_id: uuid.UUID | None = None,
    action: Action | None = None,
    limit: int = 200,
    actor_id: int | None = None,
) -> list[AuditEvent]:
    """The newest events first, optionally for one record or one kind of action.

    The log holds personal data too (a correction's old and new answer, a search, an
    import's file name, a mistyped user name), so a caseworker's reading (``actor_id``) is
    itself an event, written after the events read."""
    with db.session() as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
        if record_id is not None:
            query = query.where(AuditEvent.record_id == record_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        found = list(session.exec(query))
    if actor_id is not None:
        with db.write() as session:
            log(
                session,
                Action.audit_viewed,
                actor_id=actor_id,
                record_id=record_id,
                kind=None if action is None else str(action),
                shown=len(found),
            )
    return found


def actor_names(db: Database, ids: set[int]) -> dict[int, str]:
    """User names of caseworkers, for showing events."""
    from kompass_tui.storage.models import Caseworker

    if not ids:
        return {}
    with db.session() as session:
        return {
            worker.id: worker.username
            for worker in session.exec(
                select(Caseworker).where(col(Caseworker.id).in_(sorted(ids)))
            )
            if worker.id is not None
        }
