"""A Discord server's data leaves when asked: removed from a server (GUILD_DELETE for a server it was
in), the bot deletes that server's data once the grace period is over, unless it is added back
within it; an outage (GUILD_DELETE with `unavailable: true`) deletes nothing. `/backlinks forget`
deletes one channel's data for members with Manage Server, after a button checked again at its
press. The real discord.py client against the gateway and REST stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from discord_flow import EPHEMERAL, buttons, make_client, press, slash, walk_the_plan
from discord_standin import MANAGE_GUILD_PERMISSIONS, MEMBER_PERMISSIONS
from tenant_rows import channel_owners, every_row, fill, held_by

from bot.core.events import ChannelKey
from bot.storage.store import Store

START = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(days=7)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def store(store_url, clock):
    store = await Store.open(store_url, clock=clock)
    yield store
    await store.close()


@pytest.fixture
async def bot(standin, store):
    client = make_client(standin, store)
    client._connection.guild_ready_timeout = 0  # on_ready at once: GUILD_CREATEs after it are joins
    async with standin.connected(client):
        await asyncio.wait_for(client.wait_until_ready(), 5)
        yield client


def guild(guild_id: int, **extra) -> dict:
    return {"id": str(guild_id), "name": f"Server {guild_id}", "features": [], "roles": [], "emojis": [], **extra}


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_removal_deletes_the_servers_data_after_the_grace_period_and_an_outage_nothing(
    bot, standin, store, clock
):
    here = str(standin.guild_id)
    for platform, workspace in (("discord", here), ("discord", "9999"), ("slack", here)):
        await fill(store, platform, workspace)
        await store.tenants.cancel_deletion(platform, workspace)  # the filler schedules one
    before = await every_row(store)
    owners = channel_owners(before)
    await standin.dispatch("GUILD_CREATE", guild(standin.guild_id))
    await until(lambda: _known(bot, standin.guild_id))

    # An outage: Discord says the server is unavailable. Nothing is scheduled.
    await standin.dispatch("GUILD_DELETE", {"id": here, "unavailable": True})
    await until(lambda: _unavailable(bot, standin.guild_id))
    await standin.dispatch("GUILD_CREATE", guild(standin.guild_id, unavailable=False))  # back
    await until(lambda: _available(bot, standin.guild_id))
    assert await store.tenants.pending("discord", here) is None

    # Removed: the deletion waits out the grace period (BACKLINKS_REMOVAL_GRACE_DAYS, 7 by default).
    await standin.dispatch("GUILD_DELETE", {"id": here})
    await until(lambda: _pending(store, here))
    assert await store.tenants.pending("discord", here) == START + GRACE
    clock.now = START + GRACE - dt.timedelta(minutes=1)
    assert await store.tenants.carry_out_due() == []
    waiting = held_by(await every_row(store), "discord", here, owners)
    assert waiting == {**held_by(before, "discord", here, owners), "pending_deletions": 1}, "all kept, for now"

    clock.now = START + GRACE
    await store.tenants.carry_out_due()  # what a serving process does (bot/app/serve.py)
    after = await every_row(store)
    assert held_by(after, "discord", here, owners) == {}
    assert held_by(after, "discord", "9999", owners) == held_by(before, "discord", "9999", owners)
    assert held_by(after, "slack", here, owners) == held_by(before, "slack", here, owners), "same id, other platform"


async def test_added_back_within_the_grace_period_the_server_keeps_everything(bot, standin, store, clock):
    here = str(standin.guild_id)
    await fill(store, "discord", here)
    await store.tenants.cancel_deletion("discord", here)
    before = await every_row(store)
    await standin.dispatch("GUILD_CREATE", guild(standin.guild_id))
    await until(lambda: _known(bot, standin.guild_id))

    await standin.dispatch("GUILD_DELETE", {"id": here})
    await until(lambda: _pending(store, here))
    clock.now = START + dt.timedelta(days=6)
    await standin.dispatch("GUILD_CREATE", guild(standin.guild_id))  # added back: a join
    await until(lambda: _not_pending(store, here))

    clock.now = START + dt.timedelta(days=60)
    assert await store.tenants.carry_out_due() == []
    assert await every_row(store) == before


async def test_a_server_that_removed_the_bot_while_it_was_offline_is_found_at_ready_and_one_that_added_it_back_kept(
    standin, store, clock
):
    """No event comes for a removal while no process is connected: READY's list of servers is held
    against the servers with data. One missing is scheduled like a removal seen live; one whose
    deletion waited and that is back in the list (added back meanwhile) keeps everything."""
    here, gone, back = str(standin.guild_id), "7777", "8888"
    for workspace in (here, gone, back):
        await fill(store, "discord", workspace)
        await store.tenants.cancel_deletion("discord", workspace)
    await fill(store, "slack", gone)  # the same id on another platform is not Discord's to judge
    await store.tenants.cancel_deletion("slack", gone)
    await store.tenants.schedule_deletion("discord", back, after=GRACE, reason="removed")  # seen live, earlier
    before = await every_row(store)
    owners = channel_owners(before)

    standin.member_of = [standin.guild_id, int(back)]  # 7777 removed the bot meanwhile; 8888 added it back
    client = make_client(standin, store)
    async with standin.connected(client):
        await asyncio.wait_for(client.wait_until_ready(), 5)
        await until(lambda: _pending(store, gone))
        await until(lambda: _not_pending(store, back))
    assert await store.tenants.pending("discord", gone) == START + GRACE
    assert await store.tenants.pending("discord", here) is None
    assert await store.tenants.pending("slack", gone) is None

    clock.now = START + GRACE
    await store.tenants.carry_out_due()
    after = await every_row(store)
    assert held_by(after, "discord", gone, owners) == {}
    for platform, workspace in (("discord", here), ("slack", gone)):
        assert held_by(after, platform, workspace, owners) == held_by(before, platform, workspace, owners)
    kept = held_by(before, "discord", back, owners)
    assert kept.pop("pending_deletions") == 1
    assert held_by(after, "discord", back, owners) == kept, "everything but its waiting deletion"


async def test_a_pending_deletion_is_carried_out_by_the_serving_process_after_a_restart(store_url, clock):
    """Scheduled by one process, carried out by the next one's periodic task."""
    store = await Store.open(store_url, clock=clock)
    try:
        await fill(store, "discord", "3333")
    finally:
        await store.close()
    clock.now = START + GRACE  # the filler's deletion (7 days) is due now
    later = await Store.open(store_url, clock=clock)
    try:
        task = asyncio.create_task(later.tenants.run_forever(every=0.05))
        await until(lambda: _no_channels(later))
        task.cancel()
        assert held_by(await every_row(later), "discord", "3333", {}) == {}
    finally:
        await later.close()


