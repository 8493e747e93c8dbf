"""Checking logged links (bot/links/checker.py) against a local HTTP server: links a second and
memory for N links (10,000 by default) spread over 100 host names, every one resolved to the
loopback address, each page a few kB with the link to the site.

The floor: the same GETs with a bare aiohttp session (the same concurrency, bodies read, no robots,
no pace, no parsing), measured in the same run. The checker's per-host pace is off here (0 s) so the
figure is its own cost; with the default of 1 s per host, 10,000 links over 100 hosts take 100 s
whatever the machine. Memory: the peak of Python allocations (tracemalloc) during each run.

    python3 bench/bench_links.py [--links 10000] [--concurrency 64] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import time
import tracemalloc
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1]),
    str(Path(__file__).resolve().parents[1] / "tests" / "helpers"),
]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from aiohttp.abc import AbstractResolver  # noqa: E402
from loopback import listen  # noqa: E402

from bot.links.checker import LinkChecker  # noqa: E402

HOSTS = 100
PAGE = ("<!doctype html><html><body>" + "<p>" + "words " * 600 + "</p>" + '<a href="https://example.com/">x</a>'
        + "</body></html>")  # fmt: skip


class Loopback(AbstractResolver):
    async def resolve(self, host, port=0, family=socket.AF_INET):
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}]

    async def close(self):
        pass


async def serve():
    async def page(request):
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private\n")
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{p:.*}", page)
    return await listen(app)


async def floor(urls: list[str], concurrency: int) -> None:
    slots = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(resolver=Loopback(), limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url):
            async with slots, session.get(url) as response:
                await response.read()

        await asyncio.gather(*(one(u) for u in urls))


async def checked(urls: list[str], concurrency: int) -> None:
    async with LinkChecker(concurrency=concurrency, per_host=0.0, allow_private=True, resolver=Loopback()) as check:
        states = await check.check([(u, "example.com") for u in urls])
    assert all(s.state == "live" for s in states), {s.reason for s in states}


async def measure(name: str, work) -> tuple[float, float]:
    tracemalloc.start()
    began = time.perf_counter()
    await work
    took = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return took, peak


async def main(links: int, concurrency: int, repeats: int) -> None:
    runner, port = await serve()
    urls = [f"http://site{n % HOSTS}.test:{port}/post/{n}" for n in range(links)]
    try:
        rows = {"floor (bare aiohttp GETs)": [], "link checker": []}
        for _ in range(repeats):
            rows["floor (bare aiohttp GETs)"].append(await measure("floor", floor(urls, concurrency)))
            rows["link checker"].append(await measure("checker", checked(urls, concurrency)))
    finally:
        await runner.cleanup()
    print(f"{links:,} links over {HOSTS} hosts, {concurrency} at once, {repeats} runs each (median):")
    medians = {}
    for name, runs in rows.items():
        took = sorted(t for t, _ in runs)[len(runs) // 2]
        peak = max(p for _, p in runs)
        medians[name] = took
        print(f"  {name:28} {links / took:9,.0f} links/s  {took:6.2f} s  peak Python memory {peak:6.1f} MB")
    ratio = medians["link checker"] / medians["floor (bare aiohttp GETs)"]
    print(f"  checker / floor: {ratio:.2f}x the time")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000 links, one run")
    options = parser.parse_args()
    if options.quick:
        options.links, options.repeats = 1_000, 1
    asyncio.run(main(options.links, options.concurrency, options.repeats))
