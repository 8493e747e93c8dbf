"""The benchmarks' one way to drive Slack: the servers, the plan form, signed requests fired by
concurrent clients (fire) and the background work drained after (drain), and what the stand-in
received after the acks (Deliveries).

Servers:
  bare   slack-bolt's AsyncApp with the same signing secret, the same Web API stand-in as base URL
         and the same single-workspace token, whose `/backlinks` command and plan-modal listeners
         only `await ack()` (bench/bare_slack.py): the floor.
  ours   adapters.slack.server.web_app(SlackAdapter(Engine(knowledge, store, lookups), Settings(...)), store)
         on a temporary SQLite database, served as the tests serve it (slack_client.serve), with the
         data providers' lookups as `serve` builds them (none connected).

Ours is served as the tests serve it (tests/helpers/slack_client.serve: the real SlackAdapter and
Bolt app on our aiohttp app, over loopback HTTP, in HTTP mode whatever the environment says), the
floor is the bare Bolt app that only acks (bench/bare_slack.py), both against the tests' Web API
stand-in (tests/helpers/slack_standin.py). Every request is a body the tests build, signed as Slack
signs it (slack_client: command_form, view_submission, interaction_body, signed_headers): a
benchmark measures what the tests check.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from bare_slack import bare_app
from common import drive, wait_until  # common also puts the tree and the tests' helpers on the path
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
from bot.core.events import ChannelKey
from bot.monthly.progress_store import ProgressStore

TEAM = "T1"  # the workspace of the stand-in's bot token
BUSY = b"did not take this yet"  # the words of the "busy, try again" answer on a form (bot/intake/)
CONCURRENCY = 16
DRAIN_SECONDS = 60.0  # give up (and say so) if the background work has not finished by then


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


@dataclass
class Run:
    """One timed run of a scenario."""

    elapsed: float  # first request sent → last HTTP response read
    sent: list[float]  # perf_counter when each request was sent
    latencies: list[float]  # seconds until each HTTP response was read
    failures: list[str]
    delivered: list[float] = field(default_factory=list)  # seconds until each answered request's reply arrived
    delivered_elapsed: float = 0.0  # first request sent → last reply reached the stand-in
    order: list[int] = field(default_factory=list)  # request index of each figure above
    ok: list[bool] = field(default_factory=list)  # whether each request got the expected answer
    busy: int = 0  # answered "busy, try again" on the form (not acknowledged: nothing was taken)
    pending_at_end: int = 0  # Bolt listener tasks still running when the last response was read
    drain: float = 0.0  # seconds from the last response until the background work was done


async def fire(
    session: aiohttp.ClientSession,
    url: str,
    bodies: list[bytes],
    seconds: float = float("inf"),
    concurrency: int = CONCURRENCY,
    expect: Callable[[bytes], bool] = lambda answer: not answer,
) -> Run:
    """Post the bodies with `concurrency` client tasks, each sending its next as soon as it got an answer.

    After `seconds` no new request is sent (a slow server must not stretch the run past a minute);
    the run then covers the requests sent so far.
    """
    sent: list[float] = []
    latencies: list[float] = []
    ok: list[bool] = []
    failures: list[str] = []
    order: list[int] = []  # request index of each figure in sent, latencies and ok
    busy = 0

    async def one(i: int) -> None:
        nonlocal busy
        status, answer, start, latency = await post(session, url, bodies[i])
        sent.append(start)
        latencies.append(latency)
        # An empty 200 (a bare ack, a modal closed), or the reply itself riding on the ack.
        ok.append(status == 200 and expect(answer))
        if ok[-1] and answer:
            fire.last_answer = answer
        if not ok[-1] and BUSY in answer:
            busy += 1  # backpressure (bot/intake/), not a failure: the form stays open
        elif not ok[-1]:
            failures.append(f"HTTP {status} after {latency:.2f} s: {answer[:200]!r}")
        order.append(i)

    started = time.perf_counter()
    await drive(len(bodies), one, concurrency=concurrency, seconds=seconds)
    return Run(time.perf_counter() - started, sent, latencies, failures, order=order, ok=ok, busy=busy)


fire.last_answer = b""  # the last non-empty answer, to check what the bot replied


def bolt_tasks() -> list[asyncio.Task]:
    """Bolt's listener tasks still running (it runs listeners with ensure_future and keeps no handle)."""
    running = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        # Bolt's listeners, and ours that the inbox (bot/intake/) works after the ack.
        inbox = code is not None and code.co_filename.endswith(os.path.join("bot", "intake", "service.py"))
        if not task.done() and code is not None and ("slack_bolt" in code.co_filename or inbox):
            running.append(task)
    return running


