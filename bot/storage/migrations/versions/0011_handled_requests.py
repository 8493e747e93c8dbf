"""handled_requests: a platform request that asked for a change is claimed once, so a redelivered
Discord interaction or Slack trigger changes nothing a second time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_requests",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handled_requests_claimed_at", "handled_requests", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_handled_requests_claimed_at", table_name="handled_requests")
    op.drop_table("handled_requests")
