"""Reminder rows and progress on SQLite and PostgreSQL: claims, idempotency keys, dedupe, pauses."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.events import ChannelKey
from bot.monthly.schedule import ReminderSettings
from bot.storage.store import Store

DUE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)


async def due_channels(store: Store, n: int, platform: str = "slack") -> list[ChannelKey]:
    keys = [ChannelKey(platform, "T1", f"C{i}") for i in range(n)]
    for key in keys:
        await store.reminders.save(key, ReminderSettings(), DUE)
    return keys


async def test_claims_are_atomic_across_connections(store_url):
    stores = [await Store.open(store_url) for _ in range(3)]
    try:
        await due_channels(stores[0], 60)

        async def drain(store: Store, owner: str) -> list[int]:
            taken = []
            while batch := await store.reminders.claim_due(DUE, owner=owner, lease=LEASE, limit=7, platforms=["slack"]):
                taken += [r.channel_id for r in batch]
            return taken

        claimed = await asyncio.gather(*(drain(s, f"p{n}") for n, s in enumerate(stores)))
        everything = [cid for part in claimed for cid in part]
        assert len(everything) == 60 and len(set(everything)) == 60, "each row claimed exactly once"
        assert not await stores[0].reminders.claim_due(DUE, owner="late", lease=LEASE, limit=10, platforms=["slack"])
        later = DUE + LEASE + dt.timedelta(seconds=1)  # nobody finished: the leases run out
        again = await stores[1].reminders.claim_due(later, owner="p9", lease=LEASE, limit=100, platforms=["slack"])
        assert len(again) == 60
    finally:
        for s in stores:
            await s.close()


async def test_the_idempotency_key_lets_one_send_through(any_store):
    [key] = await due_channels(any_store, 1)
    [reminder] = await any_store.reminders.claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])
    item = [(reminder.channel_id, "2026-12", DUE)]
    assert await any_store.reminders.begin_sends(item) == {(reminder.channel_id, "2026-12")}
    assert await any_store.reminders.begin_sends(item) == {(reminder.channel_id, "2026-12")}, "a crashed send resumes"
    await any_store.reminders.mark_sent([(reminder.channel_id, "2026-12")])
    assert await any_store.reminders.begin_sends(item) == set(), "once sent, never again"
    await any_store.reminders.finish([(reminder.channel_id, "2026-12", DUE + dt.timedelta(days=31))])
    assert (await any_store.reminders.get(key)).next_due_at == DUE + dt.timedelta(days=31)


async def test_paused_rows_are_not_claimed_and_the_notice_is_given_once(any_store):
    [key] = await due_channels(any_store, 1)
    reminder = await any_store.reminders.get(key)
    await any_store.reminders.pause(reminder.channel_id, "is_archived")
    assert not await any_store.reminders.claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])
    assert await any_store.reminders.take_pause_notice(key) == "is_archived"
    assert await any_store.reminders.take_pause_notice(key) is None
    await any_store.reminders.save(key, ReminderSettings(), DUE)  # turned on again
    assert len(await any_store.reminders.claim_due(DUE, owner="a", lease=LEASE, limit=5, platforms=["slack"])) == 1


async def test_a_domain_counts_once_per_channel_ever(any_store):
    here, there = ChannelKey("slack", "T1", "C1"), ChannelKey("slack", "T1", "C2")
    first = await any_store.progress.log(here, "U1", "2026-11", domains=[("a.com", "https://a.com/x", None)])
    again = await any_store.progress.log(
        here, "U1", "2026-12", count=2, domains=[("a.com", "a.com", None), ("b.org", "b.org", {"passed": True})]
    )
    assert first.added == ["a.com"] and again.added == ["b.org"] and again.duplicates == ["a.com"]
    assert await any_store.progress.log(there, "U1", "2026-12", domains=[("a.com", "a.com", None)])
    totals = await any_store.progress.by_month(here)
    assert totals.logged == {"2026-11": 1, "2026-12": 3} and totals.quality == {"2026-12": (1, 1)}
    assert (await any_store.progress.by_month(there)).logged == {"2026-12": 1}, "channels never see each other"
