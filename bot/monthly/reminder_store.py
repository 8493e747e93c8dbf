"""The monthly side's reminder rows, on the store's engine (bot/storage/store.py;
`ReminderStore.on(store)`): a channel's check-in settings, when it is next due, its claims and sends.

Claiming is one atomic UPDATE … RETURNING over the due rows (with `FOR UPDATE SKIP LOCKED` on
PostgreSQL), with a lease: a loop that dies mid-send leaves rows that another loop takes over when
the lease ends. The per-channel-and-month row in `reminder_sends` is the idempotency key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.monthly.schedule import ReminderSettings
from bot.storage.db import Database, StorePart
from bot.storage.schema import channels, reminder_sends, reminders


@dataclass(frozen=True, slots=True)
class Reminder:
    channel_id: int
    channel: ChannelKey
    settings: ReminderSettings
    next_due_at: dt.datetime | None
    paused_reason: str | None = None


class ReminderStore(StorePart):
    """A channel's check-in: its settings, when it is next due, its claims and sends."""

    def __init__(self, store: Database):
        super().__init__(store)
        self.pauses = 0  # bumped by every pause this process makes (lets callers drop cached answers)

    @property
    def engine(self):
        return self.store.engine

    async def get(self, key: ChannelKey) -> Reminder | None:
        query = sa.select(reminders).join(channels, channels.c.id == reminders.c.channel_id).where(*channel_is(key))
        async with self.store.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        if row is None:
            return None
        return Reminder(
            row.channel_id, key, ReminderSettings.from_json(row.settings), utc(row.next_due_at), row.paused_reason
        )

    @staticmethod
    def zone(settings: Mapping[str, Any] | None) -> str:
        """The time zone of a reminder's stored settings (UTC for a channel without a reminder)."""
        return ReminderSettings.from_json(dict(settings)).timezone if settings else "UTC"

    async def of(self, channel_ids: Sequence[int]) -> dict[int, Reminder]:
        """The reminders of these channels, in one query (a page listing many channels)."""
        query = (
            sa.select(reminders, channels.c.platform, channels.c.workspace, channels.c.channel)
            .join(channels, channels.c.id == reminders.c.channel_id)
            .where(reminders.c.channel_id.in_(channel_ids))
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {
            row.channel_id: Reminder(
                row.channel_id,
                ChannelKey(row.platform, row.workspace, row.channel),
                ReminderSettings.from_json(row.settings),
                utc(row.next_due_at),
                row.paused_reason,
            )
            for row in rows
        }

    async def save(self, key: ChannelKey, settings: ReminderSettings, next_due: dt.datetime | None) -> None:
        """Set a channel's reminder (a change also lifts a pause)."""
        now = self.store.clock()
        async with self.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            values = {
                "settings": settings.to_json(),
                "next_due_at": next_due,
                "claimed_by": None,
                "claimed_until": None,
                "attempts": 0,
                "paused_reason": None,
                "pause_noticed": False,
                "updated_at": now,
            }
            upsert = self.store._insert(reminders).values(channel_id=channel_id, **values)
            await connection.execute(upsert.on_conflict_do_update(index_elements=["channel_id"], set_=values))

    def _due(self, now: dt.datetime, platforms: Sequence[str]):
        return (
            sa.select(reminders.c.channel_id)
            .join(channels, channels.c.id == reminders.c.channel_id)
            .where(
                reminders.c.next_due_at <= now,
                reminders.c.paused_reason.is_(None),
                sa.or_(reminders.c.claimed_until.is_(None), reminders.c.claimed_until < now),
                channels.c.platform.in_(platforms),
            )
            .order_by(reminders.c.next_due_at)
        )

    async def due(self, now: dt.datetime, platforms: Sequence[str], limit: int = 10_000) -> list[Reminder]:
        """What is due, without claiming it (for a dry run)."""
        query = (
            sa.select(reminders, channels.c.platform, channels.c.workspace, channels.c.channel)
            .join(channels, channels.c.id == reminders.c.channel_id)
            .where(reminders.c.channel_id.in_(self._due(now, platforms).limit(limit).scalar_subquery()))
            .order_by(reminders.c.next_due_at)
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            Reminder(
                r.channel_id,
                ChannelKey(r.platform, r.workspace, r.channel),
                ReminderSettings.from_json(r.settings),
                utc(r.next_due_at),
            )
            for r in rows
        ]

    async def claim_due(
        self,
        now: dt.datetime,
        *,
        owner: str,
        lease: dt.timedelta,
        limit: int,
        platforms: Sequence[str],
        at: dt.datetime | None = None,
    ) -> list[Reminder]:
        """Atomically take up to `limit` rows due at `now` for `lease` from `at` (the time of the
        claim, when later than `now`); no two loops get the same row. Only channels of `platforms`
        (those this process can post to) are taken."""
        due = self._due(now, platforms).limit(limit)
        if self.engine.dialect.name == "postgresql":
            due = due.with_for_update(of=reminders, skip_locked=True)
        claim = (
            sa.update(reminders)
            .where(reminders.c.channel_id.in_(due.scalar_subquery()))
            .values(claimed_by=owner, claimed_until=max(now, at or now) + lease)
            .returning(reminders.c.channel_id, reminders.c.settings, reminders.c.next_due_at)
        )
        async with self.engine.begin() as connection:
            claimed = (await connection.execute(claim)).all()
            if not claimed:
                return []
            ids = [row.channel_id for row in claimed]
            keys = {
                row.id: ChannelKey(row.platform, row.workspace, row.channel)
                for row in await connection.execute(sa.select(channels).where(channels.c.id.in_(ids)))
            }
        return [
            Reminder(
                row.channel_id, keys[row.channel_id], ReminderSettings.from_json(row.settings), utc(row.next_due_at)
            )
            for row in claimed
        ]

    async def renew(self, owner: str, until: dt.datetime) -> int:
        """Extend the lease on every row `owner` holds to `until`: a batch still being sent (a
        platform's rate limits can make it long) stays this loop's, not another's to send again."""
        async with self.engine.begin() as connection:
            renewed = await connection.execute(
                sa.update(reminders).where(reminders.c.claimed_by == owner).values(claimed_until=until)
            )
        return renewed.rowcount

    async def begin_sends(self, items: Sequence[tuple[int, str, dt.datetime]]) -> set[tuple[int, str]]:
        """Record (channel, month) keys as being sent; returns those this caller may send.

        A key already `sent` is refused (another loop, or an earlier run, sent it); a key left
        `sending` by a loop that died mid-send is taken over (its lease ran out, or we'd not hold
        the row)."""
        if not items:
            return set()
        async with self.engine.begin() as connection:
            existing = {
                (row.channel_id, row.month): row.status
                for row in await connection.execute(
                    sa.select(reminder_sends).where(
                        sa.tuple_(reminder_sends.c.channel_id, reminder_sends.c.month).in_(
                            [(cid, month) for cid, month, _ in items]
                        )
                    )
                )
            }
            fresh = [
                {"channel_id": cid, "month": month, "status": "sending", "due_at": due}
                for cid, month, due in items
                if (cid, month) not in existing
            ]
            if fresh:
                await connection.execute(self.store._insert(reminder_sends).on_conflict_do_nothing(), fresh)
        return {(cid, month) for cid, month, _ in items if existing.get((cid, month)) != "sent"}

    async def mark_sent(self, keys: Sequence[tuple[int, str]]) -> None:
        """Record (channel, month) sends as done, right as they complete: a loop that dies after
        this sends none of them again (begin_sends refuses them)."""
        if not keys:
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(reminder_sends)
                .where(
                    reminder_sends.c.channel_id == sa.bindparam("cid"),
                    reminder_sends.c.month == sa.bindparam("key"),
                )
                .values(status="sent", sent_at=self.store.clock()),
                [{"cid": cid, "key": month} for cid, month in keys],
            )

    async def finish(self, done: Iterable[tuple[int, str, dt.datetime | None]]) -> None:
        """Move each reminder, its send marked done, to its next due time, releasing the claim.
        One statement per next due time: a batch's reminders mostly share one."""
        channels_by_due: dict[dt.datetime | None, list[int]] = {}
        for cid, _, due in done:
            channels_by_due.setdefault(due, []).append(cid)
        if not channels_by_due:
            return
        async with self.engine.begin() as connection:
            for due, ids in channels_by_due.items():
                await connection.execute(
                    sa.update(reminders)
                    .where(reminders.c.channel_id.in_(ids))
                    .values(next_due_at=due, claimed_by=None, claimed_until=None, attempts=0)
                )

    async def release(self, channel_id: int, retry_at: dt.datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(reminders)
                .where(reminders.c.channel_id == channel_id)
                .values(next_due_at=retry_at, claimed_by=None, claimed_until=None, attempts=reminders.c.attempts + 1)
            )

    async def pause(self, channel_id: int, reason: str) -> None:
        self.pauses += 1
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.update(reminders)
                .where(reminders.c.channel_id == channel_id)
                .values(paused_reason=reason[:200], pause_noticed=False, claimed_by=None, claimed_until=None)
            )

    async def take_pause_notice(self, key: ChannelKey) -> str | None:
        """The reason a channel's reminders were paused by the bot, once (then it is noticed).

        Runs on every command, so it reads first and writes only when there is something to say."""
        query = (
            sa.select(reminders.c.channel_id, reminders.c.paused_reason)
            .join(channels, channels.c.id == reminders.c.channel_id)
            .where(*channel_is(key), reminders.c.paused_reason.is_not(None), reminders.c.pause_noticed.is_(False))
        )
        async with self.store.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        if row is None:
            return None
        async with self.engine.begin() as connection:
            noticed = await connection.execute(
                sa.update(reminders)
                .where(reminders.c.channel_id == row.channel_id, reminders.c.pause_noticed.is_(False))
                .values(pause_noticed=True)
            )
        return row.paused_reason if noticed.rowcount else None  # another request said it first


def channel_is(key: ChannelKey) -> tuple:
    return (
        channels.c.platform == key.platform,
        channels.c.workspace == key.workspace,
        channels.c.channel == key.channel,
    )


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
