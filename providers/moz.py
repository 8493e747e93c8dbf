"""Moz Links API v2: Domain Authority and linking root domains, several domains per call.

Documentation this client is built from (cited again where each is used):
- Overview & authentication — base URL https://lsapi.seomoz.com/v2/, every request a JSON POST,
  the `x-moz-token` header and legacy Basic auth with Access ID and Secret Key:
  https://moz.com/help/links-api/getting-started/overview
- URL Metrics — POST /v2/url_metrics {"targets": [...]}, up to 50 targets a call, one result per
  target in the order asked, every metric returned (none can be selected), one row per target:
  https://moz.com/help/links-api/making-calls/url-metrics
- Usage Data — POST /v2/usage_data {} → {"rows_consumed": n} for the current billing period:
  https://moz.com/help/links-api/making-calls/usage-data
- Rate limits and rows: a batch of N targets costs N rows; calling again too soon is throttled
  (Moz Help Team: https://moz.com/community/q/topic/59272/how-do-batched-url-metrics-work-in-terms-of-rows-and-rate-limit;
  the free tier allows one request every 10 s, the throttle answers with a Retry-After header:
  http://apiwiki.seomoz.org/w/page/13991144/Rate%20Limiting).
- A real url_metrics and usage_data answer, field for field, published by a user of the API:
  https://github.com/miklevin/MikeLev.in/blob/main/_posts/2023-05-02-moz-links-api-touch-every-endpoint-in-python.md

The key, as a person pastes it into `connect` or BACKLINKS_PROVIDER_KEY, is either
- "access_id:secret_key": the legacy credentials (Moz account → API dashboard → "Show legacy
  credentials"), sent as HTTP Basic auth, Access ID as user name and Secret Key as password; e.g.
  "mozscape-4a1b2c3d4e:0123456789abcdef0123456789abcdef"; or
- a single API token (Moz API dashboard → "+ Add Token", accounts made since March 2024), sent in
  the `x-moz-token` header.
Anything else (empty, spaces inside, an Access ID without its Secret Key) is refused with a
ValueError before any call.

Only domains are sent: the request body is {"targets": ["example.com/", ...]} and nothing else.

Moz v2 url_metrics gives today's figures; it offers monthly history only as extra, weighted rows
(`monthly_history_deltas`, one more row per metric per target) whose answer format the pages above
do not show, so this client claims no history: `has_history` is False and `history()` returns []
without a call.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
import tenacity

from bot.lookups.provider import (
    LOOKUP_TIMEOUT,
    LookupFailed,
    MonthChange,
    MonthDomains,
    OutOfCredit,
    Reason,
    RefusedKey,
    SiteFigures,
)
from providers.http import retry_after as seconds_from_retry_after

LABEL = "Moz"

BASE_URL = "https://lsapi.seomoz.com/v2/"  # overview page: "All links v2 API endpoints use the following base URL"
MAX_TARGETS = 50  # url-metrics page: "targets" — "A list of up to 50 URLs to get metrics for"
ATTEMPTS = 4  # one call and at most three retries, all within the timeout
BACKOFF_INITIAL = 0.25  # seconds before the first retry when Moz gives no Retry-After; doubles, jittered

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class _Retryable(Exception):
    """A timeout, a 5xx or a rate-limiting 429: worth another attempt, after `retry_after` if Moz said."""

    def __init__(self, reason: str, retry_after: float | None = None, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.timed_out = timed_out


class _RetryAfterOrBackoff(tenacity.wait.wait_base):
    """Wait what Moz's Retry-After asks when it says, else exponential backoff with jitter."""

    def __init__(self, backoff: tenacity.wait.wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        asked = getattr(failure, "retry_after", None)
        return asked if asked is not None else self.backoff(retry_state)


class Moz:
    name = "moz"
    label = LABEL
    authority_name = "Domain Authority"
    has_history = False  # see the module docstring: url_metrics history rows are not used
    has_domain_lists = False  # url_metrics gives counts; which domains came and went is not in it

    def __init__(self, key: str, *, base_url: str = BASE_URL, timeout: float = LOOKUP_TIMEOUT) -> None:
        self._headers = _auth_headers(key)
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    # -- the Provider interface -------------------------------------------------------------

    async def check(self) -> None:
        """usage_data: the rows used this billing period — a call that reads no link data.

        usage-data page: request {} (no time frame: the current billing period), answer
        {"rows_consumed": n}.
        """
        answer = await self._post("usage_data", {})
        if not isinstance(answer, dict) or not isinstance(answer.get("rows_consumed"), int):
            raise _unexpected("the key check in an unexpected shape")

    async def sites(self, domains: Sequence[str]) -> dict[str, SiteFigures | None]:
        """url_metrics for up to 50 domains a call (one row each), results mapped back in order."""
        looked_up = {asked: _normalise(asked) for asked in domains}
        wanted = list(dict.fromkeys(d for d in looked_up.values() if d))  # each domain sent once
        found: dict[str, SiteFigures | None] = {}
        for start in range(0, len(wanted), MAX_TARGETS):
            chunk = wanted[start : start + MAX_TARGETS]
            # url-metrics page, example request: {"targets": ["moz.com"]}; a root domain with a
            # trailing slash names the site's home page, as the page field of the answer shows it
            # ("page": "moz.com/").
            answer = await self._post("url_metrics", {"targets": [f"{d}/" for d in chunk]})
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(chunk):
                raise _unexpected("the lookup in an unexpected shape")
            for domain, result in zip(chunk, results, strict=True):  # "in the order requested"
                found[domain] = _figures(domain, result)
        return {asked: found.get(domain) if domain else None for asked, domain in looked_up.items()}

    async def history(self, domain: str, since: str) -> list[MonthChange]:
        return []  # has_history is False: no call, no rows spent

    async def month_domains(self, domain: str, month: str) -> MonthDomains:
        return MonthDomains(month)  # has_domain_lists is False: no call, no rows spent

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- HTTP --------------------------------------------------------------------------------

    async def _post(self, endpoint: str, body: dict[str, Any]) -> Any:
        """One documented call with its retries, the whole bounded by `timeout` seconds."""
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            wait=_RetryAfterOrBackoff(
                tenacity.wait_exponential(multiplier=BACKOFF_INITIAL, max=4) + tenacity.wait_random(0, BACKOFF_INITIAL)
            ),
            # Stop before a wait that would end past the budget: told to wait 30 s with 10 s to
            # spend, give up now rather than call again too early or sleep into the timeout.
            stop=tenacity.stop_after_attempt(ATTEMPTS) | tenacity.stop_before_delay(self.timeout),
            reraise=True,
        )
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                async for attempt in retrying:
                    with attempt:
                        return await self._attempt(endpoint, body, started)
        except _Retryable as failure:
            if failure.retry_after is not None and failure.retry_after >= self.timeout - (time.monotonic() - started):
                # longer than a lookup may take: not waited for
                seconds = round(failure.retry_after)
                raise LookupFailed(Reason("reason.lookup.rate_limited", provider=LABEL, seconds=seconds)) from failure
            if failure.timed_out:
                raise LookupFailed(Reason("reason.lookup.timeout", provider=LABEL, seconds=self.timeout)) from failure
            raise LookupFailed(Reason("reason.lookup.unavailable", provider=LABEL, error=str(failure))) from failure
        except TimeoutError as failure:
            raise LookupFailed(Reason("reason.lookup.timeout", provider=LABEL, seconds=self.timeout)) from failure
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _attempt(self, endpoint: str, body: dict[str, Any], started: float) -> Any:
        session = self._session_now()
        # Each attempt may use half the budget left, so a hung connection still leaves room to retry.
        left = self.timeout - (time.monotonic() - started)
        try:
            async with session.post(
                self._base_url + endpoint,
                json=body,
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(total=max(left / 2, 0.05)),
            ) as response:
                text = await response.text()
                status = response.status
                retry_after = seconds_from_retry_after(response.headers.get("Retry-After"))
        except TimeoutError as failure:
            raise _Retryable("no answer in time", timed_out=True) from failure
        except aiohttp.ClientConnectionError as failure:
            raise _Retryable(f"connection failed ({type(failure).__name__})") from failure
        except aiohttp.ClientError as failure:
            said = Reason("reason.lookup.unavailable", provider=LABEL, error=type(failure).__name__)
            raise LookupFailed(said) from failure
        return _answer(status, text, retry_after)

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(raise_for_status=False)
        return self._session


