"""How a serving process logs: plain lines, or one JSON object a line (BACKLINKS_LOG_FORMAT=json)
for a log collector, each with the platform, workspace and request id of the event being handled;
and, with BACKLINKS_SENTRY_DSN, unhandled errors reported to Sentry. Either way no secret leaves:
the values of the secret settings, and anything shaped like a Slack or Discord token, are replaced
before a line is written or an error report is sent (an exception's message may quote a token).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import SecretStr

from bot.core.events import ChannelKey
from bot.core.settings import Settings

HIDDEN = "[redacted]"
# Slack's tokens (xoxb-, xoxp-, xapp-, …) and Discord's bot tokens (three dot-separated parts,
# the first the bot's id in base64), wherever they appear, whether or not this process has them.
TOKEN_SHAPES = re.compile(
    r"\bxox[abeoprs]-[A-Za-z0-9-]{6,}|\bxapp-[A-Za-z0-9-]{6,}|\b[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6,7}\.[\w-]{27,}"
)
# The event being handled (engine.handle sets it): what every line logged meanwhile carries.
_request: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("backlinks_request", default=None)


@contextlib.contextmanager
def handling(channel: ChannelKey, request: str | None) -> Iterator[None]:
    """Lines logged inside carry this event's platform, workspace and request id (the platform's
    id for it when there is one, else a fresh one, so one event's lines can be found together)."""
    token = _request.set(
        {"platform": channel.platform, "workspace": channel.workspace, "request_id": request or uuid.uuid4().hex[:16]}
    )
    try:
        yield
    finally:
        _request.reset(token)


class Redactor:
    """Replaces the secrets of these settings, and token-shaped text, in a string."""

    def __init__(self, settings: Settings):
        values = []
        for name in type(settings).model_fields:
            value = getattr(settings, name)
            if isinstance(value, SecretStr):
                values += [part.strip() for part in value.get_secret_value().split(",")]
        # Longest first, so a secret that contains another is hidden whole; short ones would hide
        # ordinary words (a test's "x"), and no real secret is that short.
        secrets = sorted({v for v in values if len(v) >= 8}, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, secrets))) if secrets else None

    def __call__(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(HIDDEN, text)
        return TOKEN_SHAPES.sub(HIDDEN, text)

    def scrubbed(self, value: Any) -> Any:
        """The same replacement in every string of a JSON-like structure (a Sentry event)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {k: self.scrubbed(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrubbed(v) for v in value]
        return value


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the event's platform, workspace and
    request id when one is being handled, and the traceback of an exception."""

    def __init__(self, redact: Redactor):
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(_request.get() or {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(line, ensure_ascii=False, default=str))


def configure(settings: Settings) -> None:
    """The root logger of a serving process: its level, its format, its secrets hidden."""
    redact = Redactor(settings)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(redact) if settings.log_format == "json" else TextFormatter(redact))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


class SentryMissing(RuntimeError):
    """BACKLINKS_SENTRY_DSN is set but sentry-sdk is not installed."""


def start_error_reports(settings: Settings) -> bool:
    """Report unhandled errors (and errors logged) to Sentry, when BACKLINKS_SENTRY_DSN is set.
    Returns whether it was started."""
    if settings.sentry_dsn is None:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
    except ImportError:
        raise SentryMissing("BACKLINKS_SENTRY_DSN is set, but sentry-sdk is not installed") from None
    redact = Redactor(settings)

    def scrubbed(event: dict, _hint: dict) -> dict:
        return redact.scrubbed(event)

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        send_default_pii=False,  # no user ids, IPs or request bodies
        # Variables named like secrets are blanked by Sentry's own scrubber, in nested values too;
        # every string left is then searched for the secrets' values themselves.
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, "key", "signing_secret", "dsn"], recursive=True),
        before_send=scrubbed,
        before_send_transaction=scrubbed,
    )
    return True
