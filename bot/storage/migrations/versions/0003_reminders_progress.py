"""reminders, reminder sends (idempotency keys) and logged progress

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("settings", Json, nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("paused_reason", sa.String(200)),
        sa.Column("pause_noticed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reminders_due", "reminders", ["next_due_at"])
    op.create_table(
        "reminder_sends",
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "progress",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("domain", sa.String(253)),
        sa.Column("url", sa.Text),
        sa.Column("quality", Json),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_progress_channel_month", "progress", ["channel_id", "month"])
    op.create_index("uq_progress_channel_domain", "progress", ["channel_id", "domain"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_progress_channel_domain", table_name="progress")
    op.drop_index("ix_progress_channel_month", table_name="progress")
    op.drop_table("progress")
    op.drop_table("reminder_sends")
    op.drop_index("ix_reminders_due", table_name="reminders")
    op.drop_table("reminders")
