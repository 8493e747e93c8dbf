"""Slack token columns widen from 200 to 1,000 characters: an encrypted token (BACKLINKS_TOKEN_KEY)
is about three times as long as the token, and a rotating refresh token is long already

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TOKENS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def _resize(length: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return  # SQLite doesn't enforce a VARCHAR's length: nothing to change
    for table, columns in TOKENS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.String(length), existing_nullable=True)


def upgrade() -> None:
    _resize(1000)


def downgrade() -> None:
    _resize(200)
