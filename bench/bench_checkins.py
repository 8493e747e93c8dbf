"""10,000 monthly check-ins measured through DataForSEO's stand-in, against the same unmeasured.

    .venv/bin/python bench/bench_checkins.py            # 10,000 channels, median of 3 runs
    .venv/bin/python bench/bench_checkins.py --quick    # 2,000 channels, 1 run
    .venv/bin/python bench/bench_checkins.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
                                         # on a fresh database on that server instead of a SQLite file
    .venv/bin/python bench/bench_checkins.py --latency 0.3   # the stand-in answers after 0.3 s a call

Data: N channels in 5 workspaces of unequal size (40/25/15/12/8 %), each with a plan and a reminder
due in the same minute (1 Dec 2026, as tests/helpers/reminder_worker makes them), for N/4 distinct
sites: every site has one channel, the others are drawn at random, so a site recurs within a
workspace and across workspaces. The provider is the real DataForSEO client (providers/dataforseo.py)
composed as the app composes it (bot/app/lookups.py `lookups_for`: provider "dataforseo", the
stand-in's URL, a monthly budget no workspace reaches) against the loopback DataForSEO stand-in
(tests/helpers/dataforseo_standin.py), which knows every site's last 12 months and counts the calls.
The stand-in runs on the same event loop: its work is in the wall time (printed apart).

Rows, each one ReminderLoop.run_once at the due minute (batch 500, as `backlinks serve` runs it) with a
notifier that posts nothing, on the same data reset to "all due" before it, the charts drawn so far
forgotten (a month's charts are new ones):

  floor   the check-ins without a provider (Engine(lookups=None)) and without their progress charts;
  charts  the same check-ins, each with its chart (bot/monthly/chart.py: drawn in the drawing
          processes, a chart alike to one drawn already not drawn again: here the channels of a
          site have alike charts, so N/4 drawings);
  each    the same, every chart drawn (chart.CACHE_BYTES = 0): what N channels whose charts all
          differ cost, as most real ones do;
  cold    measured, with charts, the month's first run: the lookup cache empty, so one history call
          per site, and one referring_domains call per site that lost 5 or more (the note names them);
  warm    measured again, with charts, on a fresh copy of the reminders, the month's cache already
          filled: no call.

Prints wall time, channels/s, × floor, provider calls, the cache hit rate (the share of measured
check-ins whose site's month took no call in that run: 1 − calls ÷ check-ins measured), what each row
costs a channel (ms over the floor) and the charts drawn; then the aim for charts (at most 3 × the
floor) for `charts` and `each`. After every run it checks that each channel got one check-in, with a
PNG chart where charts are on and none in the floor; that each measured one carries its site's
November from the stand-in (and a reclamation note when 5 or more domains were lost, naming them),
and the unmeasured rows none; one history call per site and one names call per losing site on cold,
none on warm. Medians of --repeats runs, after one untimed run of the floor and one of `each`.

A measured month is evidence of the profile's growth, so every measured check-in re-runs the plan and
stores the adapted one; the floor's plans, with nothing logged, are kept. Most of the measured rows'
cost over the floor is that replan and its write, not the lookups (the summary counts plans adapted).
"""

from __future__ import annotations

import collections
import gc
import math
import os
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from checkin_data import LAST_MONTH, PLATFORM, WORKSPACES, Data, populate
from common import (
    Config,
    LogTally,
    config_from,
    config_parser,
    count_rows,
    database,
    measure_and_print,
)
from dataforseo_standin import DataForSEOStandIn
from reminder_runs import all_due, run_due
from reminder_worker import DUE
from report import Result, table, verdict

from bot.app.lookups import lookups_for
from bot.core.replies import images
from bot.core.settings import Settings
from bot.engine import Engine
from bot.monthly import chart, drawers
from bot.monthly.reminders import RunReport
from bot.planning import knowledge as knowledge_module
from bot.storage.schema import channels
from bot.storage.store import Store

FULL = Config(requests=10_000, repeats=3, warmup=1, seconds=math.inf, alone=0)
QUICK = Config(requests=2_000, repeats=1, warmup=1, seconds=math.inf, alone=0)
BATCH = 500  # ReminderLoop's default, what `backlinks serve` claims at a time
BUDGET = 10**9  # lookups a workspace (and the deployment's key) may make a month: never the limit here
HISTORY = "backlinks/history/live"
NAMES = "backlinks/referring_domains/live"  # the names of November's lost domains, where a note lists them
RECLAIM_FROM = 5  # knowledge/planner.yaml reclaim_note_lost: lost domains that bring a reclamation note
UNMEASURED = ("floor", "charts", "each")  # the rows without a provider
CHARTS_AIM = 3.0  # check-ins with charts cost at most this many times the floor
KEEP_CHARTS = chart.CACHE_BYTES


