"""Acknowledged means stored: the inbox of form submissions.

A platform is told "received" only once the submission is a row in the `inbox` table (Slack's
view_submission ack, Discord's first response). The row is then worked off by the adapter that
took it — plan, store, post — and marked done. Around that:

- in flight is bounded: past `capacity` submissions still being worked in this process, a new one
  is refused with "busy, try again" (the form stays open) instead of being acked and queued
  without end;
- a stop (SIGTERM) drains: the listener closes first, then the work in flight gets a deadline;
- a crash or a kill leaves rows undone: each carries a lease, and when it runs out the next
  process that serves the platform (or this one, at its next start) works them again;
- a submission's key (Slack's view id and hash, Discord's interaction id) is unique, so a replay
  is recognised and does nothing; the plan it makes is keyed by it too (`plans.request`), so work
  redone after a crash between "stored" and "done" stores one plan, not two.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.storage.group_commit import GroupCommit
from bot.storage.schema import inbox
from bot.storage.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

# What an adapter does with a submission it took: plan, store and answer (it reports failures to
# the user itself). Raising leaves the row to be tried again after its lease.
Perform = Callable[["Entry"], Awaitable[None]]

CAPACITY = 32  # submissions worked at once per process; past this a new one is told "busy"
LEASE_SECONDS = 120.0  # how long a row belongs to the process that took it before another may
MAX_ATTEMPTS = 5  # a row that failed this often is given up (logged), not retried forever
KEEP_DONE = dt.timedelta(days=1)  # a done row's key is kept this long to recognise replays
RECOVER_BATCH = 50
# How long an adapter lets storing a submission take before it answers "busy" instead: Slack and
# Discord want their answer within three seconds.
ACCEPT_WITHIN = 2.0


class Busy(RuntimeError):
    """Too many submissions in flight in this process: the platform should be told to retry."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    key: str
    platform: str
    payload: dict[str, Any]
    attempts: int


