"""PostgreSQL against SQLite, in one run: Slack plan submissions over HTTP, and reminder fan-out.

    .venv/bin/python bench/bench_scale.py            # 600 submissions, 20,000 reminders per database
    .venv/bin/python bench/bench_scale.py --quick    # 150 submissions, 3,000 reminders

For each database (a fresh SQLite file; a fresh PostgreSQL database on the server named by
BACKLINKS_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres):

  submissions  the real Slack app (our aiohttp app, slack-bolt, signed requests over loopback) takes
               valid plan-modal submissions, 16 at a time, each for a new channel; timed until every
               plan is stored and posted to the Web API stand-in (the ack comes first, the work after).
               A submission answered "busy, try again" (the inbox is full) is sent again after 50 ms.
               Reports plans/s and the p50/p99 of the HTTP acks.
  fan-out      N channels with a plan and a reminder due in the same minute; one ReminderLoop.run_once
               with a notifier that does nothing. Reports channels/s.

Ratios are PostgreSQL ÷ SQLite, measured on the same machine in the same run (SQLite is the floor).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from common import NoDatabase, count_rows, database, percentile
from reminder_runs import full_loop
from reminder_worker import DUE, populate
from report import Report, Result, table
from slack_client import filled_state
from slack_driver import BUSY, CONCURRENCY, plan_modal, post, served, submission_body
from support import TYPED_ANSWERS

from bot.engine import Engine
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

# The answers a user types (the tests' own), strategies as the modal's multi-select sends them.
ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}
RETRY_SECONDS = 0.05  # a submission answered busy is sent again after this pause


async def submissions(url: str, count: int) -> dict[str, float]:
    async with served(url) as slack:  # the tests' Slack app on its store, the stand-in checking every body
        view = await plan_modal(slack.bot, "CSETUP")
        state = filled_state(view, ANSWERS)
        latencies: list[float] = []
        busy = 0
        queue = iter(range(count))

        async def client() -> None:
            nonlocal busy
            for n in queue:
                body = submission_body(view, state, channel=f"C{n}", response_url=slack.standin.response_url(f"r{n}"))
                while True:
                    status, answer, sent, latency = await post(slack.bot.session, slack.ours, body)
                    if status != 200:
                        raise SystemExit(f"submission answered {status}: {answer[:200]!r}")
                    if BUSY not in answer:
                        break
                    busy += 1  # "busy, try again" (bot/intake/): not taken; the person tries again
                    await asyncio.sleep(RETRY_SECONDS)
                latencies.append(latency)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
        acked = time.perf_counter() - started
        await slack.standin.wait_for("chat.postMessage", count, timeout=600)  # every plan stored and posted
        done = time.perf_counter() - started
        stored = await count_rows(slack.store, "plans")
        if stored < count:
            raise SystemExit(f"only {stored} of {count} plans stored")
        return {
            "plans_per_s": count / done,
            "acks_per_s": count / acked,
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "busy": busy,
        }


async def fan_out(url: str, count: int) -> float:
    store = await Store.open(url, clock=lambda: DUE)
    try:
        await populate(store, count)
        engine = Engine(knowledge=knowledge_module.default(), store=store)
        started = time.perf_counter()
        sent = await full_loop(engine, batch=1000)
        seconds = time.perf_counter() - started
        if sent != count:
            raise SystemExit(f"fan-out sent {sent} of {count}")
        return count / seconds
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    submits, reminders = (150, 3_000) if options.quick else (600, 20_000)
    admin = os.environ.get("BACKLINKS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    report = Report(
        f"Backlinks bot: PostgreSQL against SQLite ({submits} plan submissions at {CONCURRENCY} concurrent; "
        f"{reminders:,} reminders due at once)",
        __file__,
        details=["floor: SQLite, measured the same way in the same run (PostgreSQL ÷ SQLite)"],
    )
    report.print_head()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, postgres in (("SQLite", None), ("PostgreSQL", admin)):
            try:
                async with database(folder, postgres, "a") as submit_url, database(folder, postgres, "b") as fan_url:
                    row = await submissions(submit_url, submits)
                    row["channels_per_s"] = await fan_out(fan_url, reminders)
                    results[label] = row
            except NoDatabase as error:  # no server here: the PostgreSQL rows are left out, saying why
                print(f"{error}: its rows are left out")
    rows: list[Result] = []
    for what, count, unit in (("plan submissions", submits, "plans/s"), ("reminder fan-out", reminders, "channels/s")):
        floor = None
        for label, row in results.items():
            if unit == "plans/s":  # stored and posted a second; the HTTP acks' figures beside
                extra = {"acks/s": f"{row['acks_per_s']:,.0f}", "ack p50": f"{row['p50_ms']:.1f} ms"}
                result = Result(f"{label}: {what}", count, row["plans_per_s"], unit, row["p99_ms"], "ms", floor, extra)
            else:
                result = Result(f"{label}: {what}", count, row["channels_per_s"], unit, floor=floor)
            floor = floor or result
            rows.append(result)
    print(*table(rows, count="count"), sep="\n")
    print("(p99: of the HTTP acks; PostgreSQL is what lets several processes share the work, one process each here)")
    for label, row in results.items():
        if row["busy"]:
            print(
                f"({label}: {row['busy']:,.0f} answers were “busy, try again” (not taken), each submission sent "
                f"again {RETRY_SECONDS * 1e3:.0f} ms later; the ack figures are of the taken ones)"
            )
    report.print_tail()


if __name__ == "__main__":
    asyncio.run(main())
