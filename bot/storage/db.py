"""What the stores share: the clock, and the part of `bot.storage.store.Store` the
capabilities' own stores run on (bot/monthly/reminder_store.py, bot/home/store.py, bot/lookups/store.py), so
that the store never imports a capability's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.events import ChannelKey
from bot.storage.schema import channels

Clock = Callable[[], dt.datetime]
Part = TypeVar("Part")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_channel(key: ChannelKey) -> sa.ColumnElement[bool]:
    """The WHERE clause of one channel's row in `channels`."""
    return sa.and_(
        channels.c.platform == key.platform,
        channels.c.workspace == key.workspace,
        channels.c.channel == key.channel,
    )


def aware(moment: dt.datetime) -> dt.datetime:
    """A moment read back in UTC: SQLite returns naive datetimes even for timezone=True columns;
    we only ever write UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Database(Protocol):
    """The store's engines, clock, dialect's insert and channel lookup (bot.storage.store.Store has them)."""

    engine: AsyncEngine  # writes (and reads inside a write)
    reader: AsyncEngine  # reads outside a write
    clock: Clock
    _insert: Any  # the dialect's insert (PostgreSQL's or SQLite's, for ON CONFLICT)

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None: ...

    async def _write_draft(
        self, connection: AsyncConnection, channel_id: int, user: str, state, expected, key
    ) -> None: ...

    def part(self, kind: Callable[[Any], Part]) -> Part:
        """The one instance of a capability's store on this store, built on first use."""


class StorePart:
    """A capability's own store, on the store's engine (bot/monthly/reminder_store.py, bot/home/store.py,
    bot/lookups/store.py): `ReminderStore.on(store)` is the one instance on that store."""

    def __init__(self, store: Database):
        self.store = store

    @classmethod
    def on(cls, store: Database) -> Self:
        """This kind of store on `store`: one for every user of it, so what it keeps (a count, a
        group commit) is shared."""
        return store.part(cls)
