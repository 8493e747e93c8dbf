"""A loopback stand-in for DataForSEO's API v3, answering the calls providers/dataforseo/ makes the
way DataForSEO's documentation shows, recording every call, and refusing what DataForSEO refuses.

What it follows, page by page:
- the envelope and its codes, https://docs.dataforseo.com/v3/appendix/errors/: HTTP 200 with a
  request-level and a per-task ``status_code``/``status_message``, ``cost``, ``tasks_count``,
  ``tasks_error``; HTTP 401 (no or wrong Basic auth, code 40100, with the WWW-Authenticate header the
  real API sends), 402 (no money, 40200, "cost": 0 and "result": null, as a real answer showed:
  https://github.com/anomaliaso/anomalia/pull/398), 404 (no such endpoint), 500 (50000). Task codes:
  40000 (more than one task to a live endpoint), 40204 (no Backlinks API subscription), 40501
  ("Invalid Field: 'target'."), 40502/40503 (empty or invalid POST data), 40506 (unknown fields).
- rate limits, https://docs.dataforseo.com/v3/ ("Rate Limits"): X-RateLimit-Limit and
  X-RateLimit-Remaining on every answer, and 40202 ("the rate-limit per minute has been exceeded")
  once the minute's calls are spent. DataForSEO documents no 429; `fail_next(…, 429, retry_after=…)`
  plays a proxy in front of it that sends one.
- GET appendix/user_data, https://docs.dataforseo.com/v3/appendix/user_data/: free; ``login``,
  ``money.balance``, ``backlinks_subscription_expiry_date`` (null without a subscription).
- POST backlinks/summary/live, https://docs.dataforseo.com/v3/backlinks/summary/live/: fields
  target, include_subdomains, include_indirect_links, exclude_internal_backlinks,
  internal_list_limit, backlinks_status_type, backlinks_filters, rank_scale, tag. A target DataForSEO
  does not know: 20000, "result_count": 0, "result": null, and the call is still charged (a real
  answer: https://github.com/petercsiba/plugin-intelligence, backend/batch_jobs/dataforseo_request_examples.md).
- POST backlinks/bulk_referring_domains/live (targets, tag) and POST backlinks/bulk_ranks/live
  (targets, rank_scale, tag), https://docs.dataforseo.com/v3/backlinks/bulk_referring_domains/live/
  and https://docs.dataforseo.com/v3/backlinks/bulk_ranks/live/: up to 1000 targets; an unknown
  target answers zeros (bulk_ranks: "0 (no backlinks detected)").
- POST backlinks/history/live, https://docs.dataforseo.com/v3/backlinks/history/live/: target (a
  domain "without https:// and www."), date_from ("minimum value 2019-01-01"), date_to, rank_scale,
  tag; items month by month with new_referring_domains, lost_referring_domains, referring_domains,
  referring_main_domains. For a domain it does not know the page shows nothing; this answers an
  empty ``items`` list (a guess, said here).
- POST backlinks/referring_domains/live, https://docs.dataforseo.com/v3/backlinks/referring_domains/live/:
  target, limit ("maximum value: 1000", default 100), offset, internal_list_limit,
  backlinks_status_type ("all", "live", "lost"; default "live": lost ones left out), filters (up to 8
  conditions [field, operator, value] joined by "and"/"or", nested; dates "yyyy-mm-dd hh-mm-ss +00:00"),
  order_by (up to 3 "field,asc|desc"), backlinks_filters, include_subdomains, include_indirect_links,
  exclude_internal_backlinks, rank_scale, tag; items with type "backlinks_referring_domain", domain,
  rank, backlinks, first_seen, lost_date (null while live). A malformed filter is refused with 40501
  naming "filters".
- ``rank_scale: "one_hundred"`` maps the 0-1000 rank with round(sin(rank / 636.62) * 100)
  (https://dataforseo.com/update/new-rank-scale-in-backlinks-api).
- costs: 0.02 USD a call plus 0.00003 per target or row, as the documented examples show (0.02003
  for a summary, 0.0203 for ten bulk targets).

Stricter than the real API may be, on purpose: a domain target with "www." or a scheme is refused
with 40501, since the docs state that as a rule.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from loopback import listen

VERSION = "0.1.20250526"
SUMMARY_FIELDS = {
    "target",
    "include_subdomains",
    "include_indirect_links",
    "exclude_internal_backlinks",
    "internal_list_limit",
    "backlinks_status_type",
    "backlinks_filters",
    "rank_scale",
    "tag",
}
FIELDS = {
    "backlinks/summary/live": SUMMARY_FIELDS,
    "backlinks/bulk_referring_domains/live": {"targets", "tag"},
    "backlinks/bulk_ranks/live": {"targets", "rank_scale", "tag"},
    "backlinks/history/live": {"target", "date_from", "date_to", "rank_scale", "tag"},
    "backlinks/referring_domains/live": {
        "target",
        "limit",
        "offset",
        "internal_list_limit",
        "backlinks_status_type",
        "filters",
        "order_by",
        "backlinks_filters",
        "include_subdomains",
        "include_indirect_links",
        "exclude_internal_backlinks",
        "rank_scale",
        "tag",
    },
}
OPERATORS = {"<", "<=", ">", ">=", "=", "<>", "in", "not_in", "like", "not_like", "ilike", "not_ilike"} | {
    "regex",
    "not_regex",
}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+00:00$")
FREE = {"appendix/user_data"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOMAIN = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


@dataclass
class Site:
    """One domain as DataForSEO's index knows it (rank on its default 0-1000 scale)."""

    rank: int
    referring_domains: int  # subdomains counted apart
    referring_main_domains: int
    referring_domains_nofollow: int
    referring_main_domains_nofollow: int
    backlinks: int
    # "2026-06" → (new_referring_domains, lost_referring_domains, referring_main_domains) of June,
    # answered as the item dated 2026-07-01: "the backlinks the specified domain had on the first day"
    months: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # Its referring domains as referring_domains/live lists them: (domain, rank 0-1000, first_seen,
    # lost_date or None), dates as "yyyy-mm-dd".
    referring: list[tuple[str, int, str, str | None]] = field(default_factory=list)


