"""`/backlinks …`: acked at once, the reply riding on the ack when the engine has it in time.

A part of SlackAdapter (adapters/slack/app.py), which wires it into Bolt; Bolt's own samples lay
listeners out by kind like this."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.context import (
    _UNKNOWN,
    ACK_BUDGET_SECONDS,
    MANAGED_COMMANDS,
    RENDERED_KEPT,
    _done,
    _Where,
    log,
)
from adapters.slack.payloads import Command, read
from bot.core.events import Invoked
from bot.core.replies import Reply, files, images


class Commands:
    async def on_command(self, ack, command: Mapping[str, Any], client: AsyncWebClient) -> None:
        """Ack at once; a reply the engine has ready within the budget rides on the ack itself
        (Slack shows an ack's body as the answer), which spares an outbound request per command."""
        command = read(Command, command)  # MalformedPayload → on_error answers 400 (not acked yet)
        name, _, rest = command.text.strip().partition(" ")
        where = _Where(command.team_id, command.channel_id, command.response_url, command.trigger_id)
        # Only `remind` needs the user's time zone (a first reminder's default), and only a channel
        # that chose no language the user's locale (the language to answer in): ask Slack just then.
        wants_locale = await self.engine.languages.chosen(where.key) is None
        zone, locale = (
            await self._person(client, command.user_id) if wants_locale or name.lower() == "remind" else (None, None)
        )
        # The trigger id names this request: a replay of it changes nothing twice (the engine).
        request = command.trigger_id or None
        event = Invoked(where.key, command.user_id, name or "help", rest, zone, request=request, locale=locale)
        work = asyncio.ensure_future(self._invoked(event, client))
        # asyncio.wait, unlike wait_for, leaves the work running when the budget is out.
        await asyncio.wait((work,), timeout=ACK_BUDGET_SECONDS)
        if not work.done():
            await ack()
            await self._run(event, where, client, work)
            return
        try:
            replies = work.result()
        except Exception:
            log.exception("handling %s in %s failed", type(event).__name__, where.key)
            await ack(text=await self._failure_text(event), response_type="ephemeral")
            return
        # A reply with a picture or a file is uploaded (the files API), and a long one is several
        # messages: neither can ride on the ack.
        attached = replies and (images(replies[0]) or files(replies[0]))
        first = replies[0] if replies and replies[0].form is None and not attached else None
        messages = self._messages(first) if first is not None else []
        if len(messages) != 1:
            await ack()
        else:
            visibility = "ephemeral" if first.private else "in_channel"
            await ack(**messages[0], response_type=visibility)
            replies = replies[1:]
        await self._run(event, where, client, _done(replies))

    def _messages(self, reply: Reply) -> list[dict[str, Any]]:
        """The reply as Block Kit messages. The engine answers a burst of `show` with one reply
        object: rendered once (the messages are only read, never changed)."""
        kept = self._rendered.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        messages = self.renderer.messages(reply)
        self._rendered[id(reply)] = (reply, messages)  # the reply held: its id stays its own
        if len(self._rendered) > RENDERED_KEPT:
            self._rendered.popitem(last=False)
        return messages

    async def _invoked(self, event: Invoked, client: AsyncWebClient) -> list[Reply]:
        if event.command.lower() in MANAGED_COMMANDS:  # asked only for them: users.info is a call
            event = dataclasses.replace(event, manages=await self._manages(client, event.channel.workspace, event.user))
        return await self.engine.handle(event)

    async def _manages(self, client: AsyncWebClient, team: str, user: str) -> bool:
        """May this user change the workspace's settings? A workspace admin or owner (users.info),
        or the person who installed the bot in this workspace (the installation store, with OAuth).
        Asked each time, never cached: someone demoted loses it at once."""
        if self.installations is not None:
            installed = await self.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=user)
            if installed is not None and installed.user_id == user:
                return True
        try:
            found = (await client.users_info(user=user)).get("user") or {}
        except SlackApiError:  # no users:read scope, or a deleted user: not known to manage it
            return False
        return bool(found.get("is_admin") or found.get("is_owner") or found.get("is_primary_owner"))

    async def _person(self, client: AsyncWebClient, user: str) -> tuple[str | None, str | None]:
        """The user's IANA time zone and locale ("de-DE") as their Slack profile says, one users.info
        call (with include_locale: Slack leaves the locale out otherwise), kept a while."""
        found = self._zones.get(user, _UNKNOWN)
        if found is _UNKNOWN:
            try:
                profile = (await client.users_info(user=user, include_locale=True)).get("user", {})
                found = (profile.get("tz"), profile.get("locale"))
            except SlackApiError:  # no users:read scope, or a deleted user: UTC and English it is
                found = (None, None)
            self._zones[user] = found
        return found
