"""channels.language: the language a channel chose with `language` (none: the platform's locale)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channels", sa.Column("language", sa.String(8)))  # nullable: no table rebuild on SQLite


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("language")
