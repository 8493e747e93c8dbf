"""Claims on platform requests (SQLite and PostgreSQL): one claim per key, released on failure, pruned."""

from __future__ import annotations

import datetime as dt

from support import Clock

from bot.storage.request_store import KEEP, PRUNE_EVERY

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


async def test_a_key_is_claimed_once_until_released(any_store):
    requests = any_store.requests
    assert await requests.claim("discord:1")
    assert not await requests.claim("discord:1")
    assert await requests.claim("slack:1"), "each platform's ids are their own"
    await requests.release("discord:1")
    assert await requests.claim("discord:1"), "released: the same request may be tried again"


async def test_claims_older_than_a_day_are_pruned(any_store):
    any_store.clock = clock = Clock(NOW)
    requests = any_store.requests
    assert await requests.claim("discord:old")
    clock.now = NOW + KEEP + PRUNE_EVERY
    assert await requests.claim("discord:new")  # pruned in its transaction
    assert await requests.claim("discord:old"), "a day on, the old key is gone"
    assert not await requests.claim("discord:new")