@dataclass
class TimedStandIn(DataForSEOStandIn):
    """The stand-in, adding up the time it spends building and encoding its answers."""

    busy: float = 0.0

    def _answer(self, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return super()._answer(*args)
        finally:
            self.busy += time.perf_counter() - started


class Recording:
    """A platform that posts nothing and keeps what it was handed, read after the run."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.sent: list[tuple[Any, Any]] = []

    async def send(self, channel: Any, reply: Any) -> None:
        self.sent.append((channel, reply))


@dataclass
class Run:
    seconds: float
    calls: int  # to the provider
    measured: int  # check-ins with the measured line
    busy: float  # the stand-in's seconds
    problems: list[str]
    summary: str
    drawn: int = 0  # charts drawn (not found among those drawn already)


@dataclass
class Row:
    name: str
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)


class Drawings:
    """Counts the charts handed to the drawing processes (chart._submitted), and draws each when asked."""

    def __init__(self) -> None:
        self.count = 0
        self.submit = chart._submitted
        chart._submitted = self._counted

    def _counted(self, *args: Any) -> Any:
        self.count += 1
        return self.submit(*args)


async def timed(engine: Engine, standin: TimedStandIn, drawings: Drawings, *, each: bool = False):
    """One run: (seconds, report, what it sent, charts drawn)."""
    notifier = Recording()
    standin.calls.clear()
    standin.busy = 0.0
    chart.forget_drawn()  # a month's charts are new ones
    chart.CACHE_BYTES = 0 if each else KEEP_CHARTS
    drawings.count = 0
    gc.collect()
    started = time.perf_counter()
    try:
        report = await run_due(engine, BATCH, notifier)
    finally:
        chart.CACHE_BYTES = KEEP_CHARTS
    return time.perf_counter() - started, report, notifier, drawings.count


def check(
    kind: str, n: int, data: Data, report: RunReport, notifier: Recording, standin: TimedStandIn
) -> tuple[int, list[str], str]:
    """What the run sent, against what it should have: (check-ins measured, problems, a summary)."""
    problems = []
    names = [channel.channel for channel, _ in notifier.sent]
    if report.sent != n or len(names) != n or len(set(names)) != n:
        problems.append(f"{report.sent:,} reported sent, {len(names):,} posted to {len(set(names)):,} channels")
    pictures = [image for _, reply in notifier.sent for image in images(reply)]
    charted = kind != "floor"
    if len(pictures) != (n if charted else 0) or not all(p.data.startswith(b"\x89PNG") for p in pictures):
        problems.append(f"{len(pictures):,} PNG charts in {n:,} check-ins ({'each' if charted else 'none'} expected)")
    measured = reclaims = wrong = adapted = 0
    for channel, reply in notifier.sent:
        said = {b.text.template: b.text.values for b in reply.blocks if hasattr(b, "text")}
        adapted += bool(said["reminder.target"]["adapted"])
        line = said.get("reminder.measured")
        if line is None:
            continue
        measured += 1
        reclaims += "reminder.reclaim" in said
        new, lost = data.november(channel.channel)
        if (line["new"], line["lost"]) != (new, lost) or ("reminder.reclaim" in said) != (lost >= RECLAIM_FROM):
            wrong += 1
        elif lost >= RECLAIM_FROM and len(said["reminder.reclaim"]["domains"]) != min(lost, 10):
            wrong += 1  # the note names the lost domains, up to 10
    if kind in UNMEASURED and measured:
        problems.append(f"{measured:,} check-ins measured without a provider")
    if kind not in UNMEASURED and measured != n:
        problems.append(f"{n - measured:,} check-ins without the measured line")
    if wrong:
        problems.append(f"{wrong:,} measured lines (or reclamation notes) not the stand-in's November")
    targets = collections.Counter(c.body[0]["target"] for c in standin.calls_to(HISTORY))
    named = collections.Counter(c.body[0]["target"] for c in standin.calls_to(NAMES))
    others = len(standin.calls) - sum(targets.values()) - sum(named.values())
    refused = sum(c.status != 200 or c.code != 20000 for c in standin.calls)
    sites = set(data.site_of.values())
    if kind == "cold" and (set(targets) != sites or set(targets.values()) != {1}):
        problems.append(f"{sum(targets.values()):,} history calls for {len(targets):,} of the {len(sites):,} sites")
    if kind != "cold" and targets:
        problems.append(f"{sum(targets.values()):,} history calls (none expected)")
    losing = {s for s in sites if data.sites[s].months[LAST_MONTH][1] >= RECLAIM_FROM}
    if kind == "cold" and (set(named) != losing or set(named.values()) - {1}):
        problems.append(f"{sum(named.values()):,} calls for names for {len(named):,} of {len(losing):,} losing sites")
    if kind != "cold" and named:
        problems.append(f"{sum(named.values()):,} calls for names (none expected)")
    if others or refused:
        problems.append(f"{others:,} calls to other endpoints, {refused:,} answered other than 200/20000")
    summary = (
        f"{len(names):,} check-ins to {len(set(names)):,} channels, {len(pictures):,} with a chart, "
        f"{measured:,} measured "
        f"({reclaims:,} with a reclamation note), {sum(targets.values()):,} history calls for "
        f"{len(targets):,} sites, {sum(named.values()):,} calls for the names of lost domains, "
        f"{adapted:,} plans adapted"
    )
    return measured, problems, summary


async def measure(config: Config, folder: Path, postgres: str | None, latency: float, tally: LogTally) -> list[str]:
    async with database(folder, postgres, "checkins") as url:
        return await _measure(config, url, latency, tally)


async def _measure(config: Config, url: str, latency: float, tally: LogTally) -> list[str]:
    n = config.requests
    standin = TimedStandIn(rate_limit=BUDGET, rate_remaining=BUDGET, balance=1e9, delay=latency)
    await standin.start()
    store = await Store.open(url, clock=lambda: DUE)
    lines: list[str] = []
    try:
        started = time.perf_counter()
        data = await populate(store, n)
        standin.sites = data.sites
        site_count = len(data.sites)
        pairs = len({(w, data.site_of[c]) for c, w in await _workspaces(store)})
        lines.append(
            f"set-up: {n:,} channels in {len(WORKSPACES)} workspaces, {site_count:,} distinct sites "
            f"({pairs:,} workspace-site pairs), written in {time.perf_counter() - started:.1f} s"
        )
        knowledge = knowledge_module.default()
        settings = Settings(
            _env_file=None,
            provider="dataforseo",
            provider_key=standin.key,
            provider_url=standin.url,
            lookup_budget=BUDGET,
            provider_key_monthly_cap=BUDGET,  # the deployment's key: its cap (1,000 by default) is not measured here
        )
        measured_lookups = lookups_for(store, settings)
        await measured_lookups.clients("dataforseo", standin.key).close()  # the client's imports, before timing
        unmeasured = Engine(knowledge=knowledge, store=store, lookups=None)
        floor = Engine(knowledge=knowledge, store=store, lookups=None)
        floor.monthly.charts = False
        engines = {
            "floor": floor,
            "charts": unmeasured,
            "each": unmeasured,
            "cold": Engine(knowledge=knowledge, store=store, lookups=measured_lookups),
            "warm": Engine(knowledge=knowledge, store=store, lookups=measured_lookups),
        }
        rows = {
            "floor": Row("floor", "floor: check-ins, no provider, no charts"),
            "charts": Row("charts", "charts: the same, with charts (alike drawn once)"),
            "each": Row("each", "each: the same, every chart drawn"),
            "cold": Row("cold", "cold: measured, charts, the month's first run"),
            "warm": Row("warm", "warm: measured, charts, the month's cache filled"),
        }
        drawings = Drawings()
        for _ in range(config.warmup):  # the drawing processes started, Pillow and the font loaded
            for kind in ("floor", "each"):
                await all_due(store, lookups=True)
                await timed(engines[kind], standin, drawings, each=kind == "each")
        paid = 0.0
        for _ in range(config.repeats):
            for kind in rows:
                await all_due(store, lookups=kind != "warm")
                balance = standin.balance
                seconds, report, notifier, drawn = await timed(engines[kind], standin, drawings, each=kind == "each")
                if kind == "cold":
                    paid = balance - standin.balance
                measured, problems, summary = check(kind, n, data, report, notifier, standin)
                run = Run(seconds, len(standin.calls), measured, standin.busy, problems, summary, drawn)
                rows[kind].runs.append(run)
        lines += _table(list(rows.values()), n, site_count, paid, latency)
        lines += ["", "checked after each run:"]
        for row in rows.values():
            for number, run in enumerate(row.runs, 1):
                verdict = "OK  " if not run.problems else "FAIL"
                lines.append(f"  {verdict} {row.name} #{number}: {run.summary}")
                lines += [f"         {p}" for p in run.problems]
        lookups_stored = await count_rows(store, "lookups")
        lines.append(f"lookup cache: {lookups_stored:,} rows (one per site and month)")
        lines += tally.report()
    finally:
        await store.close()
        await standin.stop()
    return lines


async def _workspaces(store: Store) -> list[tuple[str, str]]:
    async with store.engine.connect() as connection:
        return [tuple(r) for r in (await connection.execute(sa.select(channels.c.channel, channels.c.workspace)))]


def _table(rows: list[Row], n: int, sites: int, paid: float, latency: float) -> list[str]:
    floor = rows[0].seconds
    results: list[Result] = []
    for row in rows:
        calls = statistics.median(r.calls for r in row.runs)
        measured = statistics.median(r.measured for r in row.runs)
        extra = {
            "channels/s": f"{n / row.seconds:,.0f}",
            "calls": f"{calls:,.0f}",
            "cache hits": f"{1 - calls / measured:.1%}" if measured else "-",
            "ms/channel": f"{(row.seconds - floor) / n * 1e3:+.3f}" if row is not rows[0] else "-",
            "stand-in s": f"{statistics.median(r.busy for r in row.runs):.2f}",
            "drawn": f"{statistics.median(r.drawn for r in row.runs):,.0f}",
        }
        results.append(Result(row.label, n, row.seconds, "s", floor=results[0] if results else None, extra=extra))
    cold = next(r for r in rows if r.name == "cold")
    calls = statistics.median(r.calls for r in cold.runs)
    lines = ["", *table(results, title=f"row (median of {len(rows[0].runs)})", count="channels")]
    lines += [
        "",
        f"ms/channel: the row's seconds over the floor's, per channel; stand-in s: its own time answering "
        f"(same event loop){f', plus {latency:g} s of latency a call' if latency else ''}",
        f"cold: {calls:,.0f} provider calls (history, and names where lost) for {sites:,} sites "
        f"in {cold.seconds:.1f} s "
        f"({calls / cold.seconds:,.0f} calls/s), {paid:,.2f} USD at DataForSEO's prices (the stand-in's costs)",
        f"drawn: charts drawn in the run (the rest were alike to one drawn already); {os.cpu_count()} CPUs, "
        f"{drawers.DRAWERS} drawing processes",
        "",
        f"aim: {n:,} check-ins with charts cost at most {CHARTS_AIM:g} × the same without (the floor, "
        f"{floor:.2f} s, this run):",
    ]
    for row in rows:
        if row.name in ("charts", "each"):
            ratio = row.seconds / floor
            sign = "<=" if ratio <= CHARTS_AIM else ">"
            lines.append(
                verdict(
                    ratio <= CHARTS_AIM,
                    f"{row.label}: {row.seconds:.2f} s = {ratio:.2f} × the floor ({sign} {CHARTS_AIM:g})",
                )
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = config_parser(__doc__, "channels", FULL, QUICK)
    parser.add_argument("--postgres", metavar="URL", help="a fresh database on this PostgreSQL server, not SQLite")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the stand-in waits before each answer")
    args = parser.parse_args(argv)
    config, quick = config_from(args, FULL, QUICK)
    tally = LogTally.install()
    database = "PostgreSQL (a fresh database)" if args.postgres else f"a SQLite {sqlite3.sqlite_version} file"
    header = [
        f"Backlinks bot: check-ins measured by DataForSEO (the real client against its loopback stand-in) for "
        f"{config.requests:,} channels due at once ({'quick' if quick else 'full'} run; {database}; batch {BATCH})",
        f"floor: the same check-ins without a provider; median of {config.repeats} run(s) per row, "
        f"rows interleaved, after {config.warmup} untimed run of the floor",
    ]
    return measure_and_print(
        header,
        "bench-checkins-",
        lambda folder: measure(config, folder, args.postgres, args.latency, tally),
        script=__file__,
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
