"""Socket Mode end to end: `serve_socket_mode` runs slack-bolt's real AsyncSocketModeHandler (slack_sdk's
aiohttp client) against loopback stand-ins for Slack's Web API and its Socket Mode websocket.

What Slack does is scripted on the websocket: `hello`, then envelopes carrying the same slash command
and interaction payloads the HTTP tests post (SlackBot's builders), each waiting for the bot's ack.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from slack_client import SlackBot
from slack_standin import Call, SlackStandIn
from support import TYPED_ANSWERS, rows

from adapters.slack.app import SlackAdapter
from adapters.slack.server import serve_socket_mode
from bot.core.settings import Settings
from bot.engine import Engine
from bot.planning import knowledge
from bot.storage.store import Store

APP_TOKEN = "xapp-1-test"
ACK_SECONDS = 3.0  # Slack retries (and the user sees an error) when an envelope is not acked in time
ANSWERS = dict(TYPED_ANSWERS)
ANSWERS["strategies"] = "guest_posting, outreach"  # a multi-select sends option values


async def until(condition, what: str, timeout: float = 5.0):
    """Poll `condition` until it returns something truthy; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout}s")
        await asyncio.sleep(0.005)
    return result


@dataclass
class Connection:
    """One websocket the bot opened, seen from Slack's side."""

    ws: web.WebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)  # JSON text frames: acks
    pongs: list[bytes] = field(default_factory=list)
    pings_answered: int = 0
    closed_by_bot: asyncio.Event = field(default_factory=asyncio.Event)

    def ack_for(self, envelope_id: str) -> dict[str, Any] | None:
        return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)


@dataclass
class SocketModeStandIn(SlackStandIn):
    """SlackStandIn plus `apps.connections.open` (app-level token) and the websocket it hands out."""

    app_tokens: set[str] = field(default_factory=lambda: {APP_TOKEN})
    connections: list[Connection] = field(default_factory=list)
    socket_port: int = 0
    _socket_runner: web.AppRunner | None = None
    _envelopes: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.socket_port}/socket"

    async def start(self) -> None:
        await super().start()
        app = web.Application()
        app.router.add_get("/socket", self._socket)
        self._socket_runner = web.AppRunner(app, access_log=None)
        await self._socket_runner.setup()
        site = web.TCPSite(self._socket_runner, "127.0.0.1", 0)
        await site.start()
        self.socket_port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self._socket_runner.cleanup()
        await super().stop()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "apps.connections.open":
            return await super()._api(request)
        body = {k: v[0] for k, v in urllib.parse.parse_qs(await request.text()).items()}
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or body.get("token")
        self.calls.append(Call("apps.connections.open", body, token))
        if token not in self.app_tokens:
            # What Slack answers a bot token, or a revoked app token, here.
            return web.json_response({"ok": False, "error": "invalid_auth" if token else "not_authed"})
        return web.json_response({"ok": True, "url": self.socket_url})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)  # answer pings by hand to see the bot's pongs
        await ws.prepare(request)
        connection = Connection(ws)
        self.connections.append(connection)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-standin", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A1"},
            }
        )
        async for message in ws:  # ends on the bot's close frame (aiohttp answers it)
            if message.type == WSMsgType.TEXT:
                connection.received.append(json.loads(message.data))
            elif message.type == WSMsgType.PING:
                await ws.pong(message.data)
                connection.pings_answered += 1
            elif message.type == WSMsgType.PONG:
                connection.pongs.append(message.data)
        connection.closed_by_bot.set()
        return ws

    @property
    def connection(self) -> Connection:
        return self.connections[-1]

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send an envelope as Slack does and return the bot's ack, which must come within three seconds."""
        envelope_id = f"env-{next(self._envelopes)}-{time.monotonic_ns()}"
        connection = self.connection
        await connection.ws.send_json(
            {"envelope_id": envelope_id, "type": kind, "accepts_response_payload": True, "payload": payload}
        )
        return await until(
            lambda: connection.ack_for(envelope_id), f"no ack for {kind} envelope {envelope_id}", ACK_SECONDS
        )


class SocketSlack(SlackBot):
    """SlackBot's payload builders (command, submit, press), delivered as Socket Mode envelopes.

    `post` gets exactly the form body the HTTP tests send and returns the ack message.
    """

    def __init__(self, standin: SocketModeStandIn, store: Store):
        super().__init__(0, standin, store, session=None)

    async def post(self, body: str, **_: Any) -> dict[str, Any]:  # type: ignore[override]
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        if "payload" in form:
            return await self.standin.envelope("interactive", json.loads(form["payload"]))
        return await self.standin.envelope("slash_commands", form)


