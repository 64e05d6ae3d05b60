"""Account administration is a role: ``caseworker.is_admin``.

An existing database gets one administrator: its earliest active account with a real
password (accounts an import added have none: their hash starts with ``!``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("caseworker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    caseworker = sa.table(
        "caseworker",
        sa.column("id", sa.Integer()),
        sa.column("active", sa.Boolean()),
        sa.column("password_hash", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("is_admin", sa.Boolean()),
    )
    earliest = (
        sa.select(caseworker.c.id)
        .where(caseworker.c.active == sa.true(), ~caseworker.c.password_hash.startswith("!"))
        .order_by(caseworker.c.created_at, caseworker.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(sa.update(caseworker).where(caseworker.c.id == earliest).values(is_admin=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("caseworker", schema=None) as batch_op:
        batch_op.drop_column("is_admin")
