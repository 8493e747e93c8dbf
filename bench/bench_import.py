"""Importing a big Ahrefs backlinks export (UTF-16, tab-separated, quoted), against Python's csv
module merely reading the same file, in one run.

    .venv/bin/python bench/bench_import.py            # 1,000,000 rows (and 250,000 for the memory check)
    .venv/bin/python bench/bench_import.py --quick    # 100,000 rows (and 25,000)

The file is written by the tests' writer (tests/helpers/export_fixtures.py), every column filled.
Each measurement runs in a fresh Python process, so its peak memory (max RSS) is its own. Rows:
  floor   open(encoding="utf-16", newline="") + csv.reader over every row, nothing else;
  import  bot.exports.read_profile: encoding and header detection, every row parsed into the
          profile (registrable domains, dates, flags, anchors), the summary.
Prints seconds, rows per second, the ratio to the floor (aim: within 2×) and peak memory at two
file sizes (aim: flat in the file size: memory follows the number of linking domains, not rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from common import REPO
from export_fixtures import Link, ahrefs_backlinks
from report import Report, Result, table, verdict

DOMAINS = 50_000  # distinct linking hosts, over all rows
ANCHORS = ["Example", "example.com", "click here", "best running shoes", "running tips", "here", "Example Shop"]
# Every other column filled, as in a real export (the tests' exports leave them blank).
FILLED = (
    ("Language", "en"),
    ("Platform", "wordpress"),
    ("Referring page HTTP code", "200"),
    ("UR", "10"),
    ("Referring domains", "120"),
    ("Linked domains", "40"),
    ("External links", "25"),
    ("Page traffic", "30"),
    ("Keywords", "12"),
    ("Left context", "as covered in"),
    ("Right context", "the guide"),
    ("Type", "text"),
    ("Content", "true"),
    ("UGC", "false"),
    ("Sponsored", "false"),
    ("Rendered", "true"),
    ("Raw", "true"),
    ("Page type", "article"),
    ("Page category", "blog"),
    ("Links in group", "1"),
)


def links(rows: int) -> Iterator[Link]:
    """The export's links, made one at a time (the file is written as they come)."""
    rng = random.Random(7)
    for n in range(rows):
        host = f"blog{n % DOMAINS}.site{n % (DOMAINS // 5)}.{('com', 'org', 'co.uk', 'de')[n % 4]}"
        lost = n % 17 == 0
        cells = (
            ("Referring page title", f"Post {n}"),
            ("Domain rating", str(n % 90)),
            ("Domain traffic", str(n % 5000)),
            *((("Lost", "2026-10-10"),) if lost else ()),  # lost before it was last seen
            *FILLED,
        )
        yield Link(
            url=f"https://{host}/posts/{n}",
            anchor=rng.choice(ANCHORS),
            first_seen=dt.date(2026, 1 + n % 12, 1 + n % 28),
            nofollow=n % 5 == 0,
            lost=lost,
            target="https://example.com/guide",
            cells=cells,
        )


def generate(path: Path, rows: int) -> None:
    """Ahrefs' backlinks export as the tests write it (tests/helpers/export_fixtures.py), every column filled."""
    ahrefs_backlinks(links(rows), path)


FLOOR = """
import csv, sys, time, resource
start = time.perf_counter()
rows = 0
with open(sys.argv[1], encoding="utf-16", newline="") as f:
    for _ in csv.reader(f, delimiter="\\t"):
        rows += 1
print(rows - 1, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

OURS = """
import sys, time, resource
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from bot.exports import read_profile
from bot.exports.formats import load
formats = load()
start = time.perf_counter()
profile = read_profile(Path(sys.argv[1]), formats, max_bytes=10**12)
summary = profile.summary("2026-11")
print(profile.rows, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      summary["referring_domains"])
"""


def run(script: str, path: Path) -> tuple[int, float, int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(REPO)], capture_output=True, text=True, check=True
    )
    rows, seconds, rss, *rest = done.stdout.split()
    return int(rows), float(seconds), int(rss), rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    big = 100_000 if options.quick else 1_000_000
    sizes = (big // 4, big)
    report = Report(
        f"Backlinks bot: importing an Ahrefs backlinks export (UTF-16, tabs, quoted; {DOMAINS:,} linking hosts); "
        f"medians of {options.repeats} runs, each in a fresh process",
        __file__,
        details=["floor: Python's csv module reading the same file, nothing else"],
    )
    report.print_head()
    results: dict[int, dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = Path(folder) / f"export-{rows}.csv"
            started = time.perf_counter()
            generate(path, rows)
            print(
                f"  generated {rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB) in "
                f"{time.perf_counter() - started:.0f} s"
            )
            for label, script in (("floor", FLOOR), ("import", OURS)):
                runs = [run(script, path) for _ in range(options.repeats)]
                if any(r[0] != rows for r in runs):
                    raise SystemExit(f"{label} read {runs[0][0]:,} rows of {rows:,}")
                seconds = statistics.median_high(r[1] for r in runs)
                rss = statistics.median_high(r[2] for r in runs)
                results.setdefault(rows, {})[label] = (seconds, rss)
            path.unlink()
    rows = []
    for count, by in results.items():
        floor = None
        for label, (seconds, rss) in by.items():
            result = Result(
                f"{label} ({count:,} rows)",
                count,
                seconds,
                "s",
                floor=floor,
                extra={"rows/s": f"{count / seconds:,.0f}", "peak MB": f"{rss / 1024:,.0f}"},
            )
            floor = floor or result
            rows.append(result)
    print()
    print(*table(rows, count="rows"), sep="\n")
    ratio = results[big]["import"][0] / results[big]["floor"][0]
    small, large = results[sizes[0]]["import"][1], results[big]["import"][1]
    print()
    print(verdict(ratio <= 2, f"import at {ratio:.2f}× the csv floor on {big:,} rows (aim: ≤ 2×)"))
    print(
        verdict(
            large <= small * 1.5,
            f"peak memory {small / 1024:.0f} MB at {sizes[0]:,} rows, {large / 1024:.0f} MB at {big:,} rows "
            "(aim: flat in the file size)",
        )
    )
    report.print_tail()


if __name__ == "__main__":
    main()
