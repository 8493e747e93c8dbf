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
