"""Accepting and working form submissions: the one intake every adapter uses.

A platform is told "received" (Slack's view_submission ack, Discord's first response) once the
submission is a row in the inbox (bot/intake/rows.py) — and that durable write is all it costs
before the ack. Submissions stored at the same moment share one transaction (group commit). The
row then waits in this process's queue; up to `workers` tasks take rows from it and run the
platform's `perform` (plan, store, post), so accepting never waits for working, and a flood is
stored at the pace of the database and worked at the pace of the workers.

- Shared when this process is full: once every worker here is busy, a new submission is stored
  unclaimed, and whichever process serving its platform has a worker free claims it first — a
  Procfile `worker` on another core, another web process, or this one when its workers free up. The
  web process then spends a flood on acknowledging (its durable write), not on planning.
- Busy only past a real bound: when the work already waiting here would take more than
  `backlog_seconds` at the pace rows are being worked — the rows shared and not yet claimed by any
  process counted too — (or more than MOST_WAITING rows wait), or when
  the durable write itself takes longer than the platform's deadline allows (ACCEPT_WITHIN).
  Deciding it costs a comparison, so an adapter asks `busy` before reading a submission at all.
- A stop (SIGTERM) drains: nothing new is taken, and what is waiting or being worked gets a deadline.
- A crash or a kill leaves rows undone: each carries a lease, and when it runs out the next process
  that serves the platform (or this one, at its next start) works them again. The backlog bound is
  kept under half the lease, so a row waiting here is worked before another process may take it.
- A submission's key (Slack's view id and hash, Discord's interaction id) is unique, so a replay is
  recognised and does nothing; the plan it makes is keyed by it too (`plans.request`), so work
  redone after a crash between "stored" and "done" stores one plan, not two.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.core import metrics
from bot.core.events import ChannelKey
from bot.intake.recovery import BUSY_FOR, Recovery
from bot.intake.rows import Entry, InboxRows
from bot.storage.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

# What an adapter does with a submission it took: plan, store and answer (it reports failures to
# the user itself). Raising leaves the row to be tried again after its lease.
Perform = Callable[[Entry], Awaitable[None]]

WORKERS = 32  # submissions worked at once per process
BACKLOG_SECONDS = 60.0  # past this much work waiting here, a new submission is told "busy, try again"
MOST_WAITING = 5000  # and past this many rows waiting here, whatever their pace (their payloads are in memory)
LEASE_SECONDS = 120.0  # how long a row belongs to the process that took it before another may
MAX_ATTEMPTS = 5  # a row that failed this often is given up (logged), not retried forever
# How long storing a submission may take before the adapter answers "busy" instead: Slack and
# Discord want their answer within three seconds.
ACCEPT_WITHIN = 2.0
FIRST_PACE = 0.1  # seconds a worker takes for a submission, until some were timed (an assumption)
PACE_WEIGHT = 0.1  # each new timing's share of the running estimate
REFUSALS_LOGGED_EVERY = 60.0  # seconds between log lines about submissions told to try again


class Busy(RuntimeError):
    """This process has more waiting than it would work within its backlog bound: the platform
    should be told to try again."""


class Intake(Recovery):
    def __init__(
        self,
        store: Store,
        *,
        workers: int = WORKERS,
        backlog_seconds: float = BACKLOG_SECONDS,
        lease: float = LEASE_SECONDS,
    ):
        self.store = store
        self.workers = max(1, workers)
        # Worked before its lease runs out, or another process may take it too.
        self.backlog_seconds = min(backlog_seconds, lease / 2) if lease > 0 else backlog_seconds
        self.rows = InboxRows(store, dt.timedelta(seconds=lease))
        self._performers: dict[str, Perform] = {}
        self._queue: collections.deque[tuple[Entry, Perform | None]] = collections.deque()
        self._running: set[asyncio.Task[None]] = set()  # the worker tasks
        self._working = 0  # rows a worker has taken and not finished
        self._tracked: set[asyncio.Future[Any]] = set()  # other work a stop waits for
        self._accepting = 0  # accepts whose row is being written
        self._stopping = False
        self._refusals, self._refusal_logged = 0, -REFUSALS_LOGGED_EVERY
        self.pace = FIRST_PACE  # seconds a worker takes for one row, a running estimate
        self.unclaimed = 0  # rows no process holds, as last counted (plus those shared since)
        self._active_until = 0.0  # poll quickly until then (monotonic seconds)
        self._wake = asyncio.Event()  # a worker freed up, or a row was shared: look now
        self._looking = False  # run_forever runs: rows shared are claimed (by this process too)

    def serve(self, platform: str, perform: Perform) -> None:
        """This process works `platform`'s submissions (its own, and those a crash left)."""
        self._performers[platform] = perform

    # How full it is.

    @property
    def waiting_here(self) -> int:
        """Rows taken by this process and not finished: queued, being written, being worked."""
        return len(self._queue) + self._accepting + self._working

    def backlog(self) -> float:
        """Seconds until the workers reach a submission taken now, at the pace they have kept (this
        process's alone: a pessimistic figure when other processes share the work)."""
        return (len(self._queue) + self._accepting + self.unclaimed) * self.pace / self.workers

    @property
    def full(self) -> bool:
        """Every worker here has a row, and rows wait for them: a new one is better left to any process."""
        return len(self._queue) + self._working >= self.workers

    @property
    def busy(self) -> str | None:
        """Why a new submission would be refused now (None: it would be taken)."""
        if self._stopping:
            return "stopping"  # taken now, it might not be finished before the process exits
        if len(self._queue) + self._accepting + self.unclaimed >= MOST_WAITING:
            return f"{MOST_WAITING} submissions waiting"
        if (backlog := self.backlog()) > self.backlog_seconds:
            return f"{backlog:.0f} s of work waiting"
        return None

    # Taking a submission: call before acknowledging it.

    async def accept(
        self,
        platform: str,
        key: str,
        payload: dict[str, Any],
        *,
        within: float | None = ACCEPT_WITHIN,
        channel: ChannelKey | None = None,
        perform: Perform | None = None,
    ) -> Entry | None:
        """Store a submission and queue it for the workers; None when its key was seen before (a
        replay: acknowledge, do nothing). Raises Busy past the backlog bound, or when storing takes
        longer than `within` seconds (the platform's deadline would pass before its ack).
        `channel`: where it was made (deleting that channel's or workspace's data deletes it too).
        `perform`: how to work this one, instead of the platform's own (a live request can answer
        better than a stored one)."""
        if reason := self.busy:
            raise self._refused(reason, platform)
        if self.store.file is not None and (problem := self.store.file.problem()):
            raise self._refused(problem, platform)  # acked into a deleted SQLite file, it would be lost: not taken
        # Shared only when any process can work it: a live request's own `perform` is this process's.
        shared = self._looking and perform is None and platform in self._performers and self.full
        self._accepting += 1
        storing = asyncio.ensure_future(self._store(platform, key, payload, channel, shared))
        done, _ = await asyncio.wait({storing}, timeout=within)
        if storing not in done:
            # Not cancelled (a half-finished write helps nobody): should the row land after all, it
            # is worked like any other, and the person's second try of the same form is recognised
            # by its key — one plan either way.
            storing.add_done_callback(self._stored_late)
            raise self._refused(f"storing took over {within} s", platform)
        entry = storing.result()
        metrics.SUBMISSIONS.labels(platform, "accepted" if entry is not None else "replayed").inc()
        if entry is None:
            return None
        if shared:
            self._shared()
        elif perform is not None or platform in self._performers:
            self.work(entry, perform)  # else it waits for a process that serves its platform
        return entry

    def _refused(self, reason: str, platform: str) -> Busy:
        """The refusal, logged for whoever runs the bot: at most a line a minute, with a count."""
        metrics.SUBMISSIONS.labels(platform, "refused").inc()
        self._refusals += 1
        now = time.monotonic()
        if not self._stopping and now - self._refusal_logged >= REFUSALS_LOGGED_EVERY:
            log.warning("told %s submission(s) to try again: %s", self._refusals, reason)
            self._refusals, self._refusal_logged = 0, now
        return Busy(reason)

    async def _store(
        self, platform: str, key: str, payload: dict[str, Any], channel: ChannelKey | None, shared: bool
    ) -> Entry | None:
        try:
            return await self.rows.insert(platform, key, payload, channel, shared=shared)
        finally:
            self._accepting -= 1

    def _stored_late(self, storing: asyncio.Future[Entry | None]) -> None:
        if storing.cancelled() or storing.exception() is not None:
            return
        if (entry := storing.result()) is None or entry.platform not in self._performers:
            return
        if entry.attempts == 0:
            self._shared()  # unclaimed: the next look takes it
        else:
            self.work(entry)

    def _shared(self) -> None:
        self.unclaimed += 1
        self._active_until = time.monotonic() + BUSY_FOR
        self._wake.set()

    # Working.

    def work(self, entry: Entry, perform: Perform | None = None) -> None:
        """Queue a stored entry for the workers (`perform`: this once, instead of the platform's)."""
        self._queue.append((entry, perform))
        if len(self._running) < self.workers:
            task = asyncio.create_task(self._worker(), name="intake worker")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _worker(self) -> None:
        """Work queued entries until none is left (a new one starts a worker again)."""
        while self._queue:
            entry, perform = self._queue.popleft()
            self._working += 1
            started = time.monotonic()
            try:
                await self._work(entry, perform)
            finally:
                self._working -= 1
                self.pace += PACE_WEIGHT * (time.monotonic() - started - self.pace)
                if self.unclaimed and not self._queue:
                    self._wake.set()  # a worker is free and shared rows wait: take some

    async def _work(self, entry: Entry, perform: Perform | None = None) -> None:
        perform = perform or self._performers[entry.platform]
        try:
            await perform(entry)
        except asyncio.CancelledError:
            raise  # stopped past the drain deadline: the row stays for the next process
        except Exception:
            if entry.attempts >= MAX_ATTEMPTS:
                log.exception("gave up on submission %s after %s attempts", entry.id, entry.attempts)
                await self.rows.done(entry.id)
            else:
                log.exception("submission %s failed (attempt %s); it is retried later", entry.id, entry.attempts)
            return
        await self.rows.done(entry.id)

    def track(self, work: Awaitable[T]) -> Awaitable[T]:
        """Work that is not stored (a command answered after its ack, a button) but that a stop
        still waits for, like a submission's. Awaiting the result does not tie the work to the
        awaiting task: a listener cancelled at shutdown leaves it running until the drain."""
        task = asyncio.ensure_future(work)
        self._tracked.add(task)
        task.add_done_callback(self._tracked.discard)
        return asyncio.shield(task)

    # Stopping.

    async def drain(self, timeout: float) -> int:
        """Stop taking submissions and give those waiting or being worked up to `timeout` seconds;
        returns how many were left (they stay in the inbox and are worked after the restart)."""
        self._stopping = True
        if self.waiting_here:
            log.info("finishing %s submissions before stopping", self.waiting_here)
        left = await self.idle(timeout)
        if left:
            log.warning("%s submissions were not finished in %.0f s; the next start finishes them", left, timeout)
            self._queue.clear()  # still stored, with their lease: the next start takes them
            # Their work too (a reply being posted): it would fail as the clients close, and log
            # that as an error, while the row, still not done, is worked again after the restart.
            for task in [*self._running, *self._tracked]:
                task.cancel()
        return left

    async def idle(self, timeout: float) -> int:
        """Wait up to `timeout` seconds until nothing is waiting, worked or tracked here; returns
        how much still is."""
        deadline = time.monotonic() + timeout
        while self.waiting_here + len(self._tracked) and time.monotonic() < deadline:
            pending = {*self._running, *self._tracked}
            if pending:
                await asyncio.wait(pending, timeout=min(0.05, max(0.0, deadline - time.monotonic())))
            else:
                await asyncio.sleep(0.01)  # rows being written: their worker starts when they land
        return self.waiting_here + len(self._tracked)

    async def waiting(self) -> int:
        """Rows not yet done, in every process (for tests and health)."""
        return await self.rows.waiting()
