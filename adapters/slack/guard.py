"""The door to Bolt: refuse unsigned or unreadable requests briefly, and log them briefly.

Bolt's own check raises on a timestamp that is not a number (a 500 with a traceback, not a 401),
crashes on a signed body whose `payload` is not JSON while it builds the request, and logs the
whole body of every refused request at INFO — 300 unsigned 1 MB requests wrote 312 MB of log in a
second. Here every refusal is one short line, and at most one such line per `RefusalLog.window`.
A request that passes is read once, here, and handed to Bolt's dispatch as read. A form's body
(`payload=` and the whole modal, percent-encoded: 24 kB for the plan form) is decoded in C
(binascii, else yarl), 0.05 ms, where Bolt's `urllib.parse.parse_qsl` took 1.25 ms — a fifth of
what a busy process spent on a submission; Bolt is given the payload's JSON, and does not check the signature
a second time (the adapter turns its check off where this door stands, see adapters/slack/app.py).
"""

from __future__ import annotations

import binascii
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from yarl import URL

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RefusalLog:
    """One short line per refused request, at most one line per `window` seconds; the lines that
    were held back are counted in the next one, so a flood shows as a count, not as gigabytes."""

    def __init__(self, logger: logging.Logger = log, *, window: float = 10.0, clock=time.monotonic):
        self.logger, self.window, self.clock = logger, window, clock
        self._last: float | None = None
        self._held = 0

    def note(self, reason: str) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.window:
            self._held += 1
            return
        held, self._held, self._last = self._held, 0, now
        suffix = f" ({held} more refused in the last {self.window:g} s, not logged)" if held else ""
        self.logger.warning("refused a Slack request: %s%s", reason[:200], suffix)


def door(app: AsyncApp, secret: str | None, refusals: RefusalLog) -> Handler:
    """The aiohttp handler of Bolt's events path: 401 for a bad signature or timestamp (what Bolt
    answers), 400 for a signed body Bolt cannot read (Slack never sends one, so a short reason is
    for whoever did; Slack shows its own error to the user either way); else Bolt's answer."""
    verifier = SignatureVerifier(secret) if secret else None

    async def events(request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        if verifier is not None and not _signed(verifier, raw, request.headers):
            refusals.note(f"bad signature or timestamp from {request.remote}")
            return web.json_response({"error": "invalid request"}, status=401)
        try:  # what Bolt's own handler does first; here its failure is a 400, not a 500
            body = _payload(raw) if verifier is not None else raw
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
            refusals.note(f"unreadable payload from {request.remote} ({type(error).__name__})")
            return web.Response(status=400, text="malformed payload")
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return events


def _payload(raw: str) -> str:
    """A form's `payload` field, decoded: the JSON Bolt reads (its own parse of a body that starts
    with "{"). Other bodies (JSON events, slash commands' short forms) are given to Bolt as they came."""
    if not raw.startswith("payload=") or "#" in raw:  # Slack encodes "#"; a bare one would end the URL
        return raw
    value = raw.removeprefix("payload=")
    payload = _unquoted(value) if "&" not in value else None  # one field: as Slack sends it
    if payload is None:  # yarl reads it as a query string; of two `payload` fields Bolt reads the last
        payload = URL("http://slack/?" + raw).query.getall("payload")[-1]
    return payload if payload.startswith("{") else raw  # anything else: Bolt's own reading and refusal


def _unquoted(value: str) -> str | None:
    """`urllib.parse.unquote_plus(value)`, in C: binascii's quoted-printable decoder reads "=XX" as
    the percent-decoder reads "%XX" (0.05 ms for the plan form, where yarl's parse of a new URL took
    0.21 and unquote_plus 1.05). Only for a value as Slack encodes it — ASCII, no "=" and no line
    break (which the decoder would read as its own) — and with every "%" starting an escape: each
    one shortens the text by two, and a2b_qp keeps or drops a "%" that starts none, so the length
    tells. Else None: read the slow way."""
    if not value.isascii() or "=" in value or "\n" in value or "\r" in value:
        return None
    decoded = binascii.a2b_qp(value.replace("+", " ").replace("%", "="))
    if len(decoded) != len(value) - 2 * value.count("%"):
        return None
    return decoded.decode("utf-8", "replace")  # as unquote_plus decodes the bytes


def _signed(verifier: SignatureVerifier, raw: str, headers) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    # Slack sends whole seconds; int() would also take " 12", "1_0" or raise on "1e10" and "abc".
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    return verifier.is_valid(raw, timestamp, headers.get("X-Slack-Signature", ""))