def default_sites() -> dict[str, Site]:
    return {
        "example-shop.com": Site(
            rank=412,
            referring_domains=187,
            referring_main_domains=164,
            referring_domains_nofollow=44,
            referring_main_domains_nofollow=38,
            backlinks=5230,
            months={
                "2026-05": (6, 2, 151),
                "2026-06": (9, 3, 157),
                "2026-07": (4, 5, 156),
                "2026-08": (7, 1, 162),
                "2026-09": (5, 4, 163),
                "2026-10": (3, 2, 164),
            },
            referring=[
                ("old-friend.org", 420, "2024-02-11", None),
                ("bakers-guild.org", 510, "2026-10-03", None),
                ("citylist.net", 120, "2026-10-20", None),
                ("blog.foodie.io", 260, "2026-10-31", None),
                ("gone-news.com", 630, "2023-05-01", "2026-10-12"),
                ("closed-forum.net", 90, "2022-01-09", "2026-10-28"),
                ("earlier-loss.com", 300, "2022-01-09", "2026-09-30"),
                ("next-month.com", 200, "2026-11-01", None),
            ],
        ),
        "rival.com": Site(
            rank=538,
            referring_domains=1143,
            referring_main_domains=921,
            referring_domains_nofollow=310,
            referring_main_domains_nofollow=254,
            backlinks=48870,
            months={"2026-09": (31, 12, 902), "2026-10": (27, 8, 921)},
        ),
        "other.net": Site(
            rank=301,
            referring_domains=402,
            referring_main_domains=310,
            referring_domains_nofollow=97,
            referring_main_domains_nofollow=80,
            backlinks=9120,
        ),
        "tiny.blog": Site(
            rank=95,
            referring_domains=9,
            referring_main_domains=7,
            referring_domains_nofollow=2,
            referring_main_domains_nofollow=2,
            backlinks=31,
        ),
    }


def one_hundred(rank: int) -> int:
    """DataForSEO's documented 0-1000 → 0-100 mapping."""
    return round(math.sin(rank / 636.62) * 100)


@dataclass
class Call:
    method: str
    path: str  # "backlinks/summary/live"
    body: Any  # the parsed JSON body (None for a GET)
    login: str | None  # the Basic auth login it carried
    status: int  # the HTTP status answered
    code: int | None = None  # the task's status_code (or the request's when no task was run)
    arrived: float = field(default_factory=time.monotonic)


