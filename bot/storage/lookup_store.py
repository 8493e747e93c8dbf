"""Provider keys per workspace, looked-up figures cached per domain and period, and the monthly
budget of paid calls per workspace, on the store's engine (see bot/storage/store.py).

The budget is taken before a call, in one conditional UPDATE, so two processes looking up at once
never spend past it; a cached figure costs nothing and is never counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.storage.db import Database
from bot.storage.schema import lookup_budget, lookups, provider_keys

Workspace = tuple[str, str]  # (platform, workspace): the tenant a key and a budget belong to


@dataclass(frozen=True, slots=True)
class StoredKey:
    provider: str
    secret: str  # as stored: sealed (encrypted) when the deployment has a token key
    last4: str
    added_by: str
    added_at: dt.datetime


class LookupStore:
    def __init__(self, store: Database):
        self.store = store

    # Keys.

    async def key(self, workspace: Workspace) -> StoredKey | None:
        query = sa.select(provider_keys).where(*_of(workspace))
        async with self.store.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else StoredKey(row.provider, row.secret, row.last4, row.added_by, row.added_at)

    async def save_key(self, workspace: Workspace, provider: str, secret: str, last4: str, user: str) -> None:
        values = {
            "provider": provider,
            "secret": secret,
            "last4": last4,
            "added_by": user,
            "added_at": self.store.clock(),
        }
        upsert = self.store._insert(provider_keys).values(platform=workspace[0], workspace=workspace[1], **values)
        async with self.store.engine.begin() as connection:
            await connection.execute(
                upsert.on_conflict_do_update(index_elements=["platform", "workspace"], set_=values)
            )

    async def drop_key(self, workspace: Workspace) -> bool:
        async with self.store.engine.begin() as connection:
            return (await connection.execute(sa.delete(provider_keys).where(*_of(workspace)))).rowcount > 0

    # The cache.

    async def cached(
        self, provider: str, kind: str, period: str, domains: Iterable[str]
    ) -> dict[str, Mapping[str, Any] | None]:
        """The figures stored for these domains and this period ({} for a domain not looked up;
        a None value: looked up, and unknown to the provider)."""
        wanted = sorted(set(domains))
        if not wanted:
            return {}
        query = sa.select(lookups.c.domain, lookups.c.figures).where(
            lookups.c.provider == provider,
            lookups.c.kind == kind,
            lookups.c.period == period,
            lookups.c.domain.in_(wanted),
        )
        async with self.store.reader.connect() as connection:
            return {row.domain: row.figures for row in await connection.execute(query)}

    async def remember(
        self, provider: str, kind: str, period: str, figures: Mapping[str, Mapping[str, Any] | None]
    ) -> None:
        if not figures:
            return
        now = self.store.clock()
        rows = [
            {"provider": provider, "kind": kind, "period": period, "domain": d, "figures": f, "fetched_at": now}
            for d, f in figures.items()
        ]
        insert = self.store._insert(lookups).values(rows)
        upsert = insert.on_conflict_do_update(
            index_elements=["provider", "domain", "kind", "period"],
            set_={"figures": insert.excluded.figures, "fetched_at": insert.excluded.fetched_at},
        )
        async with self.store.engine.begin() as connection:
            await connection.execute(upsert)

    # The budget.

    async def spend(self, workspace: Workspace, month: str, calls: int, budget: int) -> bool:
        """Take `calls` from this month's budget; False (nothing taken) if it would go past it."""
        async with self.store.engine.begin() as connection:
            start = self.store._insert(lookup_budget).values(platform=workspace[0], workspace=workspace[1], month=month)
            await connection.execute(start.on_conflict_do_nothing(index_elements=["platform", "workspace", "month"]))
            taken = await connection.execute(
                sa.update(lookup_budget)
                .where(*_of(workspace, lookup_budget), lookup_budget.c.month == month)
                .where(lookup_budget.c.used + calls <= budget)
                .values(used=lookup_budget.c.used + calls)
            )
            return taken.rowcount == 1

    async def used(self, workspace: Workspace, month: str) -> int:
        query = sa.select(lookup_budget.c.used).where(*_of(workspace, lookup_budget), lookup_budget.c.month == month)
        async with self.store.reader.connect() as connection:
            return (await connection.execute(query)).scalar_one_or_none() or 0


def _of(workspace: Workspace, table: sa.Table = provider_keys) -> Sequence[Any]:
    return (table.c.platform == workspace[0], table.c.workspace == workspace[1])