def plans(db_path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT c.workspace, c.channel, p.created_by, p.answers FROM plans p JOIN channels c ON c.id = p.channel_id",
    )


def leftover_tasks(baseline: set[asyncio.Task]) -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t not in baseline and t is not asyncio.current_task()]


async def assert_shut_down_cleanly(baseline: set[asyncio.Task], caplog) -> None:
    """No task of the bot is left pending and nothing was left unclosed (sessions, sockets)."""
    try:
        await until(lambda: not leftover_tasks(baseline), "tasks still pending after shutdown", 1.0)
    except AssertionError:
        raise AssertionError(f"tasks still pending after shutdown: {leftover_tasks(baseline)}") from None
    gc.collect()  # aiohttp reports an unclosed ClientSession when it is collected
    await asyncio.sleep(0)
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and any(w in r.getMessage() for w in ("Unclosed", "destroyed but it is pending"))
    ]
    assert problems == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert APP_TOKEN not in logged and "xoxb-T1" not in logged, "tokens are never logged"


async def close_leftover_socket_clients(baseline: set[asyncio.Task]) -> None:
    """Close Socket Mode clients a regression in `serve_socket_mode` left behind, so it spoils no other test."""
    from slack_sdk.socket_mode.aiohttp import SocketModeClient

    for task in leftover_tasks(baseline):
        frame = task.get_coro().cr_frame
        client = frame.f_locals.get("self") if frame is not None else None
        if isinstance(client, SocketModeClient):
            await client.close()


@pytest.fixture
def socket_settings(db_path, monkeypatch) -> Settings:
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # Bolt would read them itself

    def settings(api_url: str) -> Settings:
        return Settings(
            database_url=f"sqlite:///{db_path}",
            slack_app_token=APP_TOKEN,
            slack_bot_token="xoxb-T1",
            slack_signing_secret=None,  # Socket Mode needs none
            slack_api_url=api_url,
            slack_mode="socket",
        )

    return settings


@pytest.fixture
async def socket_slack(socket_settings, caplog):
    """The bot running `serve_socket_mode` as production does, connected to the stand-in."""
    caplog.set_level(logging.INFO)
    baseline = asyncio.all_tasks()
    standin = SocketModeStandIn()
    await standin.start()
    settings = socket_settings(standin.api_url)
    store = await Store.open(settings.database_url)
    adapter = SlackAdapter(engine=Engine(knowledge=knowledge.default(), store=store), settings=settings)
    serving = asyncio.create_task(serve_socket_mode(adapter, settings))
    try:
        await until(lambda: standin.connections or serving.done(), "the bot did not connect")
        assert not serving.done(), f"serve_socket_mode ended: {serving.exception()!r}"
        [opened] = standin.of("apps.connections.open")
        assert opened.token == APP_TOKEN, "the websocket URL is asked for with the app-level token"
        bot = SocketSlack(standin, store)
        bot.serving = serving
        yield bot
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(serving, 5)
        await store.close()
        await standin.stop()
    await assert_shut_down_cleanly(baseline, caplog)


async def test_help_is_answered_privately_on_the_ack_at_once(socket_slack):
    started = time.monotonic()
    ack = await socket_slack.command("help")
    assert time.monotonic() - started < ACK_SECONDS
    reply = ack["payload"]  # a ready answer travels on the ack: no extra request to Slack
    assert reply["response_type"] == "ephemeral"
    text = "\n".join(b["text"]["text"] for b in reply["blocks"] if b["type"] == "section")
    for command in ("plan", "show", "why", "help"):
        assert f"`/backlinks {command}" in text
    assert socket_slack.standin.of("respond") == [] and socket_slack.standin.of("chat.postMessage") == []


