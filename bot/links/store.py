"""The link checks' rows (the link_checks table): which logged links are due a check, what the
last one found, per channel. On the store's engines (bot/storage/store.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.links.checker import LinkState
from bot.storage.db import StorePart
from bot.storage.schema import channels, link_checks, plans, progress


@dataclass(frozen=True, slots=True)
class DueLink:
    progress_id: int
    channel_id: int
    url: str
    site: str  # the channel's current plan's site: what the page should link to


@dataclass(frozen=True, slots=True)
class CheckedLink:
    domain: str
    url: str
    state: str
    detail: str
    checked_at: dt.datetime


class LinkStore(StorePart):
    """The link_checks rows: `LinkStore.on(store)`."""

    async def due(self, *, checked_before: dt.datetime, limit: int) -> list[DueLink]:
        """Logged links never checked, or last checked before `checked_before`; oldest first."""
        newest = sa.select(plans.c.channel_id, sa.func.max(plans.c.id).label("plan_id")).group_by(plans.c.channel_id)
        newest = newest.subquery()
        query = (
            sa.select(progress.c.id, progress.c.channel_id, progress.c.url, plans.c.answers)
            .join(newest, newest.c.channel_id == progress.c.channel_id)
            .join(plans, plans.c.id == newest.c.plan_id)
            .outerjoin(link_checks, link_checks.c.progress_id == progress.c.id)
            .where(
                progress.c.url.is_not(None),
                sa.or_(link_checks.c.checked_at.is_(None), link_checks.c.checked_at < checked_before),
            )
            .order_by(link_checks.c.checked_at.asc().nulls_first(), progress.c.id)
            .limit(limit)
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            DueLink(row.id, row.channel_id, row.url, site)
            for row in rows
            if (site := (row.answers or {}).get("site"))  # a plan always has one; an old row may not
        ]

    async def save(self, found: Sequence[tuple[DueLink, LinkState]]) -> None:
        """What each check found, replacing the link's last check (one transaction)."""
        if not found:
            return
        now = self.store.clock()
        rows = [
            {
                "progress_id": due.progress_id,
                "channel_id": due.channel_id,
                "state": state.state,
                "detail": state.detail[:200],
                "status": state.status,
                "checked_at": now,
            }
            for due, state in found
        ]
        upsert = self.store._insert(link_checks)
        upsert = upsert.on_conflict_do_update(
            index_elements=["progress_id"],
            set_={c: upsert.excluded[c] for c in ("state", "detail", "status", "checked_at")},
        )
        async with self.store.engine.begin() as connection:
            # A link deleted (log undo, forget) while it was being checked has no row to point at.
            ids = {due.progress_id for due, _ in found}
            kept = set((await connection.execute(sa.select(progress.c.id).where(progress.c.id.in_(ids)))).scalars())
            rows = [row for row in rows if row["progress_id"] in kept]
            if rows:
                await connection.execute(upsert, rows)

    async def of_channel(self, key: ChannelKey) -> list[CheckedLink]:
        """The channel's checked links, as their last check found them (links never checked left out)."""
        query = _checked().join(channels, channels.c.id == progress.c.channel_id)
        query = query.where(
            channels.c.platform == key.platform,
            channels.c.workspace == key.workspace,
            channels.c.channel == key.channel,
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_link(row) for row in rows]

    async def of_channels(self, channel_ids: Sequence[int]) -> dict[int, list[CheckedLink]]:
        """The checked links of each of these channels (a check-in batch), in one query."""
        if not channel_ids:
            return {}
        query = _checked().where(link_checks.c.channel_id.in_(list(channel_ids)))
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        found: dict[int, list[CheckedLink]] = {}
        for row in rows:
            found.setdefault(row.channel_id, []).append(_link(row))
        return found


def _checked() -> sa.Select:
    return (
        sa.select(progress.c.domain, progress.c.url, link_checks)
        .join(link_checks, link_checks.c.progress_id == progress.c.id)
        .order_by(progress.c.id)
    )


def _link(row: sa.Row) -> CheckedLink:
    return CheckedLink(row.domain or row.url, row.url, row.state, row.detail, row.checked_at)
