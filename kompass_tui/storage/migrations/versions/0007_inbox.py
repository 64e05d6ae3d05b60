"""Delivery through PostgreSQL: ``inbox`` (sealed records kiosks delivered), a sealed record's
delivery at the kiosk, and where a record came from.

- ``inbox``: one row per delivered envelope, unique on the record id. On PostgreSQL a trigger
  (``kompass_inbox_receive``, run with the rights of the inbox's owner) makes a delivery
  idempotent without the kiosk's role reading anything: the same record with the same content
  again is dropped quietly, the same record with other content is refused (``KP409``), and
  each envelope received is written to the audit log with the role that delivered it.
- ``sealed_record.delivered_at``: when the server confirmed the envelope; the envelope itself
  is then deleted from the kiosk (``envelope`` may be empty), its identifier tag stays.
- ``record.kiosk`` and ``record.delivered_at``: the kiosk a record came from and when the
  municipality received it, shown in the review.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The SQLSTATE the trigger raises for a record id delivered again with other content.
CONFLICT_STATE = "KP409"

_RECEIVE = """
CREATE FUNCTION kompass_inbox_receive() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    known varchar(64);
BEGIN
    SELECT content_hash INTO known FROM inbox WHERE record_id = NEW.record_id;
    IF FOUND THEN
        IF known = NEW.content_hash THEN
            RETURN NULL;  -- delivered before: stored once
        END IF;
        RAISE EXCEPTION 'record % was delivered before with other content', NEW.record_id
            USING ERRCODE = '{state}';
    END IF;
    NEW.delivered_at := now();
    NEW.opened_at := NULL;
    INSERT INTO audit_event (at, actor_name, action, record_id, detail)
    VALUES (now(), left(session_user, 80), 'envelope_received', NEW.record_id,
            json_build_object('kiosk', NEW.kiosk, 'content_hash', NEW.content_hash));
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("kiosk", sa.String(length=80), nullable=True),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "delivered_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("record_id"),
    )
    with op.batch_alter_table("sealed_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("envelope", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.create_index("ix_sealed_record_delivered_at", ["delivered_at"], unique=False)
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kiosk", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
        op.execute(_RECEIVE.format(schema=schema, state=CONFLICT_STATE))
        op.execute(
            "CREATE TRIGGER inbox_receive BEFORE INSERT ON inbox "
            "FOR EACH ROW EXECUTE FUNCTION kompass_inbox_receive()"
        )
        # Nobody but its owner may call it outside the trigger.
        op.execute("REVOKE ALL ON FUNCTION kompass_inbox_receive() FROM PUBLIC")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER inbox_receive ON inbox")
        op.execute("DROP FUNCTION kompass_inbox_receive()")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("kiosk")
    with op.batch_alter_table("sealed_record", schema=None) as batch_op:
        batch_op.drop_index("ix_sealed_record_delivered_at")
        batch_op.alter_column("envelope", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("delivered_at")
    op.drop_table("inbox")
