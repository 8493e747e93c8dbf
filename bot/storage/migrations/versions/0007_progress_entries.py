"""progress rows carry the entry that wrote them, so `log undo` removes exactly one entry

One `log` line (or import) writes several rows; they share an entry key. Rows written before this
revision have none and are grouped by their moment instead.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.add_column(sa.Column("entry", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.drop_column("entry")
