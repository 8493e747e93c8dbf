"""The reminder loop: claim the due rows, compose each check-in, hand it to the platform's notifier.

Reminders are rows, not timers: a restart loses nothing, and a reminder that fell due while the
bot was down goes out once, marked late. Each loop claims rows atomically with a lease, and each
(channel, month) is recorded before sending, so two loops — in one process or several — send one
reminder per channel per month. A channel the bot can no longer post to is paused, not retried
forever; a rate limit is retried after the time the platform asks for.

A process killed mid-batch repeats at most CONCURRENCY reminders after its lease: a send holds one
of CONCURRENCY slots from before it starts until it is recorded as sent, so no more than that are
ever posted and unrecorded at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.core import metrics
from bot.core.events import ChannelKey
from bot.core.replies import Reply
from bot.monthly.reminder_store import Reminder, ReminderStore
from bot.monthly.schedule import month_key, next_due
from bot.storage.group_commit import GroupCommit

if TYPE_CHECKING:
    from bot.storage.store import Store

log = logging.getLogger(__name__)
CONCURRENCY = 16  # sends outstanding at once: being posted, or posted and not yet recorded

SendKey = tuple[int, str]  # (channel id, month): one reminder a month per channel


class ChannelGone(Exception):
    """The platform says the bot can no longer post in this channel (removed, archived, no access)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RetryLater(Exception):
    """The platform asks to come back later (a rate limit)."""

    def __init__(self, seconds: float):
        super().__init__(f"retry in {seconds:g} s")
        self.seconds = seconds


class Notifier(Protocol):
    platform: str

    async def send(self, channel: ChannelKey, reply: Reply) -> None:
        """Post the reply in the channel; raise ChannelGone or RetryLater as the platform says."""


class CheckIns(Protocol):
    """Composes each channel's check-in (the monthly capability, `bot.monthly.commands.Monthly`)."""

    store: Store

    async def compose(
        self, batch: Sequence[Reminder], now: dt.datetime, late: Callable[[Reminder], bool]
    ) -> Awaitable[dict[int, Reply | None]]:
        """The batch's check-ins, composed now; the awaitable gives them once their charts are drawn."""