async def drain(done: Callable[[], bool], what: str) -> float:
    """Wait until `done()` and no Bolt listener task is left; the seconds it took."""
    return await wait_until(lambda: done() and not bolt_tasks(), f"{what}: background work", seconds=DRAIN_SECONDS)


class Deliveries:
    """What the stand-in received after the acks: when each channel's plan was posted, the files
    shared, and a tally of the Web API calls (the stand-in's record is dropped after every run)."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.api_calls: dict[str, int] = {}  # Web API method → calls the stand-in answered, over the whole run
        self.last_post: dict[str, Any] = {}  # the body of the latest chat.postMessage
        self.last_upload: Any = None  # the latest file shared into a channel, with its message
        self._posted: dict[str, float] = {}  # chat.postMessage channel → when it reached the stand-in
        self._read = 0  # the stand-in's calls read into _posted so far

    def posted(self) -> dict[str, float]:
        """When each channel's chat.postMessage reached the stand-in, reading only the calls new since last time."""
        calls = self.standin.calls
        for call in calls[self._read :]:
            if call.method == "chat.postMessage":
                self._posted[call.body["channel"]] = call.arrived
                self.last_post = call.body
        self._read = len(calls)
        return self._posted

    def uploaded(self) -> int:
        """Files shared into a channel (files.completeUploadExternal) since the last `forget`."""
        return sum(1 for call in self.standin.calls if call.method == "files.completeUploadExternal")

    def forget(self) -> None:
        """Drop the stand-in's record of every call so far (it keeps each body otherwise), counting them."""
        for call in self.standin.calls:
            if call.method not in ("respond", "download"):  # Web API methods only
                self.api_calls[call.method] = self.api_calls.get(call.method, 0) + 1
        self.standin.calls.clear()
        for upload in self.standin.uploads.values():
            if upload.channel is not None:
                self.last_upload = upload
        self.standin.uploads.clear()
        self._posted.clear()
        self._read = 0


async def plans_to_show(bench: Any, show: str, chart: str, store: Any) -> None:
    """A plan in channel `show`, made now; one in `chart`, moved three months back with a month logged,
    so that `show` there draws its progress chart. Both through the plan form, as users make them;
    `bench` is bench_slack's Bench (its session, our URL, the plan form and its filled state)."""
    import sqlalchemy as sa

    from bot.storage.schema import channels, plans

    for channel in (show, chart):
        run = await fire(bench.session, bench.ours, [submission_body(bench.view, bench.state, channel=channel)])
        if run.failures:
            raise SystemExit(f"the plan for {channel}: {run.failures[0]}")
    await drain(lambda: all(c in bench.posted() for c in (show, chart)), "the plans to show")
    bench.forget()
    made = dt.datetime.now(dt.UTC) - dt.timedelta(days=95)
    async with store.engine.begin() as connection:
        found = sa.select(channels.c.id).where(channels.c.channel == chart)
        channel_id = (await connection.execute(found)).scalar_one()
        await connection.execute(sa.update(plans).where(plans.c.channel_id == channel_id).values(created_at=made))
    await ProgressStore.on(store).log(ChannelKey("slack", TEAM, chart), "U1", f"{made:%Y-%m}", count=3, domains=[])
