"""Fetch each logged link's page again and say whether it still links to the site.

A polite crawler, as site owners expect one to be: a clear User-Agent, robots.txt respected
(RFC 9309: a 4xx robots.txt allows everything, an unreachable or 5xx one nothing), one request at a
time per host with a pause between them, bounded concurrency overall, timeouts, only the first
MAX_PAGE_BYTES of a page read, redirects followed only within the same site. Nothing is fetched
from private, loopback or link-local addresses (a logged "link" must not make the bot probe the
network it runs in) unless `allow_private` is set — the tests' pages are on 127.0.0.1.

A page that cannot be fetched now (a timeout, a 5xx, robots.txt) is `unchecked`, never `lost`:
only what the site answered for sure (404/410, the link gone, nofollow, moved away) is lost.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from bot.conversation.validators.domains import registrable_domain
from bot.links.page import link_on_page

USER_AGENT = "BacklinksBot/1.0 (checks links its users logged; robots.txt respected)"
ROBOTS_AGENT = "BacklinksBot"
MAX_PAGE_BYTES = 2_000_000  # a link sits in the body; a page past 2 MB is read that far
MAX_ROBOTS_BYTES = 500_000  # Google reads the first 500 KiB of a robots.txt
MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
GONE = (404, 410)

State = Literal["live", "not_followed", "lost", "unchecked"]


@dataclass(frozen=True, slots=True)
class LinkState:
    url: str
    state: State
    detail: str = ""  # "404", "link removed", "nofollow", "moved to other.com", "timeout", ...
    status: int | None = None  # the page's HTTP status, when it answered


class Refused(Exception):
    """The address is not one the checker may fetch (private, loopback, not http)."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def _public_resolver(allow_private: bool) -> Any:
    """aiohttp's resolver, keeping only public addresses: the connection can only go where the
    check allowed (no DNS answer can point it at 127.0.0.1 or 10.x behind our back)."""
    import aiohttp
    from aiohttp.abc import AbstractResolver

    class PublicResolver(AbstractResolver):
        def __init__(self) -> None:
            self._inner = aiohttp.ThreadedResolver()

        async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict[str, Any]]:
            found = await self._inner.resolve(host, port, family)
            kept = found if allow_private else [a for a in found if _public(a["host"])]
            if not kept:
                raise OSError(f"{host} resolves only to private addresses")
            return kept

        async def close(self) -> None:
            await self._inner.close()

    return PublicResolver()


class _HostGate:
    """One request at a time per host, at least `interval` seconds apart."""

    def __init__(self, interval: float):
        self.interval = interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def __call__(self, host: str):
        lock = self._locks.setdefault(host, asyncio.Lock())
        await lock.acquire()
        wait = self._last.get(host, -self.interval) + self.interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return lock

    def done(self, host: str, lock: asyncio.Lock) -> None:
        self._last[host] = time.monotonic()
        lock.release()


