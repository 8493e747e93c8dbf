"""Drive the real Bolt app over loopback HTTP as Slack does: signed form bodies to /slack/events."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_standin import SlackStandIn

from adapters.slack.app import SlackAdapter
from adapters.slack.server import web_app
from bot.core.settings import Settings
from bot.engine import Engine
from bot.storage.store import Store

SECRET = "signing-secret"


def filled_state(view: Mapping[str, Any], answers: Mapping[str, str], *, file_object: Any = None) -> dict[str, Any]:
    """view.state as Slack sends it once a user filled the modal: `answers` is the text per block id
    (choices comma-separated; for a file input, the id of a file `file_object` describes)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, text = block["element"], answers.get(block["block_id"], "")
        kind = element["type"]
        if kind == "multi_static_select":
            wanted = [t.strip() for t in text.split(",")]
            state = {"type": kind, "selected_options": [o for o in element["options"] if o["value"] in wanted]}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": {"value": text} if text else None}
        elif kind == "file_input":
            state = {"type": kind, "files": [file_object(text)] if text else []}
        else:
            state = {"type": kind, "value": text or None}
        values[block["block_id"]] = {element["action_id"]: state}
    return {"values": values}


class SlackBot:
    """Talks to the bot's HTTP endpoint exactly as Slack does: form bodies, signed."""

    def __init__(self, port: int, standin: SlackStandIn, store: Store, session: aiohttp.ClientSession):
        self.url = f"http://127.0.0.1:{port}"
        self.standin = standin
        self.store = store
        self.session = session

    async def post(
        self, body: str, *, secret: str = SECRET, timestamp: int | None = None, json_body: bool = False
    ) -> aiohttp.ClientResponse:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
        }
        response = await self.session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers)
        await response.read()
        return response

    async def command(self, text: str, *, team="T1", channel="C1", user="U1", **extra) -> aiohttp.ClientResponse:
        body = {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/backlinks",
            "text": text,
            "api_app_id": "A1",
            "response_url": self.standin.response_url(f"{team}-{channel}"),
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            **extra,
        }
        return await self.post(urllib.parse.urlencode(body))

    async def event(self, team: str, event: Mapping[str, Any]) -> aiohttp.ClientResponse:
        """An Events API callback, JSON as Slack sends it."""
        body = {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": dict(event),
        }
        return await self.post(json.dumps(body), json_body=True)

    async def interaction(self, payload: Mapping[str, Any], **kwargs) -> aiohttp.ClientResponse:
        return await self.post("payload=" + urllib.parse.quote(json.dumps(payload)), **kwargs)

    async def submit(
        self, view: Mapping[str, Any], answers: Mapping[str, str], *, team="T1", user="U1", view_id: str | None = None
    ):
        """Fill the modal the bot opened with `answers` (text per question id) and submit it."""
        return await self.interaction(self.submission(view, answers, team=team, user=user, view_id=view_id))

    def submission(
        self, view: Mapping[str, Any], answers: Mapping[str, str], *, team="T1", user="U1", view_id: str | None = None
    ) -> dict[str, Any]:
        """A view_submission payload; Slack names the view (id, hash) it opened."""
        values = filled_state(view, answers, file_object=self.standin.file_object)["values"]
        view_id = view_id or f"V{time.monotonic_ns()}"
        return {
            "type": "view_submission",
            "team": {"id": team, "domain": team.lower()},
            "user": {"id": user, "team_id": team},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "view": {**view, "id": view_id, "hash": f"h-{view_id}", "state": {"values": values}},
        }

    async def press(self, action: str, *, team="T1", channel="C1", user="U1") -> aiohttp.ClientResponse:
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": team.lower()},
            "user": {"id": user, "team_id": team},
            "channel": {"id": channel, "name": "general"},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "response_url": self.standin.response_url(f"button-{team}-{channel}"),
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.0"},
            "actions": [{"type": "button", "action_id": action, "block_id": "b", "value": action, "action_ts": "1"}],
        }
        return await self.interaction(payload)


async def serve(settings: Settings, standin: SlackStandIn):
    store = await Store.open(settings.database_url)
    adapter = SlackAdapter(engine=Engine(knowledge=_knowledge(), store=store), settings=settings)
    runner = web.AppRunner(web_app(adapter, store), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    session = aiohttp.ClientSession()
    bot = SlackBot(port, standin, store, session)
    bot.adapter = adapter
    return bot, runner


def _knowledge():
    from bot.planning import knowledge

    return knowledge.default()
