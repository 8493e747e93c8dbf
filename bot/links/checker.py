"""Fetch each logged link's page and tell whether the link is still there (aiohttp).

A page is asked for politely and safely: a clear User-Agent, robots.txt respected (its own answer
cached per origin), at most `concurrency` fetches at once and one request per `per_host` seconds
to any one host, a timeout on every request, at most `max_bytes` of a page read, redirects followed
only within the page's own site (a move to another site is reported, not followed), and never an
address on a private, loopback or link-local network unless `allow_private` (a logged URL is
typed by anyone in a channel: it must not make the bot probe the network it runs in). The check is
made by the resolver at connect time, so a name that resolves to a private address is refused
whatever it is called.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
import urllib.robotparser
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

from bot.conversation.validators import registrable_domain

USER_AGENT = "BacklinksBot/0.1 (link check; +https://github.com/backlinks-bot)"
ROBOTS_AGENT = "BacklinksBot"
NOT_FOLLOWED = ("nofollow", "sponsored", "ugc")  # rel values that pass no credit
REDIRECTS = 5

State = Literal["live", "lost", "unchecked"]


@dataclass(frozen=True, slots=True)
class LinkState:
    """What one logged link was found to be. `lost`: the page is gone, the link was removed or now
    passes no credit (`reason` says which, as a person reads it); `unchecked`: it could not be
    told (robots.txt, a timeout, a refused address), which is not counted as lost."""

    url: str
    state: State
    reason: str = ""
    status: int | None = None
    rel: frozenset[str] = field(default_factory=frozenset)  # the link's rel values, when found


class PrivateAddress(OSError):
    """The host resolves to an address the checker may not fetch from."""


class GuardedResolver(AbstractResolver):
    """A resolver that refuses private, loopback, link-local and reserved addresses."""

    def __init__(self, inner: AbstractResolver | None = None, *, allow_private: bool = False):
        self.inner = inner or DefaultResolver()
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        found = await self.inner.resolve(host, port, family)
        for entry in found:
            if not self.allowed(entry["host"]):
                raise PrivateAddress(f"{host} is a private or local address ({entry['host']})")
        return found

    def allowed(self, host: str) -> bool:
        """Whether this address may be fetched from (a name: yes, it is checked once resolved)."""
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return True
        return self.allow_private or (address.is_global and not address.is_multicast)

    async def close(self) -> None:
        await self.inner.close()


class _Anchors(HTMLParser):
    """The page's <a href> links with their rel values."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[tuple[str, frozenset[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base":
            href = dict(attrs).get("href")
            if href:
                self.base = urljoin(self.base, href)
        if tag != "a":
            return
        values = dict(attrs)
        href = values.get("href")
        if href:
            rel = frozenset((values.get("rel") or "").lower().split())
            self.found.append((urljoin(self.base, href.strip()), rel))


