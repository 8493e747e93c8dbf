"""The inbox table: form submissions stored before their ack, claimed again after a crash, marked done.

Writes that arrive together go to the database as one transaction (bot/storage/group_commit.py):
under a flood, a hundred submissions cost one commit, not a hundred.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.storage.group_commit import GroupCommit
from bot.storage.schema import inbox
from bot.storage.store import Store

KEEP_DONE = dt.timedelta(days=1)  # a done row's key is kept this long to recognise replays
MOST_KEY = 200  # the key column's width


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    key: str
    platform: str
    payload: dict[str, Any]
    attempts: int


# platform, key, payload, channel, and whether it is left to any process (not claimed by this one)
Submission = tuple[str, str, dict[str, Any], ChannelKey | None, bool]


class InboxRows:
    def __init__(self, store: Store, lease: dt.timedelta):
        self.store = store
        self.lease = lease
        self.inserted = GroupCommit(self._insert)
        self.finished = GroupCommit(self._mark_done)

    async def insert(
        self, platform: str, key: str, payload: dict[str, Any], channel: ChannelKey | None, *, shared: bool = False
    ) -> Entry | None:
        """The submission stored (None: its key was seen before, a replay), claimed by this process
        for the lease — or, `shared`, left for whichever process claims it first; written with every
        other one that arrived meanwhile."""
        return await self.inserted((platform, key[:MOST_KEY], payload, channel, shared))

    async def _insert(self, group: list[Submission]) -> list[Entry | None]:
        """One INSERT for the group; None for a key seen before (also for the second of two equal
        keys in one group)."""
        now = self.store.clock()
        rows = [
            {
                "key": key,
                "platform": platform,
                "payload": payload,
                "received_at": now,
                "claimed_until": now if shared else now + self.lease,
                "attempts": 0 if shared else 1,  # a claim counts the attempt
                "workspace": channel.workspace if channel else None,
                "channel": channel.channel if channel else None,
            }
            for platform, key, payload, channel, shared in {item[1]: item for item in group}.values()
        ]
        # The rows as parameters of one statement, not in it: SQLAlchemy sends them as one
        # multi-row INSERT all the same ("insertmanyvalues"), and the statement is compiled once
        # (`.values(rows)` is compiled again for every group: a fifth of a write's CPU).
        statement = self.store._insert(inbox).on_conflict_do_nothing(index_elements=["key"])
        async with self.store.engine.begin() as connection:
            new = {
                row.key: row.id for row in await connection.execute(statement.returning(inbox.c.id, inbox.c.key), rows)
            }
        entries: list[Entry | None] = []
        for platform, key, payload, _, shared in group:
            new_id = new.pop(key, None)  # popped: a second equal key in the group is a replay
            entries.append(None if new_id is None else Entry(new_id, key, platform, payload, 0 if shared else 1))
        return entries

    async def done(self, entry_id: int) -> None:
        await self.finished(entry_id)

    async def _mark_done(self, ids: list[int]) -> list[None]:
        # The payload goes (it may hold a reply token and the answers); the key stays for replays.
        async with self.store.engine.begin() as connection:
            await connection.execute(
                sa.update(inbox).where(inbox.c.id.in_(ids)).values(done_at=self.store.clock(), payload={})
            )
        return [None] * len(ids)

    async def claim(self, platforms: list[str], limit: int) -> list[Entry]:
        """Undone rows of these platforms that no process holds (shared ones, and those whose lease
        ran out), claimed for this process (oldest first)."""
        now = self.store.clock()
        waiting = (
            sa.select(inbox.c.id)
            .where(inbox.c.done_at.is_(None), inbox.c.claimed_until <= now, inbox.c.platform.in_(platforms))
            .order_by(inbox.c.id)
            .limit(limit)
        )
        if self.store.engine.dialect.name == "postgresql":
            waiting = waiting.with_for_update(skip_locked=True)  # two processes never take one row
        async with self.store.engine.begin() as connection:
            ids = list((await connection.execute(waiting)).scalars())
            if not ids:
                return []
            # The lease condition again: on SQLite another process may have claimed them meanwhile.
            rows = await connection.execute(
                sa.update(inbox)
                .where(inbox.c.id.in_(ids), inbox.c.done_at.is_(None), inbox.c.claimed_until <= now)
                .values(claimed_until=now + self.lease, attempts=inbox.c.attempts + 1)
                .returning(inbox.c.id, inbox.c.key, inbox.c.platform, inbox.c.payload, inbox.c.attempts)
            )
            claimed = [Entry(r.id, r.key, r.platform, r.payload, r.attempts) for r in rows]
        return sorted(claimed, key=lambda e: e.id)

    async def prune(self) -> None:
        """Forget done rows past KEEP_DONE (their keys no longer recognise replays)."""
        async with self.store.engine.begin() as connection:
            await connection.execute(sa.delete(inbox).where(inbox.c.done_at < self.store.clock() - KEEP_DONE))

    async def unclaimed(self, platforms: list[str]) -> int:
        """Undone rows of these platforms that no process holds now: work waiting for any process."""
        query = (
            sa.select(sa.func.count())
            .select_from(inbox)
            .where(
                inbox.c.done_at.is_(None),
                inbox.c.claimed_until <= self.store.clock(),
                inbox.c.platform.in_(platforms),
            )
        )
        async with self.store.reader.connect() as connection:
            return (await connection.execute(query)).scalar_one()

    async def waiting(self) -> int:
        """Rows not yet done, in every process (for tests and health)."""
        async with self.store.reader.connect() as connection:
            query = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
            return (await connection.execute(query)).scalar_one()
