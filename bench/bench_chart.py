"""What the progress chart costs: one drawing, and a month's check-ins with charts against without.

    .venv/bin/python bench/bench_chart.py            # 10,000 channels; 200 drawings; median of 3 fan-outs
    .venv/bin/python bench/bench_chart.py --quick    # 1,000 channels; 50 drawings; 1 fan-out

Rows, in one run:

  draw         bot.monthly.picture.render of one channel's chart (two months of history, the
               planner's path to parity) in this thread: the median CPU and wall time of --draws
               drawings, after a first one that pays for importing Pillow and loading the font
               (printed apart); the aim is under 20 ms of CPU;
  round trip   the same chart through bot.monthly.drawers (a drawing process, request and answer
               over its pipes), the cache of drawn charts off: the median wall time, after the
               first, which starts the process (printed apart);
  without      ReminderLoop.run_once over N channels due in the same minute (tests/helpers/
               reminder_worker.populate: plans made 20 days before, so each check-in has two months of
               history), Monthly(charts=False), a notifier that posts nothing: the floor;
  drawers      the same, on the same data reset to "all due", each check-in with its chart, every
               one drawn (chart.CACHE_BYTES = 0: the channels here are alike, and kept charts would
               hide the drawing), in bot.monthly.drawers' processes (DRAWERS of them);
  here         the same, each chart drawn in this process instead: what the drawing processes save.

Prints medians and each fan-out's ratio to the floor; checks that every channel got one check-in,
each with a PNG where charts are on and none where they are off.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from concurrent.futures import Future

from reminder_runs import NoOpNotifier, all_due, run_due
from reminder_worker import DUE, populate
from report import Report, Result, table, verdict

from bot.conversation.rendering import PLAIN, Renderer
from bot.core.replies import images
from bot.engine import Engine
from bot.monthly import chart, drawers, picture
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

AIM_MS = 20.0  # CPU a drawing, at most


class CountingNotifier(NoOpNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.pictures = 0
        self.bytes = 0

    async def send(self, channel, reply) -> None:
        await super().send(channel, reply)
        for image in images(reply):
            self.pictures += 1
            self.bytes += len(image.data)


async def fan_out(engine: Engine, store: Store, *, charts: bool, batch: int) -> tuple[float, CountingNotifier]:
    await all_due(store)
    engine.monthly.charts = charts
    notifier = CountingNotifier()
    gc.collect()
    started = time.perf_counter()
    report = await run_due(engine, batch, notifier)
    seconds = time.perf_counter() - started
    if report.sent != notifier.count:
        raise SystemExit(f"sent {report.sent} but the notifier saw {notifier.count}")
    return seconds, notifier


def drawn_here(data: chart.ChartData, labels, background: bool = False) -> Future[bytes]:
    """In place of handing the chart to a drawing process: drawn at once, in this one."""
    done: Future[bytes] = Future()
    done.set_result(picture.render(data, labels))
    return done


async def one_chart_data(engine: Engine, store: Store) -> chart.ChartData:
    """The chart of the first channel as a check-in at DUE would draw it."""
    from bot.core.events import ChannelKey

    key = ChannelKey("bench", "w", "c1")
    progress = await engine.monthly.summary.channel_progress(key, "2026-12", "UTC")
    data = engine.monthly.drawn.data(await store.plan_history(key), progress.rows, "UTC")
    if data is None:
        raise SystemExit("the benchmark's channels have no chart: fewer than two months of history")
    return data


def timed(call, count: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of `count` calls."""
    cpu, wall = [], []
    for _ in range(count):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return cpu, wall


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 channels, 50 drawings, one fan-out each")
    parser.add_argument("--channels", type=int, help="how many channels (overrides --quick)")
    parser.add_argument("--draws", type=int, help="drawings timed for the median")
    parser.add_argument("--repeats", type=int, help="fan-outs timed per row")
    parser.add_argument("--batch", type=int, default=500, help="rows a loop claims at a time (as `serve`: 500)")
    options = parser.parse_args()
    n = options.channels or (1_000 if options.quick else 10_000)
    draws = options.draws or (50 if options.quick else 200)
    repeats = options.repeats or (1 if options.quick else 3)
    knowledge = knowledge_module.default()
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite:///{folder}/bench.db", clock=lambda: DUE)
        try:
            await populate(store, n)
            engine = Engine(knowledge=knowledge, store=store)
            run = Report(
                f"Backlinks bot: the progress chart ({n:,} check-ins due at once, median of {repeats}; "
                f"{drawers.DRAWERS} drawing processes)",
                __file__,
                details=["floor: drawing in this thread (for the round trip); the check-ins without charts"],
            )
            run.print_head()

            data = await one_chart_data(engine, store)
            plain = Renderer(knowledge, PLAIN)
            labels = {name: plain.render(f"chart.{name}", chart.label_values(data)) for name in chart.LABELS}
            started = time.perf_counter()
            png = picture.render(data, labels)
            first = time.perf_counter() - started
            cpu, wall = timed(lambda: picture.render(data, labels), draws)
            if picture.render(data, labels) != png:
                raise SystemExit("two drawings of the same chart differ")
            drawing = statistics.median(cpu)

            chart.CACHE_BYTES = 0  # from here on every chart is drawn
            started = time.perf_counter()
            if await chart.draw(data, labels) != png:
                raise SystemExit("a drawing process drew other bytes than this one")
            start = time.perf_counter() - started
            trips = []
            for _ in range(draws):
                started = time.perf_counter()
                await chart.draw(data, labels)
                trips.append(time.perf_counter() - started)
            here = Result.of("drawing in this thread, wall (floor)", wall, "ms")
            drawn = [
                Result.of(
                    "drawing in this thread, CPU", cpu, "ms", min=f"{min(cpu) * 1e3:,.2f}", max=f"{max(cpu) * 1e3:,.2f}"
                ),
                here,
                Result.of("through a drawing process, wall", trips, "ms", here),
            ]
            print(f"one chart: {len(png):,} bytes PNG, {picture.WIDTH}×{picture.HEIGHT}")
            print(*table(drawn, title="a drawing", count="drawings"), sep="\n")
            print(f"first drawing (imports Pillow, loads the font): {first * 1000:,.0f} ms")
            print(f"first through a drawing process (starts the process): {start * 1e3:,.0f} ms")
            print(
                verdict(drawing * 1e3 < AIM_MS, f"{drawing * 1e3:,.2f} ms of CPU a drawing (aim: under {AIM_MS:g} ms)")
            )

            rows: dict[str, list[float]] = {"without charts (floor)": [], "drawers": [], "here": []}
            labels_of = {
                "drawers": f"with charts, each drawn in {drawers.DRAWERS} drawing processes",
                "here": "with charts, each drawn in this process",
            }
            in_processes = chart._submitted
            await fan_out(engine, store, charts=False, batch=options.batch)  # untimed: warms the caches
            for _ in range(repeats):
                for row in rows:
                    charts = row != "without charts (floor)"
                    chart._submitted = drawn_here if row == "here" else in_processes
                    seconds, notifier = await fan_out(engine, store, charts=charts, batch=options.batch)
                    if notifier.count != n or notifier.pictures != (n if charts else 0):
                        raise SystemExit(f"{row}: {notifier.pictures} charts in {notifier.count} check-ins of {n}")
                    rows[row].append(seconds)
            chart._submitted = in_processes
            fanned = [
                Result(labels_of.get(row, row), n, statistics.median(runs), "s", extra={"channels/s": ""})
                for row, runs in rows.items()
            ]
            for result in fanned:
                result.extra["channels/s"] = f"{n / result.median:,.0f}"
                result.floor = fanned[0] if result is not fanned[0] else None
            print()
            print(*table(fanned, title="check-ins", count="channels"), sep="\n")
            floor = fanned[0].median
            with_ = fanned[1].median
            print(
                f"\na chart costs {(with_ - floor) / n * 1000:,.2f} ms a check-in over the floor's "
                f"{floor / n * 1000:,.2f} ms (drawing processes); "
                f"{n:,} check-ins take {with_:,.1f} s with a chart each, {floor:,.1f} s without"
            )
        finally:
            await store.close()
    run.print_tail()


if __name__ == "__main__":
    asyncio.run(main())
