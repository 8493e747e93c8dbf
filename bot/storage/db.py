"""What the stores share: the clock, and the part of `bot.storage.store.Store` the reminder and progress
stores run on (so they need not import the store that builds them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.events import ChannelKey

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Database(Protocol):
    """The store's engines, clock, dialect's insert and channel lookup (bot.storage.store.Store has them)."""

    engine: AsyncEngine  # writes (and reads inside a write)
    reader: AsyncEngine  # reads outside a write
    clock: Clock
    _insert: Any  # the dialect's insert (PostgreSQL's or SQLite's, for ON CONFLICT)

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None: ...
