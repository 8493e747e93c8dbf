"""A reminder-loop process for the multi-process tests:

    python reminder_worker.py URL OWNER OUT LEASE DELAY [BATCH [KILL_AFTER]]

Runs ReminderLoop.run_once over and over (until no reminder is due any more, claimed or not, or
nothing was claimed for longer than a lease) with a notifier that stands in for a platform: it
appends each channel it "posts" to OUT (flushed at once, so a process killed with SIGKILL leaves an
exact record) after DELAY seconds. BATCH is how many rows a loop claims at a time (default 50).
With KILL_AFTER the process sends itself SIGKILL right after its KILL_AFTER-th post, in full flow,
mid-batch: the crash that leaves the most sent and unrecorded.

With REMINDER_WORKER_GATE=PATH in the environment, the process writes PATH.OWNER once it is ready
and starts only when PATH exists: a test starts several at the same moment, so that how the work
is shared does not hang on which interpreter happened to start first on a loaded machine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository

from bot.engine import Engine  # noqa: E402
from bot.monthly.reminders import ReminderLoop  # noqa: E402
from bot.planning import knowledge  # noqa: E402
from bot.storage.schema import reminders as due_rows  # noqa: E402
from bot.storage.store import Store  # noqa: E402

DUE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
PLATFORM = "bench"
# Each channel's plan was made from these answers (as the validators leave them).
ANSWERS = {
    "site": "example.com",
    "authority": 35,
    "referring_domains": 140,
    "site_age_months": 30,
    "recent_monthly_rd": 6,
    "competitors": [{"domain": None, "referring_domains": 420}, {"domain": None, "referring_domains": 610}],
    "horizon_months": 12,
    "linkable_assets": 1,
    "posts_per_month": 4,
    "content_quality": 4,
    "strategies": ["guest_posting", "outreach"],
    "hours_per_month": 20,
}


class FilePlatform:
    platform = PLATFORM

    def __init__(self, out: Path, delay: float, kill_after: int | None = None):
        self.out = open(out, "a", buffering=1)  # noqa: SIM115 - lives as long as the process
        self.delay = delay
        self.posts_left = kill_after

    async def send(self, channel, reply) -> None:
        await asyncio.sleep(self.delay)
        self.out.write(f"{channel.channel}\n")
        self.out.flush()
        os.fsync(self.out.fileno())
        if self.posts_left is not None:
            self.posts_left -= 1
            if self.posts_left == 0:
                os.kill(os.getpid(), signal.SIGKILL)


async def main(
    url: str, owner: str, out: str, lease: float, delay: float, batch: int = 50, kill_after: int | None = None
) -> None:
    store = await Store.open(url, migrate=False)
    try:
        engine = Engine(knowledge=knowledge.default(), store=store)
        # Exactly-once sending across processes is measured here, not drawing: a check-in's chart
        # (its plan is two months old) would make each process draw hundreds (bench/bench_chart.py).
        engine.monthly.charts = False
        started = time.monotonic()
        loop = ReminderLoop(
            checkins=engine.monthly,
            notifiers=[FilePlatform(Path(out), delay, kill_after)],
            owner=owner,
            lease=dt.timedelta(seconds=lease),
            batch=batch,
            clock=lambda: DUE + dt.timedelta(seconds=time.monotonic() - started),  # the `now` each run is given
        )
        await gate(owner)
        started, last_work = time.monotonic(), time.monotonic()
        # Keep looking while a reminder is still due: rows a killed process held become free when
        # its lease ends, and must be picked up. With none due, claimed or not, every one went out
        # and no lease can free another: stop then (else after nothing was claimed for a lease).
        while time.monotonic() - last_work < lease + 1.5:
            now = DUE + dt.timedelta(seconds=time.monotonic() - started)  # the workers' clock moves on
            if (await loop.run_once(now)).claimed:
                last_work = time.monotonic()
            elif not await still_due(store, now):
                break
            await asyncio.sleep(0.2)
    finally:
        await store.close()


async def gate(owner: str) -> None:
    if not (path := os.environ.get("REMINDER_WORKER_GATE")):
        return
    Path(f"{path}.{owner}").touch()
    while not Path(path).exists():
        await asyncio.sleep(0.01)


async def still_due(store: Store, now: dt.datetime) -> int:
    """Reminders due at `now`, whether a loop holds them or not (one sent is due a month on)."""
    query = sa.select(sa.func.count()).select_from(due_rows).where(due_rows.c.next_due_at <= now)
    async with store.engine.connect() as connection:
        return (await connection.execute(query)).scalar_one()


async def populate(store: Store, n: int, *, platform: str = PLATFORM) -> None:
    """n channels of the `bench` platform (or another), each with a plan and a reminder due at DUE
    (the multi-process tests' and the reminder benchmarks' data)."""
    from bot.monthly.schedule import ReminderSettings
    from bot.planning import planner
    from bot.storage.schema import channels, plans, reminders

    plan = planner.plan(ANSWERS, knowledge.default()).model_dump(mode="json")
    made = DUE - dt.timedelta(days=20)
    settings = ReminderSettings().to_json()
    async with store.engine.begin() as connection:
        for start in range(0, n, 10_000):  # a statement at a time holds 10,000 rows at most
            ids = range(start + 1, min(n, start + 10_000) + 1)
            await connection.execute(
                sa.insert(channels),
                [
                    {"id": i, "platform": platform, "workspace": "w", "channel": f"c{i}", "created_at": made}
                    for i in ids
                ],
            )
            await connection.execute(
                sa.insert(plans),
                [
                    {"channel_id": i, "created_by": "u", "created_at": made, "answers": ANSWERS, "plan": plan}
                    for i in ids
                ],
            )
            await connection.execute(
                sa.insert(reminders),
                [{"channel_id": i, "settings": settings, "next_due_at": DUE, "updated_at": made} for i in ids],
            )


if __name__ == "__main__":
    url, owner, out, lease, delay, *rest = sys.argv[1:]
    asyncio.run(main(url, owner, out, float(lease), float(delay), *map(int, rest)))
