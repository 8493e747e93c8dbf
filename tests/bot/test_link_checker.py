"""The link checker (bot/links/checker.py) against pages served by a local HTTP server, under real
names resolved to the loopback address: live, nofollow, sponsored, removed, gone, slow, redirected
within the site and away from it, redirecting forever, huge, malformed; robots.txt; the per-host
pace and the bound on fetches at once; and no fetch at all from a private or loopback address
unless it is allowed."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver
from loopback import listen

from bot.links.checker import USER_AGENT, LinkChecker

SITE = "example.com"


class Names(AbstractResolver):
    """Every name is the loopback address (the test server), as DNS would answer for real hosts."""

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}]

    async def close(self) -> None:
        pass


def page(body: str) -> web.Response:
    return web.Response(text=f"<!doctype html><html><body>{body}</body></html>", content_type="text/html")


class Pages:
    def __init__(self):
        self.requests: list[tuple[str, str, float, str]] = []  # host, path, when, user agent
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        host = request.host.split(":")[0]
        self.requests.append((host, request.path, time.monotonic(), request.headers.get("User-Agent", "")))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._page(host, request)
        finally:
            self.in_flight -= 1

    async def _page(self, host: str, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/robots.txt":
            if host == "blocked.test":
                return web.Response(text="User-agent: *\nDisallow: /private\n")
            return web.Response(status=404)
        port = request.url.port
        match path:
            case "/live" | "/private" | "/public":
                return page('<p>Thanks to <a href="https://www.example.com/tools">Example</a></p>')
            case "/nofollow":
                return page('<a rel="nofollow noopener" href="https://example.com/">Example</a>')
            case "/sponsored":
                return page('<a href="https://example.com/" rel="sponsored">Example</a>')
            case "/both":  # one credited link is enough
                return page('<a rel="ugc" href="https://example.com/">x</a> <a href="http://example.com/y">y</a>')
            case "/removed":
                return page('<a href="https://rival.com/">Rival</a>')
            case "/gone":
                return web.Response(status=404, text="not found")
            case "/slow":
                await asyncio.sleep(3)
                return page('<a href="https://example.com/">late</a>')
            case "/moved":
                raise web.HTTPMovedPermanently(location="/live")
            case "/away":
                raise web.HTTPFound(location=f"http://other.test:{port}/live")
            case "/loop":
                raise web.HTTPFound(location="/loop")
            case "/huge":  # 20 MB of text, the link at its very end
                response = web.StreamResponse(headers={"Content-Type": "text/html"})
                await response.prepare(request)
                try:
                    for _ in range(320):
                        await response.write(b"<p>" + b"x" * 65_530 + b"</p>")
                    await response.write(b'<a href="https://example.com/">late</a>')
                except ConnectionResetError:
                    pass  # the checker stopped reading: as it should
                return response
            case "/malformed":
                body = '<div><a href=https://example.com/deep?a=1&b=2 >ok</a><<<a href="x"</div></span>\x00\ufffd<a'
                return page(body)
            case "/pdf":
                return web.Response(body=b"%PDF-1.4", content_type="application/pdf")
            case "/wait":
                await asyncio.sleep(0.2)
                return page('<a href="https://example.com/">x</a>')
        return web.Response(status=404)


@pytest.fixture
async def pages():
    served = Pages()
    app = web.Application()
    app.router.add_route("GET", "/{path:.*}", served.handle)
    runner, port = await listen(app)
    served.port = port
    yield served
    await runner.cleanup()


def checker(**options) -> LinkChecker:
    settings = {"allow_private": True, "resolver": Names(), "per_host": 0.0, "timeout": 1.0} | options
    return LinkChecker(**settings)


async def states(pages, *paths: str, host: str = "news.test", **options) -> dict[str, tuple[str, str]]:
    links = [(f"http://{host}:{pages.port}{path}", SITE) for path in paths]
    async with checker(**options) as check:
        found = await check.check(links)
    return {path: (state.state, state.reason) for path, state in zip(paths, found, strict=True)}


async def test_each_kind_of_page_is_told_apart(pages):
    found = await states(
        pages, "/live", "/nofollow", "/sponsored", "/both", "/removed", "/gone", "/moved", "/away", "/pdf",
        max_bytes=200_000,
    )  # fmt: skip
    assert found == {
        "/live": ("live", ""),
        "/nofollow": ("lost", "now nofollow"),
        "/sponsored": ("lost", "now sponsored"),
        "/both": ("live", ""),
        "/removed": ("lost", "link removed"),
        "/gone": ("lost", "404"),
        "/moved": ("live", ""),  # followed: the same site
        "/away": ("lost", "moved to other.test"),  # not followed: another site
        "/pdf": ("lost", "not a web page any more"),
    }
    assert {agent for _, _, _, agent in pages.requests} == {USER_AGENT}


async def test_hostile_pages_end_in_time_and_unread(pages):
    began = time.monotonic()
    found = await states(pages, "/slow", "/loop", "/huge", "/malformed", max_bytes=100_000)
    assert time.monotonic() - began < 2.5  # the slow page's 3 s were not waited for
    assert found == {
        "/slow": ("unchecked", "no answer in time"),  # not counted as lost: it may be back tomorrow
        "/loop": ("unchecked", "too many redirects"),
        "/huge": ("lost", "link removed"),  # past the first 100 kB: not read, so not found
        "/malformed": ("live", ""),
    }
    assert [p for _, p, _, _ in pages.requests].count("/loop") == 6  # the first request and five redirects


async def test_robots_txt_is_respected_per_site(pages):
    found = await states(pages, "/private", "/public", host="blocked.test")
    assert found == {"/private": ("unchecked", "robots.txt asks bots not to"), "/public": ("live", "")}
    fetched = [p for host, p, _, _ in pages.requests if host == "blocked.test"]
    assert fetched.count("/robots.txt") == 1 and "/private" not in fetched


async def test_one_host_is_asked_at_its_pace_and_fetches_at_once_are_bounded(pages):
    await states(pages, *["/live"] * 5, per_host=0.2)
    times = [when for host, path, when, _ in pages.requests if path == "/live"]
    # Turns are 0.2 s apart; when each request reaches the server jitters on a loaded machine, so the
    # pace is read over the five (at least four turns) and no two come together.
    assert times[-1] - times[0] >= 0.75, times
    assert all(b - a >= 0.1 for a, b in zip(times, times[1:], strict=False)), times
    pages.most_in_flight = 0
    links = [(f"http://host{n}.test:{pages.port}/wait", SITE) for n in range(12)]
    async with checker(concurrency=3) as check:
        assert {s.state for s in await check.check(links)} == {"live"}
    assert pages.most_in_flight == 3


async def test_private_and_loopback_addresses_are_never_fetched_unless_allowed(pages):
    links = [(f"http://127.0.0.1:{pages.port}/live", SITE), (f"http://intranet.test:{pages.port}/live", SITE)]
    async with LinkChecker(resolver=Names(), per_host=0.0) as check:  # intranet.test resolves to 127.0.0.1
        found = await check.check(links)
    assert [(s.state, s.reason) for s in found] == [("unchecked", "a private or local address")] * 2
    assert pages.requests == []
    async with LinkChecker(per_host=0.0) as check:
        assert (await check.check_one("ftp://example.org/x", SITE)).reason == "not a web address"


async def test_backlinks_links_check_reports_each_logged_link_and_the_summary(pages, tmp_path):
    from processes import backlinks, console
    from support import TYPED_ANSWERS

    db = tmp_path / "bot.db"
    done = await asyncio.to_thread(console, db, ["plan", *(typed for _, typed in TYPED_ANSWERS), "quit"])
    assert done.returncode == 0, done.stderr
    base = f"http://127.0.0.1:{pages.port}"
    with sqlite3.connect(db) as connection:  # three links logged with their URLs (as `log URL` stores them)
        for n, path in enumerate(("/live", "/gone", "/nofollow")):
            connection.execute(
                "INSERT INTO progress (channel_id, month, count, domain, url, source, created_by, created_at) "
                "VALUES (1, '2026-11', 1, ?, ?, 'typed', 'tester', '2026-11-10 12:00:00')",
                (f"site{n}.example", base + path),
            )
    url = f"sqlite:///{db}"
    out = await backlinks("links", "check", "--channel", "console", "--database", url, "--allow-private")
    assert out.splitlines() == [
        f"live       {base}/live",
        f"lost       {base}/gone (404)",
        f"lost       {base}/nofollow (now nofollow)",
        "1 of 3 links you logged are live; lost: 127.0.0.1 (404), 127.0.0.1 (now nofollow).",
    ]
    refused = await backlinks("links", "check", "--channel", "console", "--database", url)
    assert refused.splitlines()[-1] == "0 of 3 links you logged are live; not checked: 3."
    assert "(a private or local address)" in refused