async def _known(bot, guild_id: int) -> bool:
    return bot.get_guild(guild_id) is not None


async def _unavailable(bot, guild_id: int) -> bool:
    return bot.get_guild(guild_id) is not None and bot.get_guild(guild_id).unavailable


async def _available(bot, guild_id: int) -> bool:
    return bot.get_guild(guild_id) is not None and not bot.get_guild(guild_id).unavailable


async def _pending(store, workspace: str) -> bool:
    return await store.tenants.pending("discord", workspace) is not None


async def _not_pending(store, workspace: str) -> bool:
    return not await _pending(store, workspace)


async def _no_channels(store) -> bool:
    return (await every_row(store))["channels"] == []


# forget


def shown(response: dict) -> str:
    data = response["data"]
    text = "\n".join([data.get("content") or "", *(e.get("description", "") for e in data.get("embeds", []))])
    return " ".join(text.split())


def channel_rows(rows, key: ChannelKey) -> int:
    ids = {r["id"] for r in rows["channels"] if (r["platform"], r["workspace"], r["channel"]) == key_of(key)}
    return sum(1 for t in ("plans", "drafts", "reminders", "progress") for r in rows[t] if r["channel_id"] in ids)


def key_of(key: ChannelKey) -> tuple[str, str, str]:
    return (key.platform, key.workspace, key.channel)


async def test_forget_takes_manage_server_and_a_confirmation_checked_again_at_the_press(bot, standin, store):
    here = ChannelKey("discord", str(standin.guild_id), str(standin.channel_id))
    await fill(store, "discord", str(standin.guild_id), channels=(str(standin.channel_id), "4445"))
    stored = channel_rows(await every_row(store), here)

    refused = await slash(standin, "forget", permissions=MEMBER_PERMISSIONS)
    assert refused["data"]["flags"] & EPHEMERAL and buttons(refused["data"]) == []
    assert "Only members who can manage this server (Manage Server) can delete" in shown(refused)

    preview = await slash(standin, "forget", permissions=MANAGE_GUILD_PERMISSIONS)
    assert preview["data"]["flags"] & EPHEMERAL, "only the manager sees the preview"
    assert "2 plans (the current one and its history), 1 plan in progress, its monthly reminder" in shown(preview)
    [confirm] = buttons(preview["data"])
    assert confirm.startswith("backlinks:forget_confirm:")
    [row] = preview["data"]["components"]
    assert row["components"][0]["style"] == 4, "a red button: it deletes"
    assert channel_rows(await every_row(store), here) == stored, "asking deletes nothing"

    stale = "That button has expired or was not made for you here"
    assert stale in shown(await press(standin, confirm, permissions=MANAGE_GUILD_PERMISSIONS, user_id=7777))
    assert stale in shown(await press(standin, confirm, permissions=MANAGE_GUILD_PERMISSIONS, channel_id=4445))
    lost = "Only members who can manage this server"
    assert lost in shown(await press(standin, confirm, permissions=MEMBER_PERMISSIONS)), "Manage Server taken away"
    assert channel_rows(await every_row(store), here) == stored

    done = await press(standin, confirm, permissions=MANAGE_GUILD_PERMISSIONS)
    assert not done["data"].get("flags", 0) & EPHEMERAL, "the channel is told"
    assert shown(done).startswith("This channel's backlink data is deleted: 2 plans, 1 plan in progress")
    after = await every_row(store)
    assert channel_rows(after, here) == 0
    assert channel_rows(after, ChannelKey("discord", str(standin.guild_id), "4445")) == stored, "other channels stay"


async def test_a_stored_form_submission_names_its_server_and_channel(bot, standin, store):
    """So deleting a server's or a channel's data deletes its waiting submissions too."""
    await walk_the_plan(standin)
    await bot.engine.intake.idle(5)
    found = {(r["platform"], r["workspace"], r["channel"]) for r in (await every_row(store))["inbox"]}
    assert found == {("discord", str(standin.guild_id), str(standin.channel_id))}
