"""Answer drafts per channel and user: a plan in progress, versioned so two requests never
overwrite each other's answers (a `DraftConflict` says read again). A part of the `Store`
(bot/storage/store.py), on its engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.events import ChannelKey
from bot.storage.db import Clock
from bot.storage.group_commit import GroupCommit
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
    _session_reads: GroupCommit[tuple[ChannelKey, str], Session]

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None:
        raise NotImplementedError  # the Store's

    async def load_draft(self, key: ChannelKey, user: str) -> dict[str, Any] | None:
        return (await self.load_session(key, user)).draft

    async def load_session(self, key: ChannelKey, user: str) -> Session:
        """The user's draft (with its version) and the answers of the channel's current plan. Read
        with every other session asked for at the same moment (a flood of forms worked at once):
        one query for the group, as writes share one transaction (bot/storage/group_commit.py)."""
        return await self._session_reads((key, user))

    async def _load_sessions(self, group: list[tuple[ChannelKey, str]]) -> list[Session]:
        """load_session for a group, in one round trip: each channel's row with its latest plan's
        answers, and the drafts of the users asked about (matched to their channel here)."""
        keys = {key for key, _ in group}
        answers = (
            sa.select(plans.c.answers)
            .where(plans.c.channel_id == channels.c.id)
            .order_by(plans.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            sa.select(
                channels.c.platform,
                channels.c.workspace,
                channels.c.channel,
                drafts.c.user_id,
                drafts.c.state,
                drafts.c.version,
                answers.label("answers"),
            )
            .select_from(
                channels.outerjoin(
                    drafts,
                    sa.and_(
                        drafts.c.channel_id == channels.c.id, drafts.c.user_id.in_(sorted({user for _, user in group}))
                    ),
                )
            )
            .where(
                sa.tuple_(channels.c.platform, channels.c.workspace, channels.c.channel).in_(
                    [(k.platform, k.workspace, k.channel) for k in keys]
                )
            )
        )
        plans_of: dict[ChannelKey, dict[str, Any] | None] = {}
        drafts_of: dict[tuple[ChannelKey, str], tuple[dict[str, Any], int]] = {}
        async with self.reader.connect() as connection:
            for row in await connection.execute(query):
                key = ChannelKey(row.platform, row.workspace, row.channel)
                plans_of[key] = row.answers
                if row.user_id is not None:
                    drafts_of[(key, row.user_id)] = (row.state, row.version)
        sessions = []
        for key, user in group:
            state, version = drafts_of.get((key, user), (None, None))
            sessions.append(Session(state, version, plans_of.get(key)))
        return sessions

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