def _auth_headers(key: str) -> dict[str, str]:
    """The overview page: the `x-moz-token` header, or Basic auth with Access ID and Secret Key."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError(Reason("reason.key.moz.empty"))
    key = key.strip()
    if any(c.isspace() for c in key):
        raise ValueError(Reason("reason.key.moz.spaces"))
    if ":" in key:
        access_id, _, secret = key.partition(":")
        if not access_id or not secret or ":" in secret:
            raise ValueError(Reason("reason.key.moz.legacy"))
        encoded = base64.b64encode(f"{access_id}:{secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {encoded}"}
    if key.startswith("mozscape-"):
        raise ValueError(Reason("reason.key.moz.access_id"))
    return {"x-moz-token": key}


def _normalise(domain: str) -> str | None:
    """The host to ask about ("https://Example.com/x" → "example.com"), or None when it is no host name."""
    host = domain.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host).split("/", 1)[0].split("?", 1)[0].rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host if _HOSTNAME.match(host) else None


def _unexpected(detail: str) -> LookupFailed:
    """An answer not as documented: the detail is technical, kept as it is inside the sentence."""
    return LookupFailed(Reason("reason.lookup.unexpected", provider=LABEL, error=detail))


def _answer(status: int, text: str, retry_after: float | None) -> Any:
    """The JSON answer of a 200, or the failure its status means."""
    if status == 200:
        try:
            return json.loads(text)
        except ValueError as failure:
            raise _unexpected("not JSON") from failure
    said = text[:300].lower()
    # Running out of rows: Moz refuses rather than charging more. The documentation pages above
    # do not show that answer's body; a 402, or a 403/429 that speaks of the quota or of rows,
    # is taken as the account's monthly rows being spent — retrying would not help.
    if status == 402 or (status in (403, 429) and ("quota" in said or "rows" in said)):
        raise OutOfCredit(Reason("reason.lookup.no_credit", provider=LABEL, code="no_rows"))
    if status in (401, 403):
        raise RefusedKey(Reason("reason.lookup.refused_key", provider=LABEL, code="key"))
    if status == 429 or status >= 500:
        raise _Retryable(f"HTTP {status}", retry_after)
    raise _unexpected(f"HTTP {status}")


def _figures(domain: str, result: Any) -> SiteFigures | None:
    """One url_metrics result in neutral figures; None when Moz knows nothing of the site.

    Fields, as the url-metrics page defines them:
    - root_domains_to_root_domain: root domains with at least one link to any page of the root
      domain. This is referring domains: distinct registrable ("root") domains linking to the whole
      site. root_domains_to_subdomain misses links to other subdomains, root_domains_to_page counts
      only links to the home page, and *_pages_* fields count linking pages, not domains.
    - nofollow_root_domains_to_root_domain: those root domains linking with nofollow only.
    - domain_authority: Moz's Domain Authority, already on a 1-100 scale; rounded to a whole number.
    - last_crawled: the day Moz last crawled the page (absent or null when never crawled).
    Moz answers every target, even one outside its index, with zero counts. A site whose home page
    Moz never crawled and to which it knows no root domain linking is unknown to Moz: None.
    """
    if result is None:
        return None
    if not isinstance(result, dict):
        raise _unexpected("the lookup in an unexpected shape")
    referring = result.get("root_domains_to_root_domain")
    authority = result.get("domain_authority")
    nofollow = result.get("nofollow_root_domains_to_root_domain")
    if not _count(referring) or not (authority is None or _number(authority)):
        raise _unexpected("the lookup in an unexpected shape")
    if referring == 0 and not result.get("last_crawled"):
        return None
    return SiteFigures(
        domain=domain,
        referring_domains=int(referring),
        authority=None if authority is None else min(max(round(authority), 0), 100),
        nofollow_referring_domains=int(nofollow) if _count(nofollow) else None,
    )


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
