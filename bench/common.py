"""What the benchmarks share: where the tree and the tests' helpers are, the example answers, run
sizes from the command line, concurrent drivers and their interleaved runs, a server process started
and waited for, a fresh database, result rows (printed by report.py, the one report format), a log
tally, counting stored rows, running a measurement and printing its report. Slack is driven through
slack_driver.py; the reminder benchmarks share reminder_runs.py.

The stand-ins for the platforms, the signed requests, the filled forms, the export files and the
answer sets are the tests' own (tests/helpers, on the path once this module is imported): a
benchmark measures what the tests check.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import report
from report import REPO, Report, Result, ms, percentile, verdict

for _folder in (REPO, REPO / "tests" / "helpers"):  # measure this working tree, wherever started from
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

ANSWERS_FILE = REPO / "examples" / "answers.yaml"


def example_answers(questionnaire: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """examples/answers.yaml as a user types it (question id → text) and as the validators read it
    (question id → value); the run stops if the file does not answer every question validly."""
    import yaml

    from bot.conversation.questionnaire import Draft, answers_as_text, apply

    values = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    typed = answers_as_text(questionnaire, values)
    draft, errors = apply(questionnaire, Draft(), typed)
    missing = [q.id for q in questionnaire.questions if not draft.settled(q.id)]
    if errors or missing:
        raise SystemExit(f"{ANSWERS_FILE}: does not validate (errors {errors}, missing {missing})")
    return typed, dict(draft.answers)


@dataclass(frozen=True)
class Config:
    requests: int  # per timed run of a scenario
    repeats: int  # timed runs per scenario
    warmup: int  # untimed requests per scenario before the first timed run
    seconds: float  # a run (warm-up included) sends nothing new after this long
    alone: int  # requests of the info run: plan submissions to ours one at a time


def run_config(argv: list[str] | None, doc: str, unit: str, full: Config, quick: Config) -> tuple[Config, bool]:
    """The run's sizes: --quick picks the smaller preset, --requests/--repeats override either."""
    return config_from(config_parser(doc, unit, full, quick).parse_args(argv), full, quick)


def config_parser(doc: str, unit: str, full: Config, quick: Config) -> argparse.ArgumentParser:
    """run_config's options (--quick, --requests, --repeats), for a benchmark that adds its own."""
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
    return parser


def config_from(args: argparse.Namespace, full: Config, quick: Config) -> tuple[Config, bool]:
    """The sizes config_parser's options ask for."""
    preset = quick if args.quick else full
    config = dataclasses.replace(
        preset, requests=args.requests or preset.requests, repeats=args.repeats or preset.repeats
    )
    return config, args.quick


async def drive(
    count: int, one: Callable[[int], Awaitable[None]], *, concurrency: int, seconds: float = float("inf")
) -> None:
    """`one(i)` for i in range(count) by `concurrency` tasks, each starting its next as soon as its
    previous one finished. After `seconds` none starts a new one (a slow server must not stretch a
    run): the run then covers what was started."""
    indices = iter(range(count))  # shared: each task takes the next
    stop = time.perf_counter() + seconds

    async def driver() -> None:
        while time.perf_counter() < stop and (i := next(indices, None)) is not None:
            await one(i)

    await asyncio.gather(*(driver() for _ in range(concurrency)))


async def wait_until(done: Callable[[], bool], what: str, *, seconds: float) -> float:
    """Poll `done()` every 2 ms until it holds; the seconds it took. After `seconds` the run stops,
    saying `what` is still unfinished (the background work of a run must not bleed into the next)."""
    started = time.perf_counter()
    deadline = started + seconds
    while not done():
        if time.perf_counter() > deadline:
            raise SystemExit(f"{what} still unfinished after {seconds:.0f} s")
        await asyncio.sleep(0.002)
    return time.perf_counter() - started


def server_process(command: list[str], **popen: Any) -> subprocess.Popen:
    """A server under test (or a floor, or a page server) in a process of its own, its stderr kept to
    say why it stopped; `listening` then waits until it answers."""
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True, **popen)


