"""A loopback stand-in for Discord (gateway websocket + REST API) that the real discord.py client talks to.

One aiohttp server on 127.0.0.1 serves the gateway at ``/gateway`` and the REST API under ``/api/v10``.
``steer_discord(standin)`` is the one place that points discord.py at it (two undocumented switches; the
version is pinned in pyproject). A test starts its real client, pushes ``INTERACTION_CREATE`` dispatches
built by ``slash_command`` / ``modal_submit`` / ``button`` / ``select`` and asserts the exact REST calls the
bot made (``calls``, ``wait_for``). Every REST call is recorded; routes the stand-in does not know answer
404 and land in ``unexpected`` too, so a test can assert that nothing surprising happened.

Modelled behaviour (as Discord does it):
- the initial response is ``POST /interactions/{id}/{token}/callback?with_response=1`` and answers
  ``{"interaction": {...}, "resource": {"type": t, "message"?: {...}}}``; a second one answers 400 (40060);
  after ``expire(id)`` (or for an interaction the stand-in never saw) it answers 404 (10062);
- a follow-up (``POST /webhooks/{app}/{token}``) before any response answers 404 (10015); the first
  follow-up after a deferred "thinking" response (type 5) *replaces* the loading message, keeping its id
  and the ephemerality chosen at defer time; later follow-ups are new messages;
- ``@original`` is the response message (for components after type 6/7: the message the component is on);
  after ``expire_token(token)`` every webhook call with that token answers 401 (50027);
- every request body is checked against the limits the bot keeps to (adapters/discord/limits.py: 6,000
  characters over a message's embeds, a pre-fill within its max_length, …) and, where Discord's OpenAPI
  spec is present, against its schema (``discord_spec``, ``platform_specs``); a body Discord would
  refuse answers 400 "Invalid Form Body" (50035) naming the field, changes nothing, and lands in
  ``invalid`` too.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord_spec
import orjson
from aiohttp import WSMsgType, web
from loopback import listen

from adapters.discord import limits

API_VERSION = 10
DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bit sets as Discord sends them (decimal strings).
MEMBER_PERMISSIONS = str(
    (1 << 6)  # add reactions
    | (1 << 10)  # view channel
    | (1 << 11)  # send messages
    | (1 << 14)  # embed links
    | (1 << 15)  # attach files
    | (1 << 16)  # read message history
    | (1 << 31)  # use application commands
)
MANAGE_GUILD_PERMISSIONS = str(int(MEMBER_PERMISSIONS) | (1 << 5))
ADMIN_PERMISSIONS = str((1 << 51) - 1)  # what Discord sends for an administrator: every bit

# Gateway opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11

# Interaction callback types.
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL, LAUNCH_ACTIVITY = 8, 9, 12
EPHEMERAL, LOADING = 1 << 6, 1 << 7  # message flags
_ATTACHMENT_IDS = itertools.count(1_100_000_000_000_000_000)


@dataclass
class Call:
    method: str  # "POST"
    path: str  # without the /api/v10 prefix: "/interactions/123/tok/callback"
    query: dict[str, str]
    json: Any  # the JSON body, or the payload_json part of a multipart body; None without a body
    files: dict[str, bytes] = field(default_factory=dict)  # uploaded files of a multipart body, by file name
    status: int = 0  # what the stand-in answered


@dataclass
class _Session:
    id: str
    seq: int = 0
    shard: list[int] | None = None


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    session: _Session | None = None

    @property
    def live(self) -> bool:
        return self.session is not None and not self.ws.closed


class DiscordStandIn:
    """Answers like Discord's gateway and REST API, on 127.0.0.1, recording every REST call."""

    def __init__(
        self,
        *,
        application_id: int = 1111,
        bot_user_id: int = 2222,
        guild_id: int = 3333,
        channel_id: int = 4444,
        user_id: int = 5555,
        heartbeat_interval: int = 41250,
        app_permissions: str = MANAGE_GUILD_PERMISSIONS,
    ) -> None:
        self.application_id = application_id
        self.bot_user_id = bot_user_id
        self.guild_id = guild_id  # defaults for the payload builders
        self.channel_id = channel_id
        self.user_id = user_id
        self.heartbeat_interval = heartbeat_interval
        self.app_permissions = app_permissions
        # The servers the bot is in, as Discord names them in READY (unavailable, each then sent whole
        # as GUILD_CREATE); a test changes it to play a server that removed the bot while it was away.
        self.member_of: list[int] = [guild_id]
        self.port = 0
        self.calls: list[Call] = []
        self.unexpected: list[Call] = []  # REST calls to routes the stand-in does not know (answered 404)
        self.invalid: list[Call] = []  # REST calls whose body Discord would refuse (answered 400, 50035)
        # Only a benchmark turns this off, for its timed runs: checking a body against Discord's spec
        # costs more than a client's whole answer, on the one CPU and event loop it shares with them.
        self.check = True
        self.identified = asyncio.Event()  # set while a client holds an identified (or resumed) connection
        self.identify_count = 0  # READYs sent, over all connections
        self.resume_count = 0  # RESUMEDs sent
        self.gateway_frames: list[dict[str, Any]] = []  # everything clients sent on the gateway
        # guild id (None: global) → registered commands as Discord echoes them
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.messages: dict[str, dict[str, Any]] = {}  # every message the bot created or a builder made
        self.interactions: dict[str, dict[str, Any]] = {}  # interaction id → payload (builders and dispatches)
        self.responses: dict[str, dict[str, Any]] = {}  # interaction id → the callback body the bot sent
        self._expired: set[str] = set()
        self._expired_tokens: set[str] = set()
        self._original: dict[str, str] = {}  # interaction token → @original message id
        self._refusals: list[list[Any]] = []  # [method, regex, status, body, times left]
        # Channels where the bot may post but lacks Attach Files: a message with files gets 403 50013.
        self.without_attach_files: set[str] = set()
        self._attachments: dict[str, bytes] = {}  # attachment id → content, served as the CDN
        self._connections: list[_Connection] = []  # in identify order; the last live one gets dispatches
        self._sessions: dict[str, _Session] = {}
        self._runner: web.AppRunner | None = None
        self._counter = itertools.count(1)

    # -- addresses ---------------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", f"/api/v{API_VERSION}/{{tail:.*}}", self._rest)
        app.router.add_get("/attachments/{id}/{name}", self._cdn)  # Discord's CDN, for attachments
        self._runner, self.port = await listen(app, shutdown_timeout=1.0)

    async def stop(self) -> None:
        for connection in self._connections:
            if not connection.ws.closed:
                await connection.ws.close(code=1001, message=b"stand-in stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.asynccontextmanager
    async def connected(self, client: Any, token: str = "token", timeout: float = 5.0) -> AsyncIterator[Any]:
        """Run ``client.start(token)`` as a task until it has identified; close it cleanly afterwards.

        Needs ``steer_discord(self)`` around it. Does not wait for ``on_ready``: discord.py sends it
        ``guild_ready_timeout`` (default 2 s) after READY; pass ``guild_ready_timeout=0`` to the client
        and ``await client.wait_until_ready()`` when a test needs it.
        """
        import discord

        if self.api_base != discord.http.Route.BASE:
            raise RuntimeError("discord.py is not steered to this stand-in: use `with steer_discord(standin):`")
        before = self.identify_count
        task = asyncio.create_task(client.start(token), name="discord-standin-client")
        try:
            deadline = time.monotonic() + timeout
            while self.identify_count <= before:
                if task.done():
                    task.result()  # raises what the client raised
                    raise AssertionError("the client stopped before it identified")
                if time.monotonic() > deadline:
                    raise AssertionError(f"the client did not identify within {timeout}s; calls: {self.summary()}")
                await asyncio.sleep(0.005)
            yield client
        finally:
            await client.close()
            try:
                await asyncio.wait_for(task, timeout)
            finally:
                if not task.done():
                    task.cancel()

    # -- steering the tests ------------------------------------------------------------------------

    def expire(self, interaction_id: int | str) -> None:
        """Later callbacks for this interaction answer 404 Unknown interaction (10062), as after 3 s."""
        self._expired.add(str(interaction_id))

    def expire_token(self, token: str) -> None:
        """Later webhook calls with this interaction token answer 401 Invalid Webhook Token (50027), as after 15 min."""
        self._expired_tokens.add(token)

    def refuse(
        self, method: str, path_regex: str, status: int = 403, code: int = 50013, message: str = "Missing Permissions"
    ) -> None:
        """The next request matching (method, path_regex) answers this error instead (once).

        Beware: discord.py retries 5xx after sleeping 1 s, 3 s, ...; prefer 4xx in fast tests.
        """
        self._refusals.append([method, path_regex, status, {"message": message, "code": code}, 1])

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT to the newest connection; discord.py then RESUMEs on a new connection."""
        await self._newest().ws.send_str(json.dumps({"op": RECONNECT, "d": None}))

    async def dispatch(self, event: str, data: dict[str, Any], connection: _Connection | None = None) -> float:
        """Send a dispatch (op 0) to a live connection (default: the newest); returns when the frame
        was handed to the websocket (time.perf_counter), for a benchmark's latencies."""
        connection = connection or self._newest()
        assert connection.session is not None
        connection.session.seq += 1
        frame = _dumps({"op": DISPATCH, "t": event, "s": connection.session.seq, "d": data})
        handed = time.perf_counter()
        await connection.ws.send_str(frame)
        return handed

    async def dispatch_interaction(
        self, payload: dict[str, Any], connection: _Connection | None = None
    ) -> dict[str, Any]:
        """Send INTERACTION_CREATE with this payload (from a builder, or hand-made) to a client (default:
        the newest)."""
        self.interactions[str(payload["id"])] = payload
        await self.dispatch("INTERACTION_CREATE", payload, connection)
        return payload

    @property
    def connections(self) -> list[_Connection]:
        """The live gateway connections, in the order their clients identified (the last gets dispatches)."""
        return [c for c in self._connections if c.live]

    def forget(self) -> list[Call]:
        """Drop the record of every REST call, interaction, response and message so far (a long run
        would keep them all); returns the calls dropped. Expired ids and tokens stay expired."""
        calls, self.calls = self.calls, []
        for kept in (self.interactions, self.responses, self.messages, self._original):
            kept.clear()
        return calls

    # -- reading what happened ---------------------------------------------------------------------

    def of(self, method: str, path_regex: str) -> list[Call]:
        """The recorded calls with this method whose path matches the regex (fully)."""
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    async def wait_for(self, method: str, path_regex: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The matching calls once `count` have arrived (the bot works after the gateway event)."""
        deadline = time.monotonic() + timeout
        while len(found := self.of(method, path_regex)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {count}× {method} {path_regex} within {timeout}s; calls so far: {self.summary()}"
                )
            await asyncio.sleep(0.005)
        return found

    async def wait_identified(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until `count` READYs have been sent in total (a restarted client identifies anew)."""
        deadline = time.monotonic() + timeout
        while self.identify_count < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.identify_count} identifications within {timeout}s, wanted {count}")
            await asyncio.sleep(0.005)

    def summary(self) -> list[str]:
        return [f"{c.method} {c.path} → {c.status}" for c in self.calls]

    def callback(self, interaction: dict[str, Any] | int | str) -> dict[str, Any]:
        """The initial response body the bot sent for an interaction (payload or id)."""
        key = str(interaction["id"] if isinstance(interaction, dict) else interaction)
        return self.responses[key]

    def original(self, interaction: dict[str, Any]) -> dict[str, Any] | None:
        """The @original message of an interaction, as it stands now."""
        message_id = self._original.get(interaction["token"])
        return None if message_id is None else self.messages.get(message_id)

    # -- interaction payloads ----------------------------------------------------------------------

    def user(self, user_id: int | None = None, name: str | None = None) -> dict[str, Any]:
        user_id = user_id or self.user_id
        name = name or f"user{user_id}"
        return {
            "id": str(user_id),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "bot": False,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": str(self.bot_user_id),
            "username": "Backlinks",
            "global_name": None,
            "discriminator": "0001",
            "avatar": None,
            "bot": True,
            "public_flags": 0,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
            "banner": None,
            "accent_color": None,
        }

    def guild(self, guild_id: int | None = None) -> dict[str, Any]:
        """A server as GUILD_CREATE carries it (with only the guilds intent: no members, no presences)."""
        guild_id = guild_id or self.guild_id
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": MEMBER_PERMISSIONS, "position": 0}
        channel = {k: v for k, v in self.channel(guild_id=guild_id).items() if k != "permissions"}
        return {
            "id": str(guild_id),
            "name": f"Server {guild_id}",
            "owner_id": str(self.user_id),
            "features": [],
            "roles": [{**everyone, "color": 0, "hoist": False, "managed": False, "mentionable": False}],
            "emojis": [],
            "stickers": [],
            "channels": [channel] if guild_id == self.guild_id else [],
            "threads": [],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "preferred_locale": "en-US",
        }

    def channel(self, channel_id: int | None = None, guild_id: int | None = None) -> dict[str, Any]:
        """A guild text channel as interactions carry it."""
        return {
            "id": str(channel_id or self.channel_id),
            "type": 0,
            "guild_id": str(guild_id or self.guild_id),
            "name": "general",
            "position": 0,
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "permission_overwrites": [],
            "permissions": self.app_permissions,
        }

    def message(
        self,
        content: str = "",
        *,
        components: list[dict[str, Any]] | None = None,
        channel_id: int | None = None,
        flags: int = 0,
    ) -> dict[str, Any]:
        """A message by the bot (stored, so edits to it work), e.g. the one a button sits on."""
        message = self._new_message(
            str(channel_id or self.channel_id), {"content": content, "components": components or [], "flags": flags}
        )
        return copy.deepcopy(message)

    def attachment(self, name: str, content: bytes) -> dict[str, Any]:
        """A file a user attached (served from the stand-in's CDN at its `url`)."""
        attachment_id = self._snowflake()
        self._attachments[attachment_id] = content
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{name}"
        return {
            "id": attachment_id,
            "filename": name,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": "text/csv",
        }

    async def _cdn(self, request: web.Request) -> web.Response:
        self.calls.append(Call("GET", f"/attachments/{request.match_info['id']}", {}, None, {}))
        content = self._attachments.get(request.match_info["id"])
        return web.Response(body=content) if content is not None else web.Response(status=404)

    def slash_command(
        self,
        group: str = "backlinks",
        sub: str | None = "plan",
        options: dict[str, Any] | None = None,
        *,
        attachments: dict[str, dict[str, Any]] | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        permissions: str = MEMBER_PERMISSIONS,
        locale: str = "en-US",
        command_guild_id: int | None | bool = True,
        dm: bool = False,
    ) -> dict[str, Any]:
        """A chat-input command: ``/group sub option:value ...`` (``sub=None``: a top-level command).

        Option types follow the Python value: str 3, int 4, bool 5, float 10; pass ``(type, value)`` for
        another type. ``command_guild_id=True`` (default) looks up how the command was synced: a guild
        command of this guild gets ``data.guild_id`` (discord.py needs it to find guild commands), a global
        one does not; a command never synced counts as a guild command (a CommandTree with its default
        ``fallback_to_global`` then finds global ones too). Pass an id or None to force it.
        """
        parameters = [_option(name, value) for name, value in (options or {}).items()]
        parameters += [{"name": name, "type": 11, "value": a["id"]} for name, a in (attachments or {}).items()]
        guild = None if dm else (guild_id or self.guild_id)
        if command_guild_id is True:  # as synced; never synced: a guild command (the tree falls back to global)
            command = self._registered(group, guild) if guild is not None else None
            command_guild_id = guild if command or not self._registered(group, None) else None
            command = command or self._registered(group, None)
        else:
            command = self._registered(group, command_guild_id)
        data: dict[str, Any] = {
            "id": command["id"] if command else self._snowflake(),
            "name": group,
            "type": 1,
            "options": [{"type": 1, "name": sub, "options": parameters}] if sub else parameters,
        }
        if command_guild_id:
            data["guild_id"] = str(command_guild_id)
        if attachments:
            data["resolved"] = {"attachments": {a["id"]: a for a in attachments.values()}}
        return self._interaction(2, data, guild, channel_id, user_id, permissions, locale)

    def modal_submit(
        self,
        custom_id: str,
        values: dict[str, str | list[str]],
        *,
        message: dict[str, Any] | None = None,
        labelled: bool = False,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        permissions: str = MEMBER_PERMISSIONS,
        locale: str = "en-US",
        dm: bool = False,
    ) -> dict[str, Any]:
        """A modal submission: text inputs by custom_id (a list of values: a select in the modal).

        Rows come as action rows (type 1); ``labelled=True`` sends label components (type 18) instead,
        as Discord does for modals built with ``discord.ui.Label``. ``message``: the message whose
        component opened the modal, if one did.
        """
        components = []
        for input_id, value in values.items():
            if isinstance(value, list):
                inner = {"type": 3, "id": len(components) + 1, "custom_id": input_id, "values": value}
            else:
                inner = {"type": 4, "id": len(components) + 1, "custom_id": input_id, "value": value}
            if labelled:
                components.append({"type": 18, "id": 100 + len(components), "component": inner})
            else:
                components.append({"type": 1, "id": 100 + len(components), "components": [inner]})
        payload = self._interaction(
            5,
            {"custom_id": custom_id, "components": components},
            None if dm else (guild_id or self.guild_id),
            channel_id,
            user_id,
            permissions,
            locale,
        )
        if message is not None:
            payload["message"] = message
        return payload

    def button(
        self,
        custom_id: str,
        message: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        permissions: str = MEMBER_PERMISSIONS,
        locale: str = "en-US",
        dm: bool = False,
    ) -> dict[str, Any]:
        """A button press on ``message`` (default: a stored bot message holding just this button)."""
        return self._component(
            {"custom_id": custom_id, "component_type": 2},
            message
            or self.message(
                components=[{"type": 1, "components": [{"type": 2, "style": 1, "label": "?", "custom_id": custom_id}]}]
            ),
            guild_id,
            channel_id,
            user_id,
            permissions,
            locale,
            dm,
        )

    def select(
        self,
        custom_id: str,
        values: list[str],
        message: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        permissions: str = MEMBER_PERMISSIONS,
        locale: str = "en-US",
        dm: bool = False,
    ) -> dict[str, Any]:
        """A string-select choice on ``message`` (default: a stored bot message holding just this select)."""
        options = [{"label": v, "value": v} for v in values]
        return self._component(
            {"custom_id": custom_id, "component_type": 3, "values": values},
            message
            or self.message(
                components=[{"type": 1, "components": [{"type": 3, "custom_id": custom_id, "options": options}]}]
            ),
            guild_id,
            channel_id,
            user_id,
            permissions,
            locale,
            dm,
        )

    def _component(self, data, message, guild_id, channel_id, user_id, permissions, locale, dm) -> dict[str, Any]:
        channel_id = channel_id or int(message.get("channel_id") or self.channel_id)
        guild = None if dm else (guild_id or self.guild_id)
        payload = self._interaction(3, data, guild, channel_id, user_id, permissions, locale)
        payload["message"] = message
        self.messages.setdefault(str(message["id"]), copy.deepcopy(message))
        return payload

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        guild_id: int | None,
        channel_id: int | None,
        user_id: int | None,
        permissions: str,
        locale: str,
    ) -> dict[str, Any]:
        interaction_id = self._snowflake()
        user = self.user(user_id)
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(self.application_id),
            "type": kind,
            "token": f"itoken-{interaction_id}-{next(self._counter)}",
            "version": 1,
            "data": data,
            "app_permissions": self.app_permissions,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            channel = self.channel(channel_id, guild_id)
            payload |= {
                "guild_id": str(guild_id),
                "guild_locale": "en-US",
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "channel_id": channel["id"],
                "channel": channel,
                "member": {
                    "user": user,
                    "roles": [],
                    "nick": None,
                    "avatar": None,
                    "banner": None,
                    "joined_at": "2024-01-01T00:00:00.000000+00:00",
                    "premium_since": None,
                    "deaf": False,
                    "mute": False,
                    "pending": False,
                    "flags": 0,
                    "communication_disabled_until": None,
                    "unusual_dm_activity_until": None,
                    "permissions": permissions,
                },
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
            }
        else:  # a DM with the bot
            dm_id = str(channel_id or self.channel_id)
            payload |= {
                "channel_id": dm_id,
                "channel": {"id": dm_id, "type": 1, "last_message_id": None, "flags": 0, "recipients": [user]},
                "user": user,
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        self.interactions[interaction_id] = payload
        return payload

    def _registered(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        return next((c for c in self.commands.get(guild_id, []) if c["name"] == name), None)

    # -- gateway -----------------------------------------------------------------------------------

    def _newest(self) -> _Connection:
        for connection in reversed(self._connections):
            if connection.live:
                return connection
        raise AssertionError("no client is connected to the stand-in's gateway")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = _Connection(ws)
        await ws.send_str(json.dumps({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_frames.append(frame)
                op, data = frame.get("op"), frame.get("d")
                if op == HEARTBEAT:
                    await ws.send_str(json.dumps({"op": HEARTBEAT_ACK}))
                elif op == IDENTIFY:
                    await self._identify(connection, data or {})
                elif op == RESUME:
                    await self._resume(connection, data or {})
        finally:
            self._connections = [c for c in self._connections if c is not connection]
            if not any(c.live for c in self._connections):
                self.identified.clear()
        return ws

    async def _identify(self, connection: _Connection, data: dict[str, Any]) -> None:
        session = _Session(id=f"session-{next(self._counter)}", shard=data.get("shard"))
        self._sessions[session.id] = session
        connection.session = session
        self._connections.append(connection)
        session.seq += 1
        ready: dict[str, Any] = {
            "v": API_VERSION,
            "user": self.bot_user(),
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self.member_of],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "session_type": "normal",
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "user_settings": {},
            "auth_session_id_hash": "",
            "application": {"id": str(self.application_id), "flags": 0},
            "_trace": ["standin"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await connection.ws.send_str(json.dumps({"op": DISPATCH, "t": "READY", "s": session.seq, "d": ready}))
        for guild_id in self.member_of:  # then each server whole, as Discord sends them after READY
            session.seq += 1
            created = {"op": DISPATCH, "t": "GUILD_CREATE", "s": session.seq, "d": self.guild(guild_id)}
            await connection.ws.send_str(json.dumps(created))
        self.identify_count += 1
        self.identified.set()

    async def _resume(self, connection: _Connection, data: dict[str, Any]) -> None:
        session = self._sessions.get(data.get("session_id", ""))
        if session is None:  # unknown session: make the client identify afresh
            await connection.ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))
            return
        for other in self._connections:  # a session lives on one connection at a time
            if other.session is session and other is not connection:
                other.session = None
        connection.session = session
        self._connections.append(connection)
        session.seq += 1
        frame = {"op": DISPATCH, "t": "RESUMED", "s": session.seq, "d": {"_trace": ["standin"]}}
        await connection.ws.send_str(json.dumps(frame))
        self.resume_count += 1
        self.identified.set()

    # -- REST --------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        try:
            body, files = await _read_body(request)
        except _Refused as refused:
            call = Call(request.method, "/" + request.match_info["tail"], dict(request.query), None, {})
            self.calls.append(call)
            self.invalid.append(call)
            return _answer(call, 400, {"code": 50035, "message": "Invalid Form Body", "errors": refused.args[0]})
        call = Call(request.method, "/" + request.match_info["tail"], dict(request.query), body, files)
        self.calls.append(call)
        for refusal in self._refusals:
            method, regex, status, error, left = refusal
            if left and method == call.method and re.fullmatch(regex, call.path):
                refusal[4] -= 1
                return _answer(call, status, error)
        posted = re.fullmatch(r"/channels/(\d+)/messages", call.path) if call.method == "POST" else None
        if call.files and posted and posted.group(1) in self.without_attach_files:
            return _answer(call, 403, {"message": "Missing Permissions", "code": 50013})
        if self.check and call.json is not None and (errors := discord_spec.refusal(call.method, call.path, call.json)):
            self.invalid.append(call)
            return _answer(call, 400, {"code": 50035, "message": "Invalid Form Body", "errors": errors})
        for method, regex, handler in self._routes():
            if method == call.method and (match := re.fullmatch(regex, call.path)):
                status, payload = handler(call, **match.groupdict())
                return _answer(call, status, payload)
        self.unexpected.append(call)
        return _answer(call, 404, {"message": "404: Not Found", "code": 0})

    def _routes(self) -> list[tuple[str, str, Any]]:
        app = rf"/applications/(?P<app>{self.application_id})"
        hook = rf"/webhooks/(?P<app>{self.application_id})/(?P<token>[^/]+)"
        return [
            ("GET", r"/users/@me", lambda c: (200, self.bot_user())),
            ("GET", r"/gateway", lambda c: (200, {"url": self.gateway_url})),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/(?:oauth2/)?applications/@me", self._application),
            ("PUT", app + r"/commands", self._put_commands),
            ("PUT", app + r"/guilds/(?P<guild>\d+)/commands", self._put_commands),
            ("GET", app + r"/commands", lambda c, app: (200, self.commands.get(None, []))),
            (
                "GET",
                app + r"/guilds/(?P<guild>\d+)/commands",
                lambda c, app, guild: (200, self.commands.get(int(guild), [])),
            ),
            ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", hook, self._follow_up),
            ("GET", hook + r"/messages/(?P<message>@original|\d+)", self._webhook_message),
            ("PATCH", hook + r"/messages/(?P<message>@original|\d+)", self._webhook_message),
            ("DELETE", hook + r"/messages/(?P<message>@original|\d+)", self._webhook_message),
            ("GET", r"/channels/(?P<channel>\d+)", lambda c, channel: (200, self.channel(int(channel)))),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._channel_post),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._channel_message),
            ("PATCH", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._channel_message),
            ("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._channel_message),
        ]

    def _gateway_bot(self, call: Call) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _application(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": "Backlinks",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.user(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "bot": self.bot_user(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
        }

    def _put_commands(self, call: Call, app: str, guild: str | None = None) -> tuple[int, Any]:
        guild_id = int(guild) if guild else None
        before = {c["name"]: c for c in self.commands.get(guild_id, [])}
        registered = []
        for command in call.json or []:
            old = before.get(command["name"])
            echoed = {
                "id": old["id"] if old else self._snowflake(),
                "application_id": str(self.application_id),
                "version": self._snowflake(),
                "type": command.get("type", 1),
                "name": command["name"],
                "description": command.get("description", ""),
                "options": command.get("options", []),
                "default_member_permissions": command.get("default_member_permissions"),
                "nsfw": command.get("nsfw", False),
                "contexts": command.get("contexts"),
                "integration_types": command.get("integration_types", [0]),
                "name_localizations": command.get("name_localizations"),
                "description_localizations": command.get("description_localizations"),
            }
            if guild_id is not None:
                echoed["guild_id"] = str(guild_id)
            else:
                echoed["dm_permission"] = command.get("dm_permission", True)
            registered.append(echoed)
        self.commands[guild_id] = registered
        return 200, registered

    def _callback(self, call: Call, interaction_id: str, token: str) -> tuple[int, Any]:
        interaction = self.interactions.get(interaction_id)
        if interaction_id in self._expired or interaction is None or interaction["token"] != token:
            return 404, {"message": "Unknown interaction", "code": 10062}
        if interaction_id in self.responses:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        body = call.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        channel_id = str(interaction.get("channel_id") or self.channel_id)
        message: dict[str, Any] | None = None
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            data = dict(data)
            if kind == DEFERRED_CHANNEL_MESSAGE:
                data = {"content": "", "flags": (data.get("flags") or 0) & EPHEMERAL | LOADING}
            message = self._new_message(channel_id, data, call.files, interaction=interaction)
            self._original[token] = message["id"]
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and interaction.get("message"):
            message_id = str(interaction["message"]["id"])
            self.messages.setdefault(message_id, copy.deepcopy(interaction["message"]))
            message = self.messages[message_id]
            if kind == UPDATE_MESSAGE:
                _edit(message, data, call.files)
            self._original[token] = message_id
        elif kind not in (PONG, DEFERRED_UPDATE, AUTOCOMPLETE_RESULT, MODAL, LAUNCH_ACTIVITY):
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": {"type": kind}}
        self.responses[interaction_id] = body
        flags = (message or {}).get("flags", 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": interaction["type"],
                "response_message_id": message["id"] if message else None,
                "response_message_loading": bool(flags & LOADING),
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            answer["resource"]["message"] = message
        if kind == LAUNCH_ACTIVITY:
            answer["interaction"]["activity_instance_id"] = f"activity-{interaction_id}"
            answer["resource"]["activity_instance"] = {"id": f"activity-{interaction_id}"}
        return 200, answer

    def _webhook_interaction(self, token: str) -> tuple[int, Any] | dict[str, Any]:
        if token in self._expired_tokens:
            return 401, {"message": "Invalid Webhook Token", "code": 50027}
        interaction = next((i for i in self.interactions.values() if i["token"] == token), None)
        if interaction is None or str(interaction["id"]) not in self.responses:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        return interaction

    def _follow_up(self, call: Call, app: str, token: str) -> tuple[int, Any]:
        interaction = self._webhook_interaction(token)
        if isinstance(interaction, tuple):
            return interaction
        original = self.messages.get(self._original.get(token, ""))
        data = dict(call.json or {})
        if original is not None and original["flags"] & LOADING:  # the first follow-up ends the "thinking…"
            data["flags"] = (data.get("flags") or 0) & ~EPHEMERAL | original["flags"] & EPHEMERAL
            _edit(original, data, call.files, edited=False)
            original["flags"] &= ~LOADING
            return 200, original
        channel_id = str(interaction.get("channel_id") or self.channel_id)
        return 200, self._new_message(channel_id, data, call.files, interaction=interaction)

    def _webhook_message(self, call: Call, app: str, token: str, message: str) -> tuple[int, Any]:
        interaction = self._webhook_interaction(token)
        if isinstance(interaction, tuple):
            return interaction
        message_id = self._original.get(token) if message == "@original" else message
        return self._message_call(call, message_id)

    def _channel_post(self, call: Call, channel: str) -> tuple[int, Any]:
        return 200, self._new_message(channel, call.json or {}, call.files)

    def _channel_message(self, call: Call, channel: str, message: str) -> tuple[int, Any]:
        stored = self.messages.get(message)
        return self._message_call(call, message if stored and stored["channel_id"] == channel else None)

    def _message_call(self, call: Call, message_id: str | None) -> tuple[int, Any]:
        message = self.messages.get(message_id or "")
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        if call.method == "DELETE":
            del self.messages[message["id"]]
            return 204, None
        if call.method == "PATCH":
            _edit(message, call.json or {}, call.files)
            message["flags"] &= ~LOADING
        return 200, message

    def _new_message(
        self,
        channel_id: str,
        data: dict[str, Any],
        files: dict[str, bytes] | None = None,
        *,
        interaction: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message_id = self._snowflake()
        message: dict[str, Any] = {
            "id": message_id,
            "channel_id": channel_id,
            "author": self.bot_user(),
            "content": "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        if interaction is not None:
            user = interaction.get("user") or interaction["member"]["user"]
            message |= {
                "type": 20 if interaction["type"] == 2 else 0,
                "webhook_id": str(self.application_id),
                "application_id": str(self.application_id),
                "interaction_metadata": {
                    "id": str(interaction["id"]),
                    "type": interaction["type"],
                    "user": user,
                    "authorizing_integration_owners": interaction.get("authorizing_integration_owners", {}),
                },
            }
        _edit(message, data, files, edited=False)
        self.messages[message_id] = message
        return message

    def _snowflake(self) -> str:
        milliseconds = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((milliseconds << 22) | (next(self._counter) & 0x3FFFFF))


def _option(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, tuple):
        kind, value = value
    elif isinstance(value, bool):
        kind = 5
    elif isinstance(value, int):
        kind = 4
    elif isinstance(value, float):
        kind = 10
    elif isinstance(value, str):
        kind = 3
    else:
        raise TypeError(f"option {name}: pass (type, value) for a {type(value).__name__}")
    return {"name": name, "type": kind, "value": value}


def _edit(message: dict[str, Any], data: dict[str, Any], files: dict[str, bytes] | None, edited: bool = True) -> None:
    """Apply a create/edit body to a stored message, as Discord does (absent keys stay)."""
    for key in ("content", "embeds", "components", "flags", "tts", "poll"):
        if data.get(key) is not None:
            message[key] = data[key]
    message["content"] = message.get("content") or ""
    if "attachments" in data or files:
        kept = [
            a
            for a in message["attachments"]
            if any(str(a["id"]) == str(d.get("id")) for d in data.get("attachments", []))
        ]
        for filename, content in (files or {}).items():
            attachment_id = str(next(_ATTACHMENT_IDS))
            url = f"https://cdn.discordapp.com/attachments/{message['channel_id']}/{attachment_id}/{filename}"
            kept.append({"id": attachment_id, "filename": filename, "size": len(content), "url": url, "proxy_url": url})
        message["attachments"] = kept
    if edited:
        message["edited_timestamp"] = _now()


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    if request.content_type.startswith("multipart/"):
        payload, files, parts = None, {}, {}
        reader = await request.multipart()
        async for part in reader:
            content = await part.read()  # type: ignore[union-attr]
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload = json.loads(content)
            else:
                files[part.filename or part.name or "file"] = bytes(content)  # type: ignore[union-attr]
                parts[part.name or ""] = (part.filename or "", len(content))  # type: ignore[union-attr]
        if (problem := _multipart_problem(payload, parts)) is not None:
            raise _Refused(problem)
        return payload, files
    raw = await request.read()
    if not raw:
        return None, {}
    try:
        return orjson.loads(raw), {}
    except ValueError:  # orjson.JSONDecodeError is one
        return raw.decode(errors="replace"), {}


class _Refused(Exception):
    """A body Discord refuses before reading it further: 400, Invalid Form Body."""


def _multipart_problem(payload: Any, parts: dict[str, tuple[str, int]]) -> dict[str, Any] | None:
    """What Discord says about a multipart body (docs: "Uploading Files"): JSON in `payload_json`,
    each file in a part named files[n], at most 10 of at most the upload limit, and each
    `attachments` entry's id naming one of those n (or an attachment the message has)."""
    numbers = {}
    for name, (filename, size) in parts.items():
        match = re.fullmatch(r"files\[(\d+)\]", name)
        if match is None:
            return {"files": {"_errors": [{"code": "BASE_TYPE_BAD_NAME", "message": f"Unknown part {name!r}"}]}}
        if size > limits.UPLOAD_BYTES:
            return {match[1]: {"_errors": [{"code": "BINARY_TYPE_MAX_SIZE", "message": "File too large"}]}}
        numbers[match[1]] = filename
    if len(numbers) > limits.MESSAGE_FILES:
        return {"files": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Too many files"}]}}
    if payload is not None and not isinstance(payload, dict):
        return {"payload_json": {"_errors": [{"code": "MODEL_TYPE_CONVERT", "message": "Not a JSON object"}]}}
    for i, attachment in enumerate((payload or {}).get("attachments") or []):
        known = str(attachment.get("id")) in numbers or int(attachment.get("id", -1)) >= limits.MESSAGE_FILES
        if not known:
            errors = [{"code": "ATTACHMENT_NOT_FOUND", "message": "Attachment data not found"}]
            return {"attachments": {str(i): {"_errors": errors}}}
    return None


def _answer(call: Call, status: int, payload: Any) -> web.Response:
    call.status = status
    if status == 204:
        return web.Response(status=204)
    # discord.py parses JSON only for exactly "application/json": json_response and text= add "; charset=utf-8".
    return web.Response(
        status=status, body=orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS), content_type="application/json"
    )


def _dumps(payload: Any) -> str:
    """JSON as Discord sends it. orjson (the discord extra's, as discord.py's own): the stand-in plays
    Discord, yet its CPU is the bot's own in a benchmark (one event loop), and the standard library's
    JSON made each byte of the bot's message cost it twice over (its 5 KB `show`, read and echoed)."""
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode()


@contextlib.contextmanager
def steer_discord(standin: DiscordStandIn) -> Iterator[None]:
    """Point discord.py's REST client and gateway at the stand-in, restoring the old targets afterwards.

    The only place the tests touch discord.py's two undocumented switches (discord.py is pinned):
    ``Route.BASE`` (read whenever a Route is built: REST, interaction callbacks, follow-ups) and
    ``DiscordWebSocket.DEFAULT_GATEWAY`` (first connection and every fresh IDENTIFY). Resumes go to
    READY's ``resume_gateway_url`` and AutoShardedClient asks ``GET /gateway/bot``; the stand-in answers
    both with its own gateway URL.
    """
    import discord
    import yarl

    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = standin.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
