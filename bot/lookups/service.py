"""Lookups as the rest of the bot uses them: which provider a channel's workspace has (its own key
from `connect`, else the deployment's), and figures for domains through the cache and the budget.

A domain's figures are cached per day and its history per month, shared by every channel of the
deployment, so a check-in fan-out or two people planning the same site pay once. A call is paid
for from the workspace's monthly budget before it is made; past the budget, the question is asked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.events import ChannelKey
from bot.lookups.provider import LOOKUP_TIMEOUT, LookupFailed, MonthChange, Provider, SiteFigures, Source
from bot.storage.lookup_store import Workspace
from bot.storage.secrets import Sealer
from bot.storage.store import Store

ClientFactory = Callable[[str, str], Provider]  # (provider name, key) → a client
HISTORY_MONTHS = 12  # lost referring domains are asked "over the last 12 months"


class OverBudget(LookupFailed):
    """This workspace's lookups for the month are spent."""


@dataclass(frozen=True, slots=True)
class Connection:
    name: str  # "dataforseo"
    label: str  # "DataForSEO"
    key: str
    own: bool  # connected with `connect` here (else the deployment's BACKLINKS_PROVIDER_KEY)

    @property
    def last4(self) -> str:
        return self.key[-4:]


@dataclass(frozen=True, slots=True)
class History:
    months: dict[str, list[MonthChange]]  # per domain, oldest first; [] unknown to the provider
    source: Source


@dataclass(frozen=True, slots=True)
class Sites:
    figures: dict[str, SiteFigures | None]  # None: unknown to the provider
    source: Source
    authority_name: str


class Lookups:
    def __init__(
        self,
        *,
        store: Store,
        clients: ClientFactory | None = None,
        providers: Sequence[str] = (),
        budget: int = 200,
        default: tuple[str, str] | None = None,
        sealer: Sealer | None = None,
    ):
        self.store = store
        self.clients = clients
        self.providers = tuple(providers)  # the names `connect` takes
        self.budget = budget
        self.default = default if clients else None
        self.sealer = sealer or Sealer(None)

    # Which provider.

    async def connected(self, channel: ChannelKey) -> Connection | None:
        if self.clients is None:
            return None
        stored = await self.store.lookups.key(_workspace(channel))
        if stored is not None:
            return self._connection(stored.provider, self.sealer.open(stored.secret), own=True)
        if self.default is not None:
            return self._connection(*self.default, own=False)
        return None

    async def connect(self, channel: ChannelKey, user: str, name: str, key: str) -> Connection:
        """Check the key with one cheap call, then keep it (sealed). Raises ValueError for a
        provider or key that can't be right, RefusedKey or LookupFailed from the check."""
        if self.clients is None or name not in self.providers:
            raise ValueError(f"{name!r} is not a provider this bot knows; use one of: {', '.join(self.providers)}")
        client = self.clients(name, key)  # a malformed key: ValueError, before any call
        try:
            await asyncio.wait_for(client.check(), LOOKUP_TIMEOUT + 1)
        except TimeoutError:
            raise LookupFailed(f"{client.label} did not answer within {LOOKUP_TIMEOUT:.0f} seconds") from None
        finally:
            await client.close()
        await self.store.lookups.save_key(_workspace(channel), name, self.sealer.seal(key), key[-4:], user)
        return self._connection(name, key, own=True)

    async def disconnect(self, channel: ChannelKey) -> bool:
        return await self.store.lookups.drop_key(_workspace(channel))

    # Figures.

    async def sites(self, channel: ChannelKey, domains: Sequence[str]) -> Sites | None:
        """Today's figures for these domains (None: no provider here). Raises LookupFailed."""
        connection = await self.connected(channel)
        if connection is None:
            return None
        today = self.store.clock().date()
        found = await self._through_cache(channel, connection, "site", today.isoformat(), domains, _site_call)
        figures = {d: None if f is None else SiteFigures(**f) for d, f in found.items()}
        client = self.clients(connection.name, connection.key)
        return Sites(figures, Source(connection.label, today), client.authority_name)

    async def history(self, channel: ChannelKey, domains: Sequence[str]) -> History | None:
        """Each domain's months of new and lost referring domains over the last year (None: no
        provider here, or one without history). Cached per month. Raises LookupFailed."""
        connection = await self.connected(channel)
        if connection is None or not self.clients(connection.name, connection.key).has_history:
            return None
        now = self.store.clock()
        this_month = f"{now:%Y-%m}"
        since = _months_back(now.date(), HISTORY_MONTHS)
        found = await self._through_cache(
            channel, connection, "history", this_month, domains, lambda client, d: _history_call(client, d, since)
        )
        months = {
            d: [MonthChange(**{**m, "lost_domains": tuple(m["lost_domains"])}) for m in f or []]
            for d, f in found.items()
        }
        return History(months, Source(connection.label, now.date()))

    # Helpers.

    async def _through_cache(self, channel, connection: Connection, kind: str, period: str, domains, call):
        wanted = list(dict.fromkeys(domains))
        cached = await self.store.lookups.cached(connection.name, kind, period, wanted)
        missing = [d for d in wanted if d not in cached]
        if missing:
            month = f"{self.store.clock():%Y-%m}"
            if not await self.store.lookups.spend(_workspace(channel), month, len(missing), self.budget):
                raise OverBudget(f"this month's {self.budget} lookups are spent")
            client = self.clients(connection.name, connection.key)
            try:
                fetched = await asyncio.wait_for(call(client, missing), LOOKUP_TIMEOUT + 1)
            except TimeoutError:
                raise LookupFailed(f"{connection.label} did not answer within {LOOKUP_TIMEOUT:.0f} seconds") from None
            finally:
                await client.close()
            await self.store.lookups.remember(connection.name, kind, period, fetched)
            cached |= fetched
        return {d: cached.get(d) for d in wanted}

    def _connection(self, name: str, key: str, *, own: bool) -> Connection:
        return Connection(name, self.clients(name, key).label, key, own)

    async def used(self, channel: ChannelKey) -> int:
        return await self.store.lookups.used(_workspace(channel), f"{self.store.clock():%Y-%m}")


async def _site_call(client: Provider, domains: list[str]) -> dict:
    found = await client.sites(domains)
    return {d: None if found.get(d) is None else dataclasses.asdict(found[d]) for d in domains}


async def _history_call(client: Provider, domains: list[str], since: str) -> dict:
    months = await asyncio.gather(*(client.history(d, since) for d in domains))
    return {d: [dataclasses.asdict(m) for m in ms] for d, ms in zip(domains, months, strict=True)}


def _workspace(channel: ChannelKey) -> Workspace:
    return (channel.platform, channel.workspace)


def _months_back(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
