"""Answer drafts per channel and user: a plan in progress, versioned so two requests never
overwrite each other's answers (a `DraftConflict` says read again). A part of the `Store`
(bot/storage/store.py), on its engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.events import ChannelKey
from bot.storage.db import Clock, is_channel
from bot.storage.schema import channels, drafts, plans

ANY = object()  # save_draft/save_plan: whatever version is there


class DraftConflict(RuntimeError):
    """Another request saved this user's draft between our read and our write: read again."""


@dataclass(frozen=True, slots=True)
class Session:
    draft: dict[str, Any] | None
    version: int | None
    answers: dict[str, Any] | None


class Drafts:
    """The drafts' half of the `Store` (which has the engines, the clock and the channel ids)."""

    engine: AsyncEngine
    reader: AsyncEngine
    clock: Clock
    _insert: Any

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None:
        raise NotImplementedError  # the Store's

    async def load_draft(self, key: ChannelKey, user: str) -> dict[str, Any] | None:
        return (await self.load_session(key, user)).draft

    async def load_session(self, key: ChannelKey, user: str) -> Session:
        """The user's draft (with its version) and the answers of the channel's current plan, in one
        round trip."""
        draft = sa.select(drafts.c.state, drafts.c.version).where(
            drafts.c.channel_id == channels.c.id, drafts.c.user_id == user
        )
        answers = (
            sa.select(plans.c.answers)
            .where(plans.c.channel_id == channels.c.id)
            .order_by(plans.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = sa.select(
            draft.with_only_columns(drafts.c.state).scalar_subquery().label("draft"),
            draft.with_only_columns(drafts.c.version).scalar_subquery().label("version"),
            answers.label("answers"),
        ).where(is_channel(key))
        async with self.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return Session(row.draft, row.version, row.answers) if row else Session(None, None, None)

    async def save_draft(self, key: ChannelKey, user: str, state: dict[str, Any], *, expected: Any = ANY) -> None:
        """Save a draft. `expected` is the version it was read at (None: there was none); if another
        save came in between, DraftConflict is raised and nothing is written. ANY: overwrite."""
        async with self.engine.begin() as connection:
            channel_id = await self._channel_id(connection, key, create=True)
            await self._write_draft(connection, channel_id, user, state, expected, key)

    async def _write_draft(self, connection, channel_id: int, user: str, state, expected, key) -> None:
        values = {"state": state, "updated_at": self.clock()}
        if expected is ANY or expected is None:
            insert = self._insert(drafts).values(channel_id=channel_id, user_id=user, version=1, **values)
            if expected is ANY:
                update = {**values, "version": drafts.c.version + 1}
                statement = insert.on_conflict_do_update(index_elements=["channel_id", "user_id"], set_=update)
            else:
                statement = insert.on_conflict_do_nothing(index_elements=["channel_id", "user_id"])
        else:
            statement = (
                sa.update(drafts)
                .where(drafts.c.channel_id == channel_id, drafts.c.user_id == user, drafts.c.version == expected)
                .values(**values, version=drafts.c.version + 1)
            )
        if (await connection.execute(statement)).rowcount == 0:
            raise DraftConflict(f"the draft of {user} in {key} changed meanwhile")

    async def drop_draft(self, key: ChannelKey, user: str) -> bool:
        async with self.engine.begin() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return False
            result = await connection.execute(
                sa.delete(drafts).where(drafts.c.channel_id == channel_id, drafts.c.user_id == user)
            )
            return result.rowcount > 0

    # Plans.
