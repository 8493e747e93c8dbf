"""Slack's App Home: what recording "who used the bot where" costs a command, and how long a Home
takes to build for a person with many channels.

    .venv/bin/python bench/bench_home.py              # SQLite file, 2,000 commands a row, 50 channels
    .venv/bin/python bench/bench_home.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/bench_home.py --quick      # 500 commands a row, 20 channels, 10 builds
    .venv/bin/python bench/bench_home.py --commands 500 --channels 100

Rows of the first table, each `Engine.handle(Invoked(... "help"))` one at a time (help touches no
table at all, so the recording is all that differs), and for scale `show` in a channel with a plan:

  floor     no platform shows pages here: nothing is recorded (Discord, the console);
  repeat    pages shown, the same person in the same channel (the common case): the first command
            writes the row, the rest find it in the process's cache and write nothing;
  new       pages shown, a new (channel, person) every command: one channel upsert and one
            channel_users upsert each (the worst case: a fresh process, or a busy workspace).

Then a Home: a person with --channels channels, each with a plan, a reminder and six months of
logged links; `Home.page` (three reads for the channels, three for their summaries, one for the
provider) and the Slack view rendered from it, medians of --repeats, with the view's blocks and size.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

from common import database, percentile
from reminder_worker import ANSWERS
from report import SECONDS, Report, Result, figure, table

from adapters.slack.blocks import SlackRenderer
from bot.core.events import ChannelKey, Invoked
from bot.core.replies import Reply
from bot.engine import Engine
from bot.home.store import HomeStore, Person
from bot.monthly.progress_store import ProgressStore
from bot.planning import knowledge as knowledge_module
from bot.planning import planner
from bot.storage.store import Store


class NoPages:
    platform = "slack"

    async def publish(self, person: Person, page: Reply) -> None:
        pass


async def per_command(engine: Engine, keys: list[tuple[ChannelKey, str]], command: str = "help") -> list[float]:
    """The seconds each `command` took, one at a time, in each (channel, person) of `keys`."""
    timings = []
    for channel, user in keys:
        started = time.perf_counter()
        await engine.handle(Invoked(channel, user, command))
        timings.append(time.perf_counter() - started)
    return timings


async def commands(url: str, count: int) -> dict[str, list[float]]:
    knowledge = knowledge_module.default()
    rows: dict[str, list[float]] = {}
    for name in ("floor", "repeat", "new"):
        store = await Store.open(url)
        try:
            engine = Engine(knowledge=knowledge, store=store)
            if name != "floor":
                engine.home.serve(NoPages())
            if name == "new":
                keys = [(ChannelKey("slack", "TB", f"C{name}{i}"), f"U{i}") for i in range(count)]
            else:
                keys = [(ChannelKey("slack", "TB", f"C{name}"), "U1")] * count
            await per_command(engine, keys[:50])  # warm-up: imports, connections, templates
            if name == "new":
                keys = [(ChannelKey("slack", "TB", f"Cnew{i}"), f"V{i}") for i in range(count)]
            rows[name] = await per_command(engine, keys)
        finally:
            await store.close()
    return rows


async def show(url: str, count: int) -> list[float]:
    knowledge = knowledge_module.default()
    store = await Store.open(url)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        key = ChannelKey("slack", "TS", "C1")
        await store.save_plan(key, "U1", ANSWERS, planner.plan(ANSWERS, knowledge).model_dump(mode="json"))
        await per_command(engine, [(key, "U1")] * 50, "show")
        return await per_command(engine, [(key, "U1")] * count, "show")
    finally:
        await store.close()


async def home(url: str, channels: int, repeats: int) -> tuple[list[float], list[float], int, int]:
    knowledge = knowledge_module.default()
    clock = [dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)]
    store = await Store.open(url, clock=lambda: clock[0])
    try:
        engine = Engine(knowledge=knowledge, store=store)
        engine.home.serve(NoPages())
        plan = planner.plan(ANSWERS, knowledge).model_dump(mode="json")
        settings, due = engine.monthly.first_reminder("Europe/Berlin")
        person = Person("slack", "TH", "U1")
        for i in range(channels):
            key = ChannelKey("slack", "TH", f"C{i}")
            site = f"site{i}.com"
            first = (settings.to_json(), due)
            await store.save_plan(key, "U1", {**ANSWERS, "site": site}, {**plan, "site": site}, first_reminder=first)
            await HomeStore.on(store).used(key, "U1")
        clock[0] = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)
        for i in range(channels):  # six months of links logged
            for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"):
                await ProgressStore.on(store).log(ChannelKey("slack", "TH", f"C{i}"), "U1", month, count=3, domains=[])
        renderer = SlackRenderer(knowledge)
        await engine.home.page(person)  # warm-up
        builds, renders, view = [], [], {}
        for _ in range(repeats):
            started = time.perf_counter()
            page = await engine.home.page(person)
            built = time.perf_counter()
            view = renderer.home(page)
            done = time.perf_counter()
            builds.append(built - started)
            renders.append(done - built)
        return builds, renders, len(view["blocks"]), len(json.dumps(view))
    finally:
        await store.close()


def timings(name: str, values: list[float], floor: Result | None = None, unit: str = "ms") -> Result:
    """A row of per-operation timings (seconds), in `unit`, with their p95."""
    return Result.of(name, values, unit, floor, p95=figure(percentile(values, 0.95) / SECONDS[unit]))


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: a fresh database on it instead of SQLite")
    parser.add_argument("--quick", action="store_true", help="500 commands a row, a Home of 20 channels, 10 builds")
    parser.add_argument("--commands", type=int, help="commands a row (default 2,000; 500 with --quick)")
    parser.add_argument("--channels", type=int, help="channels of the Home (default 50; 20 with --quick)")
    parser.add_argument("--repeats", type=int, help="Home builds (default 30; 10 with --quick)")
    args = parser.parse_args(argv)
    commands_, channels = args.commands or (500 if args.quick else 2000), args.channels or (20 if args.quick else 50)
    repeats = args.repeats or (10 if args.quick else 30)
    where = "PostgreSQL" if args.postgres else "SQLite file"
    report = Report(
        f"Backlinks bot: Slack's App Home ({where}; {commands_:,} commands a row, one at a time; a Home of "
        f"{channels} channels, {repeats} builds)",
        __file__,
        argv,
        details=["floor: Engine.handle(help) where no platform shows pages (nothing recorded)"],
    )
    report.print_head()
    with tempfile.TemporaryDirectory() as folder:
        async with database(Path(folder), args.postgres) as url:
            rows = await commands(url, commands_)
            floor = timings("floor: nothing recorded (help)", rows["floor"], unit="µs")
            results = [
                floor,
                timings("repeat: the same person and channel (help)", rows["repeat"], floor, "µs"),
                timings("new: a new channel and person each (help)", rows["new"], floor, "µs"),
                timings("show: reads its plan (for scale)", await show(url, commands_), floor, "µs"),
            ]
            for result in results[1:]:
                result.extra["over the floor"] = f"{result.median - floor.median:+,.1f} µs"
            print(*table(results, title="Engine.handle, one at a time", count="commands"), sep="\n")
            builds, renders, blocks, size = await home(url, channels, repeats)
            print()
            home_rows = [timings("Home.page", builds), timings("Slack view", renders)]
            print(*table(home_rows, title=f"a Home of {channels} channels", count="builds"), sep="\n")
            print(f"(plans, reminders, 6 months logged a channel; the view: {blocks} blocks, {size:,} bytes of JSON)")
    report.print_tail()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
