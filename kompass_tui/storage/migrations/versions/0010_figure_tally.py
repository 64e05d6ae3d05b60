"""The municipality's figures kept as records change: ``figure_tally``.

``kompass stats`` and the review's overview count records by day, status and code. Counting
100,000 records each time took a third of a second; the database now keeps the counts itself,
one row per (family, day, status, code), changed by triggers as records and their answers are
written, changed or deleted, whoever writes them (the kiosk, the desk, the review, an import, a
purge). The figures are then sums over a few hundred rows. What each family counts is in
``kompass_tui/storage/tally.py``; the triggers here are made from it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kompass_tui.storage import tally

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "figure_tally",
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("family", "day", "status", "code"),
    )
    backend = op.get_bind().dialect.name
    for statement in tally.create_statements(backend):
        op.execute(statement)
    op.execute(tally.backfill_statement(backend))


def downgrade() -> None:
    backend = op.get_bind().dialect.name
    for statement in tally.drop_statements(backend):
        op.execute(statement)
    op.drop_table("figure_tally")