class Inbox:
    def __init__(self, store: Store, *, capacity: int = CAPACITY, lease: float = LEASE_SECONDS):
        self.store = store
        self.capacity = capacity
        self.lease = dt.timedelta(seconds=lease)
        self._performers: dict[str, Perform] = {}
        self._working: set[asyncio.Future[Any]] = set()
        self._accepting = 0  # accepts between the capacity check and their task
        self._stopping = False
        # Submissions arriving together are stored in one write, and finished ones marked in one:
        # on SQLite every write waits its turn for the one writer connection.
        self._insert_group = GroupCommit(self._insert)
        self._done_group = GroupCommit(self._mark_done)

    def serve(self, platform: str, perform: Perform) -> None:
        """This process works `platform`'s submissions (its own, and those a crash left)."""
        self._performers[platform] = perform

    @property
    def in_flight(self) -> int:
        return len(self._working) + self._accepting

    @property
    def full(self) -> bool:
        """No room for another submission now (an adapter may answer "busy" before reading it)."""
        return self._stopping or self.in_flight >= self.capacity

    # Taking a submission: call before acknowledging it.

    async def accept(
        self,
        platform: str,
        key: str,
        payload: dict[str, Any],
        *,
        within: float | None = None,
        channel: ChannelKey | None = None,
    ) -> Entry | None:
        """Store a submission; None when its key was seen before (a replay: acknowledge, do nothing).
        Raises Busy when this process already has `capacity` in flight, or when storing takes
        longer than `within` seconds (the platform's deadline would pass before its ack).
        `channel`: where it was made (deleting that channel's or workspace's data deletes it too)."""
        if self._stopping:
            raise Busy("stopping")  # taken now, it might not be finished before the process exits
        if self.in_flight >= self.capacity:
            raise Busy(f"{self.in_flight} submissions in flight")
        if self.store.file is not None and (problem := self.store.file.problem()):
            raise Busy(problem)  # acked into a deleted SQLite file, it would be lost: not taken
        self._accepting += 1
        storing = asyncio.ensure_future(self._store(platform, key, payload, channel))
        done, _ = await asyncio.wait({storing}, timeout=within)
        if storing not in done:
            # Not cancelled (a half-finished write helps nobody): should the row land after all, it
            # is worked like any other, and the person's second try of the same form is recognised
            # by its key — one plan either way.
            storing.add_done_callback(self._stored_late)
            raise Busy(f"storing took over {within} s")
        return storing.result()

    async def _store(
        self, platform: str, key: str, payload: dict[str, Any], channel: ChannelKey | None
    ) -> Entry | None:
        try:
            return await self._insert_group((platform, key[:200], payload, channel))
        finally:
            self._accepting -= 1

    async def _insert(self, group: list[tuple[str, str, dict[str, Any], ChannelKey | None]]) -> list[Entry | None]:
        """One INSERT for the submissions that arrived together; None for a key seen before (also
        for the second of two equal keys in one group)."""
        now = self.store.clock()
        rows = [
            {
                "key": key,
                "platform": platform,
                "payload": payload,
                "received_at": now,
                "claimed_until": now + self.lease,
                "attempts": 1,
                "workspace": channel.workspace if channel else None,
                "channel": channel.channel if channel else None,
            }
            for platform, key, payload, channel in {item[1]: item for item in group}.values()
        ]
        statement = (
            self.store._insert(inbox)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(inbox.c.id, inbox.c.key)
        )
        async with self.store.engine.begin() as connection:
            new = {row.key: row.id for row in await connection.execute(statement)}
        entries: list[Entry | None] = []
        for platform, key, payload, _ in group:
            new_id = new.pop(key, None)  # popped: a second equal key in the group is a replay
            entries.append(None if new_id is None else Entry(new_id, key, platform, payload, 1))
        return entries

    def _stored_late(self, storing: asyncio.Future[Entry | None]) -> None:
        if not storing.cancelled() and storing.exception() is None and (entry := storing.result()) is not None:
            self.work(entry)

    def work(self, entry: Entry, perform: Perform | None = None) -> asyncio.Task[None]:
        """Work an accepted entry in the background (tracked, so a stop can wait for it). `perform`
        overrides the platform's own for this once: the live request can answer better (Discord's
        interaction) than a stored one can."""
        task = asyncio.create_task(self._work(entry, perform), name=f"inbox {entry.id}")
        self._working.add(task)
        task.add_done_callback(self._working.discard)
        return task

    def track(self, work: Awaitable[T]) -> Awaitable[T]:
        """Work that is not stored (a command answered after its ack, a button) but that a stop
        still waits for, like a submission's. Awaiting the result does not tie the work to the
        awaiting task: a listener cancelled at shutdown leaves it running until the drain."""
        task = asyncio.ensure_future(work)
        self._working.add(task)
        task.add_done_callback(self._working.discard)
        return asyncio.shield(task)

    async def _work(self, entry: Entry, perform: Perform | None = None) -> None:
        perform = perform or self._performers[entry.platform]
        try:
            await perform(entry)
        except asyncio.CancelledError:
            raise  # stopped past the drain deadline: the row stays for the next process
        except Exception:
            if entry.attempts >= MAX_ATTEMPTS:
                log.exception("gave up on submission %s after %s attempts", entry.id, entry.attempts)
                await self._done(entry.id)
            else:
                log.exception("submission %s failed (attempt %s); it is retried later", entry.id, entry.attempts)
            return
        await self._done(entry.id)

    async def _done(self, entry_id: int) -> None:
        await self._done_group(entry_id)

    async def _mark_done(self, ids: list[int]) -> list[None]:
        # The payload goes (it may hold a reply token and the answers); the key stays for replays.
        async with self.store.engine.begin() as connection:
            await connection.execute(
                sa.update(inbox).where(inbox.c.id.in_(ids)).values(done_at=self.store.clock(), payload={})
            )
        return [None] * len(ids)

    # After a crash: rows whose lease ran out.

    async def recover(self) -> int:
        """Claim undone rows of the platforms this process serves whose lease ran out, and work them.
        Returns how many were taken."""
        room = self.capacity - self.in_flight
        if not self._performers or room <= 0:
            return 0
        claimed = await self._claim(min(room, RECOVER_BATCH))
        for entry in claimed:
            log.info("working submission %s again (attempt %s): its process stopped first", entry.id, entry.attempts)
            self.work(entry)
        return len(claimed)

    async def _claim(self, limit: int) -> list[Entry]:
        now = self.store.clock()
        waiting = (
            sa.select(inbox.c.id)
            .where(
                inbox.c.done_at.is_(None),
                inbox.c.claimed_until < now,
                inbox.c.platform.in_(list(self._performers)),
            )
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
                .where(inbox.c.id.in_(ids), inbox.c.done_at.is_(None), inbox.c.claimed_until < now)
                .values(claimed_until=now + self.lease, attempts=inbox.c.attempts + 1)
                .returning(inbox.c.id, inbox.c.key, inbox.c.platform, inbox.c.payload, inbox.c.attempts)
            )
            claimed = [Entry(r.id, r.key, r.platform, r.payload, r.attempts) for r in rows]
            await connection.execute(sa.delete(inbox).where(inbox.c.done_at < now - KEEP_DONE))
        return sorted(claimed, key=lambda e: e.id)

    async def run_forever(self, every: float = 30.0) -> None:
        """Look for left-over rows at start and then every `every` seconds."""
        while True:
            try:
                await self.recover()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: try again next round
                log.exception("could not look for unfinished submissions")
            await asyncio.sleep(every)

    # Stopping.

    async def drain(self, timeout: float) -> int:
        """Stop taking submissions and wait up to `timeout` seconds for those in flight; returns how
        many were left (they stay in the inbox and are worked after the restart)."""
        self._stopping = True
        if self._working:
            log.info("finishing %s submissions in flight before stopping", len(self._working))
        left = await self.idle(timeout)
        if left:
            log.warning("%s submissions were not finished in %.0f s; the next start finishes them", left, timeout)
        return left

    async def idle(self, timeout: float) -> int:
        """Wait up to `timeout` seconds until nothing is in flight; returns how many still are."""
        if self._working:
            await asyncio.wait(set(self._working), timeout=timeout)
        return len(self._working)

    async def waiting(self) -> int:
        """Rows not yet done (for tests and health)."""
        async with self.store.reader.connect() as connection:
            query = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.done_at.is_(None))
            return (await connection.execute(query)).scalar_one()
