"""One call to DataForSEO's API: the key and its Basic auth, the envelope every answer comes in, its
status codes, the rate limits, and the retries.

Every answer is the same envelope (https://docs.dataforseo.com/v3/appendix/errors/): HTTP 200 almost
always, with a request-level ``status_code`` (20000 is "Ok.") and one per task in ``tasks[]``;
HTTP 401, 402, 404 and 500 are the only other statuses documented. The internal codes this client
acts on are listed below. What is sent: the domains and the documented options named in each call
(bodies.py), nothing about the user or the workspace.

Rate limits (https://docs.dataforseo.com/v3/, "Rate Limits"; https://dataforseo.com/help-center/rate-limits-and-request-limits):
a per-minute ceiling per account, told in the X-RateLimit-Limit and X-RateLimit-Remaining headers;
going over it answers internal code 40202, more than 30 calls at once 40209. DataForSEO documents no
429 and no Retry-After; a proxy in front of it may send them, and both are honoured anyway.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential, wait_random

from bot.lookups.provider import LookupFailed, OutOfCredit, Reason, RefusedKey
from providers.http import retry_after

API = "https://api.dataforseo.com/v3/"
# What a key looks like, said when one is refused (knowledge/reasons.yaml, in the reader's language).
KEY_HELP = "reason.key.dataforseo"
MAX_ATTEMPTS = 4
RATE_WINDOW = 60.0  # seconds: the documented limits are per minute, and no reset time is sent

# Internal status codes (https://docs.dataforseo.com/v3/appendix/errors/) → how this client reacts,
# each failure named by its `code` in knowledge/reasons.yaml (reason.lookup.refused_key, .no_credit).
OK = 20000
REFUSED = {
    40100: "login",  # not authorized: the login and API password refused
    40104: "verify",  # the account must be verified first
    40201: "paused",  # the account is paused
    40207: "ip",  # this server's IP address is not on the account's whitelist
}
NO_CREDIT = {
    40200: "no_money",  # Payment Required
    40203: "daily_limit",  # the account's own daily cost limit
    40204: "no_subscription",  # no active Backlinks API subscription
    40210: "low_balance",  # too little for this lookup
}
LABEL = "DataForSEO"


def refused(code: int | None) -> RefusedKey:
    return RefusedKey(Reason("reason.lookup.refused_key", provider=LABEL, code=REFUSED.get(code or 0, "login")))


def no_credit(code: int | None) -> OutOfCredit:
    return OutOfCredit(Reason("reason.lookup.no_credit", provider=LABEL, code=NO_CREDIT.get(code or 0, "no_money")))


def failed(error: str) -> LookupFailed:
    """An answer not as documented (a status, a shape): the detail is the API's, as it said it."""
    return LookupFailed(Reason("reason.lookup.unexpected", provider=LABEL, error=error))


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
        raise ValueError(Reason(KEY_HELP, spaces=False))
    if any(ch.isspace() or not ch.isprintable() for ch in login + password):
        raise ValueError(Reason(KEY_HELP, spaces=True))
    return login, password


class Connection:
    """The HTTP session to DataForSEO for one key: calls, retries, the rate limit it was told of, and
    what the answers cost."""

    def __init__(self, key: str, *, base_url: str, timeout: float) -> None:
        login, password = parse_key(key)
        # Basic auth of "login:password" in UTF-8 (RFC 7617), the header DataForSEO's examples send.
        self._authorization = "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
        self._base = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.session: aiohttp.ClientSession | None = None
        self._quiet_until = 0.0  # time.monotonic() before which DataForSEO asked not to be called
        self.spent = 0.0  # USD, the sum of the answers' "cost" since this connection was made

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def call(self, method: str, path: str, body: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The first task of an answer, once its statuses say Ok. The whole call, retries and waits
        included, ends within `timeout`; timeouts, 5xx, 429 and DataForSEO's rate-limit and "try
        again later" codes are retried with backoff (tenacity), honouring Retry-After, and a wait
        that would not fit in what is left of the budget ends the call at once."""
        deadline = time.monotonic() + self.timeout
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
            async with asyncio.timeout(self.timeout):
                async for attempt in AsyncRetrying(
                    stop=stop, wait=pause, retry=retry_if_exception_type(_Again), reraise=True
                ):
                    with attempt:
                        return await self._once(method, path, body, deadline)
        except _Again as again:
            raise LookupFailed(Reason("reason.lookup.unavailable", provider=LABEL, error=str(again))) from again
        except TimeoutError as late:
            raise LookupFailed(Reason("reason.lookup.timeout", provider=LABEL, seconds=self.timeout)) from late
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _once(self, method: str, path: str, body: list[dict[str, Any]] | None, deadline: float) -> dict[str, Any]:
        if (wait := self._quiet_until - time.monotonic()) > 0:
            if time.monotonic() + wait >= deadline:
                raise LookupFailed(Reason("reason.lookup.rate_limited", provider=LABEL, seconds=round(wait)))
            await asyncio.sleep(wait)
        if self.session is None:
            self.session = aiohttp.ClientSession(headers={"Authorization": self._authorization})
        try:
            async with self.session.request(method, self._base + path, json=body) as response:
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
            raise refused(_code(envelope, REFUSED))
        if status == 402:
            raise no_credit(_code(envelope, NO_CREDIT))
        if status != 200:
            raise failed(f"HTTP {status} to {path}")
        if envelope is None:
            raise failed("not JSON")
        self._raise_for(envelope)
        tasks = envelope.get("tasks")
        if not isinstance(tasks, list) or not tasks or not isinstance(tasks[0], dict):
            raise failed("no task in it")
        self._raise_for(tasks[0])
        return tasks[0]

    def _raise_for(self, part: dict[str, Any]) -> None:
        """Act on a request-level or task-level status_code."""
        code = part.get("status_code")
        if code == OK:
            return
        said = str(part.get("status_message") or "")
        if code in REFUSED:
            raise refused(code)
        if code in NO_CREDIT:
            raise no_credit(code)
        if code in RATE_LIMITED:
            wait = RATE_LIMITED[code]
            if wait is not None:
                self._quiet_until = max(self._quiet_until, time.monotonic() + wait)
            raise _Again(f"{code} {said}".strip(), wait)
        if code in PASSING:
            raise _Again(f"{code} {said}".strip())
        raise failed(f"{code} {said}".strip())

    def _note_rate_limit(self, headers: Any) -> None:
        """X-RateLimit-Remaining: 0 means the next call in this minute would be refused (40202)."""
        try:
            remaining = int(headers.get("X-RateLimit-Remaining", ""))
        except ValueError:
            return
        if remaining <= 0:
            self._quiet_until = max(self._quiet_until, time.monotonic() + RATE_WINDOW)


async def together(calls: list[Any]) -> list[Any]:
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


# -- reading the envelope -------------------------------------------------------------------------


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
