"""Posting reminders to Slack from the reminder loop (no incoming request: a proactive message)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackRenderer
from adapters.slack.home import SlackPages
from adapters.slack.installations import installation_store
from adapters.slack.upload import post_with_image
from bot.core.events import ChannelKey
from bot.core.replies import Reply, images
from bot.core.settings import Settings
from bot.home.service import Home
from bot.monthly.reminders import ChannelGone, RetryLater

# Errors after which posting in the channel can't work until someone acts: the reminder pauses.
GONE = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "token_revoked",
    "invalid_auth",
    "team_access_not_granted",
    "missing_scope",
}


class SlackNotifier:
    platform = "slack"

    def __init__(self, *, settings: Settings, knowledge, engine=None, home: Home | None = None):
        self.settings = settings
        self.renderer = SlackRenderer(knowledge, command=settings.slack_command)
        self.installations = None
        if settings.slack_uses_oauth:
            self.installations = installation_store(settings, engine.store.engine)
        if home is not None:
            # A check-in changes what the App Home shows: this process publishes it again.
            home.serve(SlackPages(renderer=self.renderer, client_for=self._client))

    async def _token(self, team: str) -> str:
        if self.installations is None:
            return self.settings.slack_bot_token.get_secret_value()
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None:
            raise ChannelGone("the app is no longer installed in this workspace")
        return bot.bot_token

    async def _client(self, team: str) -> AsyncWebClient | None:
        try:
            token = await self._token(team)
        except ChannelGone:
            return None
        return AsyncWebClient(
            token=token,
            base_url=self.settings.slack_api_url,
            # A 429 is retried once after its Retry-After; a second one goes back to the loop.
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
        )

    async def send(self, channel: ChannelKey, reply: Reply) -> None:
        client = await self._client(channel.workspace)
        if client is None:
            raise ChannelGone("the app is no longer installed in this workspace")
        try:
            *before, last = self.renderer.messages(reply)
            for message in before:
                await client.chat_postMessage(channel=channel.channel, **message)
            if pictures := images(reply):  # the chart, uploaded with the check-in's (last) message as one post
                alt, title = self.renderer.plain.text(pictures[0].alt), self.renderer.fallback(reply)
                await post_with_image(client, channel.channel, last, pictures[0], alt=alt, title=title)
            else:
                await client.chat_postMessage(channel=channel.channel, **last)
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code in GONE:
                raise ChannelGone(code) from None
            if error.response.status_code == 429:
                raise RetryLater(float(error.response.headers.get("Retry-After", 60))) from None
            raise
