"""Plans per channel, with their history: saved in groups (a flood of forms finished at once is
one transaction), a channel's first plan turning its check-ins on, read back newest first or for a
batch of channels. A part of the `Store` (bot/storage/store.py), on its engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core import metrics
from bot.core.events import ChannelKey
from bot.storage.db import Clock, aware
from bot.storage.drafts import ANY, DraftConflict
from bot.storage.group_commit import GroupCommit
from bot.storage.schema import channels, drafts, plans, reminders


class PlanSave(NamedTuple):
    """One save_plan call, as a group of them is written."""

    key: ChannelKey
    user: str
    answers: dict[str, Any]
    plan: dict[str, Any]
    expected: Any
    first_reminder: tuple[dict[str, Any], dt.datetime | None] | None
    request: str | None


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    plan: dict[str, Any]
    answers: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    earlier: int  # how many older plans the channel keeps


class Plans:
    """The plans' half of the `Store` (which has the engines, the clock and the channel ids)."""

    engine: AsyncEngine
    reader: AsyncEngine
    clock: Clock
    _insert: Any
    _plan_saves: GroupCommit[PlanSave, bool | DraftConflict]

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None:
        raise NotImplementedError  # the Store's

    async def save_plan(
        self,
        key: ChannelKey,
        user: str,
        answers: dict[str, Any],
        plan: dict[str, Any],
        *,
        expected: Any = ANY,
        first_reminder: tuple[dict[str, Any], dt.datetime | None] | None = None,
        request: str | None = None,
    ) -> bool:
        """Store a finished plan and drop the user's draft, in one transaction. With the draft's
        `expected` version, a draft another process finished first raises DraftConflict: one plan.
        `first_reminder` (settings, next due) is set up only if the channel has no reminder yet;
        returns whether it was. A `request` (the submission's key) already stored stores nothing:
        the same submission worked twice is one plan. Plans saved at the same moment are written
        together, in one transaction of a few statements (group commit)."""
        saved = await self._plan_saves(PlanSave(key, user, answers, plan, expected, first_reminder, request))
        if isinstance(saved, DraftConflict):
            raise saved
        return saved

    async def _save_plans(self, group: list[PlanSave]) -> list[bool | DraftConflict]:
        """save_plan for a group, each item's outcome on its own: a conflict on one is that one's."""
        now = self.clock()
        outcome: list[bool | DraftConflict | None] = [None] * len(group)
        async with self.engine.begin() as connection:
            requests = [item.request for item in group if item.request is not None]
            seen = set()
            if requests:
                stored = sa.select(plans.c.request).where(plans.c.request.in_(requests))
                seen = set((await connection.execute(stored)).scalars())
            for n, item in enumerate(group):
                if item.request is not None:
                    if item.request in seen:
                        outcome[n] = False  # worked before (or twice in this group): one plan
                    seen.add(item.request)
            todo = [n for n in range(len(group)) if outcome[n] is None]
            ids = await self._channel_ids(connection, {group[n].key for n in todo})
            checked = [n for n in todo if group[n].expected is not ANY and group[n].expected is not None]
            if checked:
                versions = [(ids[group[n].key], group[n].user, group[n].expected) for n in checked]
                columns = sa.tuple_(drafts.c.channel_id, drafts.c.user_id, drafts.c.version)
                dropped = set(
                    map(tuple, await connection.execute(
                        sa.delete(drafts).where(columns.in_(versions)).returning(drafts.c.channel_id, drafts.c.user_id)
                    ))
                )  # fmt: skip
                for n in checked:
                    if (ids[group[n].key], group[n].user) not in dropped:
                        key, user = group[n].key, group[n].user
                        outcome[n] = DraftConflict(f"the draft of {user} in {key} was finished or changed meanwhile")
            if unchecked := [(ids[group[n].key], group[n].user) for n in todo if n not in checked]:
                mine = sa.tuple_(drafts.c.channel_id, drafts.c.user_id)
                await connection.execute(sa.delete(drafts).where(mine.in_(unchecked)))
            todo = [n for n in todo if outcome[n] is None]
            if todo:
                rows = [
                    {
                        "channel_id": ids[group[n].key],
                        "created_by": group[n].user,
                        "created_at": now,
                        "answers": group[n].answers,
                        "plan": group[n].plan,
                        "request": group[n].request,
                    }
                    for n in todo
                ]
                # Another process may store the same submission between the read above and this
                # insert (its lease on the inbox row ran out while it worked): that one is already
                # stored, not an error that would roll back the whole group.
                # Rows as parameters (one multi-row INSERT all the same), so the statement is compiled once.
                insert = (
                    self._insert(plans).on_conflict_do_nothing(index_elements=["request"]).returning(plans.c.request)
                )
                inserted = list((await connection.execute(insert, rows)).scalars())
                landed = set(inserted)
                for n in todo:
                    if group[n].request is not None and group[n].request not in landed:
                        outcome[n] = False  # stored by another process just now: one plan
                metrics.PLANS_STORED.inc(len(inserted))  # (a rolled-back group counted too: rare, and logged)
            todo = [n for n in todo if outcome[n] is None]
            first: dict[int, int] = {}  # channel → the item whose first reminder it gets
            for n in todo:
                if group[n].first_reminder is not None:
                    first.setdefault(ids[group[n].key], n)
            created: set[int] = set()
            if first:
                reminder_rows = [
                    {
                        "channel_id": channel_id,
                        "settings": group[n].first_reminder[0],
                        "next_due_at": group[n].first_reminder[1],
                        "updated_at": now,
                    }
                    for channel_id, n in first.items()
                ]
                insert = self._insert(reminders).on_conflict_do_nothing(index_elements=["channel_id"])
                created = set(
                    (await connection.execute(insert.returning(reminders.c.channel_id), reminder_rows)).scalars()
                )
            for n in todo:
                channel_id = ids[group[n].key]
                outcome[n] = channel_id in created and first.get(channel_id) == n
        return outcome  # type: ignore[return-value]

    async def _channel_ids(self, connection: AsyncConnection, keys: set[ChannelKey]) -> dict[ChannelKey, int]:
        """The ids of these channels, made where missing, in one statement."""
        if not keys:
            return {}
        rows = [
            {"platform": k.platform, "workspace": k.workspace, "channel": k.channel, "created_at": self.clock()}
            for k in keys
        ]
        upsert = self._insert(channels)
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "workspace", "channel"], set_={"channel": upsert.excluded.channel}
        ).returning(channels.c.id, channels.c.platform, channels.c.workspace, channels.c.channel)
        # Rows as parameters (one multi-row statement all the same): compiled once, not per group.
        return {ChannelKey(r.platform, r.workspace, r.channel): r.id for r in await connection.execute(upsert, rows)}

    async def current_plan(self, key: ChannelKey) -> StoredPlan | None:
        async with self.reader.connect() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return None
            newest = (
                await connection.execute(
                    sa.select(plans).where(plans.c.channel_id == channel_id).order_by(plans.c.id.desc()).limit(1)
                )
            ).one_or_none()
            if newest is None:
                return None
            total = (
                await connection.execute(
                    sa.select(sa.func.count()).select_from(plans).where(plans.c.channel_id == channel_id)
                )
            ).scalar_one()
        return StoredPlan(
            id=newest.id,
            plan=newest.plan,
            answers=newest.answers,
            created_by=newest.created_by,
            created_at=aware(newest.created_at),
            earlier=total - 1,
        )

    async def plans_of(self, channel_ids: list[int]) -> dict[int, list[StoredPlan]]:
        """Every plan of these channels, oldest first, in one query (for a batch of reminders)."""
        query = sa.select(plans).where(plans.c.channel_id.in_(channel_ids)).order_by(plans.c.channel_id, plans.c.id)
        found: dict[int, list[StoredPlan]] = {}
        async with self.reader.connect() as connection:
            for r in await connection.execute(query):
                found.setdefault(r.channel_id, []).append(
                    StoredPlan(r.id, r.plan, r.answers, r.created_by, aware(r.created_at), 0)
                )
        return found

    async def add_plans(self, rows: list[tuple[int, dict[str, Any], dict[str, Any]]], *, created_by: str) -> None:
        """Store new plan versions (channel id, answers, plan) in one statement."""
        if not rows:
            return
        now = self.clock()
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.insert(plans),
                [
                    {"channel_id": cid, "created_by": created_by, "created_at": now, "answers": answers, "plan": plan}
                    for cid, answers, plan in rows
                ],
            )

    async def plan_history(self, key: ChannelKey) -> list[StoredPlan]:
        async with self.reader.connect() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return []
            rows = (
                await connection.execute(
                    sa.select(plans).where(plans.c.channel_id == channel_id).order_by(plans.c.id.desc())
                )
            ).all()
        return [
            StoredPlan(r.id, r.plan, r.answers, r.created_by, aware(r.created_at), len(rows) - 1 - i)
            for i, r in enumerate(rows)
        ]
