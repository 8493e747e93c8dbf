"""The tables, as SQLAlchemy Core metadata (the queries use it; Alembic migrations own the DDL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL, JSON text on SQLite: one query layer for both engines.
Json = sa.JSON().with_variant(JSONB(), "postgresql")

metadata = sa.MetaData()

channels = sa.Table(
    "channels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("workspace", sa.String(100), nullable=False),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("platform", "workspace", "channel", name="uq_channels_key"),
)

# Every plan ever made in a channel; the newest is the current one (history is kept).
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answers", Json, nullable=False),
    sa.Column("plan", Json, nullable=False),
    sa.Index("ix_plans_channel_newest", "channel_id", "id"),
)

# A questionnaire in progress, per channel and user, so quitting mid-way resumes where it stopped.
drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("state", Json, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
