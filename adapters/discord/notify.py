"""Posting reminders to Discord from the reminder loop, over the REST API (no gateway needed)."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.http import HTTPClient, handle_message_parameters

from adapters.discord.buttons import action_view
from adapters.discord.render import NO_MENTIONS, DiscordRenderer
from bot.core.events import ChannelKey
from bot.core.replies import Reply
from bot.monthly.reminders import ChannelGone

log = logging.getLogger(__name__)
MISSING_PERMISSIONS = 50013  # Discord's JSON error code for a permission the bot lacks


class _NoAttachFiles(Exception):
    """Discord refused a message for its files alone: the bot lacks Attach Files there."""


class DiscordNotifier:
    platform = "discord"

    def __init__(self, *, token: str, knowledge, http: HTTPClient | None = None):
        self.token = token
        self.renderer = DiscordRenderer(knowledge)
        self.http = http  # the gateway client's, when this process runs one
        self._own = http is None

    async def _client(self) -> HTTPClient:
        if self.http is None:
            self.http = HTTPClient(asyncio.get_running_loop())
            await self.http.static_login(self.token)
        return self.http

    async def send(self, channel: ChannelKey, reply: Reply) -> None:
        http = await self._client()
        messages = self.renderer.messages(reply)  # several, in order, when one would be too long
        for n, embeds in enumerate(messages):
            view = action_view(reply, self.renderer) if n == len(messages) - 1 else None
            files = self.renderer.files(reply, embeds)  # the chart, shown as an embed's image
            try:
                await self._post(http, channel, embeds, view, files)
            except _NoAttachFiles:
                # Allowed to post but not to attach files (a server that added the bot without
                # Attach Files): the check-in goes without its chart - its figures are in the
                # text - rather than the channel's reminders being paused as if it were gone.
                log.warning("no Attach Files permission in %s: the check-in goes without its chart", channel)
                plain = [discord.Embed.from_dict(embed.to_dict()).set_image(url=None) for embed in embeds]
                await self._post(http, channel, plain, view, [])

    async def _post(self, http: HTTPClient, channel: ChannelKey, embeds, view, files) -> None:
        with handle_message_parameters(embeds=embeds, view=view, files=files, allowed_mentions=NO_MENTIONS) as params:
            try:
                # discord.py waits out 429s itself (the Retry-After it is given).
                await http.send_message(int(channel.channel), params=params)
            except (discord.Forbidden, discord.NotFound) as error:
                if files and isinstance(error, discord.Forbidden) and error.code == MISSING_PERMISSIONS:
                    raise _NoAttachFiles from None
                raise ChannelGone(f"{error.status} {error.text or 'no access'}") from None

    async def close(self) -> None:
        if self._own and self.http is not None:
            await self.http.close()
