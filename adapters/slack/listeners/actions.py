"""Buttons on the bot's messages (a plan's, a check-in's) and the App Home's channel links.

A part of SlackAdapter (adapters/slack/app.py), which wires it into Bolt; Bolt's own samples lay
listeners out by kind like this."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.context import (
    MANAGED_BUTTONS,
    _Where,
)
from adapters.slack.payloads import Action, ButtonPress, read
from bot.core.events import Pressed
from bot.core.replies import Reply


class Actions:
    async def on_button(self, ack, body: Mapping[str, Any], action: Mapping[str, Any], client) -> None:
        press = read(ButtonPress, body)  # read before the ack, so a malformed one gets its 400
        pressed = read(Action, action)
        where = _Where(press.workspace, press.channel.id, press.response_url, press.trigger_id)
        await ack()
        event = Pressed(where.key, press.user.id, pressed.action_id, pressed.value, request=press.trigger_id or None)
        await self._run(event, where, client, self._pressed(event, client))

    async def _pressed(self, event: Pressed, client: AsyncWebClient) -> list[Reply]:
        if event.action in MANAGED_BUTTONS:  # asked only for them: users.info is a call
            event = dataclasses.replace(event, manages=await self._manages(client, event.channel.workspace, event.user))
        return await self.engine.handle(event)

    async def on_link(self, ack) -> None:
        await ack()  # a link button: Slack opened the channel; there is nothing to do
