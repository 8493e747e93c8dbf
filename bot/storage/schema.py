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
    sa.Column("language", sa.String(8)),  # chosen with `language` (bot/languages/); none: the platform's
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
    # The submission that made it (a form's identity), so a replayed or re-worked one is one plan.
    sa.Column("request", sa.String(200)),
    sa.Index("ix_plans_channel_newest", "channel_id", "id"),
    sa.Index("uq_plans_request", "request", unique=True),
)

# A questionnaire in progress, per channel and user, so quitting mid-way resumes where it stopped.
drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("state", Json, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Bumped on every save; a save names the version it read, so a concurrent one is detected.
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

# A channel's monthly reminder: its settings, when it is next due, and who is sending it now.
reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("settings", Json, nullable=False),
    sa.Column("next_due_at", sa.DateTime(timezone=True)),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("paused_reason", sa.String(200)),
    sa.Column("pause_noticed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_reminders_due", "next_due_at"),
)

# One row per channel and month once its reminder is being sent: the idempotency key.
reminder_sends = sa.Table(
    "reminder_sends",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),  # sending, sent
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
)

# Links built, as logged: a count, or one registrable domain (unique per channel, so progress
# counts new referring domains), with an optional quick quality check.
progress = sa.Table(
    "progress",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("domain", sa.String(253)),
    sa.Column("url", sa.Text),
    sa.Column("quality", Json),
    sa.Column("source", sa.String(20), nullable=False),  # typed, import, correction, skip
    sa.Column("entry", sa.String(32)),  # the rows one `log` line or import wrote share it (`log undo`)
    sa.Column("note", sa.Text),  # the words of the `log` line: "citations and a local paper"
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_progress_channel_month", "channel_id", "month"),
    sa.Index("uq_progress_channel_domain", "channel_id", "domain", unique=True),
)

# What the last check of a logged link found (bot/links/): one row per progress row with a URL,
# replaced at each check. The channel is kept beside the link, so a channel's states are one read
# and deleting a tenant's rows finds them.
link_checks = sa.Table(
    "link_checks",
    metadata,
    sa.Column("progress_id", sa.Integer, sa.ForeignKey("progress.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # live, not_followed, lost, unchecked
    sa.Column("detail", sa.String(200), nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_link_checks_channel", "channel_id"),
    sa.Index("ix_link_checks_checked_at", "checked_at"),
)

# Form submissions acknowledged to a platform and not yet worked off (done_at is null): stored
# before the acknowledgement, so a stop or a crash after it loses nothing. Whoever holds the lease
# (claimed_until) works the row; when a lease runs out another process (or the next start) does.
# Done rows keep their key (the payload is emptied) for a day, so a replay is recognised.
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("payload", Json, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done_at", sa.DateTime(timezone=True)),
    # Whose submission it is (a workspace's or a channel's data is deleted with it; see tenants.py).
    sa.Column("workspace", sa.String(100)),
    sa.Column("channel", sa.String(100)),
    sa.UniqueConstraint("key", name="uq_inbox_key"),
    sa.Index("ix_inbox_waiting", "done_at", "claimed_until"),
    sa.Index("ix_inbox_workspace", "platform", "workspace"),
)

# A backlink data provider's key per workspace (Slack team, Discord server, the console's "local"),
# encrypted at rest like the Slack tokens; only its last 4 characters are ever shown.
provider_keys = sa.Table(
    "provider_keys",
    metadata,
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

# Figures looked up, per provider, domain and period: a day ("2026-11-30") for a site's figures, a
# month ("2026-11") for its history. A public domain's figures are the same whoever asks, so one
# paid call serves every channel of the deployment that day. `figures` null once fetched: unknown
# to the provider. A row is claimed before the call, so two processes never pay for one domain.
lookups = sa.Table(
    "lookups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("provider", sa.String(40), nullable=False),
    sa.Column("domain", sa.String(253), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("period", sa.String(10), nullable=False),
    sa.Column("figures", Json),
    sa.Column("fetched_at", sa.DateTime(timezone=True)),  # null: being looked up (see claimed_until)
    sa.Column("claimed_until", sa.DateTime(timezone=True)),  # a process looking it up, until then
    sa.UniqueConstraint("provider", "domain", "kind", "period", name="uq_lookups_key"),
)

# Paid calls made per workspace and month, counted before each call against the monthly budget.
lookup_budget = sa.Table(
    "lookup_budget",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("workspace", sa.String(100), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("used", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("platform", "workspace", "month", name="uq_lookup_budget_month"),
)

# A workspace whose data is to be deleted once `due_at` passes: a Discord server that removed the
# bot (a grace period, so a re-add within it keeps everything). Stored, so a restart forgets nothing.
pending_deletions = sa.Table(
    "pending_deletions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("workspace", sa.String(100), nullable=False),
    sa.Column("reason", sa.String(40), nullable=False),  # what asked for it: "removed" (from a server)
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("platform", "workspace", name="uq_pending_deletions_workspace"),
    sa.Index("ix_pending_deletions_due", "due_at"),
)

# Who has used the bot in which channel (a command, a form, a button), for the pages that list a
# person's channels (Slack's App Home). Written only on platforms that show such a page; the row
# goes with its channel.
channel_users = sa.Table(
    "channel_users",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_channel_users_user", "user_id"),
)

# A person's own page in a workspace (Slack's App Home): when they first opened it (kept current
# from then on) and when they were welcomed (on install or that first visit: once, never again).
home_users = sa.Table(
    "home_users",
    metadata,
    sa.Column("platform", sa.String(20), primary_key=True),
    sa.Column("workspace", sa.String(100), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("welcomed_at", sa.DateTime(timezone=True)),
)

# A platform's request that asked for a change (Discord's interaction id, Slack's trigger id, as
# `platform:id`), claimed before the change is made: a second delivery of the same request finds it
# here and does nothing, in this process or another. Released when the change fails, so it can be
# tried again; pruned after a day (a platform redelivers within seconds or minutes, never a day on).
# Only the id: no workspace, channel or person.
handled_requests = sa.Table(
    "handled_requests",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_handled_requests_claimed_at", "claimed_at"),
)
