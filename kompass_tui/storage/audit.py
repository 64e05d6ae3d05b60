"""The audit log: who logged in, viewed, remarked, corrected, exported, imported and purged what.

Events are written in the same transaction as the action they describe, so an action
and its audit entry are saved together or not at all.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from kompass_tui.storage.database import Database
from kompass_tui.storage.models import AuditEvent


class Action(StrEnum):
    login = "login"
    login_failed = "login_failed"
    login_refused = "login_refused"
    user_added = "user_added"
    user_disabled = "user_disabled"
    user_enabled = "user_enabled"
    admin_granted = "admin_granted"
    admin_revoked = "admin_revoked"
    password_changed = "password_changed"  # noqa: S105 - an action name, not a password
    record_created = "record_created"
    record_resumed = "record_resumed"
    resume_failed = "resume_failed"
    #: A kiosk answered "already registered": the record found, no actor, the kiosk's name.
    identifier_known = "identifier_known"
    record_submitted = "record_submitted"
    records_listed = "records_listed"
    record_viewed = "record_viewed"
    remark_added = "remark_added"
    answer_corrected = "answer_corrected"
    status_changed = "status_changed"
    follow_up_changed = "follow_up_changed"
    provenance_changed = "provenance_changed"
    exported = "exported"
    imported = "imported"
    #: A remark or correction that an import added to a record already in the database.
    remark_imported = "remark_imported"
    correction_imported = "correction_imported"
    purged = "purged"
    audit_viewed = "audit_viewed"


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