@dataclass
class RunReport:
    claimed: int = 0
    sent: int = 0
    late: int = 0
    already_sent: int = 0
    no_plan: int = 0
    paused: list[ChannelKey] = field(default_factory=list)
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class Composed:
    batch: list[Reminder]
    keys: dict[int, str]  # channel id → the month its reminder is for
    mine: set[SendKey]  # the keys this loop may send (not sent by anyone yet)
    # channel id → its check-in (None: the channel has no plan), once the batch's charts are drawn
    replies: Awaitable[dict[int, Reply | None]]


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ReminderLoop:
    def __init__(
        self,
        *,
        checkins: CheckIns,
        notifiers: Sequence[Notifier],
        clock: Callable[[], dt.datetime] | None = None,
        owner: str | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=10),
        batch: int = 500,
        concurrency: int = CONCURRENCY,
        late_after: dt.timedelta = dt.timedelta(hours=1),
        checked_in: Callable[[list[ChannelKey]], None] | None = None,
        renew_every: float | None = None,
    ):
        self.checkins = checkins
        self.store = checkins.store
        self.notifiers = {n.platform: n for n in notifiers}
        self.clock = clock or checkins.store.clock
        self.owner = owner or default_owner()
        self.lease = lease
        self.batch = batch
        self.concurrency = concurrency
        self.late_after = late_after
        # Told which channels got their check-in once the batch moved on (the pages that show
        # their next check-in are published again); it must not block.
        self.checked_in = checked_in
        # While a run holds rows, their lease is renewed this often (seconds): only a loop that
        # died or hung loses them, however long its sends take.
        self.renew_every = renew_every if renew_every is not None else lease.total_seconds() / 3

    async def due(self, now: dt.datetime | None = None) -> list[Reminder]:
        return await ReminderStore.on(self.store).due(now or self.clock(), list(self.notifiers))

    async def run_once(self, now: dt.datetime | None = None) -> RunReport:
        """Send everything due at `now` (default: the clock), batch after batch.

        The next batch is claimed and composed while the previous one's charts are drawn (in other
        processes) and it is sent: its sends wait for the database to record them (see _deliver),
        and those waits overlap useful work."""
        now = now or self.clock()
        report = RunReport()
        platforms = list(self.notifiers)
        sending: asyncio.Task | None = None
        started = time.monotonic()

        def moment() -> dt.datetime:
            """The time now, for leases: the clock's, or the run's `now` plus the time it has taken
            when the clock stands still (`reminders run-once` acts at one moment throughout)."""
            return max(self.clock(), now + dt.timedelta(seconds=time.monotonic() - started))

        renewing = asyncio.create_task(self._renew_claims(moment), name="reminder leases")
        try:
            # Due at the run's start; leased from the time of each claim (a long run's later
            # batches would otherwise be claimed with a lease already over).
            while batch := await ReminderStore.on(self.store).claim_due(
                now, owner=self.owner, lease=self.lease, limit=self.batch, platforms=platforms, at=moment()
            ):
                report.claimed += len(batch)
                composed = await self._compose(batch, now)
                if sending:
                    await sending
                sending = asyncio.create_task(self._deliver(composed, now, report))
        finally:
            try:
                if sending:
                    await sending  # a batch being sent is finished and recorded, whatever went wrong
            finally:
                renewing.cancel()
        return report

    async def _renew_claims(self, moment: Callable[[], dt.datetime]) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                await ReminderStore.on(self.store).renew(self.owner, moment() + self.lease)
            except Exception:  # a database hiccup: the lease has two more chances before it ends
                log.exception("could not renew the reminder leases of %s", self.owner)

    async def run_forever(self, every: float = 60.0) -> None:
        while True:
            try:
                report = await self.run_once()
                if report.claimed:
                    log.info("reminders: %s", report)
            except Exception:
                log.exception("the reminder loop failed; trying again in %s s", every)
            await asyncio.sleep(every)

    async def _compose(self, batch: list[Reminder], now: dt.datetime) -> Composed:
        """Record the batch's (channel, month) keys as being sent, and compose the check-ins of
        those this loop may send."""
        keys = {r.channel_id: month_key(r.next_due_at, r.settings.timezone) for r in batch}
        mine = await ReminderStore.on(self.store).begin_sends(
            [(r.channel_id, keys[r.channel_id], r.next_due_at) for r in batch]
        )
        replies = await self.checkins.compose(
            [r for r in batch if (r.channel_id, keys[r.channel_id]) in mine], now, lambda r: self._is_late(r, now)
        )
        return Composed(batch, keys, mine, replies)

    async def _deliver(self, composed: Composed, now: dt.datetime, report: RunReport) -> None:
        keys, mine = composed.keys, composed.mine
        replies = await composed.replies  # the batch's charts drawn
        slots = asyncio.Semaphore(self.concurrency)
        sends = GroupCommit(_for_each(ReminderStore.on(self.store).mark_sent))  # a group of sends in one write
        done: list[tuple[int, str, dt.datetime | None]] = []  # to move on to next month, at the end
        checked_in: list[ChannelKey] = []

        async def one(reminder: Reminder) -> None:
            month = keys[reminder.channel_id]
            # After downtime, the next one is the next still ahead: one late reminder, not a backlog.
            following = next_due(reminder.settings, max(reminder.next_due_at, now))
            if (reminder.channel_id, month) not in mine:
                report.already_sent += 1
                done.append((reminder.channel_id, month, following))
                return
            late = self._is_late(reminder, now)
            # The slot is held until the send is recorded, not just until it is posted: sends that
            # outrun the database wait for it, so a kill leaves at most `concurrency` reminders
            # posted and unrecorded (each repeated once after the lease).
            async with slots:
                outcome = await self._send(reminder, replies[reminder.channel_id], now)
                metrics.CHECKINS.labels(reminder.channel.platform, outcome).inc()
                if outcome in ("sent", "no_plan"):  # no plan: nothing to send this month either
                    await sends((reminder.channel_id, month))
            if outcome in ("sent", "no_plan"):
                done.append((reminder.channel_id, month, following))
            if outcome == "sent":
                checked_in.append(reminder.channel)
                report.sent += 1
                report.late += late
            elif outcome == "no_plan":
                report.no_plan += 1
            elif outcome == "paused":
                report.paused.append(reminder.channel)
            elif outcome == "retry":
                report.retried += 1
            else:
                report.failed += 1

        # A task group: if recording fails, the other sends stop too rather than post unrecorded.
        async with asyncio.TaskGroup() as tasks:
            for reminder in composed.batch:
                tasks.create_task(one(reminder))
        # Moving the rows on can wait for the batch's end: a send marked sent is never repeated,
        # and a row a dead loop did not move is taken over after the lease and moved on unsent.
        await ReminderStore.on(self.store).finish(done)
        if self.checked_in is not None and checked_in:
            self.checked_in(checked_in)

    def _is_late(self, reminder: Reminder, now: dt.datetime) -> bool:
        return now - reminder.next_due_at > self.late_after

    async def _send(self, reminder: Reminder, reply: Reply | None, now: dt.datetime) -> str:
        notifier = self.notifiers[reminder.channel.platform]
        try:
            if reply is None:
                return "no_plan"
            await notifier.send(reminder.channel, reply)
            return "sent"
        except ChannelGone as gone:
            log.warning(
                "pausing reminders for %s: the bot can no longer post there (%s)", reminder.channel, gone.reason
            )
            await ReminderStore.on(self.store).pause(reminder.channel_id, gone.reason)
            return "paused"
        except RetryLater as later:
            await ReminderStore.on(self.store).release(reminder.channel_id, now + dt.timedelta(seconds=later.seconds))
            return "retry"
        except Exception:
            log.exception("sending the reminder for %s failed; it will be tried again", reminder.channel)
            await ReminderStore.on(self.store).release(reminder.channel_id, now + dt.timedelta(minutes=15))
            return "failed"


def _for_each(write: Callable[[list[SendKey]], Awaitable[None]]) -> Callable[[list[SendKey]], Awaitable[list[None]]]:
    async def each(keys: list[SendKey]) -> list[None]:
        await write(keys)
        return [None] * len(keys)

    return each
