"""The App Home opened, the app installed (the installer welcomed once).

A part of SlackAdapter (adapters/slack/app.py), which wires it into Bolt; Bolt's own samples lay
listeners out by kind like this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.oauth.async_callback_options import AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.context import (
    log,
)
from bot.core.events import ChannelKey, Installed, Opened
from bot.core.replies import Reply


class HomeListeners:
    async def on_home_opened(self, event: Mapping[str, Any], client: AsyncWebClient, context) -> None:
        """The Home tab opened: publish the person's page; on their first visit ever, welcome them
        in the app's Messages tab (`channel` is that conversation: chat:write covers it)."""
        if event.get("tab") != "home":
            return  # the Messages tab (or the About tab) was opened: nothing to publish
        user, conversation, team = event.get("user"), event.get("channel"), context.team_id or ""
        if not isinstance(user, str) or not user or not isinstance(conversation, str) or not conversation:
            self.refusals.note("malformed app_home_opened event (no user or channel)")
            return
        where = ChannelKey("slack", team, conversation)
        try:
            replies = await self.engine.handle(Opened(where, user))
            for reply in replies:
                if reply.kind == "home":
                    await client.views_publish(user_id=user, view=self.renderer.home(reply))
                else:
                    await self._welcome(client, where, user, reply)
        except Exception:
            log.exception("publishing the App Home of %s in %s failed", user, team)

    async def on_installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        """Installed: welcome the installer in the app's Messages tab (chat.postMessage to a user id
        posts there), once; then Bolt's own success page. A failed welcome never fails the install."""
        installed = args.installation
        if installed.team_id and installed.user_id and installed.bot_token:
            client = AsyncWebClient(
                token=installed.bot_token, base_url=self.app.client.base_url, session=self.app.client.session
            )
            where = ChannelKey("slack", installed.team_id, installed.user_id)
            try:
                for reply in await self.engine.handle(Installed(where, installed.user_id)):
                    await self._welcome(client, where, installed.user_id, reply)
            except Exception:
                log.exception("welcoming the installer of %s failed", installed.team_id)
        return await args.default.success(args)

    async def _welcome(self, client: AsyncWebClient, where: ChannelKey, user: str, reply: Reply) -> None:
        try:
            for message in self.renderer.messages(reply):
                await client.chat_postMessage(channel=where.channel, **message)
        except SlackApiError as error:
            # Not sent: the next visit tries again (a welcome is once, but not never).
            log.warning("could not welcome %s in %s: %s", user, where.workspace, error.response.get("error"))
            await self.engine.home.not_welcomed(where, user)
