"""The link checker against pages served by a real local HTTP server (aiohttp.web on 127.0.0.1):
live, nofollow, removed, gone, slow, redirecting within the site and away, looping, huge, binary,
hostile markup, a robots.txt that disallows, and addresses it must not fetch."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from loopback import listen

from bot.links.checker import MAX_PAGE_BYTES, LinkChecker, LinkState
from bot.links.page import link_on_page

SITE = "mine.com"
LINK = '<p>Thanks to <a href="https://www.mine.com/guide">Mine</a>.</p>'


def page(body: str, *, status: int = 200, kind: str = "text/html") -> web.Response:
    return web.Response(text=f"<html><body>{body}</body></html>", status=status, content_type=kind)


async def slow(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(50):  # drip-fed: each byte in time, the page never done
        await response.write(b" ")
        await asyncio.sleep(0.1)
    return response


async def huge(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)
    await response.write(LINK.encode() if request.query.get("link") == "first" else b"")
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    for _ in range(10_000_000 // len(chunk)):  # 10 MB, the link (if any) at the start
        await response.write(chunk)
    return response


ROUTES = {
    "/robots.txt": lambda r: web.Response(text="User-agent: *\nDisallow: /private\n"),
    "/live": lambda r: page(LINK),
    "/nofollow": lambda r: page(
        '<a rel="nofollow" href="https://mine.com/">x</a> <a rel="ugc" href="//mine.com">y</a>'
    ),
    "/sponsored": lambda r: page('<a rel="sponsored noopener" href="https://mine.com/">paid</a>'),
    "/removed": lambda r: page("<p>No links here any more.</p>"),
    "/gone": lambda r: page("Not found", status=404),
    "/error": lambda r: page("Oops", status=503),
    "/same-site": lambda r: web.HTTPMovedPermanently("/live"),
    "/away": lambda r: web.HTTPFound("https://elsewhere.example.org/new-home"),
    "/loop": lambda r: web.HTTPFound("/loop"),
    "/pdf": lambda r: web.Response(body=b"%PDF-1.7 https://mine.com", content_type="application/pdf"),
    "/hostile": lambda r: web.Response(
        body=b"<a href='https://mine.com' <<<>>> \xff\xfe<script>document.write('<a href=x>')</scr",
        content_type="text/html",
        charset="no-such-charset",
    ),
    "/private/page": lambda r: page(LINK),
}


@pytest.fixture
async def server():
    app = web.Application()
    for path, handler in ROUTES.items():

        async def serve(request, handler=handler):
            result = handler(request)
            if isinstance(result, web.HTTPException):
                raise result
            return result

        app.router.add_get(path, serve)
    app.router.add_get("/slow", slow)
    app.router.add_get("/huge", huge)
    runner, port = await listen(app)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def checker(**options) -> LinkChecker:
    return LinkChecker(allow_private=True, per_host_interval=0.0, timeout=1.0, **options)


async def check(base: str, path: str) -> LinkState:
    async with checker() as links:
        return await links.check(base + path, SITE)


@pytest.mark.parametrize(
    ("path", "state", "detail"),
    [
        ("/live", "live", ""),
        ("/nofollow", "not_followed", "nofollow/ugc"),
        ("/sponsored", "not_followed", "sponsored"),
        ("/removed", "lost", "link removed"),
        ("/gone", "lost", "404"),
        ("/error", "unchecked", "HTTP 503"),
        ("/same-site", "live", ""),
        ("/away", "lost", "moved to example.org"),
        ("/loop", "unchecked", "too many redirects"),
        ("/pdf", "lost", "not a web page (application/pdf)"),
        ("/hostile", "live", ""),  # broken markup and bytes, read as a browser would
        ("/private/page", "unchecked", "robots.txt disallows it"),
        ("/slow", "unchecked", "timeout"),
    ],
)
async def test_each_page_ends_in_a_state(server, path, state, detail):
    found = await check(server, path)
    assert (found.state, found.detail) == (state, detail)


async def test_a_huge_page_is_read_only_so_far(server):
    started = time.monotonic()
    assert (await check(server, "/huge?link=first")).state == "live"
    # The 10 MB page without a link: read up to MAX_PAGE_BYTES, then judged on that.
    assert (await check(server, "/huge")).detail == "link removed"
    assert MAX_PAGE_BYTES < 10_000_000 and time.monotonic() - started < 5


async def test_private_and_loopback_addresses_are_not_fetched_by_default(server):
    port = server.rsplit(":", 1)[1]
    async with LinkChecker(timeout=2.0) as links:
        by_address = await links.check(f"http://127.0.0.1:{port}/live", SITE)
        by_name = await links.check(f"http://localhost:{port}/live", SITE)  # a name that resolves to loopback
        not_web = await links.check("file:///etc/passwd", SITE)
    assert (by_address.state, by_address.detail) == ("unchecked", "a private address")
    assert (by_name.state, by_name.detail) == ("unchecked", "a private address")
    assert (not_web.state, not_web.detail) == ("unchecked", "not a web address")


async def test_one_host_is_asked_one_page_at_a_time_with_a_pause(server):
    async with LinkChecker(allow_private=True, per_host_interval=0.2, timeout=2.0) as links:
        started = time.monotonic()
        found = await links.check_all([(f"{server}/live", SITE)] * 4)
        took = time.monotonic() - started
    assert [f.state for f in found] == ["live"] * 4
    assert took >= 0.2 * 4  # robots.txt, then four pages, each 0.2 s after the one before


def test_a_link_is_read_from_markup_as_browsers_resolve_it():
    assert link_on_page('<base href="https://mine.com/"><a href="/p">', page_url="https://a.org/", site=SITE).found
    assert not link_on_page('<a href="https://mine.com.evil.io/">', page_url="https://a.org/", site=SITE).found
    assert link_on_page('<a href="/x">', page_url="https://blog.mine.com/", site=SITE).followed  # on the site itself
    mixed = '<a rel="nofollow" href="https://mine.com/">a</a><a href="https://mine.com/b">b</a>'
    assert link_on_page(mixed, page_url="https://a.org/", site=SITE).followed  # one followed link is enough
