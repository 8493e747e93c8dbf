"""Provider keys per workspace, looked-up figures cached per domain and period, and the monthly
budgets of paid calls (each workspace's, and the deployment's own key's across every workspace), on
the store's engine (see bot/storage/store.py).

A budget is taken before a call, in one conditional UPDATE per budget inside one transaction, so
two processes looking up at once never spend past any of them; a cached figure costs nothing and is
never counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.storage.db import StorePart
from bot.storage.schema import lookup_budget, lookups, provider_keys

Workspace = tuple[str, str]  # (platform, workspace): the tenant a key and a budget belong to
# The budget row of the deployment's own key (BACKLINKS_PROVIDER_KEY), shared by every workspace: a
# row of lookup_budget like a workspace's, under a platform no adapter is called ("*"), so no
# migration was needed and deleting a tenant's rows (bot/storage/tenants.py) never touches it.
DEPLOYMENT: Workspace = ("*", "deployment")


@dataclass(frozen=True, slots=True)
class StoredKey:
    provider: str
    secret: str  # as stored: sealed (encrypted) when the deployment has a token key
    last4: str
    added_by: str
    added_at: dt.datetime


class LookupStore(StorePart):
    """Provider keys, cached figures and budgets of paid calls."""

    # Keys.

    async def key(self, workspace: Workspace) -> StoredKey | None:
        query = sa.select(provider_keys).where(*_of(workspace))
        async with self.store.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else _stored(row)

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

    async def keys(self) -> list[tuple[Workspace, StoredKey]]:
        """Every key connected in a workspace (for the operator: which can't be opened)."""
        query = sa.select(provider_keys).order_by(provider_keys.c.platform, provider_keys.c.workspace)
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [((r.platform, r.workspace), _stored(r)) for r in rows]

    async def reseal_keys(self, reseal: Callable[[str], str]) -> int:
        """Every stored key through `reseal` (bot.storage.secrets.Sealer.reseal), in one transaction:
        one that raises leaves every key as it was. Returns how many changed."""
        changed = 0
        async with self.store.engine.begin() as connection:
            for row in (await connection.execute(sa.select(provider_keys.c.id, provider_keys.c.secret))).all():
                if (sealed := reseal(row.secret)) != row.secret:
                    await connection.execute(
                        sa.update(provider_keys).where(provider_keys.c.id == row.id).values(secret=sealed)
                    )
                    changed += 1
        return changed

    async def drop_key(self, workspace: Workspace) -> bool:
        async with self.store.engine.begin() as connection:
            return (await connection.execute(sa.delete(provider_keys).where(*_of(workspace)))).rowcount > 0

    # The cache.

    async def cached(
        self, provider: str, kind: str, period: str, domains: Iterable[str]
    ) -> dict[str, Mapping[str, Any] | None]:
        """The figures fetched for these domains and this period (absent: not fetched yet, or
        being fetched; a None value: fetched, and unknown to the provider)."""
        wanted = sorted(set(domains))
        if not wanted:
            return {}
        query = sa.select(lookups.c.domain, lookups.c.figures).where(
            *_looked_up(provider, kind, period), lookups.c.domain.in_(wanted), lookups.c.fetched_at.is_not(None)
        )
        async with self.store.reader.connect() as connection:
            return {row.domain: row.figures for row in await connection.execute(query)}

    async def claim(self, provider: str, kind: str, period: str, domains: Sequence[str], lease: float) -> set[str]:
        """The domains this process is now to look up: those nobody holds, or whose holder's lease
        ran out (it died mid-call). The others are being looked up elsewhere, or are done."""
        if not domains:
            return set()
        now = self.store.clock()
        until = now + dt.timedelta(seconds=lease)
        rows = [
            {"provider": provider, "kind": kind, "period": period, "domain": d, "claimed_until": until} for d in domains
        ]
        async with self.store.engine.begin() as connection:
            insert = (
                self.store._insert(lookups)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["provider", "domain", "kind", "period"])
            )
            mine = {r.domain for r in await connection.execute(insert.returning(lookups.c.domain))}
            stale = (
                sa.update(lookups)
                .where(*_looked_up(provider, kind, period), lookups.c.domain.in_(sorted(set(domains) - mine)))
                .where(lookups.c.fetched_at.is_(None), lookups.c.claimed_until < now)
                .values(claimed_until=until)
                .returning(lookups.c.domain)
            )
            mine |= {r.domain for r in await connection.execute(stale)}
        return mine

    async def remember(
        self, provider: str, kind: str, period: str, figures: Mapping[str, Mapping[str, Any] | None]
    ) -> None:
        """Store what a lookup found (claimed or not: a row is written either way)."""
        if not figures:
            return
        now = self.store.clock()
        key = {"provider": provider, "kind": kind, "period": period, "fetched_at": now}
        async with self.store.engine.begin() as connection:
            for part in _chunks(list(figures.items())):
                insert = self.store._insert(lookups).values([{**key, "domain": d, "figures": f} for d, f in part])
                upsert = insert.on_conflict_do_update(
                    index_elements=["provider", "domain", "kind", "period"],
                    set_={"figures": insert.excluded.figures, "fetched_at": now, "claimed_until": None},
                )
                await connection.execute(upsert)

    async def release(self, provider: str, kind: str, period: str, domains: Iterable[str]) -> None:
        """Give up claims whose lookup failed, so the next one asking tries again at once."""
        query = sa.delete(lookups).where(
            *_looked_up(provider, kind, period),
            lookups.c.domain.in_(sorted(set(domains))),
            lookups.c.fetched_at.is_(None),
        )
        async with self.store.engine.begin() as connection:
            await connection.execute(query)

    # The budget.

    async def spend(self, workspace: Workspace, month: str, calls: int, budget: int) -> bool:
        """Take `calls` from this month's budget; False (nothing taken) if it would go past it."""
        return await self.spend_from(month, calls, [(workspace, budget)]) is None

    async def spend_from(self, month: str, calls: int, budgets: Sequence[tuple[Workspace, int]]) -> Workspace | None:
        """Take `calls` from each of these monthly budgets ((whose, limit): a workspace's, and the
        deployment's when its own key is used), all or none, in one transaction. None when taken;
        else the first budget it would have gone past (nothing is taken from any)."""
        async with self.store.engine.begin() as connection:
            for whose, _ in budgets:
                start = self.store._insert(lookup_budget).values(platform=whose[0], workspace=whose[1], month=month)
                await connection.execute(
                    start.on_conflict_do_nothing(index_elements=["platform", "workspace", "month"])
                )
            # Always in the order given (the workspace's, then the deployment's), so two transactions
            # wait for each other's rows in one order, never in a circle.
            taken: list[Workspace] = []
            for whose, limit in budgets:
                took = await connection.execute(
                    sa.update(lookup_budget)
                    .where(*_of(whose, lookup_budget), lookup_budget.c.month == month)
                    .where(lookup_budget.c.used + calls <= limit)
                    .values(used=lookup_budget.c.used + calls)
                )
                if took.rowcount != 1:
                    for earlier in taken:  # the rows are still this transaction's: given back exactly
                        await connection.execute(
                            sa.update(lookup_budget)
                            .where(*_of(earlier, lookup_budget), lookup_budget.c.month == month)
                            .values(used=lookup_budget.c.used - calls)
                        )
                    return whose
                taken.append(whose)
        return None

    async def refund(self, workspace: Workspace, month: str, calls: int, *, also: Sequence[Workspace] = ()) -> None:
        """Give back what calls that failed had taken (a failure costs nothing with the providers
        here), to the workspace's budget and to any other they were taken from (`also`)."""
        async with self.store.engine.begin() as connection:
            for whose in (workspace, *also):
                await connection.execute(
                    sa.update(lookup_budget)
                    .where(*_of(whose, lookup_budget), lookup_budget.c.month == month)
                    .values(used=sa.case((lookup_budget.c.used > calls, lookup_budget.c.used - calls), else_=0))
                )

    async def used(self, workspace: Workspace, month: str) -> int:
        query = sa.select(lookup_budget.c.used).where(*_of(workspace, lookup_budget), lookup_budget.c.month == month)
        async with self.store.reader.connect() as connection:
            return (await connection.execute(query)).scalar_one_or_none() or 0


def _stored(row: Any) -> StoredKey:
    return StoredKey(row.provider, row.secret, row.last4, row.added_by, row.added_at)


def _chunks(items: list, size: int = 1000) -> list[list]:
    """Rows a statement at a time, under SQLite's limit of bound values per statement."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def _looked_up(provider: str, kind: str, period: str) -> Sequence[Any]:
    return (lookups.c.provider == provider, lookups.c.kind == kind, lookups.c.period == period)


def _of(workspace: Workspace, table: sa.Table = provider_keys) -> Sequence[Any]:
    return (table.c.platform == workspace[0], table.c.workspace == workspace[1])
