"""The benchmarks run on the tests' helpers (stand-ins, signed bodies, answer sets, export writers):
a helper renamed or moved must not leave a benchmark that no longer starts. Their figures are not
asserted anywhere in the tests (../shared/TESTING.md, Benchmarks)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_benchmark_imports():
    names = sorted(p.stem for p in BENCH.glob("bench_*.py"))
    assert len(names) >= 6, names
    script = "".join(f"import {name}\n" for name in names)  # as `python bench/<name>.py` would, without running
    done = subprocess.run([sys.executable, "-c", script], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_engine_benchmarks_import_line_runs():
    """bench_engine times a `python -c` of the console's imports: code in a string, which no
    import of the benchmark runs (a module moved once broke it unseen)."""
    snippet = f"import sys; sys.path[:0] = {[str(BENCH)]!r}; import bench_engine; exec(bench_engine.CONSOLE_IMPORTS)"
    done = subprocess.run([sys.executable, "-c", snippet], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def _report():
    """bench/report.py (standard library only), loaded from its file: bench/ stays off the path."""
    spec = importlib.util.spec_from_file_location("bench_report", BENCH / "report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_a_report_row_gives_its_median_against_the_floor_measured_beside_it():
    report = _report()
    floor = report.Result("floor: a bare app", 600, 1200.0, "req/s", p99=17.4, p99_unit="ms")
    ours = report.Result("ours", 600, 900.0, "req/s", p99=25.5, p99_unit="ms", floor=floor, extra={"failed": "3"})
    header, rule, *rows = report.table([floor, ours], title="scenario", count="requests")
    assert header.split() == ["scenario", "requests", "median", "p99", "unit", "×", "floor", "failed"]
    assert rule == "-" * len(header)
    assert rows[0].split() == ["floor:", "a", "bare", "app", "600", "1,200", "17.4", "ms", "req/s", "floor"]
    assert rows[1].split() == ["ours", "600", "900", "25.5", "ms", "req/s", "0.75", "3"]


def test_a_report_names_each_floor_when_a_table_has_several_and_compares_times_in_one_unit():
    report = _report()
    json_floor = report.Result("json floor", 100, 12.0, "µs")
    engine = report.Result("engine", 10, 6.0, "ms", floor=json_floor)
    help_floor = report.Result("--help", 1, 0.15, "s")
    console = report.Result("console", 1, 1.2, "s", floor=help_floor)
    rows = report.table([json_floor, engine, help_floor, console])[2:]
    assert [row.split()[-2:] for row in rows] == [["floor", "a"], ["500.00", "a"], ["floor", "b"], ["8.00", "b"]]


def test_a_report_head_says_the_machine_and_the_command_that_runs_it_again():
    report = _report()
    head = report.Report("Backlinks bot: a benchmark", BENCH / "bench_links.py", ["--quick"]).head()
    assert head[0] == "Backlinks bot: a benchmark"
    assert head[1].startswith(f"machine: {os.cpu_count()} cores, load average ")
    assert "bench/bench_links.py --quick" in head[2]


def test_a_rows_throughput_counts_only_the_requests_answered_as_expected():
    """A request that failed (no answer in time, or not the expected one) is listed apart, not
    counted as served: 10 sent in a second, 4 of them failed, is 6 a second."""
    run = "types.SimpleNamespace(latencies=[0.01] * 10, failures=['no callback within 10 s'] * 4, elapsed=1.0)"
    snippet = f"import common, types; row = common.Row('ours', [{run}]); print(row.per_second, row.spread)"
    done = subprocess.run([sys.executable, "-c", snippet], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["6.0", "0.0"]


OWN_PRINTING: set[str] = set()  # every benchmark prints through the one report


def test_every_benchmark_prints_through_the_one_report():
    """A benchmark prints its head, tables and tail through bench/report.py (directly, or through
    common.measure_and_print), so that every report carries the machine line, the command and the floor."""
    own = {
        path.stem
        for path in BENCH.glob("bench_*.py")
        if not any(use in path.read_text(encoding="utf-8") for use in ("Report(", "measure_and_print("))
    }
    assert own == OWN_PRINTING


SLACK_DRIVER = """
import asyncio, json, tempfile
import aiohttp
import slack_driver as slack_

async def main():
    with tempfile.TemporaryDirectory() as folder:
        async with slack_.served(f"sqlite:///{folder}/t.db", bare=True) as slack, aiohttp.ClientSession() as session:
            for url in (slack.ours, slack.bare):
                reply = slack.standin.response_url("r")
                body = slack_.command_body("help", channel="C1", response_url=reply, trigger="t1")
                status, answer, _, _ = await slack_.post(session, url, body)
                print(url == slack.ours, status, b"Backlinks bot commands" in answer)
            print(sorted(json.loads((await slack_.plan_modal(slack.bot))["private_metadata"])))

asyncio.run(main())
"""


def test_the_slack_driver_signs_as_slack_does_for_ours_and_for_the_bare_floor():
    """bench/slack_driver.py: ours answers a signed `/backlinks help` with the help, the bare Bolt app
    acks it empty (a wrong signature would be a 401 from both), and the plan form opens."""
    done = subprocess.run([sys.executable, "-c", SLACK_DRIVER], cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["True 200 True", "False 200 False", "['channel', 'response_url']"]
