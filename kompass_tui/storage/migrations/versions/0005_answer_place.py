"""Where each answer was given: ``answer.place`` (``kiosk``, ``desk`` or ``review``).

A registration begun alone at a kiosk and continued at the assisted desk became "assisted"
with nothing but the audit log to say where each part was given. Answers saved before are
filled in where it is certain: every answer of a record still in kiosk mode was given at a
kiosk, every answer of a record created at the desk (its ``record_created`` event has a
caseworker) was given at the desk, and an answer a caseworker corrected (provenance
``caseworker`` on a record that has a correction of it) in the review. The others stay
``NULL``: not recorded.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=10), nullable=True))
    answer = sa.table(
        "answer",
        sa.column("record_id", sa.Uuid()),
        sa.column("path", sa.String()),
        sa.column("provenance", sa.String()),
        sa.column("place", sa.String()),
    )
    record = sa.table("record", sa.column("id", sa.Uuid()), sa.column("mode", sa.String()))
    audit_event = sa.table(
        "audit_event",
        sa.column("action", sa.String()),
        sa.column("record_id", sa.Uuid()),
        sa.column("actor_id", sa.Integer()),
    )
    correction = sa.table(
        "correction", sa.column("record_id", sa.Uuid()), sa.column("path", sa.String())
    )
    at_kiosk = sa.select(record.c.id).where(record.c.mode == "kiosk")
    at_desk = (
        sa.select(record.c.id)
        .join(audit_event, audit_event.c.record_id == record.c.id)
        .where(
            record.c.mode == "assisted",
            audit_event.c.action == "record_created",
            audit_event.c.actor_id.is_not(None),
        )
    )
    corrected = sa.exists().where(
        correction.c.record_id == answer.c.record_id, correction.c.path == answer.c.path
    )
    op.execute(
        sa.update(answer)
        .where(answer.c.provenance == "caseworker", corrected)
        .values(place="review")
    )
    op.execute(
        sa.update(answer)
        .where(answer.c.place.is_(None), answer.c.record_id.in_(at_kiosk))
        .values(place="kiosk")
    )
    op.execute(
        sa.update(answer)
        .where(answer.c.place.is_(None), answer.c.record_id.in_(at_desk))
        .values(place="desk")
    )


def downgrade() -> None:
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("place")
