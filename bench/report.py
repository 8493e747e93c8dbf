"""How every benchmark prints what it measured: one format, so that two runs (or two benchmarks) read
alike and a figure is never read without its floor.

A report starts with its title, the machine line (cores, load average: the machine is shared, and
the load says how much the figures are worth), the commit measured and the command that runs it
again; then tables of results, one row each: name, count, median, p99 where meaningful, unit, and
× floor (the row's median ÷ its floor's, the floor a row of the same table, measured in the same
run); then the benchmark's own further lines (checks, aims as PASS or FAIL); last the total time and
the load average at the end.
"""

from __future__ import annotations

import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECONDS = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}  # time units, for a ratio between two of them


@dataclass
class Result:
    """One row of a table: `median` in `unit` over `count` measured things; `p99` in `p99_unit` (the
    same unit unless named: a throughput row gives its latency's p99); `floor` the row it is compared
    with; `extra` the benchmark's own further figures, column name → text."""

    name: str
    count: float
    median: float
    unit: str
    p99: float | None = None
    p99_unit: str | None = None
    floor: Result | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, samples: Sequence[float], unit: str, floor: Result | None = None, **extra: str) -> Result:
        """A row of timings (seconds each), in `unit` (a time unit): their median and p99."""
        scale = 1 / SECONDS[unit]
        median, p99 = statistics.median(samples) * scale, percentile(samples, 0.99) * scale
        return cls(name, len(samples), median, unit, p99, floor=floor, extra=extra)

    @property
    def ratio(self) -> float | None:
        """The row's median ÷ its floor's, in one unit: > 1 is slower for a time, faster for a rate."""
        if self.floor is None or not self.floor.median:
            return None
        if self.unit == self.floor.unit:
            return self.median / self.floor.median
        if self.unit in SECONDS and self.floor.unit in SECONDS:  # a time beside a shorter or longer one
            return self.median * SECONDS[self.unit] / (self.floor.median * SECONDS[self.floor.unit])
        raise ValueError(f"{self.name}: {self.unit} against a floor in {self.floor.unit}")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def figure(value: float) -> str:
    """A figure with the digits that mean something: 12,345 · 123 · 12.3 · 1.23 · 0.0123."""
    size = abs(value)
    if value != value:  # NaN: nothing measured
        return "-"
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1 or size == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def ms(seconds: float) -> str:
    """Seconds as milliseconds, one decimal (latencies in prose lines)."""
    return f"{seconds * 1e3:,.1f}"


def table(results: Sequence[Result], *, title: str = "row", count: str = "count") -> list[str]:
    """The rows under a header; a row that is another's floor says so in its × floor column (with
    a letter where the table has more than one floor), and a row compared with it gives the ratio."""
    floors: list[Result] = []
    for result in results:
        if result.floor is not None and all(result.floor is not f for f in floors):
            floors.append(result.floor)
    tag = {id(f): (f" {chr(ord('a') + i)}" if len(floors) > 1 else "") for i, f in enumerate(floors)}
    extras: list[str] = []
    for result in results:
        extras += [name for name in result.extra if name not in extras]

    def cells(result: Result) -> list[str]:
        if id(result) in tag:
            versus = "floor" + tag[id(result)]
        elif result.ratio is not None:
            versus = f"{result.ratio:.2f}" + tag[id(result.floor)]
        else:
            versus = "-"
        p99 = "-"
        if result.p99 is not None:
            p99 = figure(result.p99) + (f" {result.p99_unit}" if result.p99_unit not in (None, result.unit) else "")
        count_text = f"{result.count:,.0f}" if result.count == int(result.count) else figure(result.count)
        return [result.name, count_text, figure(result.median), p99, result.unit, versus] + [
            result.extra.get(name, "") for name in extras
        ]

    head = [title, count, "median", "p99", "unit", "× floor", *extras]
    body = [cells(r) for r in results]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]

    def line(row: list[str]) -> str:
        first = f"{row[0]:<{widths[0]}}"
        unit = f"{row[4]:<{widths[4]}}"
        rest = [f"{cell:>{widths[i]}}" for i, cell in enumerate(row) if i not in (0, 4)]
        return "  ".join([first, *rest[:3], unit, *rest[3:]]).rstrip()

    header = line(head)
    return [header, "-" * len(header), *(line(row) for row in body)]


def verdict(passed: bool, text: str) -> str:
    """An aim's line: PASS or FAIL, then what was measured against what (the script exits 0 either way)."""
    return f"{'PASS' if passed else 'FAIL'}  {text}"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    return (
        f"machine: {os.cpu_count()} cores, load average {load_average()} (1, 5, 15 min); "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def tree() -> str:
    """The commit measured, and whether the working tree differs from it (others may be editing)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"commit {commit}" + (f" + {len(changed)} changed files" if changed else "")


def command(script: str | Path, argv: Iterable[str] | None = None) -> str:
    """The command line that runs this benchmark again, from the checkout's folder."""
    python = Path(sys.executable)
    try:
        python_text = str(python.relative_to(REPO))  # .venv/bin/python
    except ValueError:
        python_text = str(python)
    path = Path(script).resolve()
    where = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
    return shlex.join([python_text, where, *(sys.argv[1:] if argv is None else argv)])


class Report:
    """The lines around a benchmark's tables: `head()` before them, `tail()` after (with the time since
    the report was made). `script` is the benchmark's __file__, `argv` its arguments (sys.argv's by default)."""

    def __init__(self, title: str, script: str | Path, argv: Iterable[str] | None = None, details: Iterable[str] = ()):
        self.title = title
        self.script = script
        self.argv = list(sys.argv[1:] if argv is None else argv)
        self.details = list(details)
        self.started = time.perf_counter()

    def head(self) -> list[str]:
        return [
            self.title,
            machine(),
            f"run again: {command(self.script, self.argv)}   ({tree()})",
            *self.details,
            "",
        ]

    def tail(self) -> list[str]:
        return ["", f"total time {time.perf_counter() - self.started:.1f} s; load average at the end {load_average()}"]

    def print_head(self) -> None:
        for line in self.head():
            print(line, flush=True)

    def print_tail(self) -> None:
        for line in self.tail():
            print(line)
