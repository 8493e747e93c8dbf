"""DataForSEO Backlinks API client: a domain's referring domains and rank, and its monthly new and lost
referring domains, in the neutral figures of bot.lookups.provider.

The key, as a user pastes it: the account's API login and API password joined by one colon,
``login:password`` (for example ``you@example.com:1a2b3c4d5e6f7a8b``). Both are on
https://app.dataforseo.com/api-access; "the API password is generated automatically by DataForSEO
and is different from your account password", and every call carries the pair as HTTP Basic auth
(https://docs.dataforseo.com/v3/auth/). The dashboard also shows the pair Base64-encoded; pasted
that way it is accepted too. A key without a colon, with an empty half or with white space or
control characters is refused with ValueError before any call.

Endpoints used (all under https://api.dataforseo.com/v3/), each page cited where it is called:
- GET  appendix/user_data (free): ``check()``          https://docs.dataforseo.com/v3/appendix/user_data/
- POST backlinks/summary/live: one domain              https://docs.dataforseo.com/v3/backlinks/summary/live/
- POST backlinks/bulk_referring_domains/live and
  POST backlinks/bulk_ranks/live: several domains       https://docs.dataforseo.com/v3/backlinks/bulk_referring_domains/live/
                                                        https://docs.dataforseo.com/v3/backlinks/bulk_ranks/live/
- POST backlinks/history/live: months of one domain    https://docs.dataforseo.com/v3/backlinks/history/live/
- POST backlinks/referring_domains/live: which          https://docs.dataforseo.com/v3/backlinks/referring_domains/live/
  referring domains one domain won and lost in a month

Every answer is the same envelope (https://docs.dataforseo.com/v3/appendix/errors/): HTTP 200 almost
always, with a request-level ``status_code`` (20000 is "Ok.") and one per task in ``tasks[]``;
HTTP 401, 402, 404 and 500 are the only other statuses documented. The internal codes this client
acts on are listed in STATUS below. What is sent: the domains and the documented options named in
each call, nothing about the user or the workspace.

Rate limits (https://docs.dataforseo.com/v3/, "Rate Limits"; https://dataforseo.com/help-center/rate-limits-and-request-limits):
a per-minute ceiling per account, told in the X-RateLimit-Limit and X-RateLimit-Remaining headers;
going over it answers internal code 40202, more than 30 calls at once 40209. DataForSEO documents no
429 and no Retry-After; a proxy in front of it may send them, and both are honoured anyway.

Figures:
- authority: ``rank`` asked with ``rank_scale: "one_hundred"``, DataForSEO's own 0-100 scale. It is
  not rank/10: DataForSEO maps its 0-1000 rank with round(sin(rank / 636.62) * 100)
  (https://dataforseo.com/update/new-rank-scale-in-backlinks-api), so a 694 becomes 89. Asking for
  that scale keeps the figure the user would see in DataForSEO's own tools.
- referring domains: ``referring_main_domains``, "the number of primary (root) domains referring to
  your target". ``referring_domains`` counts every subdomain as a domain of its own
  (blog.example.com and example.com are two), so the main-domain count is the one closest to
  "distinct registrable domains linking". Nofollow: ``referring_main_domains_nofollow`` likewise.
- a domain unknown to DataForSEO: the summary answers ``result: null`` (and still costs a call); the
  bulk endpoints answer zeros ("0 (no backlinks detected)", bulk_ranks page). Both read as None:
  no live referring domain and rank 0 is "nothing known", and the question is simply asked.
- history: items come "month-by-month; the metrics are aggregated according to the backlinks the
  specified domain had on the first day of each given month", and ``new_referring_domains`` /
  ``lost_referring_domains`` are "based in a comparison with the previous period" (from May 2021).
  So the item dated 2026-11-01 is the state when October ended and October's gains and losses: an
  item is read as the month that ended the day before its date (a date on the month's last day
  reads the same). It gives counts only (``month_domains`` names them). Those counts are
  DataForSEO's referring domains (subdomains counted apart); the month's live figure is
  ``referring_main_domains``, like ``sites()``.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import re
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential, wait_random

from bot.lookups.provider import (
    LOOKUP_TIMEOUT,
    LookupFailed,
    MonthChange,
    MonthDomains,
    OutOfCredit,
    RefusedKey,
    SiteFigures,
)
from providers.http import retry_after

API = "https://api.dataforseo.com/v3/"
KEY_HELP = (
    "A DataForSEO key is your API login and API password joined by a colon, like "
    "you@example.com:1a2b3c4d5e6f7a8b (both are on https://app.dataforseo.com/api-access)."
)
BULK_LIMIT = 1000  # targets per bulk call (bulk_referring_domains and bulk_ranks pages: "up to 1000")
LIST_LIMIT = 1000  # referring domains per call (referring_domains page: limit "maximum value: 1000")
MAX_ATTEMPTS = 4
RATE_WINDOW = 60.0  # seconds: the documented limits are per minute, and no reset time is sent

# Internal status codes (https://docs.dataforseo.com/v3/appendix/errors/) → how this client reacts.
OK = 20000
REFUSED = {
    40100: "DataForSEO refused the login and API password",  # not authorized
    40104: "DataForSEO wants the account verified first (app.dataforseo.com)",
    40201: "DataForSEO has paused this account; its support can say why",
    40207: "DataForSEO refused this server's IP address (the account's IP whitelist)",
}
NO_CREDIT = {
    40200: "The DataForSEO account has no money left (Payment Required)",
    40203: "The DataForSEO account's own daily cost limit is reached",
    40204: "The DataForSEO account has no active Backlinks API subscription",
    40210: "The DataForSEO account's balance is too low for this lookup",
}
RATE_LIMITED = {40202: RATE_WINDOW, 40209: None}  # per-minute ceiling (wait the window); 30 at once (back off)
PASSING = {50000, 50001, 50301, 50303, 50401}  # DataForSEO's side, "try again later"


class _Again(Exception):
    """One attempt failed in a way worth another (timeout, 5xx, 429, rate limit)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def parse_key(key: str) -> tuple[str, str]:
    """(login, password) from "login:password", or ValueError saying what a key looks like. The
    dashboard also offers the pair Base64-encoded (what goes after "Basic "); that is taken too."""
    key = key.strip()
    if ":" not in key and key:
        try:
            decoded = base64.b64decode(key, validate=True).decode("utf-8")
        except ValueError:
            decoded = ""
        key = decoded if ":" in decoded else key
    login, colon, password = key.partition(":")
    if not colon or not login or not password:
        raise ValueError(KEY_HELP)
    if any(ch.isspace() or not ch.isprintable() for ch in login + password):
        raise ValueError("A DataForSEO key has no spaces or line breaks in it. " + KEY_HELP)
    return login, password


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _target(domain: str) -> str | None:
    """The domain as DataForSEO wants a target ("without https:// and www."), or None if it is none."""
    name = domain.strip().lower().rstrip(".").removeprefix("www.")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return name if _DOMAIN.match(name) else None


