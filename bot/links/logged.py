"""The links a channel logged with their URLs (the `progress` rows of `log https://…` and imports),
and the site they should point to (the current plan's)."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.links.checker import LinkState
from bot.storage.schema import channels, progress
from bot.storage.store import Store


async def logged_links(store: Store, key: ChannelKey) -> tuple[str | None, list[str]]:
    """(the plan's site, the URLs logged here, oldest first)."""
    plan = await store.current_plan(key)
    site = plan.answers.get("site") if plan is not None else None
    query = (
        sa.select(progress.c.url)
        .join(channels, channels.c.id == progress.c.channel_id)
        .where(
            channels.c.platform == key.platform,
            channels.c.workspace == key.workspace,
            channels.c.channel == key.channel,
            progress.c.url.is_not(None),
        )
        .order_by(progress.c.id)
    )
    async with store.reader.connect() as connection:
        urls = list((await connection.execute(query)).scalars())
    return site, urls


def summary(states: list[LinkState]) -> str:
    """'11 of 12 links you logged are live; lost: yell.com (404), …' (unchecked ones said apart)."""
    live = [s for s in states if s.state == "live"]
    lost = [s for s in states if s.state == "lost"]
    unchecked = [s for s in states if s.state == "unchecked"]
    many = len(states) != 1
    line = f"{len(live)} of {len(states)} link{'s' if many else ''} you logged {'are' if many else 'is'} live"
    if lost:
        line += "; lost: " + ", ".join(f"{_host(s.url)} ({s.reason})" for s in lost)
    if unchecked:
        line += f"; not checked: {len(unchecked)}"
    return line


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")