async def listening(process: subprocess.Popen, port: int, path: str, *, seconds: float = 60.0) -> None:
    """Wait until the server on 127.0.0.1:`port` answers `path` (any status under 500); the run stops,
    with the end of what the server said, if it stopped or did not answer within `seconds`."""
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if process.poll() is not None:
                raise SystemExit(f"the server stopped: {process.stderr.read()[-2000:] if process.stderr else ''}")
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not start within {seconds:g} s")
            await asyncio.sleep(0.1)


def stop(process: subprocess.Popen, seconds: float = 40.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended after `seconds`."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@asynccontextmanager
async def database(folder: Path, postgres: str | None = None, name: str = "bench") -> AsyncIterator[str]:
    """The URL of a new SQLite file `name`.db in `folder`, or with `postgres` (a server's admin URL)
    of a fresh database on that server, dropped afterwards; NoDatabase if that server is not usable."""
    if not postgres:
        yield f"sqlite:///{folder / name}.db"
        return
    from postgres import create_database, drop_database

    try:
        url, made = await create_database(postgres, prefix="backlinks_bench")
    except Exception as error:  # no server there, or no right to create a database
        raise NoDatabase(f"PostgreSQL at {postgres} not usable ({type(error).__name__})") from error
    try:
        yield url
    finally:
        await drop_database(postgres, made)


class NoDatabase(Exception):
    """The PostgreSQL server a benchmark was given cannot make it a database."""


async def count_rows(store: Any, table_name: str) -> int:
    import sqlalchemy as sa

    async with store.engine.connect() as connection:
        return (await connection.execute(sa.text(f"SELECT count(*) FROM {table_name}"))).scalar_one()


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
        """Requests answered as expected a second (a failed one is counted apart, not as throughput)."""
        return self.median(_answered_per_second)

    @property
    def spread(self) -> float:
        rates = [_answered_per_second(r) for r in self.runs]
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


def _answered_per_second(run: Any) -> float:
    return (len(run.latencies) - len(run.failures)) / run.elapsed


async def interleaved(
    scenarios: list[tuple[str, Callable[..., Awaitable[Any]], Any]], config: Config, *, collect: bool = False
) -> list[Row]:
    """A Row per (name, scenario, target): each scenario first run untimed (config.warmup), then
    config.repeats timed runs of config.requests, interleaved across the scenarios so that drift on a
    shared machine hits all of them. A scenario is called (target, count, seconds); `collect`: a full
    garbage collection before each timed run."""
    for _, scenario, target in scenarios:  # warm-up, untimed
        await scenario(target, config.warmup, config.seconds)
    rows = [Row(name) for name, _, _ in scenarios]
    for _ in range(config.repeats):
        for row, (_, scenario, target) in zip(rows, scenarios, strict=True):
            if collect:
                gc.collect()
            row.runs.append(await scenario(target, config.requests, config.seconds))
    return rows


def throughput_verdict(what: str, ours: Row, floor: Row, aim: float, unit: str, floor_name: str, why: str = "") -> str:
    """PASS or FAIL: `ours` answers at least `aim` × as many a second as `floor` (`floor_name` in words)."""
    ratio = ours.per_second / floor.per_second
    return verdict(
        ratio >= aim,
        f"{what} throughput {ours.per_second:,.0f} {unit} = {ratio:.2f} × {floor_name}'s {floor.per_second:,.0f} "
        f"({'>=' if ratio >= aim else '<'} {aim}{why})",
    )


def one_at_a_time(what: str, run: Any, unit: str) -> str:
    """The info line of a run sent one request at a time: its own cost, without queueing."""
    latencies = run.latencies
    return (
        f"info: {what} one at a time ({len(latencies):,}): p50 {ms(percentile(latencies, 0.5))} ms, "
        f"p99 {ms(percentile(latencies, 0.99))} ms, {len(latencies) / run.elapsed:,.0f} {unit}, "
        f"{len(run.failures)} failed"
    )


def results(rows: list[Row], floors: dict[str, Row], unit: str = "req/s") -> list[Result]:
    """The report's rows for timed runs of concurrent requests: the median throughput of the runs,
    the median of their p99 latencies, and their p50, spread and failures as the row's own figures."""
    made = {
        r.name: Result(
            r.name,
            r.requests,
            r.per_second,
            unit,
            p99=r.p99 * 1e3,
            p99_unit="ms",
            extra={"p50": f"{ms(r.p50)} ms", "spread": f"{r.spread:.0%}", "failed": f"{r.failures:,}"},
        )
        for r in rows
    }
    for name, floor in floors.items():
        made[name].floor = made[floor.name]
    return list(made.values())


def table(
    rows: list[Row],
    floors: dict[str, Row],
    *,
    title: str = "scenario (16 concurrent)",
    count: str = "requests",
    unit: str = "req/s",
) -> list[str]:
    """The report's table of `results`."""
    return report.table(results(rows, floors, unit), title=title, count=count)


def p99_verdicts(rows: Iterable[tuple[Row, str]], limit_ms: float, limit: str) -> list[str]:
    """PASS or FAIL per (row, label): its p99 under `limit_ms` milliseconds (`limit` in words)."""
    lines = []
    for row, label in rows:
        p99 = row.p99 * 1e3
        lines.append(verdict(p99 < limit_ms, f"{label} p99 {p99:,.1f} ms ({'<' if p99 < limit_ms else '>='} {limit})"))
    return lines


def failure_lines(rows: Iterable[Row], what: str) -> list[str]:
    """FAIL for every row with `what` (requests, interactions) not answered as expected, and the first why."""
    lines = []
    for row in rows:
        if row.failures:
            first = next(f for run in row.runs for f in run.failures)
            lines.append(f"FAIL  {row.name}: {row.failures:,} {what} not answered as expected (first: {first})")
    return lines


class LogTally(logging.Handler):
    """Counts log records instead of printing them: a failed request can log a long traceback."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: dict[tuple[str, str, str], list[logging.LogRecord]] = {}  # (level, logger, gist) → records

    @classmethod
    def install(cls) -> LogTally:
        """A tally that receives every warning and error logged from now on, instead of stderr."""
        tally = cls()
        logging.basicConfig(level=logging.WARNING, handlers=[tally])
        return tally

    def emit(self, record: logging.LogRecord) -> None:
        gist = record.getMessage().splitlines()[0][:50]
        self.seen.setdefault((record.levelname, record.name, gist), []).append(record)

    def report(self) -> list[str]:
        """What was logged, summarised under a heading; nothing if nothing was."""
        return ["logged during the run (not printed as they came):", *self.lines()] if self.seen else []

    def lines(self) -> list[str]:
        lines = []
        for (level, name, _), records in sorted(self.seen.items()):
            first = records[0]
            message = first.getMessage().splitlines()[0][:120]
            if first.exc_info and first.exc_info[1] is not None:
                message += f" ({str(first.exc_info[1]).splitlines()[0][:120]})"
            lines.append(f"  {len(records):,} × {level} from {name}: {message}")
        return lines


def measure_and_print(
    header: list[str],
    prefix: str,
    measure: Callable[[Path], Awaitable[list[str]]],
    *,
    script: str | Path | None = None,
    argv: list[str] | None = None,
) -> int:
    """Print the report's head (the header's first line its title, the rest under the machine line
    and the command), run `measure` in a temporary folder on a new event loop, print its lines and
    the report's tail; the exit status (0: a benchmark reports, it does not fail). `script` and
    `argv` name the command that runs it again (sys.argv's by default)."""
    run = Report(header[0], script or sys.argv[0], argv, details=header[1:])
    run.print_head()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        lines = asyncio.run(measure(Path(tmp)))
    for line in lines:
        print(line)
    run.print_tail()
    return 0
