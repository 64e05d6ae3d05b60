"""The career-guidance deadline and the municipality's own deadlines: ``record.settlement_date``
(recorded by a caseworker) and the ``setting`` table (``kompass deadlines``).

A record sent back for clarification needs no column: its status is ``sent_back`` and what
the reviewer asked is a remark of kind ``sent_back``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settlement_date", sa.Date(), nullable=True))
    op.create_table(
        "setting",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("setting")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("settlement_date")
