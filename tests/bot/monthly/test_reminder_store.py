"""Reminder rows and progress on SQLite and PostgreSQL: claims, idempotency keys, dedupe, pauses."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.events import ChannelKey
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.schedule import ReminderSettings
from bot.storage.store import Store

DUE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)


async def due_channels(store: Store, n: int, platform: str = "slack") -> list[ChannelKey]:
    keys = [ChannelKey(platform, "T1", f"C{i}") for i in range(n)]
    for key in keys:
        await ReminderStore.on(store).save(key, ReminderSettings(), DUE)
    return keys


async def test_claims_are_atomic_across_connections(store_url):
    stores = [await Store.open(store_url) for _ in range(3)]
    try:
        await due_channels(stores[0], 60)

        async def drain(store: Store, owner: str) -> list[int]:
            taken = []
            while batch := await ReminderStore.on(store).claim_due(
                DUE, owner=owner, lease=LEASE, limit=7, platforms=["slack"]
            ):
                taken += [r.channel_id for r in batch]
            return taken

        claimed = await asyncio.gather(*(drain(s, f"p{n}") for n, s in enumerate(stores)))
        everything = [cid for part in claimed for cid in part]
        assert len(everything) == 60 and len(set(everything)) == 60, "each row claimed exactly once"
        assert not await ReminderStore.on(stores[0]).claim_due(
            DUE, owner="late", lease=LEASE, limit=10, platforms=["slack"]
        )
        later = DUE + LEASE + dt.timedelta(seconds=1)  # nobody finished: the leases run out
        again = await ReminderStore.on(stores[1]).claim_due(
            later, owner="p9", lease=LEASE, limit=100, platforms=["slack"]
        )
        assert len(again) == 60
    finally:
        for s in stores:
            await s.close()


async def test_the_idempotency_key_lets_one_send_through(any_store):
    [key] = await due_channels(any_store, 1)
    [reminder] = await ReminderStore.on(any_store).claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])
    item = [(reminder.channel_id, "2026-12", DUE)]
    assert await ReminderStore.on(any_store).begin_sends(item) == {(reminder.channel_id, "2026-12")}
    assert await ReminderStore.on(any_store).begin_sends(item) == {(reminder.channel_id, "2026-12")}, (
        "a crashed send resumes"
    )
    await ReminderStore.on(any_store).mark_sent([(reminder.channel_id, "2026-12")])
    assert await ReminderStore.on(any_store).begin_sends(item) == set(), "once sent, never again"
    await ReminderStore.on(any_store).finish([(reminder.channel_id, "2026-12", DUE + dt.timedelta(days=31))])
    assert (await ReminderStore.on(any_store).get(key)).next_due_at == DUE + dt.timedelta(days=31)


async def test_paused_rows_are_not_claimed_and_the_notice_is_given_once(any_store):
    [key] = await due_channels(any_store, 1)
    reminder = await ReminderStore.on(any_store).get(key)
    await ReminderStore.on(any_store).pause(reminder.channel_id, "is_archived")
    assert not await ReminderStore.on(any_store).claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])
    assert await ReminderStore.on(any_store).take_pause_notice(key) == "is_archived"
    assert await ReminderStore.on(any_store).take_pause_notice(key) is None
    await ReminderStore.on(any_store).save(key, ReminderSettings(), DUE)  # turned on again
    assert (
        len(await ReminderStore.on(any_store).claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])) == 1
    )


async def test_a_domain_counts_once_per_channel_ever(any_store):
    here, there = ChannelKey("slack", "T1", "C1"), ChannelKey("slack", "T1", "C2")
    first = await ProgressStore.on(any_store).log(here, "U1", "2026-11", domains=[("a.com", "https://a.com/x", None)])
    again = await ProgressStore.on(any_store).log(
        here, "U1", "2026-12", count=2, domains=[("a.com", "a.com", None), ("b.org", "b.org", {"passed": True})]
    )
    assert first.added == ["a.com"] and again.added == ["b.org"] and again.duplicates == ["a.com"]
    assert await ProgressStore.on(any_store).log(there, "U1", "2026-12", domains=[("a.com", "a.com", None)])
    totals = await ProgressStore.on(any_store).by_month(here)
    assert totals.logged == {"2026-11": 1, "2026-12": 3} and totals.quality == {"2026-12": (1, 1)}
    assert (await ProgressStore.on(any_store).by_month(there)).logged == {"2026-12": 1}, "channels never see each other"
