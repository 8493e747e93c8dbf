"""A loopback stand-in for the Moz Links API v2, answering as its documentation shows and counting calls.

What it follows, page by page:
- https://moz.com/help/links-api/getting-started/overview — every endpoint under /v2/, a JSON body
  POSTed to it; authentication by the `x-moz-token` header or by Basic auth with the legacy Access
  ID (user name) and Secret Key (password). A request without valid credentials is answered 401.
- https://moz.com/help/links-api/making-calls/url-metrics — POST /v2/url_metrics with
  {"targets": [...]} (required, 1 to 50 strings) and the optional daily_history_deltas,
  daily_history_values, monthly_history_deltas, monthly_history_values (lists of metric names) and
  distributions (boolean); nothing else is accepted (400). One result per target, in the order of
  the targets, each with every metric (the page: no way to choose which come back). A target costs
  one row.
- https://moz.com/help/links-api/making-calls/usage-data — POST /v2/usage_data with {} or
  {"start": "<unix seconds>", "end": "<unix seconds>"} (integers passed as strings, start < end) →
  {"rows_consumed": n}.
- The result's fields and realistic figures are those of a real answer published by a user of the
  API (moz.com/ below is copied from it): https://github.com/miklevin/MikeLev.in/blob/main/_posts/2023-05-02-moz-links-api-touch-every-endpoint-in-python.md
- Rate limiting: calling again before the interval allowed is throttled with a Retry-After header
  (http://apiwiki.seomoz.org/w/page/13991144/Rate%20Limiting; free tier: one request per 10 s).

What the pages above do not show, and is therefore this stand-in's assumption: the error bodies
(here {"name": ..., "message": ...}), that rate limiting is a 429 (the old page says 503; the client
treats both alike), that an exhausted monthly row quota is a 429 whose message names the quota, and
that a target outside Moz's index gets a result with zero counts and no last_crawled.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from loopback import listen

ACCESS_ID = "mozscape-4a1b2c3d4e"  # the legacy credentials' shape (Access ID, 32-hex Secret Key)
SECRET_KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "bW96LWFwaS10b2tlbi1mb3ItdGVzdHMtb25seQ"  # an API token for the x-moz-token header

URL_METRICS_FIELDS = {
    "targets",
    "daily_history_deltas",
    "daily_history_values",
    "monthly_history_deltas",
    "monthly_history_values",
    "distributions",
}
USAGE_DATA_FIELDS = {"start", "end"}
MAX_TARGETS = 50


def site_metrics(
    page: str,
    *,
    domain_authority: int,
    root_domains: int,
    nofollow_root_domains: int,
    deleted_root_domains: int = 0,
    page_authority: int | None = None,
    spam_score: int = 1,
    last_crawled: str | None = "2026-11-27",
    title: str = "",
) -> dict[str, Any]:
    """One url_metrics result with every field of the documented answer, figures in proportion."""
    host = page.split("/", 1)[0]
    root = host.removeprefix("www.")
    pages = root_domains * 37
    return {
        "page": page,
        "subdomain": host,
        "root_domain": root,
        "title": title,
        "last_crawled": last_crawled,
        "http_code": 200 if last_crawled else 0,
        "pages_to_page": pages // 6,
        "nofollow_pages_to_page": pages // 40,
        "redirect_pages_to_page": pages // 50,
        "external_pages_to_page": pages // 7,
        "external_nofollow_pages_to_page": pages // 41,
        "external_redirect_pages_to_page": pages // 51,
        "deleted_pages_to_page": pages // 30,
        "root_domains_to_page": root_domains // 4,
        "indirect_root_domains_to_page": root_domains // 20,
        "deleted_root_domains_to_page": deleted_root_domains // 4,
        "nofollow_root_domains_to_page": nofollow_root_domains // 4,
        "pages_to_subdomain": pages - pages // 100,
        "nofollow_pages_to_subdomain": pages // 6,
        "redirect_pages_to_subdomain": pages // 3,
        "external_pages_to_subdomain": pages - pages // 4,
        "external_nofollow_pages_to_subdomain": pages // 6,
        "external_redirect_pages_to_subdomain": pages // 3,
        "deleted_pages_to_subdomain": pages // 5,
        "root_domains_to_subdomain": root_domains - root_domains // 150,
        "deleted_root_domains_to_subdomain": deleted_root_domains - deleted_root_domains // 100,
        "nofollow_root_domains_to_subdomain": nofollow_root_domains - nofollow_root_domains // 300,
        "pages_to_root_domain": pages,
        "nofollow_pages_to_root_domain": pages // 6,
        "redirect_pages_to_root_domain": pages // 3,
        "external_pages_to_root_domain": pages - pages // 4,
        "external_indirect_pages_to_root_domain": pages // 2,
        "external_nofollow_pages_to_root_domain": pages // 6,
        "external_redirect_pages_to_root_domain": pages // 3,
        "deleted_pages_to_root_domain": pages // 5,
        "root_domains_to_root_domain": root_domains,
        "indirect_root_domains_to_root_domain": root_domains // 6,
        "deleted_root_domains_to_root_domain": deleted_root_domains,
        "nofollow_root_domains_to_root_domain": nofollow_root_domains,
        "page_authority": page_authority if page_authority is not None else max(domain_authority - 15, 1),
        "domain_authority": domain_authority,
        "link_propensity": 0.008849279955,
        "spam_score": spam_score,
        "root_domains_from_page": 5,
        "nofollow_root_domains_from_page": 0,
        "pages_from_page": 7,
        "nofollow_pages_from_page": 0,
        "root_domains_from_root_domain": root_domains // 3,
        "nofollow_root_domains_from_root_domain": root_domains // 4,
        "pages_from_root_domain": pages // 300,
        "nofollow_pages_from_root_domain": pages // 500,
        "pages_crawled_from_root_domain": pages // 12 if last_crawled else 0,
    }


def unknown_metrics(page: str) -> dict[str, Any]:
    """A target outside Moz's index: every field there, every count zero, never crawled."""
    result = site_metrics(page, domain_authority=0, root_domains=0, nofollow_root_domains=0, last_crawled=None)
    return result | {"page_authority": 0, "spam_score": -1, "link_propensity": 0.0}


