"""backlink data providers: a key per workspace, looked-up figures cached, a monthly budget

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "provider_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("secret", sa.String(1000), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "workspace", name="uq_provider_keys_workspace"),
    )
    op.create_table(
        "lookups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("figures", Json),
        sa.Column("fetched_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("provider", "domain", "kind", "period", name="uq_lookups_key"),
    )
    op.create_table(
        "lookup_budget",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("used", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("platform", "workspace", "month", name="uq_lookup_budget_month"),
    )


def downgrade() -> None:
    op.drop_table("lookup_budget")
    op.drop_table("lookups")
    op.drop_table("provider_keys")
