"""Requests done once: a platform request that asks for a change is claimed before the change.

Discord may deliver one interaction more than once, and a Slack request can be replayed with its
trigger id; the change it asks for (links logged, a reminder moved, a channel forgotten) must be
made once. The claim is one INSERT on a unique key, so of two deliveries — in one process or in
two sharing PostgreSQL — exactly one gets it. A change that fails releases its claim, so the same
request can be tried again. Claims older than a day are pruned, at most once an hour per process,
in the transaction of a new claim (a platform redelivers within minutes, never a day later).

On the store's engine (see bot/storage/store.py); one query layer for SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.schema import handled_requests

KEEP = dt.timedelta(days=1)  # how long a claim is kept to recognise a redelivery
PRUNE_EVERY = dt.timedelta(hours=1)


class RequestStore:
    def __init__(self, store: Database):
        self.store = store
        self._pruned_at: dt.datetime | None = None

    async def claim(self, key: str) -> bool:
        """True for the first claim of `key`; False when it was claimed before (and not released)."""
        now = self.store.clock()
        insert = (
            self.store._insert(handled_requests)
            .values(key=key[:200], claimed_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        async with self.store.engine.begin() as connection:
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                await connection.execute(sa.delete(handled_requests).where(handled_requests.c.claimed_at < now - KEEP))
                self._pruned_at = now
            return (await connection.execute(insert)).rowcount == 1

    async def release(self, key: str) -> None:
        """The change failed: the same request may be tried again."""
        async with self.store.engine.begin() as connection:
            await connection.execute(sa.delete(handled_requests).where(handled_requests.c.key == key[:200]))
