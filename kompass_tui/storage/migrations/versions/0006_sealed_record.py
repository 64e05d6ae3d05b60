"""Sealed records: ``sealed_record`` (a kiosk's sent records as age envelopes, with no
personal data beside them) and ``sealing_salt`` (the salt of their identifier tags).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sealed_record",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("person_tag", sa.String(length=64), nullable=True),
        sa.Column("kiosk", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("record_id"),
        sa.UniqueConstraint("person_tag"),
    )
    op.create_table(
        "sealing_salt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("sealing_salt")
    op.drop_table("sealed_record")
