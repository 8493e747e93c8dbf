"""Slack's App Home: who used the bot in which channel, and who opened their Home or was welcomed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_users",
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(100), primary_key=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_channel_users_user", "channel_users", ["user_id"])
    op.create_table(
        "home_users",
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("workspace", sa.String(100), primary_key=True),
        sa.Column("user_id", sa.String(100), primary_key=True),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("welcomed_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("home_users")
    op.drop_index("ix_channel_users_user", table_name="channel_users")
    op.drop_table("channel_users")
