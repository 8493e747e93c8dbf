"""A person's own page (Slack's App Home): the channels they have used the bot in, whether they have
opened the page (then it is kept current), and whether they were welcomed (once, never again).

On the store's engine (see bot/storage/store.py; `HomeStore.on(store)`); one query layer for SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.storage.db import Database, StorePart
from bot.storage.group_commit import GroupCommit
from bot.storage.schema import channel_users, channels, home_users


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in a workspace: whose page it is."""

    platform: str
    workspace: str
    user: str


@dataclass(frozen=True, slots=True)
class UsedChannel:
    channel_id: int
    channel: ChannelKey
    last_used_at: dt.datetime


class HomeStore(StorePart):
    def __init__(self, store: Database):
        super().__init__(store)
        # Uses recorded at the same moment (a flood of commands or forms) share one transaction.
        self._uses: GroupCommit[tuple[ChannelKey, str], None] = GroupCommit(self._record_uses)

    async def used(self, key: ChannelKey, user: str) -> None:
        """Record that this user used the bot in this channel (one upsert; the channel's row too)."""
        await self._uses((key, user))

    async def _record_uses(self, group: list[tuple[ChannelKey, str]]) -> list[None]:
        now = self.store.clock()
        async with self.store.engine.begin() as connection:
            ids = await self.store._channel_ids(connection, {key for key, _ in group})
            rows = [{"channel_id": ids[key], "user_id": user, "last_used_at": now} for key, user in set(group)]
            upsert = self.store._insert(channel_users)
            await connection.execute(  # rows as parameters: compiled once, not per group
                upsert.on_conflict_do_update(
                    index_elements=["channel_id", "user_id"], set_={"last_used_at": upsert.excluded.last_used_at}
                ),
                rows,
            )
        return [None] * len(group)

    async def channels_of(self, person: Person, limit: int) -> tuple[list[UsedChannel], int]:
        """The channels of this workspace the person has used the bot in, most recent first (at most
        `limit`), and how many there are in all."""
        mine = sa.and_(
            channel_users.c.user_id == person.user,
            channels.c.platform == person.platform,
            channels.c.workspace == person.workspace,
        )
        joined = channel_users.join(channels, channels.c.id == channel_users.c.channel_id)
        query = (
            sa.select(channels.c.id, channels.c.channel, channel_users.c.last_used_at)
            .select_from(joined)
            .where(mine)
            .order_by(channel_users.c.last_used_at.desc(), channels.c.id.desc())
            .limit(limit)
        )
        total = sa.select(sa.func.count()).select_from(joined).where(mine)
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
            count = (await connection.execute(total)).scalar_one() if len(rows) == limit else len(rows)
        return [
            UsedChannel(r.id, ChannelKey(person.platform, person.workspace, r.channel), _utc(r.last_used_at))
            for r in rows
        ], count

    async def homes_showing(self, key: ChannelKey) -> list[Person]:
        """Whose opened page lists this channel: those who used the bot here and opened their page."""
        return (await self.homes_showing_any([key])).get(key, [])

    async def homes_showing_any(self, keys: Sequence[ChannelKey]) -> dict[ChannelKey, list[Person]]:
        """`homes_showing` for several channels in one query (a flood of plans changes many at once);
        channels no opened page lists are left out."""
        named = sa.tuple_(channels.c.platform, channels.c.workspace, channels.c.channel)
        query = (
            sa.select(channels.c.platform, channels.c.workspace, channels.c.channel, channel_users.c.user_id)
            .select_from(
                channel_users.join(channels, channels.c.id == channel_users.c.channel_id).join(
                    home_users,
                    sa.and_(
                        home_users.c.platform == channels.c.platform,
                        home_users.c.workspace == channels.c.workspace,
                        home_users.c.user_id == channel_users.c.user_id,
                    ),
                )
            )
            .where(
                named.in_([(k.platform, k.workspace, k.channel) for k in keys]),
                home_users.c.opened_at.is_not(None),
            )
            .order_by(channel_users.c.user_id)
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        showing: dict[ChannelKey, list[Person]] = {}
        for platform, workspace, channel, user in rows:
            showing.setdefault(ChannelKey(platform, workspace, channel), []).append(Person(platform, workspace, user))
        return showing

    async def opened(self, person: Person) -> None:
        """The person opened their page: from now on it is kept current."""
        now = self.store.clock()
        upsert = self.store._insert(home_users).values(**_key(person), opened_at=now)
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "workspace", "user_id"],
            set_={"opened_at": sa.func.coalesce(home_users.c.opened_at, upsert.excluded.opened_at)},
        )
        async with self.store.engine.begin() as connection:
            await connection.execute(upsert)

    async def claim_welcome(self, person: Person) -> bool:
        """True once per person, ever (across processes and restarts): whoever gets it welcomes them."""
        now = self.store.clock()
        upsert = self.store._insert(home_users).values(**_key(person), welcomed_at=now)
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "workspace", "user_id"],
            set_={"welcomed_at": now},
            where=home_users.c.welcomed_at.is_(None),
        ).returning(home_users.c.user_id)
        async with self.store.engine.begin() as connection:
            return (await connection.execute(upsert)).first() is not None

    async def release_welcome(self, person: Person) -> None:
        """The welcome could not be sent: the next occasion tries again."""
        async with self.store.engine.begin() as connection:
            await connection.execute(sa.update(home_users).where(*_is(person)).values(welcomed_at=None))


def _key(person: Person) -> dict[str, str]:
    return {"platform": person.platform, "workspace": person.workspace, "user_id": person.user}


def _is(person: Person) -> tuple:
    return (
        home_users.c.platform == person.platform,
        home_users.c.workspace == person.workspace,
        home_users.c.user_id == person.user,
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes even for timezone=True columns; we only ever write UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
