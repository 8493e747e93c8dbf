"""The monthly side's logged progress, on the store's engine (bot/storage/store.py;
`ProgressStore.on(store)`): links typed, corrected or imported, each referring domain counted once
per channel, read back by month; and a channel's record (its plans, its check-ins' time zone, its
months) for `show` in one round trip.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.monthly.progress import Totals
from bot.monthly.reminder_store import ReminderStore, channel_is, utc
from bot.storage.db import StorePart
from bot.storage.plans import StoredPlan
from bot.storage.schema import channels, plans, progress, reminders


@dataclass(frozen=True, slots=True)
class Logged:
    added: list[str]  # new referring domains (or "" for counted links)
    duplicates: list[str]  # domains the channel had already logged
    counted: int  # links counted without a URL


@dataclass(frozen=True, slots=True)
class ChannelRecord:
    """A channel's plans (oldest first), its check-ins' time zone and what it logged, as `show`
    and its chart read them: in one round trip."""

    plans: list[StoredPlan]
    timezone: str  # its reminder's, else UTC
    totals: Totals  # what it logged, per month


class ProgressStore(StorePart):
    """What a channel logged: typed, corrected, imported; read back by month."""

    async def channel_record(self, key: ChannelKey) -> ChannelRecord:
        """The channel's plans with its reminder's time zone (one query), and its logged months (one
        more, only with a plan), on one connection: `show` answers with one trip to the database."""
        query = (
            sa.select(plans, reminders.c.settings.label("reminder"))
            .select_from(channels.join(plans, plans.c.channel_id == channels.c.id))
            .outerjoin(reminders, reminders.c.channel_id == channels.c.id)
            .where(*channel_is(key))
            .order_by(plans.c.id)
        )
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
            totals = await self.totals(connection, rows[0].channel_id if rows else None)
        stored = [StoredPlan(r.id, r.plan, r.answers, r.created_by, utc(r.created_at), i) for i, r in enumerate(rows)]
        return ChannelRecord(stored, ReminderStore.zone(rows[0].reminder if rows else None), totals)

    async def save_import(
        self,
        key: ChannelKey,
        user: str,
        draft: dict[str, Any] | None,
        expected: int | None,
        progress_by_month: dict[str, list[str]],
        nofollow: Collection[str] = (),
    ) -> dict[str, int]:
        """What an import keeps — the answers it filled and the new referring domains it found,
        month by month (`nofollow`: those whose links are all nofollow) — in one transaction.
        Returns how many domains each month gained (a domain the channel already has, logged by hand
        or imported before, counts once)."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            if draft is not None:
                await self.store._write_draft(connection, channel_id, user, draft, expected, key)
            added: dict[str, int] = {}
            entry = new_entry()  # one import is one entry for `log undo`, whatever months it fills
            for month, domains in sorted(progress_by_month.items()):
                fresh = await self.new_domains(connection, channel_id, domains)
                if fresh:
                    await self.insert(
                        connection,
                        channel_id,
                        month,
                        user,
                        "import",
                        [(d, None, {"rel": "nofollow"} if d in nofollow else None) for d in fresh],
                        entry=entry,
                    )
                    added[month] = len(fresh)
            return added

    async def log(
        self,
        key: ChannelKey,
        user: str,
        month: str,
        *,
        count: int = 0,
        domains: Sequence[tuple[str, str, dict[str, Any] | None]] = (),
        source: str = "typed",
        note: str | None = None,
    ) -> Logged:
        """Add a month's progress: a count, and/or domains (domain, url, quality) — a domain the
        channel already has counts once, ever."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            fresh = set(await self.new_domains(connection, channel_id, [d for d, _, _ in domains]))
            added, duplicates, rows = [], [], []
            for domain, url, quality in domains:
                if domain in fresh and domain not in added:
                    added.append(domain)
                    rows.append((domain, url, quality))
                else:
                    duplicates.append(domain)
            await self.insert(connection, channel_id, month, user, source, rows, count=count, note=note)
        return Logged(added, duplicates, count)

    async def new_domains(self, connection, channel_id: int, domains: Sequence[str]) -> list[str]:
        """The domains this channel has not logged or imported yet (in the given order, once each)."""
        if not domains:
            return []
        known: set[str] = set()
        unique = list(dict.fromkeys(domains))
        for start in range(0, len(unique), 500):  # bounded IN lists
            chunk = unique[start : start + 500]
            known |= set(
                (
                    await connection.execute(
                        sa.select(progress.c.domain).where(
                            progress.c.channel_id == channel_id, progress.c.domain.in_(chunk)
                        )
                    )
                ).scalars()
            )
        return [d for d in unique if d not in known]

    async def insert(
        self,
        connection,
        channel_id: int,
        month: str,
        user: str,
        source: str,
        rows,
        *,
        count: int = 0,
        entry: str | None = None,
        note: str | None = None,
    ) -> None:
        """Progress rows: one per (domain, url, quality), plus one for a plain count; `entry` keys
        them as one entry for `log undo` (an import's months share one)."""
        values = [{"domain": d, "url": u, "quality": q, "count": 1} for d, u, q in rows]
        if count:
            values.append({"domain": None, "url": None, "quality": None, "count": count})
        if values:
            now, entry = self.store.clock(), entry or new_entry()
            await connection.execute(
                sa.insert(progress),
                [
                    {
                        **v,
                        "channel_id": channel_id,
                        "month": month,
                        "source": source,
                        "entry": entry,
                        "note": note,
                        "created_by": user,
                        "created_at": now,
                    }
                    for v in values
                ],
            )

    async def by_month_of(self, channel_ids: Sequence[int]) -> dict[int, Totals]:
        """by_month for many channels in one query (for a batch of reminders)."""
        query = sa.select(
            progress.c.channel_id, progress.c.month, progress.c.count, progress.c.quality, progress.c.source
        ).where(progress.c.channel_id.in_(channel_ids))
        found: dict[int, list] = {}
        async with self.store.reader.connect() as connection:
            for row in await connection.execute(query):
                found.setdefault(row.channel_id, []).append(row)
        return {channel_id: _totals(rows) for channel_id, rows in found.items()}

    async def domains_of(self, months: Mapping[int, str]) -> dict[int, set[str]]:
        """The domains each channel logged (or imported) for its month: {channel id: month}, one query."""
        if not months:
            return {}
        query = sa.select(progress.c.channel_id, progress.c.month, progress.c.domain).where(
            progress.c.channel_id.in_(list(months)),
            progress.c.month.in_(set(months.values())),
            progress.c.domain.is_not(None),
        )
        found: dict[int, set[str]] = {}
        async with self.store.reader.connect() as connection:
            for row in await connection.execute(query):
                if months[row.channel_id] == row.month:
                    found.setdefault(row.channel_id, set()).add(row.domain)
        return found

    async def by_month(self, key: ChannelKey) -> Totals:
        """Logged new referring domains per month, with quick checks, nofollow ones and skipped months."""
        query = (
            sa.select(progress.c.month, progress.c.count, progress.c.quality, progress.c.source)
            .join(channels, channels.c.id == progress.c.channel_id)
            .where(*channel_is(key))
        )
        async with self.store.reader.connect() as connection:
            return _totals(await connection.execute(query))

    async def totals(self, connection, channel_id: int | None) -> Totals:
        """`by_month` of a channel known by its id, on a connection the caller holds (None: none)."""
        if channel_id is None:
            return Totals()
        query = sa.select(progress.c.month, progress.c.count, progress.c.quality, progress.c.source)
        return _totals(await connection.execute(query.where(progress.c.channel_id == channel_id)))

    async def undo(self, key: ChannelKey) -> Entry | None:
        """Remove the channel's last entry - one `log` line, correction or import - and say what it was."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=False)
            if channel_id is None:
                return None
            last = (
                await connection.execute(
                    sa.select(progress.c.entry, progress.c.created_at, progress.c.created_by, progress.c.source)
                    .where(progress.c.channel_id == channel_id, progress.c.source != SKIP)
                    .order_by(progress.c.id.desc())
                    .limit(1)
                )
            ).one_or_none()
            if last is None:
                return None
            # The rows one entry wrote share its key (see `insert`); rows from before keys, their moment.
            same = (
                (progress.c.channel_id == channel_id, progress.c.entry == last.entry)
                if last.entry
                else (
                    progress.c.channel_id == channel_id,
                    progress.c.entry.is_(None),
                    progress.c.created_at == last.created_at,
                    progress.c.created_by == last.created_by,
                    progress.c.source == last.source,
                )
            )
            removed = (
                await connection.execute(
                    sa.select(progress.c.month, progress.c.count, progress.c.domain)
                    .where(*same)
                    .order_by(progress.c.id)
                )
            ).all()
            await connection.execute(sa.delete(progress).where(*same))
        return Entry(
            months=sorted({r.month for r in removed}),
            count=sum(r.count for r in removed if r.domain is None),
            domains=[r.domain for r in removed if r.domain is not None],
            source=last.source,
            user=last.created_by,
            at=utc(last.created_at),
        )

    async def correct(self, key: ChannelKey, user: str, month: str, total: int) -> int:
        """Set a month's total to `total` with one correction row (the difference, which may be
        negative), so `undo` takes it back and the domains logged stay known. Returns the old total."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            before = (
                await connection.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(progress.c.count), 0)).where(
                        progress.c.channel_id == channel_id, progress.c.month == month
                    )
                )
            ).scalar_one()
            if total != before:
                await self.insert(connection, channel_id, month, user, CORRECTION, [], count=total - before)
        return int(before)

    async def skip(self, key: ChannelKey, user: str, month: str, this_month: str) -> None:
        """Record that `month` is not scored (its check-in was skipped). A channel skips one coming
        check-in at a time, so an earlier skip of a month not yet closed is replaced."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            await connection.execute(
                sa.delete(progress).where(
                    progress.c.channel_id == channel_id, progress.c.source == SKIP, progress.c.month >= this_month
                )
            )
            now = self.store.clock()
            marker = {"month": month, "count": 0, "source": SKIP, "created_by": user, "created_at": now}
            await connection.execute(sa.insert(progress).values(channel_id=channel_id, **marker))


def new_entry() -> str:
    return uuid.uuid4().hex


SKIP = "skip"  # a marker row: the month is not scored
CORRECTION = "correction"
NOT_FOLLOWED = frozenset({"nofollow", "sponsored", "ugc"})


@dataclass(frozen=True, slots=True)
class Entry:
    """What one entry added (as `undo` removed it)."""

    months: list[str]
    count: int
    domains: list[str]
    source: str  # typed, import, correction
    user: str
    at: dt.datetime | None


def _totals(rows) -> Totals:
    logged: dict[str, int] = {}
    quality: dict[str, tuple[int, int]] = {}
    nofollow: dict[str, int] = {}
    skipped: set[str] = set()
    for row in rows:
        if row.source == SKIP:
            skipped.add(row.month)
            continue
        logged[row.month] = logged.get(row.month, 0) + row.count
        check = row.quality or {}
        if "passed" in check:  # a quick check typed with the link (an import's rows carry only rel)
            checked, passed = quality.get(row.month, (0, 0))
            quality[row.month] = (checked + 1, passed + bool(check["passed"]))
        if check.get("rel") in NOT_FOLLOWED:
            nofollow[row.month] = nofollow.get(row.month, 0) + row.count
    return Totals(logged, quality, nofollow, frozenset(skipped))
