"""How long one process takes to send a month's reminders when every channel is due at once.

    .venv/bin/python bench/bench_reminders.py              # 100,000 channels (the issue's figure)
    .venv/bin/python bench/bench_reminders.py --quick      # 10,000 channels

A SQLite file gets N channels, each with a plan and a reminder due in the same minute (made as the
multi-process tests make them: tests/helpers/reminder_worker.populate). Three rows, each on the
same data reset to "all due" before it, in one run:

  floor    one SELECT of every due row with its channel: the least work that touches them all;
  claim    the loop's atomic claims alone (UPDATE … RETURNING, in batches), nothing composed;
  loop     ReminderLoop.run_once with a notifier that does nothing: claim, record the idempotency
           keys, compose every check-in (plans and progress read a batch at a time), hand each to
           the notifier, move each reminder to next month.

Prints seconds, channels per second and ratios against the floor; checks every channel got exactly
one reminder. Medians of --repeats runs (default 1 for the full size: a run takes a while).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import statistics
import tempfile
import time

import sqlalchemy as sa
from reminder_runs import all_due, full_loop
from reminder_worker import DUE, PLATFORM, populate
from report import Report, Result, table

from bot.engine import Engine
from bot.monthly.reminder_store import ReminderStore
from bot.planning import knowledge as knowledge_module
from bot.storage.schema import channels, reminders
from bot.storage.store import Store


async def floor(store: Store) -> int:
    query = sa.select(reminders, channels.c.channel).join(channels, channels.c.id == reminders.c.channel_id)
    async with store.engine.connect() as connection:
        return len((await connection.execute(query.where(reminders.c.next_due_at <= DUE))).all())


async def claim_only(store: Store, batch: int) -> int:
    claimed = 0
    while rows := await ReminderStore.on(store).claim_due(
        DUE, owner="bench", lease=dt.timedelta(minutes=10), limit=batch, platforms=[PLATFORM]
    ):
        claimed += len(rows)
    return claimed


async def timed(label: str, work, store: Store, repeats: int, expected: int) -> tuple[str, float]:
    samples = []
    for _ in range(repeats):
        await all_due(store)
        gc.collect()
        start = time.perf_counter()
        done = await work()
        samples.append(time.perf_counter() - start)
        if done != expected:
            raise SystemExit(f"{label}: handled {done:,} of {expected:,}")
    return label, statistics.median(samples)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 channels instead of 100,000")
    parser.add_argument("--channels", type=int, help="how many channels (overrides --quick)")
    parser.add_argument("--batch", type=int, default=1000, help="rows a loop claims at a time (default 1000)")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per row; the median is printed")
    options = parser.parse_args()
    n = options.channels or (10_000 if options.quick else 100_000)
    run = Report(
        f"Backlinks bot: reminder fan-out on SQLite ({n:,} channels due in the same minute; batch {options.batch}; "
        f"median of {options.repeats} run(s) a row)",
        __file__,
        details=["floor: one SELECT of every due row with its channel, the least work that touches them all"],
    )
    run.print_head()
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite:///{folder}/bench.db", clock=lambda: DUE)
        try:
            started = time.perf_counter()
            await populate(store, n)
            print(f"set-up: {n:,} channels, plans and reminders written in {time.perf_counter() - started:.1f} s")
            engine = Engine(knowledge=knowledge_module.default(), store=store)
            rows = [
                await timed("floor: one SELECT of every due row", lambda: floor(store), store, options.repeats, n),
                await timed(
                    "claim only (atomic UPDATE … RETURNING)",
                    lambda: claim_only(store, options.batch),
                    store,
                    options.repeats,
                    n,
                ),
                await timed(
                    "loop: claim, key, compose, notify (no-op), move on",
                    lambda: full_loop(engine, options.batch),
                    store,
                    options.repeats,
                    n,
                ),
            ]
            results = [
                Result(label, n, seconds, "s", extra={"channels/s": f"{n / seconds:,.0f}"}) for label, seconds in rows
            ]
            for result in results[1:]:
                result.floor = results[0]
            print()
            print(*table(results, count="channels"), sep="\n")
            async with store.engine.connect() as connection:
                sent = (
                    await connection.execute(
                        sa.text("SELECT count(*), count(DISTINCT channel_id) FROM reminder_sends WHERE status = 'sent'")
                    )
                ).one()
                moved = (
                    await connection.execute(
                        sa.text("SELECT count(*) FROM reminders WHERE next_due_at > :due AND claimed_by IS NULL"),
                        {"due": DUE.replace(tzinfo=None)},
                    )
                ).scalar_one()
            print(
                f"\nchecked after the loop: {sent[0]:,} reminders sent to {sent[1]:,} distinct channels "
                f"(one each), {moved:,} moved to next month"
            )
            per = rows[2][1] / n * 1e6
            print(f"the loop spends {per:,.0f} µs a channel; {n:,} channels take {rows[2][1] / 60:.1f} minutes")
        finally:
            await store.close()
    run.print_tail()


if __name__ == "__main__":
    asyncio.run(main())