async def test_plan_opens_the_modal_and_a_valid_submission_posts_and_stores_the_plan(socket_slack, db_path):
    standin = socket_slack.standin
    ack = await socket_slack.command("plan")
    assert set(ack) == {"envelope_id"}
    [opened] = await standin.wait_for("views.open")
    assert opened.token == "xoxb-T1", "Web API calls use the bot token, not the app-level token"
    assert opened.body["trigger_id"].startswith("trigger-")
    view = opened.body["view"]
    assert view["type"] == "modal" and view["callback_id"] == "backlinks_plan"
    assert json.loads(view["private_metadata"])["channel"] == "C1"

    ack = await socket_slack.submit(view, ANSWERS)
    assert set(ack) == {"envelope_id"}, f"the modal closes without errors, got {ack}"
    [post] = await standin.wait_for("chat.postMessage")
    assert post.body["channel"] == "C1" and post.token == "xoxb-T1"
    assert post.body["blocks"][0]["text"]["text"] == "Backlink plan for example.com"
    assert [e["action_id"] for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "replan",
        "details",
    ]
    [(team, channel, user, answers)] = plans(db_path)
    assert (team, channel, user) == ("T1", "C1", "U1")
    assert json.loads(answers)["strategies"] == ["guest_posting", "outreach"]


async def test_an_invalid_submission_gets_its_errors_on_the_ack_and_nothing_is_stored(socket_slack, db_path):
    await socket_slack.command("plan")
    [opened] = await socket_slack.standin.wait_for("views.open")
    ack = await socket_slack.submit(opened.body["view"], {**ANSWERS, "authority": "150", "competitors": "lots"})
    payload = ack["payload"]
    assert payload["response_action"] == "errors"
    assert set(payload["errors"]) == {"authority", "competitors"}
    assert "between 0 and 100" in payload["errors"]["authority"]
    assert plans(db_path) == [] and rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]
    assert socket_slack.standin.of("chat.postMessage") == []


async def test_a_button_on_the_plan_is_acked_and_answers_only_the_clicker(socket_slack):
    standin = socket_slack.standin
    await socket_slack.command("plan")
    [opened] = await standin.wait_for("views.open")
    await socket_slack.submit(opened.body["view"], ANSWERS)
    await standin.wait_for("chat.postMessage")
    ack = await socket_slack.press("details")
    assert set(ack) == {"envelope_id"}
    details = await standin.wait_for("respond")  # the figures are long: more than one message
    assert all(d.body["response_type"] == "ephemeral" and d.body["replace_original"] is False for d in details)
    assert "The figures behind the plan" in json.dumps(details[0].body)


async def test_slacks_pings_are_answered(socket_slack):
    connection = socket_slack.standin.connection
    await until(lambda: connection.pings_answered, "the bot sent no ping of its own on connecting")
    await connection.ws.ping(b"slack-ping")
    await until(lambda: b"slack-ping" in connection.pongs, "no pong for Slack's ping")


async def test_a_disconnect_message_makes_the_bot_reconnect_and_keep_working(socket_slack):
    standin = socket_slack.standin
    first = standin.connection
    await first.ws.send_json({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "x"}})
    await until(lambda: len(standin.connections) == 2, "the bot did not open a new websocket")
    assert len(standin.of("apps.connections.open")) == 2, "a fresh URL is asked for"
    assert all(c.token == APP_TOKEN for c in standin.of("apps.connections.open"))
    await until(lambda: first.closed_by_bot.is_set(), "the old websocket was not closed")
    ack = await socket_slack.command("help")  # on the new connection
    assert ack["payload"]["response_type"] == "ephemeral"


async def test_cancelling_the_server_closes_the_websocket(socket_slack):
    connection = socket_slack.standin.connection
    socket_slack.serving.cancel()
    await until(lambda: connection.closed_by_bot.is_set(), "the websocket was left open", 5.0)
    # The fixture then checks that no task of the bot is left pending and nothing was left unclosed.


async def test_cancelling_while_still_connecting_leaves_nothing_behind(socket_settings, caplog):
    """SIGTERM while slack_sdk keeps retrying a refused apps.connections.open (every 10 s, forever)."""
    caplog.set_level(logging.INFO)
    baseline = asyncio.all_tasks()
    standin = SocketModeStandIn(app_tokens=set())  # the app-level token was revoked
    await standin.start()
    settings = socket_settings(standin.api_url)
    store = await Store.open(settings.database_url)
    adapter = SlackAdapter(engine=Engine(knowledge=knowledge.default(), store=store), settings=settings)
    serving = asyncio.create_task(serve_socket_mode(adapter, settings))
    try:
        await standin.wait_for("apps.connections.open")
        assert not serving.done() and standin.connections == []
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(serving, 5)
        await store.close()
        await standin.stop()
        await assert_shut_down_cleanly(baseline, caplog)
    finally:
        await close_leftover_socket_clients(baseline)
