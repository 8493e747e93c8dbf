"""A workspace's or a channel's data: found in every table that holds some, counted, deleted.

A tenant is a workspace (a Slack team, a Discord server, the console's "local") or one channel in
it. `TENANT_DATA` is the one list of where its rows are: a table added later that holds a
workspace's or a channel's rows is one more line there (tests/bot/storage/test_tenants.py fails until it
is, or until `NOT_TENANT_DATA` says why it holds none). A deletion is one transaction and returns
how many rows went from each table; it is logged as those counts, never as what the rows held.

Deletions that wait (a Discord server that removed the bot keeps its data for a grace period, so
a re-add keeps everything) are rows of `pending_deletions`, carried out by a serving process once
due (`carry_out_due`), so a restart in between forgets nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.events import ChannelKey
from bot.storage.db import Database
from bot.storage.schema import (
    channel_users,
    channels,
    drafts,
    home_users,
    inbox,
    link_checks,
    lookup_budget,
    pending_deletions,
    plans,
    progress,
    provider_keys,
    reminder_sends,
    reminders,
)

log = logging.getLogger(__name__)

Where = sa.ColumnElement[bool]

# slack_sdk's installation tables (their shapes are in migration 0002; the core never imports the SDK).
slack_installations = sa.table("slack_installations", sa.column("team_id", sa.String))
slack_bots = sa.table("slack_bots", sa.column("team_id", sa.String))


@dataclass(frozen=True, slots=True)
class Held:
    """Where one table keeps a tenant's rows: those of a workspace, and those of one channel (None:
    the table holds settings of the whole workspace, not a channel's data)."""

    table: sa.TableClause
    of_workspace: Callable[[str, str], Where]  # (platform, workspace) → which rows
    of_channel: Callable[[ChannelKey], Where] | None = None

    @property
    def name(self) -> str:
        return self.table.name


def _channels_of(platform: str, workspace: str) -> sa.Select:
    return sa.select(channels.c.id).where(channels.c.platform == platform, channels.c.workspace == workspace)


def _channel(key: ChannelKey) -> sa.Select:
    return _channels_of(key.platform, key.workspace).where(channels.c.channel == key.channel)


def by_channel_id(table: sa.Table) -> Held:
    """A table whose rows belong to a channel through `channel_id` (channels.id)."""
    return Held(
        table,
        lambda platform, workspace: table.c.channel_id.in_(_channels_of(platform, workspace)),
        lambda key: table.c.channel_id.in_(_channel(key)),
    )


def by_columns(table: sa.TableClause, *, channel: str | None = None) -> Held:
    """A table naming its tenant in `platform` and `workspace` columns (and a channel column, if any)."""

    def of_workspace(platform: str, workspace: str) -> Where:
        return sa.and_(table.c.platform == platform, table.c.workspace == workspace)

    def of_channel(key: ChannelKey) -> Where:
        return sa.and_(of_workspace(key.platform, key.workspace), table.c[channel] == key.channel)

    return Held(table, of_workspace, of_channel if channel else None)


def slack_team(table: sa.TableClause) -> Held:
    """slack_sdk's rows of a Slack team (its tokens, who installed the app)."""
    return Held(table, lambda platform, workspace: table.c.team_id == workspace if platform == "slack" else sa.false())


# Every table holding a workspace's or a channel's rows. Children before the rows they point at
# (so each table's count is its own, not a cascade's).
TENANT_DATA: tuple[Held, ...] = (
    by_channel_id(plans),
    by_channel_id(drafts),
    by_channel_id(reminder_sends),
    by_channel_id(reminders),
    by_channel_id(link_checks),
    by_channel_id(progress),
    by_channel_id(channel_users),
    by_columns(channels, channel="channel"),
    by_columns(inbox, channel="channel"),
    by_columns(provider_keys),
    by_columns(lookup_budget),
    slack_team(slack_installations),
    slack_team(slack_bots),
    by_columns(pending_deletions),
    by_columns(home_users),
)

