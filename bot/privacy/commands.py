"""`forget`: delete this channel's data (its plans with their history, drafts, reminder, progress).

Two steps, so a stray command deletes nothing. `forget` shows what would go (counts) to someone who
may delete it; they confirm with a button (Slack, Discord) or, in the terminal, by typing the
channel's name (`forget console`). Who may: whoever manages the workspace (`Request.manages`, as
for `connect`: a Slack workspace admin or owner or the installer, a Discord member with Manage
Server, the console's own user).

The button carries the channel, the person and the moment it was offered, and every one of them is
checked again when it is pressed, with the permission: a button from another channel or person, or
one left for longer than CONFIRM_WITHIN, deletes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.conversation import views
from bot.core.feature import Plugs, Request
from bot.core.numbers import whole_number
from bot.core.replies import Button, Buttons, Paragraph, Reply, text
from bot.storage.store import Store

CONFIRM = "forget_confirm"  # the button's action
CONFIRM_WITHIN = dt.timedelta(minutes=15)  # a confirmation button older than this does nothing
# What the replies name, from the tables a channel's rows are in (bot/storage/tenants.py).
SHOWN = ("plans", "drafts", "reminders", "progress")


class Forgetting:
    def __init__(self, *, store: Store):
        self.store = store

    def plugs(self) -> Plugs:
        # A channel forgotten (the terminal's `forget NAME`, the button elsewhere) has changed.
        changes = frozenset({"forget", CONFIRM})
        return Plugs(commands={"forget": self.forget}, buttons={CONFIRM: self.confirmed}, changes=changes)

    async def forget(self, request: Request) -> list[Reply]:
        if not request.manages:
            return [views.info("forget.not_allowed", platform=request.channel.platform)]
        typed = request.argument.strip()
        if typed and request.conversational:  # the terminal's confirmation: the channel's name typed
            if typed.lower() != request.channel.channel.lower():
                return [views.info("forget.wrong_name", typed=typed, channel=request.channel.channel)]
            return await self._delete(request)
        counts = await self.store.tenants.count_channel(request.channel)
        if not any(counts.get(table) for table in SHOWN):
            return [views.info("forget.nothing")]
        shown = _shown(counts)
        blocks: list = [
            Paragraph(
                text("forget.preview", **shown, conversational=request.conversational, channel=request.channel.channel)
            )
        ]
        if not request.conversational:
            value = _token(request, self.store.clock())
            blocks.append(Buttons((Button(CONFIRM, text("button.forget_confirm"), value=value),)))
        return [Reply("info", tuple(blocks), private=True)]

    async def confirmed(self, request: Request, value: str) -> list[Reply]:
        """The button pressed: checked again (same channel, same person, in time, still allowed)."""
        if not _fresh(value, request, self.store.clock()):
            return [views.info("forget.stale")]
        if not request.manages:
            return [views.info("forget.not_allowed", platform=request.channel.platform)]
        return await self._delete(request)

    async def _delete(self, request: Request) -> list[Reply]:
        deleted = await self.store.tenants.delete_channel(request.channel)
        if not any(deleted.get(table) for table in SHOWN):
            return [views.info("forget.nothing")]
        return [Reply("info", (Paragraph(text("forget.done", **_shown(deleted))),))]


def _shown(counts: Mapping[str, int]) -> dict[str, int]:
    return {table: counts.get(table, 0) for table in SHOWN}


def _token(request: Request, now: dt.datetime) -> str:
    """The button's value: where, for whom and when it was offered."""
    return f"{request.channel.channel}|{request.user}|{int(now.timestamp())}"


def _fresh(value: str, request: Request, now: dt.datetime) -> bool:
    channel, _, rest = value.partition("|")
    user, _, offered = rest.partition("|")
    offered_at = whole_number(offered)
    if offered_at is None or (channel, user) != (request.channel.channel, request.user):
        return False
    try:
        age = now - dt.datetime.fromtimestamp(offered_at, dt.UTC)
    except (OverflowError, ValueError, OSError):  # a button's value is the client's to send: no time at all
        return False
    return dt.timedelta(0) <= age <= CONFIRM_WITHIN
