"""a workspace's data can be deleted: inbox rows name their workspace and channel; deletions wait
out a grace period in pending_deletions

Submissions stored before this revision have no workspace or channel yet: the ones still waiting
get them from their payload (Slack's `team`, Discord's `guild`, and `channel`); done ones (payload
emptied, kept a day to recognise replays) from a Slack key (`slack:TEAM:…`), else none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("workspace", sa.String(100)))
        batch.add_column(sa.Column("channel", sa.String(100)))
        batch.create_index("ix_inbox_workspace", ["platform", "workspace"])
    _name_the_inbox_rows()
    op.create_table(
        "pending_deletions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "workspace", name="uq_pending_deletions_workspace"),
    )
    op.create_index("ix_pending_deletions_due", "pending_deletions", ["due_at"])


def _name_the_inbox_rows() -> None:
    inbox = sa.table(
        "inbox",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("platform", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("workspace", sa.String),
        sa.column("channel", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(inbox.c.id, inbox.c.key, inbox.c.platform, inbox.c.payload)).all():
        payload = row.payload if isinstance(row.payload, dict) else {}
        workspace = payload.get("team") or payload.get("guild")
        if not workspace and row.platform == "slack" and row.key.count(":") >= 2:
            workspace = row.key.split(":")[1]
        channel = str(payload["channel"])[:100] if payload.get("channel") else None
        if workspace:
            connection.execute(
                sa.update(inbox).where(inbox.c.id == row.id).values(workspace=str(workspace)[:100], channel=channel)
            )


def downgrade() -> None:
    op.drop_index("ix_pending_deletions_due", table_name="pending_deletions")
    op.drop_table("pending_deletions")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_workspace")
        batch.drop_column("channel")
        batch.drop_column("workspace")
