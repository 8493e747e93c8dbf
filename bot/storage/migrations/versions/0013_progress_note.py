"""progress.note: the words of a `log` line around its count ("citations and a local paper")

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("progress", sa.Column("note", sa.Text))  # a nullable column: no table rebuild on SQLite


def downgrade() -> None:
    with op.batch_alter_table("progress") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("note")
