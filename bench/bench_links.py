"""Checking logged links: how many a second, and the memory it takes, against a bare client.

    .venv/bin/python bench/bench_links.py            # full run: 10,000 links, 3 repeats (about a minute)
    .venv/bin/python bench/bench_links.py --quick    # smoke run: 1,000 links, 1 repeat

The pages come from a separate process (an aiohttp server on 127.0.0.1: 20 kB pages, 90% linking
to the site, 5% nofollow, 5% gone), on 500 host names that the clients resolve to it (as /etc/hosts
would). Rows, each the median of the repeats, in the same run:

  floor    a bare aiohttp client: GET each page with the same concurrency, read the body, nothing else
  checker  bot.links.LinkChecker.check_all: robots.txt once per host, the page read and parsed, states
  stored   bot.links.service.check_due on a SQLite file holding the 10,000 logged links of 1,000
           channels: the due links read, checked and their states stored, batch by batch

Memory is the peak resident size during the run above the size before it (sampled every 20 ms).
The per-host pause is 0 here (throughput); with the default 1 s, a host's links are checked a
second apart, which `--polite` shows on a smaller set.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import listening, server_process, stop
from loopback import Loopback
from processes import free_port
from report import Report, Result, table

HOSTS = 500
PAGE = "<html><body>" + "<p>" + "Filler text about bread and baking. " * 500 + "</p>{link}</body></html>"


def pages(port: int) -> None:
    """The page server (`bench_links.py --pages PORT`, in a process of its own): every site's pages."""
    from aiohttp import web

    link = PAGE.format(link='<a href="https://example.com/">Example</a>')
    nofollow = PAGE.format(link='<a rel="nofollow" href="https://example.com/">Example</a>')

    async def page(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n % 20 == 0:
            return web.Response(status=404)
        return web.Response(text=nofollow if n % 20 == 1 else link, content_type="text/html")

    async def robots(_: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private\n")

    app = web.Application()
    app.router.add_get("/p/{n}", page)
    app.router.add_get("/robots.txt", robots)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def measured(work) -> tuple[float, int, object]:
    """Seconds, peak RSS growth (bytes) and the result of `work()`."""
    before, peak, done = rss(), rss(), False

    async def sample() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, rss())
            await asyncio.sleep(0.02)

    sampler = asyncio.ensure_future(sample())
    started = time.perf_counter()
    result = await work()
    took = time.perf_counter() - started
    done = True
    await sampler
    return took, max(0, peak - before), result


async def floor(urls: list[str], concurrency: int) -> int:
    import aiohttp

    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(resolver=Loopback(), limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> int:
            async with limit, session.get(url) as response:
                await response.read()
                return response.status

        return len(await asyncio.gather(*(one(u) for u in urls)))


async def checker_run(urls: list[str], concurrency: int, interval: float = 0.0):
    from bot.links.checker import LinkChecker

    async with LinkChecker(resolver=Loopback(), concurrency=concurrency, per_host_interval=interval) as links:
        return await links.check_all((u, "example.com") for u in urls)


async def filled_store(path: Path, urls: list[str], channels: int):
    import sqlalchemy as sa

    from bot.storage.schema import progress
    from bot.storage.store import Store

    store = await Store.open(f"sqlite:///{path}")
    from bot.core.events import ChannelKey

    ids = []
    for c in range(channels):
        key = ChannelKey("bench", "team", f"C{c}")
        await store.save_plan(key, "U1", {"site": "example.com"}, {"site": "example.com"})
    async with store.engine.begin() as connection:
        ids = [row.id for row in (await connection.execute(sa.text("SELECT id FROM channels ORDER BY id"))).all()]
        now = store.clock()
        rows = [
            {
                "channel_id": ids[n % len(ids)],
                "month": "2026-11",
                "count": 0,
                "domain": f"site{n}.test",
                "url": url,
                "source": "typed",
                "created_by": "U1",
                "created_at": now,
            }
            for n, url in enumerate(urls)
        ]
        await connection.execute(sa.insert(progress), rows)
    return store


async def stored_run(path: Path, urls: list[str], channels: int, concurrency: int):
    from bot.links.checker import LinkChecker
    from bot.links.service import check_due
    from bot.links.store import LinkStore

    store = await filled_store(path, urls, channels)
    try:
        links = LinkStore.on(store)

        async def work():
            return await check_due(
                links,
                lambda: LinkChecker(resolver=Loopback(), concurrency=concurrency, per_host_interval=0.0),
                now=store.clock(),
            )

        return await measured(work)
    finally:
        await store.close()


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 links, 1 repeat")
    parser.add_argument("--links", type=int, help="links per run (default 10,000; 1,000 with --quick)")
    parser.add_argument("--repeats", type=int, help="runs per row (default 3; 1 with --quick)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--polite", action="store_true", help="also a run with the default 1 s pause per host")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    count = args.links or (1_000 if args.quick else 10_000)
    repeats = args.repeats or (1 if args.quick else 3)

    port = free_port()
    server = server_process([sys.executable, __file__, "--pages", str(port)])
    await listening(server, port, "/robots.txt")
    urls = [f"http://site{n % HOSTS}.test:{port}/p/{n}" for n in range(count)]
    run = Report(
        f"Backlinks bot: checking logged links ({count:,} links on {HOSTS} hosts, {args.concurrency} at a time; "
        f"pages from a separate process; median of {repeats} run(s) a row)",
        __file__,
        argv,
        details=["floor: a bare aiohttp client reading each page, nothing else"],
    )
    run.print_head()

    try:
        rows: dict[str, list[tuple[float, int]]] = {"floor": [], "checker": [], "stored": []}
        states = None
        for _ in range(repeats):
            took, grew, _ = await measured(lambda: floor(urls, args.concurrency))
            rows["floor"].append((took, grew))
            took, grew, found = await measured(lambda: checker_run(urls, args.concurrency))
            rows["checker"].append((took, grew))
            states = {s: sum(f.state == s for f in found) for s in ("live", "not_followed", "lost", "unchecked")}
            with tempfile.TemporaryDirectory() as folder:
                took, grew, report = await stored_run(Path(folder) / "links.db", urls, 1_000, args.concurrency)
            assert report.checked == count, report
            rows["stored"].append((took, grew))
        print(f"states found: {states}")
        results = []
        for name, runs in rows.items():
            took = statistics.median(t for t, _ in runs)
            grew = statistics.median(g for _, g in runs) / 1e6
            extra = {"links/s": f"{count / took:,.0f}", "memory MB": f"{grew:,.1f}"}
            results.append(Result(name, count, took, "s", floor=results[0] if results else None, extra=extra))
        print(*table(results, count="links"), sep="\n")
        if args.polite:
            small = urls[: HOSTS * 4]  # four pages a host
            started = time.perf_counter()
            await checker_run(small, args.concurrency, interval=1.0)
            took = time.perf_counter() - started
            print(f"polite: {len(small):,} links, 4 a host, 1 s apart per host: {took:.1f} s (at least 4 s by design)")
    finally:
        stop(server)
    run.print_tail()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pages"]:  # the page server, started by main in a process of its own
        pages(int(sys.argv[2]))
    else:
        sys.exit(asyncio.run(main()))
