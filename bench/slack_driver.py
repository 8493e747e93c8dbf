"""The benchmarks' one way to drive Slack: the servers, the plan form, and signed requests.

Ours is served as the tests serve it (tests/helpers/slack_client.serve: the real SlackAdapter and
Bolt app on our aiohttp app, over loopback HTTP, in HTTP mode whatever the environment says), the
floor is the bare Bolt app that only acks (bench/bare_slack.py), both against the tests' Web API
stand-in (tests/helpers/slack_standin.py). Every request is a body the tests build, signed as Slack
signs it (slack_client: command_form, view_submission, interaction_body, signed_headers): a
benchmark measures what the tests check.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import common  # noqa: F401 - puts the tree and the tests' helpers on the path
from aiohttp import web
from bare_slack import bare_app
from loopback import listen
from slack_client import (
    SlackBot,
    command_form,
    interaction_body,
    serve,
    signed_headers,
    slack_settings,
    view_submission,
)
from slack_standin import SlackStandIn

from adapters.slack.server import EVENTS_PATH

TEAM = "T1"  # the workspace of the stand-in's bot token
BUSY = b"did not take this yet"  # the words of the "busy, try again" answer on a form (bot/intake/)
CONCURRENCY = 16


@dataclass
class Served:
    """Ours (and the bare floor, if asked for) on loopback, and the stand-in they both call."""

    standin: SlackStandIn
    bot: SlackBot  # ours: its store, URL and session (the tests' client)
    runners: list[web.AppRunner] = field(default_factory=list)
    bare: str = ""  # the bare app's events URL ("" if not started)

    @property
    def ours(self) -> str:
        """Our events URL."""
        return self.bot.url + EVENTS_PATH

    @property
    def store(self) -> Any:
        return self.bot.store


@asynccontextmanager
async def served(
    database_url: str, *, lookups: bool = False, check: bool = True, bare: bool = False
) -> AsyncIterator[Served]:
    """Ours on this database (`lookups`: with the data providers' clients, as `serve` builds them),
    and with `bare` the floor beside it; `check`: the stand-in checks every body against Slack's
    spec (off where its checks would share the CPU with what is timed). Everything stops after."""
    standin = SlackStandIn(check=check)
    await standin.start()
    settings = slack_settings(
        standin,
        database_url,
        _env_file=None,
        slack_app_token=None,
        slack_client_id=None,
        slack_client_secret=None,
        slack_mode="http",
    )
    bot, runner = await serve(settings, standin, lookups=lookups)
    slack = Served(standin, bot, [runner])
    try:
        if bare:
            floor, port = await listen(bare_app(standin.api_url).web_app(path=EVENTS_PATH))
            slack.runners.append(floor)
            slack.bare = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        yield slack
    finally:
        await bot.session.close()
        for started in slack.runners:
            await started.cleanup()
        await bot.store.close()
        await standin.stop()


async def plan_modal(bot: SlackBot, channel: str = "CPLAN") -> dict[str, Any]:
    """The modal `/backlinks plan` opens, as Slack shows it to the user (the stand-in's views.open);
    `bot`: the tests' client of ours, in this process (Served.bot) or another (`backlinks serve`)."""
    opened = await bot.command("plan", channel=channel)
    if opened.status != 200:
        raise SystemExit(f"/backlinks plan: HTTP {opened.status}")
    return (await bot.standin.wait_for("views.open", timeout=10))[-1].body["view"]


def command_body(text: str, *, channel: str, response_url: str, trigger: str, team: str = TEAM) -> bytes:
    """`/backlinks <text>` as Slack posts it (a form body)."""
    form = command_form(text, team=team, channel=channel, response_url=response_url, trigger_id=trigger)
    return urllib.parse.urlencode(form).encode()


def submission_body(view: Mapping[str, Any], state: Mapping[str, Any], **metadata: str) -> bytes:
    """The plan modal submitted, filled in as `state` (slack_client.filled_state), its private
    metadata updated with `metadata` (the channel, the response_url): a new form each time."""
    private = {**json.loads(view.get("private_metadata") or "{}"), **metadata}
    return interaction_body(view_submission({**view, "private_metadata": json.dumps(private)}, state)).encode()


async def post(session: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, bytes, float, float]:
    """One signed request: (HTTP status, 0 if the connection failed; the answer; when it was sent;
    seconds until the answer was read)."""
    headers = signed_headers(body)
    sent = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            answer = await response.read()
            status = response.status
    except aiohttp.ClientError as error:
        answer, status = repr(error).encode(), 0
    return status, answer, sent, time.perf_counter() - sent