def default_sites() -> dict[str, dict[str, Any]]:
    """Root domain → the result for its home page ("moz.com/": the published real answer's figures)."""
    return {
        "moz.com": site_metrics(
            "moz.com/",
            domain_authority=91,
            root_domains=179884,
            nofollow_root_domains=37789,
            deleted_root_domains=27522,
            page_authority=74,
            last_crawled="2023-04-01",
            title="Moz - SEO Software for Smarter Marketing",
        ),
        "brightgarden.co.uk": site_metrics(
            "brightgarden.co.uk/",
            domain_authority=27,
            root_domains=412,
            nofollow_root_domains=96,
            deleted_root_domains=38,
        ),
        "rival.com": site_metrics(
            "rival.com/", domain_authority=44, root_domains=2310, nofollow_root_domains=410, deleted_root_domains=205
        ),
        "other.net": site_metrics(
            "other.net/", domain_authority=31, root_domains=655, nofollow_root_domains=140, deleted_root_domains=61
        ),
        # Crawled, linked from nowhere yet: known to Moz, with zero linking root domains.
        "fresh-site.io": site_metrics("fresh-site.io/", domain_authority=1, root_domains=0, nofollow_root_domains=0),
    }


@dataclass
class Call:
    endpoint: str  # "url_metrics", "usage_data"
    body: Any
    auth: str | None  # "token", "basic:<access id>", or None when none was sent
    status: int = 0  # what the stand-in answered
    arrived: float = field(default_factory=time.monotonic)

    @property
    def targets(self) -> list[str]:
        return list(self.body.get("targets", [])) if isinstance(self.body, dict) else []


