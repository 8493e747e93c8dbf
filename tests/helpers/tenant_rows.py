"""A workspace's rows in every table: put there through the bot's own stores, then found again by
reading every table of the database (reflected, not taken from the code under test).

A row belongs to a workspace when its columns say so: `platform` and `workspace`; a `channel_id`
of one of its channels (as they were before anything was deleted); or, in slack_sdk's tables, its
`team_id` (Slack's only). A table with none of these columns holds nobody's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.home.store import HomeStore, Person
from bot.intake import Intake
from bot.links.checker import LinkState
from bot.links.store import LinkStore
from bot.lookups.store import LookupStore
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.schedule import ReminderSettings
from bot.storage.store import Store

# Columns that name a tenant: a table that has one holds some workspace's or channel's rows.
TENANT_COLUMNS = {"workspace", "channel", "channel_id", "team_id", "enterprise_id", "guild", "guild_id"}
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


async def fill(store: Store, platform: str, workspace: str, channels: tuple[str, ...] = ("C1", "C2")) -> None:
    """Plans (two, so a history), a draft, a reminder and its send, progress by count and by domain,
    a waiting submission and who used it per channel; the workspace's provider key, lookup budget,
    a pending deletion and a person's Home; for Slack, an installation and its bot."""
    for channel in channels:
        key = ChannelKey(platform, workspace, channel)
        reminder = (ReminderSettings().to_json(), NOW + dt.timedelta(days=10))
        await store.save_plan(key, "U1", {"site": "site.example"}, {"site": "site.example"}, first_reminder=reminder)
        await store.save_plan(key, "U2", {"site": "site.example"}, {"site": "site.example", "n": 2})
        await store.save_draft(key, "U3", {"answers": {"site": "other.example"}})
        link = ("news.example", "https://news.example/a", None)
        await ProgressStore.on(store).log(key, "U1", "2026-11", count=2, domains=[link])
        async with store.engine.begin() as connection:
            channel_id = await store._channel_id(connection, key, create=False)
        await ReminderStore.on(store).begin_sends([(channel_id, "2026-11", NOW)])
        [due] = [d for d in await LinkStore.on(store).due(checked_before=NOW, limit=100) if d.channel_id == channel_id]
        await LinkStore.on(store).save([(due, LinkState(due.url, "live"))])  # what its last check found
        await Intake(store).accept(platform, f"{platform}:{workspace}:{channel}", {"answers": "…"}, channel=key)
        await HomeStore.on(store).used(key, "U1")  # who used the bot here, for their Home
    await LookupStore.on(store).save_key((platform, workspace), "dataforseo", "sealed-key", "1234", "U1")
    assert await LookupStore.on(store).spend((platform, workspace), "2026-11", 1, 10)
    await store.tenants.schedule_deletion(platform, workspace, after=dt.timedelta(days=7), reason="test")
    await HomeStore.on(store).opened(Person(platform, workspace, "U1"))  # a Home opened, and its welcome
    assert await HomeStore.on(store).claim_welcome(Person(platform, workspace, "U1"))
    if platform == "slack":
        async with store.engine.begin() as connection:
            for table in ("slack_installations", "slack_bots"):
                extra = ", user_id" if table == "slack_installations" else ""
                values = ", 'U1'" if table == "slack_installations" else ""
                await connection.execute(
                    sa.text(
                        f"INSERT INTO {table} (client_id, app_id, team_id, bot_token, is_enterprise_install, "
                        f"installed_at{extra}) VALUES ('111.222', 'A1', :team, 'xoxb-x', false, :at{values})"
                    ),
                    {"team": workspace, "at": NOW.replace(tzinfo=None)},
                )


async def every_row(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database, by table."""

    def read(connection: sa.Connection) -> dict[str, list[dict[str, Any]]]:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        return {
            name: [dict(row._mapping) for row in connection.execute(sa.select(table))]
            for name, table in metadata.tables.items()
        }

    async with store.engine.connect() as connection:
        return await connection.run_sync(read)


def channel_owners(rows: dict[str, list[dict[str, Any]]]) -> dict[int, tuple[str, str]]:
    """channels.id → (platform, workspace), from a snapshot taken before a deletion."""
    return {r["id"]: (r["platform"], r["workspace"]) for r in rows["channels"]}


def held_by(
    rows: dict[str, list[dict[str, Any]]], platform: str, workspace: str, owners: dict[int, tuple[str, str]]
) -> dict[str, int]:
    """How many rows of each table belong to this workspace (tables with none left out)."""
    counts: dict[str, int] = {}
    for table, found in rows.items():
        n = sum(1 for row in found if _belongs(row, platform, workspace, owners))
        if n:
            counts[table] = n
    return counts


def held_by_channel(rows: dict[str, list[dict[str, Any]]], key: ChannelKey, ids: set[int]) -> dict[str, int]:
    """How many rows of each table belong to this one channel (`ids`: its channels.id, from before)."""
    counts: dict[str, int] = {}
    for table, found in rows.items():
        n = 0
        for row in found:
            if "channel_id" in row:
                n += row["channel_id"] in ids
            elif "channel" in row and "platform" in row:
                n += (row["platform"], row["workspace"], row["channel"]) == (key.platform, key.workspace, key.channel)
        if n:
            counts[table] = n
    return counts


def _belongs(row: dict[str, Any], platform: str, workspace: str, owners: dict[int, tuple[str, str]]) -> bool:
    if "channel_id" in row:
        return owners.get(row["channel_id"]) == (platform, workspace)
    if "platform" in row and "workspace" in row:
        return (row["platform"], row["workspace"]) == (platform, workspace)
    if "team_id" in row:
        return platform == "slack" and row["team_id"] == workspace
    return False
