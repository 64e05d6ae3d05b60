"""The storage's words that the command line offers as choices (``--sort``, ``--action``).

They are here, apart from the database code, because Typer builds every command's options each
time ``kompass`` starts, the kiosk included: importing them loads nothing but this module.
"""

from __future__ import annotations

from enum import StrEnum


class Sort(StrEnum):
    """The orders of the review's list of records."""

    deadline = "deadline"
    name = "name"
    updated = "updated"


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
    #: A registration refused because the person already has a record: on that record, with
    #: where (``mode``: kiosk or desk), the refused registration's own record (``attempt``)
    #: and, at a kiosk, the kiosk's name; at the desk the caseworker is the actor. Never what
    #: was typed.
    duplicate_refused = "duplicate_refused"
    record_submitted = "record_submitted"
    records_listed = "records_listed"
    record_viewed = "record_viewed"
    remark_added = "remark_added"
    answer_corrected = "answer_corrected"
    status_changed = "status_changed"
    #: A reviewer sent the record back for clarification; ``remark`` is the remark that says
    #: what to clear up (its text is in the record, not in the log).
    sent_back = "sent_back"
    settlement_changed = "settlement_changed"
    #: The municipality's deadlines set (``kompass deadlines``): the old and the new.
    settings_changed = "settings_changed"
    follow_up_changed = "follow_up_changed"
    provenance_changed = "provenance_changed"
    exported = "exported"
    #: A kiosk sealed a sent record to the municipality's key and kept only the envelope.
    record_sealed = "record_sealed"
    #: A kiosk's envelope confirmed by the municipality's server (``kompass sync``), with the
    #: server (no password) and the envelope's hash; the envelope is then deleted at the kiosk.
    record_delivered = "record_delivered"
    #: The server holds another record under the envelope's id: it stays at the kiosk.
    delivery_refused = "delivery_refused"
    #: On the server, written by the inbox's trigger: an envelope arrived; the actor's name is
    #: the database role that delivered it.
    envelope_received = "envelope_received"
    #: An envelope from the inbox opened into the review records (``kompass inbox``).
    envelope_opened = "envelope_opened"
    imported = "imported"
    #: A remark or correction that an import added to a record already in the database.
    remark_imported = "remark_imported"
    correction_imported = "correction_imported"
    purged = "purged"
    audit_viewed = "audit_viewed"
