"""What the progress chart costs: one drawing, and a month's check-ins with charts against without.

    .venv/bin/python bench/bench_chart.py            # 10,000 channels; 30 drawings
    .venv/bin/python bench/bench_chart.py --quick    # 500 channels; 10 drawings

Rows, in one run:

  draw       bot.monthly.chart.render of one channel's chart (two months of history, the planner's
             path to parity), in this thread: the median of --draws drawings after a first one that
             pays for importing matplotlib (printed apart);
  without    ReminderLoop.run_once over N channels due in the same minute (tests/helpers/
             reminder_worker.populate: plans made 20 days before, so each check-in has two months of
             history), Monthly(charts=False), a notifier that posts nothing;
  with       the same, on the same data reset to "all due", each check-in with its chart drawn in
             bot.monthly.chart's worker processes (DRAWERS of them; the first drawing in each pays
             for importing matplotlib there).

Prints medians, the ratio with/without and what the chart costs a channel (ms over without); checks
that every channel got one check-in, and that with charts each carried a PNG and without none.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time

from bench_reminders import reset
from common import NoOpNotifier
from reminder_worker import DUE, populate

from bot.conversation.rendering import PLAIN, Renderer
from bot.core.replies import images
from bot.engine import Engine
from bot.monthly import chart
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store


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
    await reset(store)
    engine.monthly.charts = charts
    notifier = CountingNotifier()
    gc.collect()
    started = time.perf_counter()
    loop = ReminderLoop(checkins=engine.monthly, notifiers=[notifier], batch=batch, clock=lambda: DUE)
    report = await loop.run_once(DUE)
    seconds = time.perf_counter() - started
    if report.sent != notifier.count:
        raise SystemExit(f"sent {report.sent} but the notifier saw {notifier.count}")
    return seconds, notifier


async def one_chart_data(engine: Engine, store: Store) -> chart.ChartData:
    """The chart of the first channel as a check-in at DUE would draw it."""
    from bot.core.events import ChannelKey

    key = ChannelKey("bench", "w", "c1")
    progress = await engine.monthly.channel_progress(key, "2026-12", "UTC")
    data = engine.monthly._chart_data(await store.plan_history(key), progress.rows, "UTC")
    if data is None:
        raise SystemExit("the benchmark's channels have no chart: fewer than two months of history")
    return data


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500 channels and 10 drawings")
    parser.add_argument("--channels", type=int, help="how many channels (overrides --quick)")
    parser.add_argument("--draws", type=int, help="drawings timed for the median")
    parser.add_argument("--batch", type=int, default=500, help="rows a loop claims at a time (as `serve`: 500)")
    options = parser.parse_args()
    n = options.channels or (500 if options.quick else 10_000)
    draws = options.draws or (10 if options.quick else 30)
    knowledge = knowledge_module.default()
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(f"sqlite:///{folder}/bench.db", clock=lambda: DUE)
        try:
            await populate(store, n)
            engine = Engine(knowledge=knowledge, store=store)
            print(f"Backlinks bot: the progress chart ({n:,} check-ins due at once; Python {sys.version.split()[0]})")

            data = await one_chart_data(engine, store)
            plain = Renderer(knowledge, PLAIN)
            labels = {name: plain.render(f"chart.{name}", {"site": data.site}) for name in chart.LABELS}
            started = time.perf_counter()
            png = chart.render(data, labels)
            first = time.perf_counter() - started
            samples = []
            for _ in range(draws):
                started = time.perf_counter()
                again = chart.render(data, labels)
                samples.append(time.perf_counter() - started)
                if again != png:
                    raise SystemExit("two drawings of the same chart differ")
            draw = statistics.median(samples)
            print(f"\none chart: {len(png):,} bytes PNG, 800×450")
            print(f"  first drawing (imports matplotlib): {first * 1000:,.0f} ms")
            spread = f"min {min(samples) * 1000:,.1f}, max {max(samples) * 1000:,.1f}"
            print(f"  drawing, median of {draws}: {draw * 1000:,.1f} ms ({spread})")

            without, plain_notifier = await fan_out(engine, store, charts=False, batch=options.batch)
            with_, chart_notifier = await fan_out(engine, store, charts=True, batch=options.batch)
            if plain_notifier.pictures or chart_notifier.pictures != n or chart_notifier.count != n:
                raise SystemExit(
                    f"expected {n} check-ins each with a chart and {n} without: got {chart_notifier.pictures} "
                    f"charts in {chart_notifier.count}, {plain_notifier.pictures} in {plain_notifier.count}"
                )
            print(f"\n{'check-ins of ' + format(n, ','):<40}{'seconds':>10}{'channels/s':>14}{'× without':>12}")
            print("-" * 76)
            drawn = f"with charts ({chart.DRAWERS} drawing processes)"
            for label, seconds in (("without charts", without), (drawn, with_)):
                print(f"{label:<40}{seconds:>10.2f}{n / seconds:>14,.0f}{seconds / without:>12.1f}")
            per = (with_ - without) / n * 1000
            print(
                f"\nthe chart costs {per:,.1f} ms a channel over the check-in without it "
                f"({without / n * 1000:,.2f} ms); {n:,} check-ins take {with_ / 60:,.1f} minutes with charts, "
                f"{without / 60:,.2f} without; {chart_notifier.bytes / n / 1024:,.0f} KB of PNG a channel"
            )
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
