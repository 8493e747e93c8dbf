"""an inbox of acknowledged form submissions, and plans keyed by the submission that made them

A submission is stored before the platform is answered and worked off from here, so a process
stopped (or killed) after the acknowledgement loses nothing; the key makes a replayed submission
one plan, not several.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("key", name="uq_inbox_key"),
    )
    op.create_index("ix_inbox_waiting", "inbox", ["done_at", "claimed_until"])
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("request", sa.String(200)))
    op.create_index("uq_plans_request", "plans", ["request"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_plans_request", "plans")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("request")
    op.drop_index("ix_inbox_waiting", "inbox")
    op.drop_table("inbox")
