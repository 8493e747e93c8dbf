"""A loopback stand-in for Slack's Web API and response_url, recording every call the bot makes and
refusing, as Slack does, what the Block Kit limits refuse (adapters/slack/limits.py) and, where Slack's
method spec is present, what it refuses (slack_spec, platform_specs)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import slack_spec
from aiohttp import web
from loopback import listen


@dataclass
class Call:
    method: str  # "chat.postMessage", or "respond" for a response_url
    body: dict[str, Any]
    token: str | None
    refused: str | None = None  # the error Slack would answer (the bot sent what Slack refuses)
    arrived: float = field(default_factory=time.perf_counter)  # when the call's body was read (perf_counter)


@dataclass
class Upload:
    filename: str
    length: int
    alt_txt: str | None
    token: str | None
    data: bytes | None = None  # None until the bytes are POSTed to the upload URL
    channel: str | None = None  # where completeUploadExternal shared it (None: private)
    blocks: list[dict[str, Any]] | None = None  # the message the file was shared with
    title: str | None = None


@dataclass
class SlackStandIn:
    """Answers like Slack: auth.test per token, views.open, chat.postMessage, oauth.v2.access."""

    tokens: dict[str, str] = field(default_factory=lambda: {"xoxb-T1": "T1"})  # bot token → team
    refuse: dict[str, str] = field(default_factory=dict)  # method → Slack error to answer
    rate_limit_once: dict[str, int] = field(default_factory=dict)  # method → Retry-After seconds, once
    zones: dict[str, str] = field(default_factory=dict)  # user id → IANA time zone (users.info)
    # user id → the locale Slack's client is set to ("de-DE"; en-US otherwise), which users.info says
    # only when asked with include_locale=true (https://api.slack.com/methods/users.info#arg_include_locale)
    locales: dict[str, str] = field(default_factory=dict)
    # user id → "admin", "owner" or "primary_owner" (users.info's is_admin, is_owner, is_primary_owner;
    # as Slack does, an owner is an admin too and the primary owner an owner); others are members
    roles: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file id → (name, content)
    # Uploads through the files API: file id → what getUploadURLExternal was told, the bytes that
    # reached the upload URL, and where completeUploadExternal shared it.
    uploads: dict[str, Upload] = field(default_factory=dict)
    # Check every body against the limits (and Slack's spec, where present), refusing as Slack would.
    # Only a benchmark turns this off: the checks share the one CPU and event loop with the server it measures.
    check: bool = True
    calls: list[Call] = field(default_factory=list)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id → the Home view last published
    port: int = 0
    _runner: web.AppRunner | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # some methods (users.info) are GETs
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/files/{id}/{name}", self._download)
        app.router.add_post("/upload/v1/{id}", self._upload)
        self._runner, self.port = await listen(app)

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        arrived = time.perf_counter()
        if request.content_type == "application/json":
            body = json.loads(raw or "{}")
        else:
            body = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
        body.update(request.query)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else body.get("token")
        json_body = request.content_type == "application/json"
        refusal = slack_spec.web_api_refusal(method, body, json_body=json_body, token=token) if self.check else None
        self.calls.append(Call(method, body, token, refusal and refusal["error"], arrived))
        if refusal is not None:
            return web.json_response(refusal)
        if method in self.refuse:
            return web.json_response({"ok": False, "error": self.refuse[method]})
        if (seconds := self.rate_limit_once.pop(method, None)) is not None:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(seconds)}
            )
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):08d}"
            self.uploads[file_id] = Upload(body["filename"], int(body["length"]), body.get("alt_txt"), token)
            upload_url = f"http://127.0.0.1:{self.port}/upload/v1/{file_id}"
            return web.json_response({"ok": True, "upload_url": upload_url, "file_id": file_id})
        if method == "files.completeUploadExternal":
            return self._complete_upload(body, token)
        if method == "files.info":
            return web.json_response({"ok": True, "file": self.file_object(body.get("file", ""))})
        if method == "users.info":
            user = body.get("user", "")
            role = self.roles.get(user, "")
            found = {
                "id": user,
                "tz": self.zones.get(user, "UTC"),
                "is_admin": role in ("admin", "owner", "primary_owner"),
                "is_owner": role in ("owner", "primary_owner"),
                "is_primary_owner": role == "primary_owner",
            }
            if str(body.get("include_locale", "")).lower() in ("1", "true"):
                found["locale"] = self.locales.get(user, "en-US")
            return web.json_response({"ok": True, "user": found})
        if method == "auth.test":
            team = self.tokens.get(token or "")
            if team is None:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response(
                {"ok": True, "team_id": team, "user_id": f"UBOT{team}", "bot_id": f"B{team}", "url": "https://x/"}
            )
        if method == "oauth.v2.access":
            team = body.get("code", "").removeprefix("code-")
            self.tokens[f"xoxb-{team}"] = team
            return web.json_response(
                {
                    "ok": True,
                    "access_token": f"xoxb-{team}",
                    "token_type": "bot",
                    "scope": "commands,chat:write,chat:write.public,files:write",
                    "bot_user_id": f"UBOT{team}",
                    "app_id": "A1",
                    "team": {"id": team, "name": f"Team {team}"},
                    "enterprise": None,
                    "is_enterprise_install": False,
                    "authed_user": {"id": "UINSTALLER"},
                }
            )
        if method == "views.open":
            return web.json_response({"ok": True, "view": {"id": f"V{next(self._ids)}", **body.get("view", {})}})
        if method == "views.publish":
            view = _parsed(body.get("view"))
            self.homes[body["user_id"]] = view
            return web.json_response({"ok": True, "view": {"id": f"V{next(self._ids)}", **view}})
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": True})

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the file's bytes, raw or as a multipart form, once, at the length announced."""
        upload = self.uploads.get(request.match_info["id"])
        if request.content_type.startswith("multipart/"):
            data = b""
            async for part in await request.multipart():
                data = await part.read()
        else:
            data = await request.read()
        self.calls.append(Call("upload", {"file": request.match_info["id"], "length": len(data)}, None))
        if upload is None or upload.data is not None:
            return web.Response(status=404, text="file_not_found")
        if len(data) != upload.length:  # the length given to getUploadURLExternal is the file's
            return web.Response(status=400, text="length_mismatch")
        upload.data = data
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, body: dict[str, Any], token: str | None) -> web.Response:
        files = json.loads(body["files"]) if isinstance(body["files"], str) else body["files"]
        for entry in files:  # only a file this token started and whose bytes arrived
            upload = self.uploads.get(entry["id"])
            if upload is None or upload.token != token or upload.data is None:
                return web.json_response({"ok": False, "error": "file_not_found"})
        done = []
        for entry in files:
            upload = self.uploads[entry["id"]]
            upload.channel, upload.title = body.get("channel_id"), entry.get("title")
            if body.get("blocks") and not body.get("initial_comment"):  # Slack ignores them after a comment
                upload.blocks = json.loads(body["blocks"]) if isinstance(body["blocks"], str) else body["blocks"]
            done.append({"id": entry["id"], "title": entry.get("title") or upload.filename, "name": upload.filename})
        return web.json_response({"ok": True, "files": done})

    def file_object(self, file_id: str) -> dict[str, Any]:
        """Slack's file object, as files.info and a file input's state carry it."""
        name, content = self.files[file_id]
        return {
            "id": file_id,
            "name": name,
            "size": len(content),
            "filetype": name.rsplit(".", 1)[-1],
            "url_private_download": f"http://127.0.0.1:{self.port}/files/{file_id}/{name}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """Slack serves private files only with the bot token of the workspace."""
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        self.calls.append(Call("download", {"file": request.match_info["id"]}, token or None))
        if token not in self.tokens:
            return web.Response(status=401, text="not_authed")
        if request.match_info["id"] not in self.files:  # deleted since it was shared
            return web.Response(status=404, text="file_not_found")
        _, content = self.files[request.match_info["id"]]
        return web.Response(body=content)

    async def _respond(self, request: web.Request) -> web.Response:
        raw = await request.text()
        arrived = time.perf_counter()
        body = json.loads(raw)
        refusal = slack_spec.response_url_refusal(body) if self.check else None
        self.calls.append(Call("respond", body, None, refusal and refusal[1], arrived))
        if refusal is not None:
            return web.Response(status=refusal[0], text=refusal[1])
        return web.Response(text="ok")

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, method: str, contains: str, timeout: float = 5.0) -> Call:
        """The first call of `method` whose body mentions `contains`, once it has arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.of(method) if contains in json.dumps(c.body)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {method} mentioning {contains!r} within {timeout}s")
            await asyncio.sleep(0.01)

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of a method once `count` have arrived (the bot works after it acks)."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"no {count}× {method} within {timeout}s; calls so far: {seen}")
            await asyncio.sleep(0.01)
        return self.of(method)


def _parsed(view: Any) -> dict[str, Any]:
    return json.loads(view) if isinstance(view, str) else dict(view)