@dataclass
class DataForSEOStandIn:
    accounts: dict[str, str] = field(default_factory=lambda: {"me@example.com": "a1b2c3d4e5f6a7b8"})
    sites: dict[str, Site] = field(default_factory=default_sites)
    balance: float = 25.0  # USD; at 0 the paid endpoints answer 402
    backlinks_subscription_expiry: str | None = "2027-06-30 00:00:00 +00:00"  # None: no subscription (40204)
    rate_limit: int = 2000  # calls a minute (X-RateLimit-Limit)
    rate_remaining: int = 2000  # left this minute (X-RateLimit-Remaining); 0 → 40202
    delay: float = 0.0  # seconds before every answer
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    _failures: list[tuple[int, float | None]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        """The base URL a client takes in place of https://api.dataforseo.com/v3/."""
        return f"http://127.0.0.1:{self.port}/v3/"

    @property
    def key(self) -> str:
        """A key that works, as a user pastes it: "login:password"."""
        login, password = next(iter(self.accounts.items()))
        return f"{login}:{password}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner, self.port = await listen(app)

    async def stop(self) -> None:
        await self._runner.cleanup()

    # -- what tests steer and read ------------------------------------------------------------

    def fail_next(self, count: int, status: int, *, retry_after: float | None = None) -> None:
        """The next `count` calls answer HTTP `status` (429 with Retry-After if given, 5xx, or 200
        with a body that is not JSON when `status` is 0)."""
        self._failures += [(status, retry_after)] * count

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def count(self, path: str) -> int:
        return len(self.calls_to(path))

    def looked_up(self, domain: str) -> int:
        """How many calls sent this domain as a target."""
        seen = 0
        for call in self.calls:
            for task in call.body if isinstance(call.body, list) else []:
                if isinstance(task, dict):
                    seen += task.get("target") == domain
                    seen += (task.get("targets") or []).count(domain) if isinstance(task.get("targets"), list) else 0
        return seen

    # -- the API ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        path = request.match_info["path"].removeprefix("v3/").rstrip("/")
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ValueError  # kept apart: "POST Data Is Invalid."
        call = Call(request.method, path, None if body is ValueError else body, _login(request), 200)
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        response = self._answer(request, call, path, body, started)
        call.status = response.status
        return response

    def _answer(self, request: web.Request, call: Call, path: str, body: Any, started: float) -> web.Response:
        known = (request.method == "GET" and path in FREE) or (request.method == "POST" and path in FIELDS)
        if not known:
            call.code = 40400
            return self._envelope(path, 40400, "Not Found.", [], started, status=404)
        password = self.accounts.get(call.login or "")
        if password is None or _password(request) != password:
            call.code = 40100
            message = (
                "You are not authorized to access this resource. "
                "See your login details here: https://app.dataforseo.com/api-access"
            )
            return self._envelope(
                path,
                40100,
                message,
                [],
                started,
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="DataForSEO REST API"'},
            )
        if self._failures:
            status, retry_after = self._failures.pop(0)
            if status == 0:
                return web.Response(text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")
            if status == 429:
                headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                return web.Response(status=429, text="Too Many Requests", headers=headers)
            if status == 500:
                call.code = 50000
                return self._envelope(path, 50000, "Internal Error.", [], started, status=500)
            return web.Response(status=status, text=f"HTTP {status}")
        if self.rate_remaining <= 0:
            call.code = 40202
            return self._envelope(path, 40202, "The rate-limit per minute has been exceeded.", [], started)
        self.rate_remaining -= 1
        if path in FREE:
            return self._task(call, path, None, 0.0, 20000, "Ok.", [self._user(call.login or "")], started)
        if body is ValueError or (body is not None and not isinstance(body, list)):
            call.code = 40503
            return self._envelope(path, 40503, "POST Data Is Invalid.", [], started)
        if not body:
            call.code = 40502
            return self._envelope(path, 40502, "POST Data Is Empty.", [], started)
        if len(body) > 1:
            call.code = 40000
            return self._envelope(path, 40000, "You can set only one task at a time.", [], started)
        task = body[0]
        if not isinstance(task, dict):
            call.code = 40503
            return self._envelope(path, 40503, "POST Data Is Invalid.", [], started)
        if self.balance <= 0:
            call.code = 40200
            return self._task(call, path, task, 0.0, 40200, "Payment Required.", None, started, status=402)
        if self.backlinks_subscription_expiry is None:
            message = (
                "Access denied. Visit Plans and Subscriptions to activate your subscription "
                "and get access to this API: https://app.dataforseo.com/users/getrows"
            )
            return self._task(call, path, task, 0.0, 40204, message, None, started)
        unknown = sorted(set(task) - FIELDS[path])
        if unknown:
            return self._task(
                call, path, task, 0.0, 40506, f"Unknown Fields in POST Data: {', '.join(unknown)}.", None, started
            )
        if (bad := _invalid(path, task)) is not None:
            return self._task(call, path, task, 0.0, 40501, f"Invalid Field: '{bad}'.", None, started)
        scale = task.get("rank_scale", "one_thousand")
        if path == "backlinks/summary/live":
            site = self.sites.get(task["target"])
            result = None if site is None else [_summary(task["target"], site, scale)]
            return self._task(call, path, task, 0.02003, 20000, "Ok.", result, started)
        if path == "backlinks/referring_domains/live":
            site = self.sites.get(task["target"])
            result = [_referring_domains(task, site, scale)]
            cost = 0.02 + 0.00003 * len(result[0]["items"])
            return self._task(call, path, task, cost, 20000, "Ok.", result, started)
        if path == "backlinks/history/live":
            result = [self._history(task, scale)]
            return self._task(call, path, task, 0.02 + 0.00003 * len(result[0]["items"]), 20000, "Ok.", result, started)
        targets = task["targets"]
        if path == "backlinks/bulk_ranks/live":
            items = [
                {"target": t, "rank": _scaled(self.sites[t].rank, scale) if t in self.sites else 0} for t in targets
            ]
        else:
            items = [_bulk_domains(t, self.sites.get(t)) for t in targets]
        result = [{"items_count": len(items), "items": items}]
        return self._task(call, path, task, 0.02 + 0.00003 * len(targets), 20000, "Ok.", result, started)

    def _history(self, task: dict[str, Any], scale: str) -> dict[str, Any]:
        site = self.sites.get(task["target"])
        first = task.get("date_from", "2019-01-01")
        last = task.get("date_to", "9999-12-31")
        items = []
        for month, (new, lost, main) in sorted((site.months if site else {}).items()):
            day = _first_of_next(month)
            if first <= day <= last:
                items.append(
                    {
                        "type": "backlinks_history",  # "type of element"; the value is not shown in the docs
                        "date": f"{day} 00:00:00 +00:00",
                        "rank": _scaled(site.rank, scale),
                        "backlinks": site.backlinks,
                        "new_backlinks": new * 12,
                        "lost_backlinks": lost * 9,
                        "new_referring_domains": new,
                        "lost_referring_domains": lost,
                        "crawled_pages": 40,
                        "referring_domains": main + (site.referring_domains - site.referring_main_domains),
                        "referring_domains_nofollow": site.referring_domains_nofollow,
                        "referring_main_domains": main,
                        "referring_main_domains_nofollow": site.referring_main_domains_nofollow,
                    }
                )
        return {
            "target": task["target"],
            "date_from": task.get("date_from", "2019-01-01"),
            "date_to": task.get("date_to", time.strftime("%Y-%m-%d")),
            "items_count": len(items),
            "items": items,
        }

    def _user(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "timezone": "UTC",
            "rates": {"limits": {"minute": {"total": self.rate_limit}}},
            "money": {"total": 50.0, "balance": round(self.balance, 5), "limits": {}, "statistics": {}},
            "price": {},
            "backlinks_subscription_expiry_date": self.backlinks_subscription_expiry,
            "llm_mentions_subscription_expiry_date": None,
        }

    # -- the envelope -------------------------------------------------------------------------

    def _task(
        self,
        call: Call,
        path: str,
        data: dict[str, Any] | None,
        cost: float,
        code: int,
        message: str,
        result: list[Any] | None,
        started: float,
        status: int = 200,
    ) -> web.Response:
        call.code = code
        cost = round(cost, 5) if code == 20000 else 0.0
        self.balance -= cost
        api, _, function = path.partition("/")
        task = {
            "id": f"{time.strftime('%m%d%H%M')}-1535-0265-0000-{next(self._ids):012x}",
            "status_code": code,
            "status_message": message,
            "time": f"{time.monotonic() - started:.4f} sec.",
            "cost": cost,
            "result_count": len(result) if result else 0,
            "path": ["v3", *path.split("/")],
            "data": {"api": api, "function": function.removesuffix("/live"), **(data or {})},
            "result": result,
        }
        top = 40200 if code == 40200 else 20000
        return self._envelope(path, top, "Payment Required." if top == 40200 else "Ok.", [task], started, status)

    def _envelope(
        self,
        path: str,
        code: int,
        message: str,
        tasks: list[dict[str, Any]],
        started: float,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        body = {
            "version": VERSION,
            "status_code": code,
            "status_message": message,
            "time": f"{time.monotonic() - started:.4f} sec.",
            "cost": sum(t["cost"] for t in tasks),
            "tasks_count": len(tasks),
            "tasks_error": sum(t["status_code"] != 20000 for t in tasks),
            "tasks": tasks,
        }
        limits = {"X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": str(max(0, self.rate_remaining))}
        return web.json_response(body, status=status, headers={**limits, **(headers or {})})


def _login(request: web.Request) -> str | None:
    return (_basic(request) or (None, None))[0]


def _password(request: web.Request) -> str | None:
    return (_basic(request) or (None, None))[1]


def _basic(request: web.Request) -> tuple[str, str] | None:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Basic "):
        return None
    try:
        login, _, password = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
    except ValueError:
        return None
    return login, password


def _is_domain(target: Any) -> bool:
    return isinstance(target, str) and not target.startswith("www.") and bool(DOMAIN.match(target))


def _invalid(path: str, task: dict[str, Any]) -> str | None:
    """The first field the docs would not accept, or None."""
    scale = task.get("rank_scale", "one_thousand")
    if scale not in ("one_hundred", "one_thousand"):
        return "rank_scale"
    if "targets" in FIELDS[path]:
        targets = task.get("targets")
        if not isinstance(targets, list) or not 1 <= len(targets) <= 1000 or not all(map(_is_domain, targets)):
            return "targets"
        return None
    if not _is_domain(task.get("target")):
        return "target"
    if path == "backlinks/referring_domains/live":
        limit = task.get("limit", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            return "limit"
        if "filters" in task and _conditions(task["filters"]) is None:
            return "filters"
        order = task.get("order_by", [])
        if not isinstance(order, list) or len(order) > 3 or not all(_sorting(o) for o in order):
            return "order_by"
    if path in ("backlinks/summary/live", "backlinks/referring_domains/live"):
        if task.get("backlinks_status_type", "live") not in ("all", "live", "lost"):
            return "backlinks_status_type"
        for flag in ("include_subdomains", "include_indirect_links", "exclude_internal_backlinks"):
            if flag in task and not isinstance(task[flag], bool):
                return flag
    if path == "backlinks/history/live":
        for name in ("date_from", "date_to"):
            if name in task and (not isinstance(task[name], str) or not DATE.match(task[name])):
                return name
        if task.get("date_from", "2019-01-01") < "2019-01-01":
            return "date_from"
        if "date_to" in task and task["date_to"] < task.get("date_from", "2019-01-01"):
            return "date_to"
    return None


def _first_of_next(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}-01"


def _scaled(rank: int, scale: str) -> int:
    return one_hundred(rank) if scale == "one_hundred" else rank


def _bulk_domains(target: str, site: Site | None) -> dict[str, Any]:
    return {
        "target": target,
        "referring_domains": site.referring_domains if site else 0,
        "referring_domains_nofollow": site.referring_domains_nofollow if site else 0,
        "referring_main_domains": site.referring_main_domains if site else 0,
        "referring_main_domains_nofollow": site.referring_main_domains_nofollow if site else 0,
    }


def _summary(target: str, site: Site, scale: str) -> dict[str, Any]:
    """A summary item shaped like the documented example, with this site's figures."""
    return {
        "target": target,
        "first_seen": "2019-03-02 11:24:09 +00:00",
        "lost_date": None,
        "rank": _scaled(site.rank, scale),
        "backlinks": site.backlinks,
        "backlinks_spam_score": 7,
        "crawled_pages": 212,
        "info": {
            "server": "nginx",
            "cms": None,
            "platform_type": ["ecommerce"],
            "ip_address": "203.0.113.24",
            "country": "DE",
            "is_ip": False,
            "target_spam_score": 2,
        },
        "internal_links_count": 8412,
        "external_links_count": 318,
        "broken_backlinks": 12,
        "broken_pages": 4,
        "referring_domains": site.referring_domains,
        "referring_domains_nofollow": site.referring_domains_nofollow,
        "referring_main_domains": site.referring_main_domains,
        "referring_main_domains_nofollow": site.referring_main_domains_nofollow,
        "referring_ips": site.referring_domains - 9,
        "referring_subnets": site.referring_domains - 21,
        "referring_pages": site.backlinks - 140,
        "referring_pages_nofollow": site.backlinks // 5,
        "referring_links_tld": {"com": site.backlinks // 2, "de": site.backlinks // 5},
        "referring_links_types": {"anchor": site.backlinks - 60, "image": 60},
        "referring_links_attributes": {"nofollow": site.backlinks // 5},
        "referring_links_platform_types": {"blogs": site.backlinks // 3, "cms": site.backlinks // 4},
        "referring_links_semantic_locations": {"article": site.backlinks // 2, "": site.backlinks // 4},
        "referring_links_countries": {"US": site.backlinks // 3, "DE": site.backlinks // 4},
    }


# -- referring_domains/live -----------------------------------------------------------------------

REFERRING_FIELDS = {"domain", "rank", "backlinks", "first_seen", "lost_date"}


def _conditions(filters: Any) -> int | None:
    """How many conditions a filters array holds, or None if DataForSEO would refuse it: each a
    [field, operator, value] on a known field, joined by "and"/"or", nested, at most 8."""
    if not isinstance(filters, list) or not filters:
        return None
    if len(filters) == 3 and isinstance(filters[0], str):  # one condition
        name, operator, value = filters
        if name not in REFERRING_FIELDS or operator not in OPERATORS:
            return None
        if name in ("first_seen", "lost_date") and not (isinstance(value, str) and STAMP.match(value)):
            return None
        return 1
    if len(filters) % 2 == 0 or any(filters[i] not in ("and", "or") for i in range(1, len(filters), 2)):
        return None
    counts = [_conditions(part) for part in filters[::2]]
    if None in counts or sum(counts) > 8:
        return None
    return sum(counts)


def _holds(filters: list, item: dict[str, Any]) -> bool:
    if isinstance(filters[0], str):
        name, operator, value = filters
        have = item.get(name)
        if have is None:
            return False  # a null field matches no comparison
        return {
            "<": have < value,
            "<=": have <= value,
            ">": have > value,
            ">=": have >= value,
            "=": have == value,
            "<>": have != value,
        }.get(operator, False)
    verdict = _holds(filters[0], item)
    for joint, part in zip(filters[1::2], filters[2::2], strict=True):
        verdict = (verdict and _holds(part, item)) if joint == "and" else (verdict or _holds(part, item))
    return verdict


def _sorting(rule: Any) -> bool:
    if not isinstance(rule, str) or rule.count(",") != 1:
        return False
    name, direction = rule.split(",")
    return name in REFERRING_FIELDS and direction in ("asc", "desc")


def _referring_domains(task: dict[str, Any], site: Site | None, scale: str) -> dict[str, Any]:
    status = task.get("backlinks_status_type", "live")
    items = [
        {
            "type": "backlinks_referring_domain",
            "domain": domain,
            "rank": _scaled(rank, scale),
            "backlinks": 3,
            "first_seen": f"{first} 08:15:00 +00:00",
            "lost_date": f"{lost} 17:40:00 +00:00" if lost else None,
            "backlinks_spam_score": 4,
            "broken_backlinks": 0,
            "broken_pages": 0,
            "referring_domains": 1,
            "referring_domains_nofollow": 0,
            "referring_main_domains": 1,
            "referring_main_domains_nofollow": 0,
        }
        for domain, rank, first, lost in (site.referring if site else [])
        if status == "all" or (status == "lost") == (lost is not None)
    ]
    if "filters" in task:
        items = [i for i in items if _holds(task["filters"], i)]
    for rule in reversed(task.get("order_by", [])):
        name, direction = rule.split(",")
        items.sort(key=lambda i, n=name: (i[n] is None, i[n]), reverse=direction == "desc")
    total = len(items)
    offset = task.get("offset", 0)
    items = items[offset : offset + task.get("limit", 100)]
    return {"target": task["target"], "total_count": total, "items_count": len(items), "items": items}