@dataclass
class MozStandIn:
    access_ids: dict[str, str] = field(default_factory=lambda: {ACCESS_ID: SECRET_KEY})  # Access ID → Secret Key
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    sites: dict[str, dict[str, Any]] = field(default_factory=default_sites)
    rows_quota: int | None = None  # the plan's monthly rows; None: unlimited
    rows_consumed: int = 0
    min_interval: float = 0.0  # seconds between calls the plan allows (free tier: 10); 0: no limit
    delay: float = 0.0  # seconds to wait before answering any call
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    _failures: list[tuple[int, float | None, dict[str, Any] | None]] = field(default_factory=list)
    _last_served: float | None = None
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/v2/{endpoint}", self._serve)
        # A call still being delayed when the test ends is dropped, not waited for.
        self._runner, self.port = await listen(app, shutdown_timeout=0.1)

    async def stop(self) -> None:
        await self._runner.cleanup()

    def fail_next(
        self, count: int, status: int, *, retry_after: float | None = None, body: dict[str, Any] | None = None
    ) -> None:
        """Answer the next `count` calls with `status` (and a Retry-After header when given)."""
        self._failures += [(status, retry_after, body)] * count

    def count(self, endpoint: str | None = None) -> int:
        """Calls received (to one endpoint), failed ones included."""
        return sum(1 for c in self.calls if endpoint in (None, c.endpoint))

    def sent(self, domain: str) -> int:
        """How many url_metrics calls named this domain among their targets."""
        return sum(1 for c in self.calls if c.endpoint == "url_metrics" and domain in map(_root, c.targets))

    # -- serving --------------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        call = Call(endpoint, body, _auth_of(request))
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        response = self._answer(request, call)
        call.status = response.status
        return response

    def _answer(self, request: web.Request, call: Call) -> web.Response:
        if self._failures:
            status, retry_after, body = self._failures.pop(0)
            headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
            return web.json_response(body or _error_body(status), status=status, headers=headers)
        if call.endpoint not in ("url_metrics", "usage_data"):
            return _error(404, "Not Found", f"No endpoint {call.endpoint!r}.")
        if request.method != "POST":  # overview: "must be sent as POST requests"
            return _error(405, "Method Not Allowed", "All requests must be sent as POST requests.")
        if not self._authenticated(call.auth, request):
            return _error(401, "Unauthorized", "Invalid or missing credentials.")
        refusal = _url_metrics_refusal(call.body) if call.endpoint == "url_metrics" else _usage_refusal(call.body)
        if refusal:
            return _error(400, "Bad Request", refusal)
        now = time.monotonic()
        if self.min_interval and self._last_served is not None and now - self._last_served < self.min_interval:
            wait = math.ceil(self.min_interval - (now - self._last_served))
            return _error(429, "Too Many Requests", "Rate limit exceeded.", {"Retry-After": str(wait)})
        if call.endpoint == "usage_data":
            self._last_served = now
            return web.json_response({"rows_consumed": self.rows_consumed})
        targets = call.body["targets"]
        if self.rows_quota is not None and self.rows_consumed + len(targets) > self.rows_quota:
            return _error(429, "Too Many Requests", "Your monthly rows quota has been exceeded.")
        self._last_served = now
        self.rows_consumed += len(targets)  # url-metrics: one row per target
        return web.json_response({"results": [self._result(t) for t in targets]})

    def _authenticated(self, auth: str | None, request: web.Request) -> bool:
        if auth == "token":
            return request.headers["x-moz-token"] in self.tokens
        if auth and auth.startswith("basic:"):
            access_id, _, secret = _basic(request).partition(":")
            return self.access_ids.get(access_id) == secret
        return False

    def _result(self, target: str) -> dict[str, Any]:
        page = _page(target)
        known = self.sites.get(_root(target))
        if known is None:
            return unknown_metrics(page)
        return known | {"page": page}


def _auth_of(request: web.Request) -> str | None:
    if "x-moz-token" in request.headers:
        return "token"
    if request.headers.get("Authorization", "").startswith("Basic "):
        return "basic:" + _basic(request).partition(":")[0]
    return None


def _basic(request: web.Request) -> str:
    try:
        return base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def _page(target: str) -> str:
    """How Moz writes a target back in `page`: no scheme, the home page as "host/"."""
    rest = target.split("://", 1)[-1]
    return rest if "/" in rest else rest + "/"


def _root(target: str) -> str:
    host = urllib.parse.urlsplit(target if "://" in target else f"//{target}").hostname or ""
    return host.removeprefix("www.")


def _url_metrics_refusal(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    unknown = sorted(set(body) - URL_METRICS_FIELDS)
    if unknown:
        return f"Unknown field(s): {', '.join(unknown)}."
    targets = body.get("targets")
    if not isinstance(targets, list) or not targets:
        return "'targets' is required: a list of 1 to 50 URLs."
    if len(targets) > MAX_TARGETS:
        return f"'targets' holds {len(targets)} URLs; at most {MAX_TARGETS} are allowed."
    if not all(isinstance(t, str) and t.strip() for t in targets):
        return "Every target must be a non-empty string."
    for name in URL_METRICS_FIELDS - {"targets", "distributions"}:
        if name in body and not (isinstance(body[name], list) and all(isinstance(m, str) for m in body[name])):
            return f"'{name}' must be a list of metric names."
    if "distributions" in body and not isinstance(body["distributions"], bool):
        return "'distributions' must be a boolean."
    return None


def _usage_refusal(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    unknown = sorted(set(body) - USAGE_DATA_FIELDS)
    if unknown:
        return f"Unknown field(s): {', '.join(unknown)}."
    for name in USAGE_DATA_FIELDS & set(body):
        if not (isinstance(body[name], str) and body[name].isdigit()):
            return f"'{name}' must be Unix time in seconds, an integer passed as a string."
    if {"start", "end"} <= set(body) and int(body["start"]) >= int(body["end"]):
        return "'start' must be less than 'end'."
    return None


_NAMES = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 429: "Too Many Requests"}


def _error_body(status: int) -> dict[str, Any]:
    name = _NAMES.get(status, "Internal Server Error" if status >= 500 else "Error")
    return {"name": name, "message": name}


def _error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"name": name, "message": message}, status=status, headers=headers)