class LinkChecker:
    def __init__(
        self,
        *,
        concurrency: int = 16,
        per_host: float = 1.0,
        timeout: float = 10.0,
        max_bytes: int = 2_000_000,
        allow_private: bool = False,
        resolver: AbstractResolver | None = None,
        user_agent: str = USER_AGENT,
    ):
        self.slots = asyncio.Semaphore(concurrency)
        self.per_host = per_host
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._resolver = GuardedResolver(resolver, allow_private=allow_private)
        self._next: dict[str, float] = {}  # host → the earliest moment of its next request
        self._robots: dict[str, asyncio.Future[urllib.robotparser.RobotFileParser | None]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LinkChecker:
        connector = aiohttp.TCPConnector(resolver=self._resolver, limit=0, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self.timeout, headers={"User-Agent": self.user_agent}
        )
        return self

    async def __aexit__(self, *_exc) -> None:
        if self._session is not None:
            await self._session.close()

    async def check(self, links: Sequence[tuple[str, str]]) -> list[LinkState]:
        """Each (url, site) link's state, in order: whether the page at `url` links to `site`."""
        return list(await asyncio.gather(*(self.check_one(url, site) for url, site in links)))

    async def check_one(self, url: str, site: str) -> LinkState:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return LinkState(url, "unchecked", "not a web address")
        if not self._resolver.allowed(parts.hostname):  # an address itself: no resolver is asked
            return LinkState(url, "unchecked", "a private or local address")
        # The host's turn is taken before a slot: links waiting on one busy host hold no slot
        # that another host's could use.
        await self._wait_turn(parts.hostname)
        async with self.slots:
            try:
                return await self._checked(url, site)
            except PrivateAddress:
                return LinkState(url, "unchecked", "a private or local address")
            except TimeoutError:
                return LinkState(url, "unchecked", "no answer in time")
            except (aiohttp.ClientError, OSError, UnicodeError, ValueError) as error:
                if _caused_by(error, PrivateAddress):  # aiohttp wraps what the resolver raised
                    return LinkState(url, "unchecked", "a private or local address")
                return LinkState(url, "unchecked", f"could not connect ({type(error).__name__})")

    async def _checked(self, url: str, site: str) -> LinkState:
        target = registrable_domain(site) or site
        if not await self._allowed(url):
            return LinkState(url, "unchecked", "robots.txt asks bots not to")
        start_site = _site(url)
        for hop in range(REDIRECTS + 1):
            if hop:  # the first request's turn was taken before its slot
                await self._wait_turn(urlsplit(url).hostname or "")
            async with self._session.get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    following = urljoin(url, response.headers["Location"])
                    if _site(following) != start_site:
                        return LinkState(url, "lost", f"moved to {_site(following)}", response.status)
                    url = following
                    continue
                if response.status >= 400:
                    return LinkState(url, "lost", str(response.status), response.status)
                if not response.content_type.startswith(("text/html", "application/xhtml")):
                    return LinkState(url, "lost", "not a web page any more", response.status)
                page = await _read(response, self.max_bytes)
                return _judged(url, page, response.charset or "utf-8", target, response.status)
        return LinkState(url, "unchecked", "too many redirects")

    async def _wait_turn(self, host: str) -> None:
        """One request per `per_host` seconds to a host: the turns are handed out in order."""
        now = time.monotonic()
        turn = max(now, self._next.get(host, now))
        self._next[host] = turn + self.per_host
        if turn > now:
            await asyncio.sleep(turn - now)

    async def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._read_robots(origin))
        rules = await self._robots[origin]
        return rules is None or rules.can_fetch(ROBOTS_AGENT, url)

    async def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The origin's robots.txt (None: none, or unreadable: everything allowed, as crawlers do
        for a missing file; a server error there disallows, as Google does). Asked once per origin,
        in the turn of the first link there."""
        try:
            async with self._session.get(f"{origin}/robots.txt", allow_redirects=True) as response:
                if response.status >= 500:
                    rules = urllib.robotparser.RobotFileParser()
                    rules.disallow_all = True
                    return rules
                if response.status != 200:
                    return None
                text = (await _read(response, 500_000)).decode("utf-8", "replace")
        except (aiohttp.ClientError, TimeoutError, OSError):
            return None
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(text.splitlines())
        return rules


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """At most `limit` bytes of the body: a huge (or endless) page is cut, never held whole."""
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(65_536):
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)


def _judged(url: str, page: bytes, charset: str, target: str, status: int) -> LinkState:
    anchors = _Anchors(url)
    try:
        anchors.feed(page.decode(charset, "replace"))
        anchors.close()
    except (AssertionError, LookupError):  # html.parser on badly broken markup; an unknown charset
        pass
    ours = [rel for href, rel in anchors.found if _points_to(href, target)]
    if not ours:
        return LinkState(url, "lost", "link removed", status)
    if any(not (rel & set(NOT_FOLLOWED)) for rel in ours):
        return LinkState(url, "live", "", status, next(rel for rel in ours if not (rel & set(NOT_FOLLOWED))))
    rel = ours[0]
    kind = next(value for value in NOT_FOLLOWED if value in rel)
    return LinkState(url, "lost", f"now {kind}", status, rel)


def _points_to(href: str, target: str) -> bool:
    host = urlsplit(href).hostname
    return bool(host) and (registrable_domain(host) or host) == target


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind) or isinstance(getattr(seen, "os_error", None), kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return registrable_domain(host) or host
