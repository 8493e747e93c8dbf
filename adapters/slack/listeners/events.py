"""Workspace events: the app uninstalled or its tokens revoked (everything deleted), files shared.

A part of SlackAdapter (adapters/slack/app.py), which wires it into Bolt; Bolt's own samples lay
listeners out by kind like this."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.context import (
    DownloadError,
    _Where,
)
from bot.conversation.rendering import Reason, Renderer
from bot.core.events import Invoked
from bot.exports import EXPORT_SUFFIXES, megabytes, too_big


class Events:
    async def on_uninstalled(self, body: Mapping[str, Any], context) -> None:
        """The app was removed from a workspace: every row of that workspace is deleted."""
        if team := context.team_id or body.get("team_id"):
            await self.engine.store.tenants.delete_workspace("slack", team, why="the app was uninstalled")

    async def on_tokens_revoked(self, body: Mapping[str, Any], event: Mapping[str, Any], context) -> None:
        """The bot's token revoked: the bot can do nothing more there, so its data goes as on an
        uninstall. Users' tokens revoked: nothing to delete (the app asks for no user scopes, so it
        keeps no user token), and the workspace's data stays."""
        team = context.team_id or body.get("team_id")
        if (event.get("tokens") or {}).get("bot") and team:
            await self.engine.store.tenants.delete_workspace("slack", team, why="the bot token was revoked")

    async def on_file_shared(
        self, body: Mapping[str, Any], event: Mapping[str, Any], client: AsyncWebClient, context
    ) -> None:
        """An export shared in a channel the bot is in is imported like `/backlinks import` (once:
        Slack retries an event it thinks was missed with the same event id)."""
        info = (await client.files_info(file=event["file_id"]))["file"]
        if Path(info.get("name", "")).suffix.lower() not in EXPORT_SUFFIXES or not event.get("channel_id"):
            return  # a picture or a document: not for us
        where = _Where(context.team_id or event.get("team_id", ""), event["channel_id"], "", "")
        user = event.get("user_id", "")
        # The channel's language, else the person's Slack locale (one users.info call, only then).
        locale = None if await self.engine.languages.chosen(where.key) else (await self._person(client, user))[1]
        said = self.renderer.speaking(await self.engine.languages.of(where.key, locale))
        if (reason := self._too_big(info)) is not None:  # it names the file: escaped like any user text
            text = said.mrkdwn.render("import.refused", {"reason": reason})
            await client.chat_postEphemeral(channel=where.channel, user=user, text=text)
            return
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            try:
                path = await self._download(client, info, Path(folder), said.mrkdwn)
            except DownloadError as error:
                await client.chat_postEphemeral(channel=where.channel, user=user, text=str(error))
                return
            event_id = body.get("event_id") or None
            invoked = Invoked(where.key, user, "import", "", None, path, request=event_id, locale=locale)
            await self._run(invoked, where, client)

    def _too_big(self, file: Mapping[str, Any]) -> Reason | None:
        return too_big(file.get("name", "The file"), int(file.get("size") or 0), self.engine.imports.max_bytes)

    async def _download(self, client: AsyncWebClient, file: Mapping[str, Any], folder: Path, said: Renderer) -> str:
        """Fetch a Slack file with the bot's token into `folder`, never past the size limit (a
        refusal worded by `said`, the reader's mrkdwn renderer; the file's name escaped)."""
        if "url_private_download" not in file:
            file = (await client.files_info(file=file["id"]))["file"]
        path = folder / Path(file.get("name") or "export.csv").name
        limit = self.engine.imports.max_bytes
        headers = {"Authorization": f"Bearer {client.token}"}
        session = client.session or aiohttp.ClientSession()
        try:
            async with session.get(file["url_private_download"], headers=headers) as response:
                if response.status != 200:
                    raise DownloadError(
                        said.render("slack.download_refused", {"name": path.name, "status": response.status})
                    )
                written = 0
                with open(path, "wb") as out:
                    async for chunk in response.content.iter_chunked(1 << 16):
                        written += len(chunk)
                        if written > limit:
                            raise DownloadError(
                                said.render("slack.download_too_big", {"name": path.name, "limit": megabytes(limit)})
                            )
                        out.write(chunk)
        finally:
            if client.session is None:
                await session.close()
        return str(path)

    # The App Home and the welcome.
