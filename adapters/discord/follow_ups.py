"""A stored form submission worked from the intake's queue after the interaction that brought it
is gone (a stopped process took it): answered through the interaction's follow-up webhook while it
lasts (fifteen minutes), else the public replies are posted in the channel.

A part of BacklinksClient (adapters/discord/client.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.render import NO_MENTIONS
from bot.core.events import ChannelKey, Submitted
from bot.core.replies import Reply
from bot.intake import Entry

if TYPE_CHECKING:
    from adapters.discord.render import DiscordRenderer
    from bot.engine import Engine

log = logging.getLogger(__name__)


class FollowUps:
    engine: Engine
    renderer: DiscordRenderer

    async def _perform(self, entry: Entry) -> None:
        """Work a submission a stopped process took: answer through the interaction's follow-up
        webhook while it lasts (fifteen minutes), else post the public replies in the channel."""
        submission = entry.payload
        key = ChannelKey("discord", submission["guild"], submission["channel"])
        event = Submitted(
            key,
            submission["user"],
            submission["values"],
            form=submission["form"],
            request=entry.key,
            locale=submission.get("locale"),  # (absent from what an older version stored)
        )
        replies = await self.engine.handle(event)  # a failure here is tried again later: nothing was stored
        try:
            await self._follow_up(submission, replies)
        except Exception:  # stored, but not told: the log says so (trying again would log twice)
            log.exception("a plan form finished after a restart could not be posted")

    async def _follow_up(self, submission: Mapping[str, Any], replies: list[Reply]) -> None:
        webhook = discord.Webhook.partial(int(submission["application_id"]), submission["token"], client=self)
        for reply in replies:
            if reply.form is not None:
                continue  # a form can't be opened without the person's click: they press Continue again
            for embeds in self.renderer.messages(reply):  # several, in order, when one would be too long
                await self._follow_up_one(webhook, submission, embeds, private=reply.private, reply=reply)

    async def _follow_up_one(
        self, webhook, submission: Mapping[str, Any], embeds, *, private: bool, reply: Reply
    ) -> None:
        try:
            files = self.renderer.files(reply, embeds)
            await webhook.send(embeds=embeds, files=files, ephemeral=private, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            # The fifteen minutes ran out (401), or the interaction was never answered (404): what
            # is for everyone goes in the channel; a private note has nowhere to go.
            if error.status not in (401, 404):
                raise
            if not private:
                channel = self.get_partial_messageable(int(submission["channel"]))
                files = self.renderer.files(reply, embeds)  # read once: new ones for this second try
                await channel.send(embeds=embeds, files=files, allowed_mentions=NO_MENTIONS)