class LinkChecker:
    def __init__(
        self,
        *,
        concurrency: int = 16,
        per_host_interval: float = 1.0,
        timeout: float = 10.0,
        allow_private: bool = False,
        user_agent: str = USER_AGENT,
        resolver: Any = None,  # an aiohttp resolver in place of the public-only one (tests: names to 127.0.0.1)
    ):
        self.resolver = resolver
        self.concurrency = concurrency
        self.timeout = timeout
        self.allow_private = allow_private
        self.user_agent = user_agent
        self._gate = _HostGate(per_host_interval)
        self._robots: dict[str, asyncio.Future[RobotFileParser | None]] = {}
        self._session: Any = None

    async def __aenter__(self) -> LinkChecker:
        import aiohttp  # a core dependency, imported when links are checked

        self._slots = asyncio.Semaphore(self.concurrency)  # requests in flight, across hosts

        resolver = self.resolver or _public_resolver(self.allow_private)
        connector = aiohttp.TCPConnector(resolver=resolver, limit=self.concurrency)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
            timeout=aiohttp.ClientTimeout(total=self.timeout, sock_connect=self.timeout / 2),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._session.close()

    async def check_all(self, links: Iterable[tuple[str, str]]) -> list[LinkState]:
        """Each (page URL, the site it should link to), checked concurrently; results in order.
        At most `concurrency` requests are in flight; a link waiting for its host's pause holds none."""
        return list(await asyncio.gather(*(self.check(url, site) for url, site in links)))

    async def check(self, url: str, site: str) -> LinkState:
        """Whether the page at `url` still links to `site` (a domain), and how."""
        site = registrable_domain(site) or site
        try:
            return await self._check(url, site)
        except Refused as refused:
            return LinkState(url, "unchecked", str(refused))
        except TimeoutError:
            return LinkState(url, "unchecked", "timeout")
        except Exception as failed:  # noqa: BLE001 - a hostile page ends in a state, never in a crash
            return LinkState(url, "unchecked", _why(failed))

    async def _check(self, url: str, site: str) -> LinkState:
        current = url if "://" in url else f"https://{url}"
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            self._allowed(parts)
            if not await self._robots_allow(parts, current):
                return LinkState(url, "unchecked", "robots.txt disallows it")
            status, headers, body = await self._get(current, parts.hostname or "", MAX_PAGE_BYTES)
            if status in (301, 302, 303, 307, 308) and headers.get("Location"):
                target = urljoin(current, headers["Location"])
                if (moved := _site_of(urlsplit(target).hostname)) != _site_of(parts.hostname):
                    return LinkState(url, "lost", f"moved to {moved}", status)
                current = target
                continue
            if status in GONE:
                return LinkState(url, "lost", str(status), status)
            if status >= 400:
                return LinkState(url, "unchecked", f"HTTP {status}", status)
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind and kind not in HTML_TYPES:
                return LinkState(url, "lost", f"not a web page ({kind})", status)
            found = link_on_page(_text(body, headers), page_url=current, site=site)
            if not found.found:
                return LinkState(url, "lost", "link removed", status)
            if not found.followed:
                return LinkState(url, "not_followed", "/".join(found.rel), status)
            return LinkState(url, "live", "", status)
        return LinkState(url, "unchecked", "too many redirects")

    def _allowed(self, parts) -> None:
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("not a web address")
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return  # a name: the resolver keeps only public addresses
        if not self.allow_private and not _public(str(literal)):
            raise Refused("a private address")

    async def _get(self, url: str, host: str, limit: int) -> tuple[int, Any, bytes]:
        lock = await self._gate(host)
        try:
            async with self._slots, self._session.get(url, allow_redirects=False) as response:
                body = b""
                if response.status < 300 or response.status >= 400:
                    async for chunk in response.content.iter_chunked(65_536):
                        body += chunk
                        if len(body) >= limit:
                            body = body[:limit]
                            break
                return response.status, response.headers, body
        finally:
            self._gate.done(host, lock)

    async def _robots_allow(self, parts, url: str) -> bool:
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._read_robots(origin, parts.hostname or ""))
        robots = await self._robots[origin]
        return robots is not None and robots.can_fetch(ROBOTS_AGENT, url)

    async def _read_robots(self, origin: str, host: str) -> RobotFileParser | None:
        """The site's rules; None (fetch nothing) when robots.txt could not be read (RFC 9309 §2.3.1.4)."""
        robots = RobotFileParser()
        try:
            status, headers, body = await self._get(f"{origin}/robots.txt", host, MAX_ROBOTS_BYTES)
        except Exception as failed:  # noqa: BLE001 - unreachable: assume a complete disallow, as the RFC says
            if _why(failed) == "a private address":
                raise Refused("a private address") from failed
            return None
        if status >= 500:
            return None
        if 400 <= status < 500 or 300 <= status < 400:  # none (or elsewhere): everything allowed
            robots.parse([])
        else:
            robots.parse(_text(body, headers).splitlines())
        return robots


def _site_of(host: str | None) -> str:
    """The site a host belongs to (blog.example.co.uk → example.co.uk); a bare host or address as is."""
    return registrable_domain(host or "") or (host or "")


def _text(body: bytes, headers: Any) -> str:
    charset = "utf-8"
    for part in headers.get("Content-Type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def _why(failed: BaseException) -> str:
    # aiohttp wraps the resolver's refusal (its os_error), and its own message omits it.
    causes = (failed, getattr(failed, "os_error", None), failed.__cause__)
    if any("private addresses" in str(cause) for cause in causes if cause is not None):
        return "a private address"
    text = str(failed) or type(failed).__name__
    return text if len(text) <= 80 else text[:79] + "…"
