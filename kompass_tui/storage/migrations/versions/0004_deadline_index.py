"""The review list's order as an index: ``record (status, permit_date, id)``.

The list shows records of some statuses, soonest deadline first (permit date, then id). With
an index on ``status`` alone, every record of those statuses was read and sorted for each
page; in this index a page is read off for each status and merged. It begins with
``status``, so it replaces the index on ``status`` alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_record_status_deadline", "record", ["status", "permit_date", "id"], unique=False
    )
    op.drop_index("ix_record_status", table_name="record")


def downgrade() -> None:
    op.create_index("ix_record_status", "record", ["status"], unique=False)
    op.drop_index("ix_record_status_deadline", table_name="record")
