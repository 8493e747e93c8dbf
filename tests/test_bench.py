"""The benchmarks run on the tests' helpers (stand-ins, signed bodies, answer sets, export writers):
a helper renamed or moved must not leave a benchmark that no longer starts. Their figures are not
asserted anywhere in the tests (../shared/TESTING.md, Benchmarks)."""

from __future__ import annotations

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
