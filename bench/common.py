"""What the benchmarks share: run sizes from the command line, percentiles, result rows, the
printed table, a log tally, counting stored rows."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Config:
    requests: int  # per timed run of a scenario
    repeats: int  # timed runs per scenario
    warmup: int  # untimed requests per scenario before the first timed run
    seconds: float  # a run (warm-up included) sends nothing new after this long
    alone: int  # requests of the info run: plan submissions to ours one at a time


def run_config(argv: list[str] | None, doc: str, unit: str, full: Config, quick: Config) -> tuple[Config, bool]:
    """The run's sizes: --quick picks the smaller preset, --requests/--repeats override either."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"a fast smoke run: fewer {unit} and repeats")
    parser.add_argument(
        "--requests",
        type=int,
        help=f"{unit} per timed run (default: {full.requests}, or {quick.requests} with --quick)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help=f"timed runs per scenario (default: {full.repeats}, or {quick.repeats} with --quick)",
    )
    args = parser.parse_args(argv)
    preset = quick if args.quick else full
    config = dataclasses.replace(
        preset, requests=args.requests or preset.requests, repeats=args.repeats or preset.repeats
    )
    return config, args.quick


async def count_rows(store: Any, table_name: str) -> int:
    import sqlalchemy as sa

    async with store.engine.connect() as connection:
        return (await connection.execute(sa.text(f"SELECT count(*) FROM {table_name}"))).scalar_one()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Row:
    name: str
    runs: list[Any] = field(default_factory=list)

    def median(self, figure: Callable[[Any], float]) -> float:
        return statistics.median(figure(r) for r in self.runs)

    @property
    def requests(self) -> int:
        return sum(len(r.latencies) for r in self.runs)

    @property
    def per_second(self) -> float:
        return self.median(lambda r: len(r.latencies) / r.elapsed)

    @property
    def spread(self) -> float:
        rates = [len(r.latencies) / r.elapsed for r in self.runs]
        return (max(rates) - min(rates)) / statistics.median(rates)

    @property
    def p50(self) -> float:
        return self.median(lambda r: percentile(r.latencies, 0.50))

    @property
    def p99(self) -> float:
        return self.median(lambda r: percentile(r.latencies, 0.99))

    @property
    def failures(self) -> int:
        return sum(len(r.failures) for r in self.runs)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f}"


def table(
    rows: list[Row],
    floors: dict[str, Row],
    *,
    title: str = "scenario (16 concurrent)",
    count: str = "requests",
    unit: str = "req/s",
) -> list[str]:
    width = max(len(r.name) for r in rows)
    header = (
        f"{title:<{width}}  {count:>8}  {unit:>7}  {'p50 ms':>7}  {'p99 ms':>7}  "
        f"{'× bare ' + unit:>12}  {'spread':>6}  {'failed':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        floor = floors.get(r.name)
        ratio = f"{r.per_second / floor.per_second:.2f}" if floor is not None else "-"
        lines.append(
            f"{r.name:<{width}}  {r.requests:>8,}  {r.per_second:>7,.0f}  {ms(r.p50):>7}  {ms(r.p99):>7}  "
            f"{ratio:>12}  {r.spread:>6.0%}  {r.failures:>6}"
        )
    return lines


class LogTally(logging.Handler):
    """Counts log records instead of printing them: a failed request can log a long traceback."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: dict[tuple[str, str, str], list[logging.LogRecord]] = {}  # (level, logger, gist) → records

    def emit(self, record: logging.LogRecord) -> None:
        gist = record.getMessage().splitlines()[0][:50]
        self.seen.setdefault((record.levelname, record.name, gist), []).append(record)

    def lines(self) -> list[str]:
        lines = []
        for (level, name, _), records in sorted(self.seen.items()):
            first = records[0]
            message = first.getMessage().splitlines()[0][:120]
            if first.exc_info and first.exc_info[1] is not None:
                message += f" ({str(first.exc_info[1]).splitlines()[0][:120]})"
            lines.append(f"  {len(records):,} × {level} from {name}: {message}")
        return lines
