"""Slack's App Home: what recording "who used the bot where" costs a command, and how long a Home
takes to build for a person with many channels.

    .venv/bin/python bench/bench_home.py              # SQLite file, 2,000 commands a row, 50 channels
    .venv/bin/python bench/bench_home.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
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
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the tree and the tests' helpers on the path
from reminder_worker import ANSWERS

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


async def per_command(engine: Engine, keys: list[tuple[ChannelKey, str]]) -> list[float]:
    timings = []
    for channel, user in keys:
        started = time.perf_counter()
        await engine.handle(Invoked(channel, user, "help"))
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
        await per_command_named(engine, [(key, "U1")] * 50, "show")
        return await per_command_named(engine, [(key, "U1")] * count, "show")
    finally:
        await store.close()


async def per_command_named(engine: Engine, keys: list[tuple[ChannelKey, str]], command: str) -> list[float]:
    timings = []
    for channel, user in keys:
        started = time.perf_counter()
        await engine.handle(Invoked(channel, user, command))
        timings.append(time.perf_counter() - started)
    return timings


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


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(values) * 1000:7.3f} ms   p95 {p95 * 1000:7.3f} ms"


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: a fresh database on it instead of SQLite")
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            from postgres import create_database, drop_database

            url, name = await create_database(args.postgres)
            where = "PostgreSQL"
        else:
            url, name, where = f"sqlite:///{Path(folder) / 'bench.db'}", None, "SQLite file"
        try:
            print(f"Engine.handle(help), one at a time, {args.commands} commands a row ({where}):")
            rows = await commands(url, args.commands)
            floor = statistics.median(rows["floor"])
            for row, timings in rows.items():
                extra = (statistics.median(timings) - floor) * 1000
                print(f"  {row:7} {ms(timings)}   over the floor {extra:+.3f} ms")
            shows = await show(url, args.commands)
            print(f"  show    {ms(shows)}   (a command that reads its plan, for scale)")
            builds, renders, blocks, size = await home(url, args.channels, args.repeats)
            print(f"A Home of {args.channels} channels (plans, reminders, 6 months logged), {args.repeats} builds:")
            print(f"  Home.page      {ms(builds)}")
            print(f"  Slack view     {ms(renders)}   {blocks} blocks, {size:,} bytes of JSON")
        finally:
            if name:
                await drop_database(args.postgres, name)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
