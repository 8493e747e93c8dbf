"""Rows no process holds, taken by whichever process serving their platform looks first: rows a
stopped or killed process left when their lease ran out, and rows a full process shared (stored
unclaimed, bot/intake/service.py). A part of `Intake`, which has the queue and the workers."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.intake.rows import Entry, InboxRows

log = logging.getLogger("bot.intake.service")

RECOVER_BATCH = 50
# How often a process looks for rows no process holds: often while there is work about (rows shared
# or claimed lately), else once a second (a Procfile worker notices a web process's first shared row).
POLL_BUSY = 0.1
POLL_IDLE = 1.0
BUSY_FOR = 30.0  # seconds after the last shared or claimed row that the quick polling lasts
PRUNE_EVERY = 600.0  # seconds between clearing done rows past their keep (bot/intake/rows.py)


class Recovery:
    """The looking half of `Intake` (its queue, workers and counts are the intake's own)."""

    rows: InboxRows
    workers: int
    unclaimed: int
    _performers: dict[str, Any]
    _queue: Any
    _working: int
    _stopping: bool
    _active_until: float
    _wake: asyncio.Event
    _looking: bool

    def work(self, entry: Entry, perform: Any = None) -> None:
        raise NotImplementedError  # the Intake's

    async def recover(self) -> int:
        """Claim rows of the platforms this process serves that no process holds (shared ones, and
        those whose lease ran out), as many as its workers are free for, and queue them. Returns
        how many were taken."""
        room = min(RECOVER_BATCH, self.workers - len(self._queue) - self._working)
        if not self._performers or room <= 0 or self._stopping:
            return 0
        claimed = await self.rows.claim(list(self._performers), room)
        if claimed:
            self._active_until = time.monotonic() + BUSY_FOR
        for entry in claimed:
            if entry.attempts > 1:
                log.info(
                    "working submission %s again (attempt %s): its process stopped first", entry.id, entry.attempts
                )
            self.work(entry)
        return len(claimed)

    async def run_forever(self, every: float = POLL_IDLE) -> None:
        """Take rows no process holds: at start, then every `every` seconds (every POLL_BUSY while
        work is about, and at once when a worker here frees up), counting those left for the bound."""
        pruned = time.monotonic()
        self._looking = True
        try:
            await self._look(every, pruned)
        finally:
            self._looking = False

    async def _look(self, every: float, pruned: float) -> None:
        while True:
            self._wake.clear()
            try:
                if self._performers:
                    # Counted first (a read), claimed only when there is something to claim (a
                    # write, in a flood ten times a second for nothing, on every process).
                    waiting = await self.rows.unclaimed(list(self._performers))
                    self.unclaimed = max(0, waiting - (await self.recover() if waiting else 0))
                if time.monotonic() - pruned > PRUNE_EVERY:
                    await self.rows.prune()
                    pruned = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: try again next round
                log.exception("could not look for unfinished submissions")
            pause = POLL_BUSY if time.monotonic() < self._active_until else every
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
                await asyncio.sleep(POLL_BUSY / 10)  # a moment for more workers to free up, one look for all
            except TimeoutError:
                pass