class DataForSEO:
    name = "dataforseo"
    label = "DataForSEO"
    authority_name = "DataForSEO rank"
    has_history = True
    has_domain_lists = True

    def __init__(self, key: str, *, base_url: str = API, timeout: float = LOOKUP_TIMEOUT) -> None:
        login, password = parse_key(key)
        # Basic auth of "login:password" in UTF-8 (RFC 7617), the header DataForSEO's examples send.
        self._authorization = "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
        self._base = base_url.rstrip("/") + "/"
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._quiet_until = 0.0  # time.monotonic() before which DataForSEO asked not to be called
        self.spent = 0.0  # USD, the sum of the answers' "cost" since this client was made

    # -- the Provider interface ---------------------------------------------------------------

    async def check(self) -> None:
        """GET appendix/user_data: free ("Your account will not be charged for using this API"),
        https://docs.dataforseo.com/v3/appendix/user_data/. A refused key raises RefusedKey; an
        account with no money or no Backlinks API subscription (``money.balance``,
        ``backlinks_subscription_expiry_date``: "if there is no active subscription to Backlinks API,
        the value equals null") raises OutOfCredit, since every lookup would."""
        task = await self._call("GET", "appendix/user_data")
        user = (task.get("result") or [None])[0]
        if not isinstance(user, dict):
            raise LookupFailed("DataForSEO's user_data answer had no account in it")
        balance = (user.get("money") or {}).get("balance")
        if isinstance(balance, int | float) and balance <= 0:
            raise OutOfCredit(NO_CREDIT[40200])
        if "backlinks_subscription_expiry_date" in user:
            said = user["backlinks_subscription_expiry_date"]
            expiry = _datetime(said)
            if said is None or (expiry is not None and expiry < dt.datetime.now(dt.UTC)):
                raise OutOfCredit(NO_CREDIT[40204])

    async def sites(self, domains: Sequence[str]) -> dict[str, SiteFigures | None]:
        """One domain: one summary call. Several: one bulk_referring_domains and one bulk_ranks call
        per 1,000 domains, made together. The bulk pair costs two calls whatever the number of
        domains (0.02 USD + 0.00003 per target each, against 0.02 per summary), so from two domains on
        it is never dearer; one domain stays on the summary, which answers everything in one call."""
        answer: dict[str, SiteFigures | None] = {d: None for d in domains}
        wanted: dict[str, list[str]] = {}  # target → the spellings asked
        for domain in domains:
            if (target := _target(domain)) is not None:
                wanted.setdefault(target, []).append(domain)
        found: dict[str, dict[str, Any] | None] = {}
        if len(wanted) == 1:
            [target] = wanted
            found[target] = await self._summary(target)
        elif wanted:
            targets = list(wanted)
            chunks = [targets[start : start + BULK_LIMIT] for start in range(0, len(targets), BULK_LIMIT)]
            for part in await _together([self._bulk(chunk) for chunk in chunks]):
                found.update(part)
        for target, spellings in wanted.items():
            for domain in spellings:
                answer[domain] = _figures(domain, found.get(target))
        return answer

    async def history(self, domain: str, since: str) -> list[MonthChange]:
        """POST backlinks/history/live, https://docs.dataforseo.com/v3/backlinks/history/live/:
        fields ``target`` ("domain ... without https:// and www.") and ``date_from`` ("yyyy-mm-dd",
        "minimum value 2019-01-01"); ``date_to`` defaults to today. Read: ``date``,
        ``new_referring_domains``, ``lost_referring_domains``, ``referring_main_domains``. A month
        shows once the snapshot closing it exists (the 1st of the next month)."""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", since):
            raise ValueError(f"since is a month like 2026-06, not {since!r}")
        target = _target(domain)
        if target is None:
            return []
        date_from = max(f"{since}-01", "2019-01-01")
        task = await self._call("POST", "backlinks/history/live", [{"target": target, "date_from": date_from}])
        result = (task.get("result") or [None])[0]
        months: dict[str, MonthChange] = {}
        for item in (result or {}).get("items") or []:
            when = _datetime(item.get("date")) if isinstance(item, dict) else None
            if when is None:
                raise LookupFailed("DataForSEO's history answer had an item without a date")
            month = f"{when - dt.timedelta(days=1):%Y-%m}"  # the month this snapshot closes
            if month < since:
                continue
            months[month] = MonthChange(
                month=month,
                new=_count(item.get("new_referring_domains")),
                lost=_count(item.get("lost_referring_domains")),
                referring_domains=_count_or_none(item.get("referring_main_domains")),
            )
        return [months[m] for m in sorted(months)]

    async def month_domains(self, domain: str, month: str) -> MonthDomains:
        """POST backlinks/referring_domains/live,
        https://docs.dataforseo.com/v3/backlinks/referring_domains/live/: one call for the referring
        domains first seen in `month` and those lost in it. Sent: ``target``;
        ``backlinks_status_type: "all"`` ("all backlinks will be returned and counted", lost ones
        included; the default "live" would hide the lost); ``filters`` on ``first_seen`` and
        ``lost_date`` ("yyyy-mm-dd hh-mm-ss +00:00", up to 8 conditions joined by and/or, nested);
        ``order_by: ["rank,desc"]`` so the most valuable come first; ``limit`` at its documented
        maximum, 1000. Read from each item: ``domain``, ``first_seen``, ``lost_date``."""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise ValueError(f"month is like 2026-10, not {month!r}")
        target = _target(domain)
        if target is None:
            return MonthDomains(month)
        year, number = map(int, month.split("-"))
        start = f"{month}-01 00:00:00 +00:00"
        end = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01 00:00:00 +00:00"
        in_month = [[["first_seen", ">=", start], "and", ["first_seen", "<", end]]]
        lost_in_month = [[["lost_date", ">=", start], "and", ["lost_date", "<", end]]]
        body = {
            "target": target,
            "backlinks_status_type": "all",
            "filters": [*in_month, "or", *lost_in_month],
            "order_by": ["rank,desc"],
            "limit": LIST_LIMIT,
        }
        new: list[str] = []
        lost: list[str] = []
        for item in _items(await self._call("POST", "backlinks/referring_domains/live", [body])):
            name = item.get("domain")
            if not isinstance(name, str) or not name:
                continue
            for stamp, into in ((item.get("first_seen"), new), (item.get("lost_date"), lost)):
                when = _datetime(stamp)
                if when is not None and f"{when.astimezone(dt.UTC):%Y-%m}" == month:
                    into.append(name.lower())
        return MonthDomains(month, tuple(dict.fromkeys(new)), tuple(dict.fromkeys(lost)))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- the endpoints ------------------------------------------------------------------------

    async def _summary(self, target: str) -> dict[str, Any] | None:
        """POST backlinks/summary/live, https://docs.dataforseo.com/v3/backlinks/summary/live/.
        Sent: ``target``; ``include_subdomains: true`` and ``backlinks_status_type: "live"`` (the
        documented defaults, said outright: the whole domain, the links found at the last check);
        ``rank_scale: "one_hundred"``. Read: ``rank``, ``referring_main_domains``,
        ``referring_main_domains_nofollow``; ``result: null`` for a target DataForSEO does not know."""
        body = [
            {"target": target, "include_subdomains": True, "backlinks_status_type": "live", "rank_scale": "one_hundred"}
        ]
        task = await self._call("POST", "backlinks/summary/live", body)
        item = (task.get("result") or [None])[0]
        return item if isinstance(item, dict) else None

    async def _bulk(self, targets: list[str]) -> dict[str, dict[str, Any]]:
        """POST backlinks/bulk_referring_domains/live (``targets``; items: ``target``,
        ``referring_main_domains``, ``referring_main_domains_nofollow``; "if you indicate a domain as a
        target, you will get result for the root domain (domain with all of its subdomains)",
        https://docs.dataforseo.com/v3/backlinks/bulk_referring_domains/live/) and POST
        backlinks/bulk_ranks/live (``targets``, ``rank_scale``; items: ``target``, ``rank``,
        https://docs.dataforseo.com/v3/backlinks/bulk_ranks/live/), at once. Bulk referring domains
        has no rank, hence the second call."""
        domains, ranks = (
            _items(task)
            for task in await _together(
                [
                    self._call("POST", "backlinks/bulk_referring_domains/live", [{"targets": targets}]),
                    self._call(
                        "POST", "backlinks/bulk_ranks/live", [{"targets": targets, "rank_scale": "one_hundred"}]
                    ),
                ]
            )
        )
        found: dict[str, dict[str, Any]] = {}
        for item in domains:
            found[_target(str(item.get("target", ""))) or ""] = dict(item)
        for item in ranks:
            if (key := _target(str(item.get("target", ""))) or "") in found:
                found[key]["rank"] = item.get("rank")
        return found

    # -- one call, retried --------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The first task of an answer, once its statuses say Ok. The whole call, retries and waits
        included, ends within `timeout`; timeouts, 5xx, 429 and DataForSEO's rate-limit and "try
        again later" codes are retried with backoff (tenacity), honouring Retry-After, and a wait
        that would not fit in what is left of the budget ends the call at once."""
        deadline = time.monotonic() + self._timeout
        pauses: dict[int, float] = {}  # attempt number → the pause after it (stop and wait agree)
        backoff = wait_exponential(multiplier=0.2, max=2.0) + wait_random(0, 0.1)  # 0.2, 0.4, 0.8 s …

        def pause(state: RetryCallState) -> float:
            if state.attempt_number not in pauses:
                failure = state.outcome.exception() if state.outcome else None
                told = getattr(failure, "retry_after", None)
                pauses[state.attempt_number] = told if told is not None else backoff(state)
            return pauses[state.attempt_number]

        def stop(state: RetryCallState) -> bool:
            return state.attempt_number >= MAX_ATTEMPTS or time.monotonic() + pause(state) >= deadline

        try:
            async with asyncio.timeout(self._timeout):
                async for attempt in AsyncRetrying(
                    stop=stop, wait=pause, retry=retry_if_exception_type(_Again), reraise=True
                ):
                    with attempt:
                        return await self._once(method, path, body, deadline)
        except _Again as again:
            raise LookupFailed(f"DataForSEO could not answer now ({again})") from again
        except TimeoutError as late:
            raise LookupFailed(f"DataForSEO did not answer within {self._timeout:g} s") from late
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _once(self, method: str, path: str, body: list[dict[str, Any]] | None, deadline: float) -> dict[str, Any]:
        if (wait := self._quiet_until - time.monotonic()) > 0:
            if time.monotonic() + wait >= deadline:
                raise LookupFailed(f"DataForSEO asked not to be called for another {wait:.0f} s (its rate limit)")
            await asyncio.sleep(wait)
        if self._session is None:
            self._session = aiohttp.ClientSession(headers={"Authorization": self._authorization})
        try:
            async with self._session.request(method, self._base + path, json=body) as response:
                self._note_rate_limit(response.headers)
                status = response.status
                if status == 429:
                    told = retry_after(response.headers.get("Retry-After"))
                    if told is not None:
                        self._quiet_until = time.monotonic() + told
                    raise _Again("429 Too Many Requests", told)
                if status >= 500:
                    raise _Again(f"HTTP {status}")
                text = await response.text()
        except aiohttp.ClientError as broken:
            raise _Again(f"connection failed: {broken.__class__.__name__}") from broken
        envelope = _json(text)
        self.spent += _cost(envelope)
        if status == 401:
            raise RefusedKey(REFUSED.get(_code(envelope, REFUSED), REFUSED[40100]))
        if status == 402:
            raise OutOfCredit(NO_CREDIT.get(_code(envelope, NO_CREDIT), NO_CREDIT[40200]))
        if status != 200:
            raise LookupFailed(f"DataForSEO answered HTTP {status} to {path}")
        if envelope is None:
            raise LookupFailed("DataForSEO's answer was not JSON")
        self._raise_for(envelope)
        tasks = envelope.get("tasks")
        if not isinstance(tasks, list) or not tasks or not isinstance(tasks[0], dict):
            raise LookupFailed("DataForSEO's answer had no task in it")
        self._raise_for(tasks[0])
        return tasks[0]

    def _raise_for(self, part: dict[str, Any]) -> None:
        """Act on a request-level or task-level status_code."""
        code = part.get("status_code")
        if code == OK:
            return
        said = str(part.get("status_message") or "")
        if code in REFUSED:
            raise RefusedKey(REFUSED[code])
        if code in NO_CREDIT:
            raise OutOfCredit(NO_CREDIT[code])
        if code in RATE_LIMITED:
            wait = RATE_LIMITED[code]
            if wait is not None:
                self._quiet_until = max(self._quiet_until, time.monotonic() + wait)
            raise _Again(f"{code} {said}".strip(), wait)
        if code in PASSING:
            raise _Again(f"{code} {said}".strip())
        raise LookupFailed(f"DataForSEO answered {code} {said}".strip())

    def _note_rate_limit(self, headers: Any) -> None:
        """X-RateLimit-Remaining: 0 means the next call in this minute would be refused (40202)."""
        try:
            remaining = int(headers.get("X-RateLimit-Remaining", ""))
        except ValueError:
            return
        if remaining <= 0:
            self._quiet_until = max(self._quiet_until, time.monotonic() + RATE_WINDOW)


# -- reading answers ------------------------------------------------------------------------------


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _cost(envelope: dict[str, Any] | None) -> float:
    cost = (envelope or {}).get("cost")
    return float(cost) if isinstance(cost, int | float) else 0.0


def _code(envelope: dict[str, Any] | None, among: dict[int, str]) -> int | None:
    """The task's (else the request's) status_code when it is one of `among`: what a 401 or 402 says."""
    for part in [*((envelope or {}).get("tasks") or []), envelope or {}]:
        if isinstance(part, dict) and part.get("status_code") in among:
            return part["status_code"]
    return None


async def _together(calls: list[Any]) -> list[Any]:
    """Run calls at once (at most 10: DataForSEO takes 30 simultaneous requests per account); if any
    fails, raise the sharpest failure (a refused key or no credit says what to do) once all are done."""
    gate = asyncio.Semaphore(10)

    async def gated(call: Any) -> Any:
        async with gate:
            return await call

    answers = await asyncio.gather(*(gated(c) for c in calls), return_exceptions=True)
    failures = [a for a in answers if isinstance(a, BaseException)]
    if failures:
        failures.sort(key=lambda e: 0 if isinstance(e, RefusedKey | OutOfCredit) else 1)
        raise failures[0]
    return answers


def _items(task: dict[str, Any]) -> list[dict[str, Any]]:
    result = (task.get("result") or [None])[0]
    items = (result or {}).get("items") if isinstance(result, dict) else None
    return [i for i in items or [] if isinstance(i, dict)]


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and value > 0 else 0


def _count_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _datetime(value: Any) -> dt.datetime | None:
    """DataForSEO's "yyyy-mm-dd hh-mm-ss +00:00" (e.g. 2019-11-15 12:57:46 +00:00), or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def _figures(domain: str, item: dict[str, Any] | None) -> SiteFigures | None:
    if not item:
        return None
    main = item.get("referring_main_domains")
    rank = item.get("rank")
    if not isinstance(main, int | float) or main < 0:
        raise LookupFailed(f"DataForSEO's answer for {domain} had no referring_main_domains")
    if main == 0 and not rank:  # "0 (no backlinks detected)": nothing known about it
        return None
    return SiteFigures(
        domain=domain,
        referring_domains=int(main),
        authority=max(0, min(100, int(rank))) if isinstance(rank, int | float) else None,
        nofollow_referring_domains=_count_or_none(item.get("referring_main_domains_nofollow")),
    )
