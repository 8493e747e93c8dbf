"""What a serving process logs (bot/core/logs.py): plain or JSON lines, the handled event's platform,
workspace and request id on each JSON line, and never a secret: the values of the secret settings
and anything shaped like a Slack or Discord token are replaced, in the log and in Sentry's reports."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import MemoryChat

from bot.core import logs
from bot.core.events import ChannelKey, Invoked
from bot.core.settings import Settings
from bot.engine import Engine
from bot.planning import knowledge
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
# Shaped like the real ones (made up): a Slack bot token, an app token, a Discord bot token.
BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789"
DISCORD = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
PROVIDER_KEY = "login@example.com:pa55-w0rd-of-the-provider"
SECRET_ENV = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_APP_TOKEN": APP_TOKEN,
    "DISCORD_TOKEN": DISCORD,
    "BACKLINKS_PROVIDER": "dataforseo",
    "BACKLINKS_PROVIDER_KEY": PROVIDER_KEY,
}
SECRETS = (BOT_TOKEN, APP_TOKEN, DISCORD, PROVIDER_KEY, "pa55-w0rd-of-the-provider")

# A process with the secrets in its environment logs them (as an error from a library quoting a
# request could): one line with each, one exception quoting one, one token never configured here.
LEAKY = """
import logging, os, sys
from bot.core import logs
from bot.core.settings import Settings
logs.configure(Settings())
log = logging.getLogger("bot.leaky")
for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "BACKLINKS_PROVIDER_KEY"):
    log.warning("calling with %s=%s", name, os.environ[name])
try:
    raise RuntimeError("Slack refused " + os.environ["SLACK_BOT_TOKEN"])
except RuntimeError:
    log.exception("a request failed")
log.info("someone pasted xoxp-11111111-22222222-33333333-abcdefabcdef in a message")
"""


def leaky_run(log_format: str) -> str:
    env = {**os.environ, **SECRET_ENV, "BACKLINKS_LOG_FORMAT": log_format, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", LEAKY], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_tokens_in_the_environment_never_reach_the_log(log_format):
    out = leaky_run(log_format)
    for secret in SECRETS:
        assert secret not in out
    assert "xoxp-" not in out
    assert out.count(logs.HIDDEN) == 6  # four values, the exception's message (in its traceback), the pasted one
    if log_format == "json":
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert [line["message"] for line in lines][:2] == [
            "calling with SLACK_BOT_TOKEN=[redacted]",
            "calling with SLACK_APP_TOKEN=[redacted]",
        ]
        assert len(lines) == 6 and all(line["logger"] == "bot.leaky" for line in lines)
        assert "RuntimeError: Slack refused [redacted]" in lines[4]["exception"]
    else:
        assert "WARNING bot.leaky: calling with DISCORD_TOKEN=[redacted]" in out


async def test_a_json_line_logged_while_an_event_is_handled_names_its_platform_workspace_and_request(migrated_db):
    store = await Store.open(f"sqlite:///{migrated_db}")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter(logs.Redactor(Settings())))
    engine_log = logging.getLogger("bot.engine")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.DEBUG)
    try:
        engine = Engine(knowledge=knowledge.default(), store=store)
        here = ChannelKey("slack", "T42", "C7")
        await engine.handle(Invoked(here, "U1", "show", "", request="trigger-123"))
        await MemoryChat(engine, ChannelKey("discord", "G9", "C1"), "u2").say("help")
        logging.getLogger("bot.engine").info("outside any event")
    finally:
        engine_log.removeHandler(handler)
        engine_log.setLevel(logging.NOTSET)
        await store.close()
    first, second, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["platform"] == "slack" and first["workspace"] == "T42" and first["request_id"] == "trigger-123"
    assert first["message"].startswith("slack: show answered in ") and first["level"] == "DEBUG"
    assert second["platform"] == "discord" and second["workspace"] == "G9" and len(second["request_id"]) == 16
    assert "platform" not in outside and outside["message"] == "outside any event"


class SentryStandIn(BaseHTTPRequestHandler):
    """Sentry's ingest endpoint on loopback: keeps each envelope posted to /api/<project>/envelope/."""

    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        SentryStandIn.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


REPORTING = """
import sys
import sentry_sdk
from bot.core import logs
from bot.core.settings import Settings
assert logs.start_error_reports(Settings())
def connect(token):
    slack_bot_token = token  # a local variable named like a secret, and a value shaped like one
    raise ConnectionError("Slack refused " + token)
try:
    import os
    connect(os.environ["SLACK_BOT_TOKEN"])
except ConnectionError:
    sentry_sdk.capture_exception()
sentry_sdk.flush(timeout=10)
"""


def test_sentry_gets_the_error_without_its_secrets_and_only_when_a_dsn_is_set():
    SentryStandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SentryStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
        env = {**os.environ, **SECRET_ENV, "BACKLINKS_SENTRY_DSN": dsn, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", REPORTING], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    sent = b"".join(SentryStandIn.received).decode()
    assert "ConnectionError" in sent and "Slack refused [redacted]" in sent  # the error arrived
    for secret in SECRETS:
        assert secret not in sent
    assert not logs.start_error_reports(Settings(_env_file=None))  # no DSN: nothing started
