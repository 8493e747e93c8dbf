"""link_checks: what the last check of each logged link found (live, not followed, lost, unchecked)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_checks",
        sa.Column("progress_id", sa.Integer, sa.ForeignKey("progress.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_link_checks_channel", "link_checks", ["channel_id"])
    op.create_index("ix_link_checks_checked_at", "link_checks", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_link_checks_checked_at", table_name="link_checks")
    op.drop_index("ix_link_checks_channel", table_name="link_checks")
    op.drop_table("link_checks")
