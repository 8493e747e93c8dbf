"""A workspace's or a channel's data, deleted from every table that holds some (bot/storage/tenants.py),
on SQLite and PostgreSQL, while every other workspace's rows stay."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from tenant_rows import TENANT_COLUMNS, channel_owners, every_row, fill, held_by, held_by_channel

from bot.core.events import ChannelKey
from bot.storage.store import Store
from bot.storage.tenants import NOT_TENANT_DATA, TENANT_DATA

GONE, KEPT, SAME_ID_ELSEWHERE = ("slack", "T1"), ("slack", "T2"), ("discord", "T1")


async def test_every_table_is_either_tenant_data_or_says_why_it_is_not(any_store):
    """A table added later with a workspace or channel column, and not in TENANT_DATA, fails here."""

    def columns(connection: sa.Connection) -> dict[str, set[str]]:
        inspector = sa.inspect(connection)
        return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}

    async with any_store.engine.connect() as connection:
        tables = await connection.run_sync(columns)
    covered = {held.name for held in TENANT_DATA}
    assert set(tables) == covered | set(NOT_TENANT_DATA), "a table is neither in TENANT_DATA nor in NOT_TENANT_DATA"
    unexplained = {t: tables[t] & TENANT_COLUMNS for t in NOT_TENANT_DATA if tables[t] & TENANT_COLUMNS}
    assert unexplained == {}, "a table with a workspace or channel column must be in TENANT_DATA"
    assert covered <= set(tables), "TENANT_DATA names a table the database does not have"


async def test_deleting_a_workspace_leaves_none_of_its_rows_and_every_other_workspaces(any_store, caplog):
    for platform, workspace in (GONE, KEPT, SAME_ID_ELSEWHERE):
        await fill(any_store, platform, workspace)
    before = await every_row(any_store)
    owners = channel_owners(before)
    had = held_by(before, *GONE, owners)
    assert set(had) == {held.name for held in TENANT_DATA}, "the filler must put a row in every tenant table"

    caplog.set_level(logging.INFO, logger="bot.storage.tenants")
    deleted = await any_store.tenants.delete_workspace(*GONE, why="uninstalled")

    after = await every_row(any_store)
    assert held_by(after, *GONE, owners) == {}, "no row of the workspace is left, in any table"
    assert deleted == had, "the counts say what was there"
    assert held_by(after, *KEPT, owners) == held_by(before, *KEPT, owners)
    assert held_by(after, *SAME_ID_ELSEWHERE, owners) == held_by(before, *SAME_ID_ELSEWHERE, owners)
    [line] = [r.getMessage() for r in caplog.records if "deleted the data" in r.getMessage()]
    assert line == (
        "deleted the data of slack workspace T1 (uninstalled): plans 4, drafts 2, reminder_sends 2, reminders 2, "
        "link_checks 2, progress 4, channel_users 2, channels 2, inbox 2, provider_keys 1, lookup_budget 1, "
        "slack_installations 1, slack_bots 1, pending_deletions 1, home_users 1"
    )
    assert "site.example" not in caplog.text and "sealed-key" not in caplog.text, "counts, never the content"


async def test_deleting_a_channel_leaves_the_workspaces_other_channels_and_settings(any_store):
    for platform, workspace in (GONE, KEPT):
        await fill(any_store, platform, workspace)
    here = ChannelKey(*GONE, "C1")
    before = await every_row(any_store)
    ids = {r["id"] for r in before["channels"] if (r["platform"], r["workspace"], r["channel"]) == vars_of(here)}
    owners = channel_owners(before)

    preview = await any_store.tenants.count_channel(here)
    assert preview == {
        "plans": 2,
        "drafts": 1,
        "reminder_sends": 1,
        "reminders": 1,
        "link_checks": 1,
        "progress": 2,
        "channel_users": 1,
        "channels": 1,
        "inbox": 1,
    }
    assert await any_store.tenants.delete_channel(here) == preview

    after = await every_row(any_store)
    assert held_by_channel(after, here, ids) == {}
    workspace_left = held_by(after, *GONE, owners)
    expected = {t: n - preview.get(t, 0) for t, n in held_by(before, *GONE, owners).items()}
    assert workspace_left == expected, "the other channel, the key, the budget and the installation stay"
    assert held_by(after, *KEPT, owners) == held_by(before, *KEPT, owners)
    assert await any_store.current_plan(here) is None
    assert await any_store.current_plan(ChannelKey(*GONE, "C2")) is not None
    assert await any_store.tenants.count_channel(here) == {t: 0 for t in preview}


def vars_of(key: ChannelKey) -> tuple[str, str, str]:
    return (key.platform, key.workspace, key.channel)


async def test_a_deletion_waits_out_its_grace_period_and_a_cancel_keeps_everything(store_url):
    now = [dt.datetime(2026, 11, 1, tzinfo=dt.UTC)]
    store = await Store.open(store_url, clock=lambda: now[0])
    try:
        for platform, workspace in (GONE, KEPT):
            await fill(store, platform, workspace)
        await store.tenants.cancel_deletion(*KEPT)  # the filler schedules one for every workspace
        await store.tenants.cancel_deletion(*GONE)
        when = await store.tenants.schedule_deletion(*GONE, after=dt.timedelta(days=7), reason="removed")
        assert when == dt.datetime(2026, 11, 8, tzinfo=dt.UTC)
        now[0] += dt.timedelta(days=3)
        again = await store.tenants.schedule_deletion(*GONE, after=dt.timedelta(days=7), reason="removed")
        assert again == when, "a repeated removal does not push the deletion back"

        now[0] = when - dt.timedelta(seconds=1)
        assert await store.tenants.carry_out_due() == []
        assert await store.current_plan(ChannelKey(*GONE, "C1")) is not None

        now[0] = when
        [(platform, workspace, counts)] = await store.tenants.carry_out_due()
        assert (platform, workspace) == GONE and counts["plans"] == 4 and counts["pending_deletions"] == 1
        assert held_by(await every_row(store), *GONE, {}) == {}
        assert await store.current_plan(ChannelKey(*KEPT, "C1")) is not None
        assert await store.tenants.carry_out_due() == [], "done once"

        # Scheduled, then the bot is added back within the grace period: nothing is deleted, ever.
        await store.tenants.schedule_deletion(*KEPT, after=dt.timedelta(days=7), reason="removed")
        assert await store.tenants.cancel_deletion(*KEPT) is True
        assert await store.tenants.cancel_deletion(*KEPT) is False
        now[0] += dt.timedelta(days=30)
        assert await store.tenants.carry_out_due() == []
        assert await store.tenants.pending(*KEPT) is None
        assert await store.current_plan(ChannelKey(*KEPT, "C1")) is not None
    finally:
        await store.close()


async def test_a_pending_deletion_survives_a_restart(store_url):
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    store = await Store.open(store_url, clock=lambda: now)
    try:
        await fill(store, *GONE)
        await store.tenants.cancel_deletion(*GONE)
        await store.tenants.schedule_deletion(*GONE, after=dt.timedelta(days=7), reason="removed")
    finally:
        await store.close()
    later = await Store.open(store_url, clock=lambda: now + dt.timedelta(days=8))
    try:
        assert await later.tenants.pending(*GONE) == now + dt.timedelta(days=7)
        [(_, _, counts)] = await later.tenants.carry_out_due()
        assert counts["channels"] == 2
        assert await later.current_plan(ChannelKey(*GONE, "C1")) is None
    finally:
        await later.close()
