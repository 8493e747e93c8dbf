"""What every Slack listener shares: where a request came from, the limits and names it answers
by, and the small helpers of answering."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from typing import Any

from slack_bolt.oauth.async_callback_options import AsyncFailureArgs
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.events import ChannelKey
from bot.core.replies import Reply

log = logging.getLogger("adapters.slack.app")


class _QuietTokenWarning(logging.Filter):
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client we pass (which carries the Web API
    # base URL setting) wins over it; it does, with that very token, so the warning only confuses.
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_QuietTokenWarning())

# Chat.postMessage errors after which the response_url (which needs no membership) is used.
NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived"}
OAUTH_STATE_SECONDS = 600
# How long a slash command may wait for the engine before acking empty (Slack allows three seconds).
ACK_BUDGET_SECONDS = 1.0
# The buttons the engine's replies carry (under a plan and under a monthly reminder).
BUTTON_ACTIONS = ("replan", "details", "log", "skip_month", "pause", "confirm_log", "forget_confirm")
# Commands that change the workspace's settings or delete data: only for those who manage it (`_manages`).
MANAGED_COMMANDS = {"connect", "disconnect", "forget"}
# Buttons whose press is such a change: who presses is asked again (never taken from the message).
MANAGED_BUTTONS = {"forget_confirm"}
# The App Home's buttons that open a channel: links, whose press Slack reports all the same.
OPEN_CHANNEL = "open_channel"
# Users whose time zone is remembered, and for how long (a first reminder's default time zone).
ZONE_CACHE_USERS = 10_000
ZONE_CACHE_SECONDS = 6 * 3600
RENDERED_KEPT = 64  # replies whose Block Kit is kept, the most recent (see _messages)
_UNKNOWN = object()


class DownloadError(RuntimeError):
    """A shared file could not be fetched; the message is for the user."""


class _Where:
    """Where a request came from and how to answer it."""

    def __init__(self, team: str, channel: str, response_url: str, trigger_id: str):
        self.key = ChannelKey("slack", team, channel)
        self.channel = channel
        self.response_url = response_url
        self.trigger_id = trigger_id

    def metadata(self) -> dict[str, str]:
        # Carried through the modal: view_submission payloads name neither channel nor response_url.
        return {"channel": self.channel, "response_url": self.response_url}


async def _post_to_response_url(client: AsyncWebClient, url: str, body: dict[str, Any]) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    response = await AsyncWebhookClient(url, session=client.session).send_dict(body)
    if response.status_code != 200:
        raise RuntimeError(f"response_url answered {response.status_code}")


async def _default_failure(args: AsyncFailureArgs) -> BoltResponse:
    return await args.default.failure(args)


async def _done(replies: list[Reply]) -> list[Reply]:
    return replies


async def _quietly(call: Awaitable[Any]) -> None:
    try:
        await call
    except Exception:  # the failure message itself could not be sent; the log has the cause
        log.exception("could not tell the user about a failure")


def _first_field(body: Mapping[str, Any]) -> str | None:
    """The first field of a submitted form, read off the raw body without validating it (a "busy"
    answer is shown there, and must cost next to nothing)."""
    try:
        return next(iter(body["view"]["state"]["values"]), None)
    except (KeyError, TypeError):
        return None