# Tables that hold no workspace's or channel's rows, and why.
NOT_TENANT_DATA: Mapping[str, str] = {
    "lookups": "figures of public domains, shared by every workspace: no workspace, channel or person in a row",
    "slack_oauth_states": "a random state per OAuth install in progress, for ten minutes: nobody's yet",
    "handled_requests": "a platform's id of a request that changed something, for a day: the id alone",
    "alembic_version": "the schema's revision",
}


class TenantStore:
    def __init__(self, store: Database):
        self.store = store

    async def count_channel(self, key: ChannelKey) -> dict[str, int]:
        """How many rows of this channel each table holds (what `forget` would delete)."""
        counts = {}
        async with self.store.reader.connect() as connection:
            for held in TENANT_DATA:
                if held.of_channel is not None:
                    query = sa.select(sa.func.count()).select_from(held.table).where(held.of_channel(key))
                    counts[held.name] = (await connection.execute(query)).scalar_one()
        return counts

    async def delete_channel(self, key: ChannelKey) -> dict[str, int]:
        """Delete this channel's rows (plans and their history, drafts, reminders, progress, waiting
        submissions), in one transaction; the workspace's own settings (a provider key) stay."""
        async with self.store.engine.begin() as connection:
            deleted = await _delete(connection, [(h, h.of_channel(key)) for h in TENANT_DATA if h.of_channel])
        log.info("deleted the data of %s %s channel %s: %s", key.platform, key.workspace, key.channel, _counts(deleted))
        return deleted

    async def delete_workspace(self, platform: str, workspace: str, *, why: str) -> dict[str, int]:
        """Delete every row of this workspace, in every table, in one transaction."""
        async with self.store.engine.begin() as connection:
            deleted = await _delete(connection, [(h, h.of_workspace(platform, workspace)) for h in TENANT_DATA])
        log.info("deleted the data of %s workspace %s (%s): %s", platform, workspace, why, _counts(deleted))
        return deleted

    # Deletions after a grace period.

    async def schedule_deletion(
        self, platform: str, workspace: str, *, after: dt.timedelta, reason: str
    ) -> dt.datetime:
        """Delete this workspace's data once `after` has passed, unless cancelled first. Asked again
        while one waits, the first stands (a repeated event does not push it back). Returns when."""
        now = self.store.clock()
        values = {"platform": platform, "workspace": workspace, "reason": reason, "requested_at": now}
        insert = self.store._insert(pending_deletions).values(**values, due_at=now + after)
        async with self.store.engine.begin() as connection:
            await connection.execute(insert.on_conflict_do_nothing(index_elements=["platform", "workspace"]))
            due = await connection.execute(sa.select(pending_deletions.c.due_at).where(*_pending(platform, workspace)))
            when = _utc(due.scalar_one())
        log.info("the data of %s workspace %s is to be deleted at %s (%s)", platform, workspace, when, reason)
        return when

    async def cancel_deletion(self, platform: str, workspace: str) -> bool:
        """Keep the workspace's data after all (the bot was added back); whether one was waiting."""
        async with self.store.engine.begin() as connection:
            cancelled = await connection.execute(sa.delete(pending_deletions).where(*_pending(platform, workspace)))
        if cancelled.rowcount:
            log.info("the deletion of %s workspace %s was cancelled: the bot is back", platform, workspace)
        return cancelled.rowcount > 0

    async def workspaces(self, platform: str) -> set[str]:
        """Every workspace of this platform that holds rows (channels, waiting submissions, keys,
        budgets, people's pages)."""
        held = [h.table for h in TENANT_DATA if "workspace" in h.table.c and h.table is not pending_deletions]
        query = sa.union(*(sa.select(t.c.workspace).where(t.c.platform == platform) for t in held))
        async with self.store.reader.connect() as connection:
            return set((await connection.execute(query)).scalars())

    async def reconcile(
        self, platform: str, present: set[str], *, after: dt.timedelta, removed: frozenset[str] = frozenset()
    ) -> tuple[set[str], set[str]]:
        """The platform's own word on where the bot is (Discord's READY names every server it is in)
        against what is stored: a workspace holding rows but not present removed the bot while no
        process was connected, and its deletion waits out `after`, as a removal seen live does; a
        present one whose deletion waits for a removal (a reason in `removed`) added the bot back
        meanwhile, and keeps everything. Returns (scheduled, kept)."""
        gone = await self.workspaces(platform) - present
        for workspace in sorted(gone):
            await self.schedule_deletion(platform, workspace, after=after, reason="removed while offline")
        query = sa.select(pending_deletions.c.workspace).where(
            pending_deletions.c.platform == platform,
            pending_deletions.c.reason.in_(sorted({"removed while offline", *removed})),
        )
        async with self.store.reader.connect() as connection:
            waiting = set((await connection.execute(query)).scalars())
        kept = waiting & present
        for workspace in sorted(kept):
            await self.cancel_deletion(platform, workspace)
        if gone:  # every one at once is also what a token of another application looks like
            log.warning(
                "%d %s workspace(s) with data no longer have the bot (it is in %d): their data is deleted "
                "in %d day(s) unless it is added back",
                len(gone),
                platform,
                len(present),
                after.days,
            )
        return gone, kept

    async def pending(self, platform: str, workspace: str) -> dt.datetime | None:
        """When this workspace's data is to be deleted, if it is."""
        query = sa.select(pending_deletions.c.due_at).where(*_pending(platform, workspace))
        async with self.store.reader.connect() as connection:
            return _utc((await connection.execute(query)).scalar_one_or_none())

    async def carry_out_due(self, *, limit: int = 100) -> list[tuple[str, str, dict[str, int]]]:
        """Delete the data of every workspace whose grace period is over: (platform, workspace,
        counts) for each. Each is one transaction, which first takes its pending row (still due):
        a deletion cancelled meanwhile, or carried out by another process, deletes nothing."""
        now = self.store.clock()
        due = (
            sa.select(pending_deletions.c.platform, pending_deletions.c.workspace, pending_deletions.c.reason)
            .where(pending_deletions.c.due_at <= now)
            .order_by(pending_deletions.c.due_at)
            .limit(limit)
        )
        async with self.store.reader.connect() as connection:
            found = (await connection.execute(due)).all()
        done = []
        for platform, workspace, reason in found:
            async with self.store.engine.begin() as connection:
                still_due = (*_pending(platform, workspace), pending_deletions.c.due_at <= now)
                taken = await connection.execute(sa.delete(pending_deletions).where(*still_due))
                if taken.rowcount == 0:
                    continue
                deleted = await _delete(connection, [(h, h.of_workspace(platform, workspace)) for h in TENANT_DATA])
                deleted[pending_deletions.name] = taken.rowcount
            log.info(
                "deleted the data of %s workspace %s (%s, grace period over): %s",
                platform,
                workspace,
                reason,
                _counts(deleted),
            )
            done.append((platform, workspace, deleted))
        return done

    async def run_forever(self, every: float) -> None:
        """Carry out due deletions at start and then every `every` seconds (a serving process)."""
        while True:
            try:
                await self.carry_out_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: try again next round (the rows wait)
                log.exception("could not carry out the deletions that are due")
            await asyncio.sleep(every)


async def _delete(connection: AsyncConnection, where: list[tuple[Held, Where]]) -> dict[str, int]:
    deleted = {}
    for held, condition in where:
        deleted[held.name] = (await connection.execute(sa.delete(held.table).where(condition))).rowcount
    return deleted


def _pending(platform: str, workspace: str) -> tuple[Where, Where]:
    return (pending_deletions.c.platform == platform, pending_deletions.c.workspace == workspace)


def _counts(deleted: Mapping[str, int]) -> str:
    """Counts only (never what the rows held): 'plans 3, progress 12' (tables with none left out)."""
    return ", ".join(f"{name} {n}" for name, n in deleted.items() if n) or "nothing was stored"


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes even for timezone=True columns; we only ever write UTC.
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment
