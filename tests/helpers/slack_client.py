"""Drive the real Bolt app over loopback HTTP as Slack does: signed form bodies to /slack/events."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import aiohttp
from loopback import listen
from processes import BACKLINKS, CLEAN
from slack_sdk.signature import SignatureVerifier
from slack_standin import SlackStandIn

from adapters.slack.app import SlackAdapter
from adapters.slack.server import web_app
from bot.core.settings import Settings
from bot.engine import Engine
from bot.storage.store import Store

SECRET = "signing-secret"
TOKEN = "xoxb-T1"  # the single workspace's bot token, as the stand-in knows it by default


def slack_settings(standin: SlackStandIn, database_url: str, **overrides: Any) -> Settings:
    """Settings of a bot in one workspace whose Web API is the stand-in, over HTTP with this signing secret."""
    return Settings(
        database_url=database_url,
        slack_signing_secret=SECRET,
        slack_bot_token=TOKEN,
        slack_api_url=standin.api_url,
        **overrides,
    )


def signed_headers(
    body: str | bytes, *, secret: str = SECRET, timestamp: int | None = None, json_body: bool = False
) -> dict[str, str]:
    """The headers Slack sends with a body it signed (a form body unless `json_body`)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return {
        "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


def command_form(
    text: str, *, response_url: str, team="T1", channel="C1", user="U1", trigger_id: str | None = None, **extra
) -> dict[str, str]:
    """The form fields of `/backlinks <text>` as Slack posts them (urlencode them for the body)."""
    return {
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
        "response_url": response_url,
        "trigger_id": trigger_id or f"trigger-{time.monotonic_ns()}",
        **extra,
    }


def view_submission(
    view: Mapping[str, Any], state: Mapping[str, Any], *, team="T1", user="U1", view_id: str | None = None
) -> dict[str, Any]:
    """A view_submission payload for a view filled in as `state` (filled_state); Slack names the
    view (id, hash) it opened."""
    view_id = view_id or f"V{time.monotonic_ns()}"
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": team.lower()},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "trigger_id": f"trigger-{time.monotonic_ns()}",
        "view": {**view, "id": view_id, "hash": f"h-{view_id}", "state": dict(state)},
    }


def interaction_body(payload: Mapping[str, Any]) -> str:
    """An interaction (block_actions, view_submission) as Slack posts it: a form with one `payload` field."""
    return "payload=" + urllib.parse.quote(json.dumps(payload))


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
        headers = signed_headers(body, secret=secret, timestamp=timestamp, json_body=json_body)
        response = await self.session.post(f"{self.url}/slack/events", data=body.encode(), headers=headers)
        await response.read()
        return response

    async def command(self, text: str, *, team="T1", channel="C1", user="U1", **extra) -> aiohttp.ClientResponse:
        response_url = self.standin.response_url(f"{team}-{channel}")
        body = command_form(text, response_url=response_url, team=team, channel=channel, user=user, **extra)
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
        return await self.post(interaction_body(payload), **kwargs)

    async def submit(
        self, view: Mapping[str, Any], answers: Mapping[str, str], *, team="T1", user="U1", view_id: str | None = None
    ):
        """Fill the modal the bot opened with `answers` (text per question id) and submit it."""
        return await self.interaction(self.submission(view, answers, team=team, user=user, view_id=view_id))

    def submission(
        self, view: Mapping[str, Any], answers: Mapping[str, str], *, team="T1", user="U1", view_id: str | None = None
    ) -> dict[str, Any]:
        """A view_submission payload; Slack names the view (id, hash) it opened."""
        state = filled_state(view, answers, file_object=self.standin.file_object)
        return view_submission(view, state, team=team, user=user, view_id=view_id)

    async def press(
        self, action: str, *, team="T1", channel="C1", user="U1", value: str | None = None
    ) -> aiohttp.ClientResponse:
        """A button with this action id pressed (its value: the action id, unless given)."""
        return await self.interaction(self.pressed(action, team=team, channel=channel, user=user, value=value))

    def pressed(
        self,
        action: str,
        *,
        team="T1",
        channel="C1",
        user="U1",
        value: str | None = None,
        trigger: str | None = None,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """The block_actions payload of that press (`trigger`: its trigger id; `reply_to`: the
        stand-in's response_url name), to send once or replay."""
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": team.lower()},
            "user": {"id": user, "team_id": team},
            "channel": {"id": channel, "name": "general"},
            "api_app_id": "A1",
            "trigger_id": trigger or f"trigger-{time.monotonic_ns()}",
            "response_url": self.standin.response_url(reply_to or f"button-{team}-{channel}"),
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.0"},
            "actions": [
                {"type": "button", "action_id": action, "block_id": "b", "value": value or action, "action_ts": "1"}
            ],
        }
        return payload


async def install(slack: SlackBot, team: str = "T2") -> None:
    """Go through the OAuth install as a browser does; the stand-in's oauth.v2.access grants `team`."""
    started = await slack.session.get(f"{slack.url}/slack/install", allow_redirects=False)
    state = re.search(r"state=([\w-]+)", await started.text()).group(1)
    cookie = started.headers["Set-Cookie"].split(";")[0]  # a Secure cookie: sent back by hand over http
    done = await slack.session.get(
        f"{slack.url}/slack/oauth_redirect?code=code-{team}&state={state}", headers={"Cookie": cookie}
    )
    assert done.status == 200, await done.text()


async def serve(settings: Settings, standin: SlackStandIn, *, lookups: bool = False):
    """The bot's web app on loopback (`lookups`: with the data providers' clients, as `serve` builds
    them from the settings; BACKLINKS_PROVIDER_URL points them at a stand-in)."""
    store = await Store.open(settings.database_url)
    extra = {}
    if lookups:
        from bot.app.lookups import lookups_for

        extra["lookups"] = lookups_for(store, settings)
    adapter = SlackAdapter(engine=Engine(knowledge=_knowledge(), store=store, **extra), settings=settings)
    runner, port = await listen(web_app(adapter, store))
    session = aiohttp.ClientSession()
    bot = SlackBot(port, standin, store, session)
    bot.adapter = adapter
    return bot, runner


def _knowledge():
    from bot.planning import knowledge

    return knowledge.default()


def serve_process(url: str, standin: SlackStandIn, port: int, *, role: str = "web", **env: str) -> subprocess.Popen:
    """The real `backlinks serve --role web` (Slack over HTTP, one workspace) on this database and
    port, its Web API the stand-in; `env`: more settings (BACKLINKS_INBOX_LEASE_SECONDS="2", …).
    `role="worker"`: the Procfile's worker beside it, which works the forms a full web process shares."""
    variables = {
        **CLEAN,
        "DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": standin.api_url,
        "PORT": str(port),
        "BACKLINKS_HOST": "127.0.0.1",
        "BACKLINKS_LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen([BACKLINKS, "serve", "--role", role], env=variables, stderr=subprocess.PIPE, text=True)
