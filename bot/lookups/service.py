"""Lookups as the rest of the bot uses them: which provider a channel's workspace has (its own key
from `connect`, else the deployment's), and figures for domains through the cache and the budget.

A domain's figures are cached per day and its history per month, shared by every channel of the
deployment, so a check-in fan-out or two people planning the same site pay once. A call is paid
for from the workspace's monthly budget before it is made, and, on the deployment's own key, from
that key's monthly cap too (every workspace's calls on it together); past either, the question is
asked.

A key connected in a workspace is stored sealed with BACKLINKS_TOKEN_KEY. When that setting is
removed or changed (without keeping the old key after the new one), the key can't be opened: the
workspace then has no lookups (never the deployment's key in its place: the workspace chose to pay
for its own) and `UnreadableKey` says why, for a notice said once per channel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

from cachetools import TTLCache

from bot.core import metrics
from bot.core.events import ChannelKey
from bot.lookups.failures import OverBudget, OverCap, UnreadableKey
from bot.lookups.provider import (
    LOOKUP_TIMEOUT,
    LookupFailed,
    MonthChange,
    MonthDomains,
    Provider,
    Reason,
    SiteFigures,
    Source,
)
from bot.lookups.results import Connection, History, KnownMonths, Sites, Usage
from bot.lookups.store import DEPLOYMENT, LookupStore, StoredKey, Workspace
from bot.storage.secrets import Sealer, TokenKeyError
from bot.storage.store import Store

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, str], Provider]  # (provider name, key) → a client
HISTORY_MONTHS = 12  # lost referring domains are asked "over the last 12 months"
CLAIM_LEASE = LOOKUP_TIMEOUT * 3  # a claim outlives a lookup; a process dead mid-call frees it then
WAIT_STEP = 0.1  # seconds between looks at a domain another process is looking up
AT_ONCE = 8  # calls in flight to one provider (history is one call per domain)
TOLD_MOST = 10_000  # channels remembered as told about their key (the oldest forgotten first)
KNOWN_SECONDS, KNOWN_KEPT = 60.0, 10_000  # known_months' answers kept this long, this many
_UNKNOWN = object()


class Lookups:
    def __init__(
        self,
        *,
        store: Store,
        clients: ClientFactory | None = None,
        providers: Sequence[str] = (),
        budget: int = 200,
        default: tuple[str, str] | None = None,
        cap: int | None = None,
        sealer: Sealer | None = None,
        labels: Mapping[str, str] | None = None,
    ):
        self.store = store
        self.clients = clients
        self.providers = tuple(providers)  # the names `connect` takes
        self.budget = budget
        self.default = default if clients else None
        # Lookups a month on the deployment's key (`default`), every workspace's together; None: no
        # cap and no count (the app always sets one: BACKLINKS_PROVIDER_KEY_MONTHLY_CAP).
        self.cap = cap
        self.sealer = sealer or Sealer(None)
        # Providers as people know them ("DataForSEO"), for a key that can't be opened (no client
        # can be made without the key to ask); else the client's own label is used.
        self.labels = dict(labels or {})
        self._told: OrderedDict[tuple[ChannelKey, str], None] = OrderedDict()
        # (workspace, domain, month) → what known_months found: `show` asks at every request.
        self._known: TTLCache[tuple[Workspace, str, str], KnownMonths | None] = TTLCache(KNOWN_KEPT, KNOWN_SECONDS)
        self._cap_logged: str | None = None  # the month the cap was last logged as reached

    # Which provider.

    async def connected(self, channel: ChannelKey) -> Connection | None:
        if self.clients is None:
            return None
        stored = await LookupStore.on(self.store).key(_workspace(channel))
        if stored is not None:
            return self._connection(stored.provider, self._opened(stored), own=True)
        if self.default is not None:
            return self._connection(*self.default, own=False)
        return None

    def _opened(self, stored: StoredKey) -> str:
        """A stored key, opened; raises UnreadableKey when BACKLINKS_TOKEN_KEY does not open it."""
        try:
            return self.sealer.open(stored.secret)
        except TokenKeyError as error:
            raise UnreadableKey(stored, self.label(stored.provider), missing=error.missing) from None

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    async def unreadable(self) -> list[tuple[Workspace, UnreadableKey]]:
        """The workspaces whose connected key BACKLINKS_TOKEN_KEY does not open (none asked of a provider)."""
        found = []
        for workspace, stored in await LookupStore.on(self.store).keys():
            try:
                self._opened(stored)
            except UnreadableKey as unreadable:
                found.append((workspace, unreadable))
        return found

    def first_telling(self, channel: ChannelKey, about: str) -> bool:
        """True the first time this channel is to be told `about` (a state of its key), False after:
        a notice said once per channel, not at every message. Remembered by this process (a restart,
        when BACKLINKS_TOKEN_KEY may have been put right, tells it again if it still holds)."""
        if (channel, about) in self._told:
            return False
        self.told(channel, about)
        return True

    def told(self, channel: ChannelKey, about: str) -> None:
        """This channel has been told `about` (by `connect`, which says it every time it is asked)."""
        self._told[(channel, about)] = None
        if len(self._told) > TOLD_MOST:
            self._told.popitem(last=False)

    async def connect(self, channel: ChannelKey, user: str, name: str, key: str) -> Connection:
        """Check the key with one cheap call, then keep it (sealed). Raises ValueError for a
        provider or key that can't be right, RefusedKey or LookupFailed from the check."""
        if self.clients is None or name not in self.providers:
            raise ValueError(Reason("reason.connect.unknown_provider", name=name, providers=list(self.providers)))
        client = self.clients(name, key)  # a malformed key: ValueError, before any call
        try:
            await asyncio.wait_for(client.check(), LOOKUP_TIMEOUT + 1)
        except TimeoutError:
            raise LookupFailed(_timeout(client.label)) from None
        finally:
            await client.close()
        await LookupStore.on(self.store).save_key(_workspace(channel), name, self.sealer.seal(key), key[-4:], user)
        self._known.clear()
        return self._connection(name, key, own=True)

    async def disconnect(self, channel: ChannelKey) -> bool:
        self._known.clear()
        return await LookupStore.on(self.store).drop_key(_workspace(channel))

    # Figures.

    async def sites(self, channel: ChannelKey, domains: Sequence[str]) -> Sites | None:
        """Today's figures for these domains (None: no provider here). Raises LookupFailed."""
        connection = await self.connected(channel)
        if connection is None:
            return None
        today = self.store.clock().date()
        found = await self._through_cache(channel, connection, "site", today.isoformat(), domains, _site_call)
        figures = {d: None if f is None else SiteFigures(**f) for d, f in found.items()}
        return Sites(figures, Source(connection.label, today), connection.provider.authority_name)

    async def history(self, channel: ChannelKey, domains: Sequence[str], *, partial: bool = False) -> History | None:
        """Each domain's months of new and lost referring domains over the last year (None: no
        provider here, or one without history). Cached per month. Raises LookupFailed; with
        `partial` (a check-in fan-out) only if none could be had, leaving out the domains that failed."""
        connection = await self.connected(channel)
        if connection is None or not connection.provider.has_history:
            return None
        now = self.store.clock()
        this_month = f"{now:%Y-%m}"
        since = _months_back(now.date(), HISTORY_MONTHS)
        found = await self._through_cache(
            channel,
            connection,
            "history",
            this_month,
            domains,
            lambda client, d: _history_call(client, d, since),
            partial=partial,
        )
        self._known.clear()  # what `show` kept may be out of date now
        months = {d: [_month_change(m) for m in f or []] for d, f in found.items()}
        return History(months, Source(connection.label, now.date()))

    async def known_months(self, channel: ChannelKey, domain: str) -> KnownMonths | None:
        """A domain's months as this month's cache holds them (a check-in looked them up), by
        month, and who measured them; None if nothing is cached. Never a call, never a lookup
        from the budget.

        `show` asks at every request, so the answer is kept for KNOWN_SECONDS (a minute) per
        workspace, domain and month: this process's own lookups and key changes forget it at once;
        another process's show here within that minute."""
        period = f"{self.store.clock():%Y-%m}"
        key = (_workspace(channel), domain, period)
        if (kept := self._known.get(key, _UNKNOWN)) is not _UNKNOWN:
            return kept
        try:
            connection = await self.connected(channel)
        except UnreadableKey:  # nothing to show beside the logged months; `plan` and `connect` say why
            connection = None
        known = None
        if connection is not None and connection.provider.has_history:
            found = await LookupStore.on(self.store).cached(connection.name, "history", period, [domain])
            months = {m.month: m for m in map(_month_change, found.get(domain) or [])}
            known = KnownMonths(months, connection.label) if months else None
        self._known[key] = known
        return known

    async def month_domains(self, channel: ChannelKey, domains: Sequence[str], month: str) -> dict[str, MonthDomains]:
        """Which referring domains each domain won and lost in `month` ("2026-10"), for a check-in:
        {} when there is no provider or one that cannot name them. Cached per month; a domain whose
        call failed is left out (asked again next time). Raises LookupFailed if none could be had."""
        connection = await self.connected(channel)
        if connection is None or not connection.provider.has_domain_lists:
            return {}
        call = lambda client, wanted: _domains_call(client, wanted, month)  # noqa: E731
        found = await self._through_cache(channel, connection, "domains", month, domains, call, partial=True)
        return {d: MonthDomains(month, tuple(f["new"]), tuple(f["lost"])) for d, f in found.items() if f is not None}

    # Helpers.

    async def _through_cache(
        self, channel, connection: Connection, kind: str, period: str, domains, call, *, partial: bool = False
    ):
        """Figures from the cache; the missing ones claimed (so two processes never pay for one
        domain), paid for from the budget, looked up and stored; those another process is looking
        up are waited for. Raises LookupFailed when something is still missing (`partial`: only
        when nothing was found)."""
        wanted = list(dict.fromkeys(domains))
        found = await LookupStore.on(self.store).cached(connection.name, kind, period, wanted)
        missing = [d for d in wanted if d not in found]
        mine = await LookupStore.on(self.store).claim(connection.name, kind, period, missing, lease=CLAIM_LEASE)
        if mine:
            found |= await self._fetch(channel, connection, kind, period, [d for d in missing if d in mine], call)
        # Those another process holds are waited for; those this one asked for and did not get
        # (a fan-out's failures) are not: nobody else is looking them up.
        waiting = [d for d in missing if d not in found and d not in mine]
        deadline = time.monotonic() + LOOKUP_TIMEOUT
        while waiting and time.monotonic() < deadline:  # another process holds them: it will store them
            await asyncio.sleep(WAIT_STEP)
            found |= await LookupStore.on(self.store).cached(connection.name, kind, period, waiting)
            waiting = [d for d in waiting if d not in found]
        if waiting and not partial:
            raise LookupFailed(Reason("reason.lookup.waiting", provider=connection.label, domains=waiting))
        if not partial and (unanswered := [d for d in missing if d not in found]):
            raise LookupFailed(Reason("reason.lookup.unanswered", provider=connection.label, domains=unanswered))
        if partial and wanted and not found:
            raise LookupFailed(Reason("reason.lookup.none_answered", provider=connection.label, count=len(wanted)))
        return {d: found[d] for d in wanted if d in found}

    async def _fetch(self, channel, connection: Connection, kind: str, period: str, domains: list[str], call):
        lookups = LookupStore.on(self.store)
        month = f"{self.store.clock():%Y-%m}"
        budgets = [(_workspace(channel), self.budget)]
        shared: list[Workspace] = []  # on the deployment's key, its monthly cap too
        if not connection.own and self.cap is not None:
            budgets.append((DEPLOYMENT, self.cap))
            shared.append(DEPLOYMENT)
        past = await lookups.spend_from(month, len(domains), budgets)
        if past is not None:
            await lookups.release(connection.name, kind, period, domains)
            if past == DEPLOYMENT:
                self._log_cap_reached(month, connection.label)
                raise OverCap(connection.label, self.cap)
            raise OverBudget(Reason("reason.lookup.over_budget", budget=self.budget))
        client = connection.provider
        # Each call has the client's own bound; a fan-out of one call per domain, AT_ONCE at a time,
        # is bounded by as many rounds.
        bound = LOOKUP_TIMEOUT * math.ceil(len(domains) / AT_ONCE) + 1
        try:
            fetched = await asyncio.wait_for(call(client, domains), bound)
        except BaseException as error:
            await lookups.release(connection.name, kind, period, domains)
            await lookups.refund(_workspace(channel), month, len(domains), also=shared)
            if isinstance(error, TimeoutError):
                raise LookupFailed(_timeout(connection.label)) from None
            raise
        finally:
            await client.close()
        failed = [d for d in domains if d not in fetched]  # a fan-out's calls that failed: asked again next time
        metrics.LOOKUPS.labels(connection.name, "answered").inc(len(domains) - len(failed))
        metrics.LOOKUPS.labels(connection.name, "failed").inc(len(failed))
        if failed:
            await lookups.release(connection.name, kind, period, failed)
            await lookups.refund(_workspace(channel), month, len(failed), also=shared)
        await lookups.remember(connection.name, kind, period, fetched)
        return fetched

    def _log_cap_reached(self, month: str, label: str) -> None:
        """Tell the operator once a month (per process) that the shared key stopped for the month."""
        if self._cap_logged != month:
            self._cap_logged = month
            log.warning(
                "the bot's own %s key (BACKLINKS_PROVIDER_KEY) has made its %d lookups for %s, every workspace "
                "together: plans ask for the figures until next month (BACKLINKS_PROVIDER_KEY_MONTHLY_CAP)",
                label,
                self.cap,
                month,
            )

    def _connection(self, name: str, key: str, *, own: bool) -> Connection:
        return Connection(name, key, own, self.clients(name, key))

    async def used(self, channel: ChannelKey) -> int:
        return await LookupStore.on(self.store).used(_workspace(channel), f"{self.store.clock():%Y-%m}")

    async def shared_usage(self) -> Usage | None:
        """This month's lookups on the deployment's own key, every workspace's together, and its
        cap (None: the deployment has no key of its own)."""
        if self.default is None:
            return None
        month = f"{self.store.clock():%Y-%m}"
        return Usage(month, await LookupStore.on(self.store).used(DEPLOYMENT, month), self.cap)


async def _site_call(client: Provider, domains: list[str]) -> dict:
    found = await client.sites(domains)
    return {d: None if found.get(d) is None else dataclasses.asdict(found[d]) for d in domains}


async def _history_call(client: Provider, domains: list[str], since: str) -> dict:
    months = await _each(domains, lambda domain: client.history(domain, since))
    return {d: [dataclasses.asdict(m) for m in ms] for d, ms in months.items()}


async def _domains_call(client: Provider, domains: list[str], month: str) -> dict:
    lists = await _each(domains, lambda domain: client.month_domains(domain, month))
    return {d: {"new": list(found.new), "lost": list(found.lost)} for d, found in lists.items()}


async def _each(domains: list[str], call) -> dict:
    """One call per domain, AT_ONCE at a time: what each answered, leaving out the domains whose
    call failed (asked again at the next check-in)."""
    slots = asyncio.Semaphore(AT_ONCE)

    async def one(domain: str):
        async with slots:
            return await call(domain)

    answers = await asyncio.gather(*(one(d) for d in domains), return_exceptions=True)
    failed = [a for a in answers if isinstance(a, BaseException)]
    if unexpected := [a for a in failed if not isinstance(a, LookupFailed)]:
        raise unexpected[0]  # a bug, not the provider: never swallowed
    if failed and len(failed) == len(domains):
        raise failed[0]  # nothing came back: the provider's own failure says why
    return {d: a for d, a in zip(domains, answers, strict=True) if not isinstance(a, BaseException)}


def _timeout(label: str) -> Reason:
    return Reason("reason.lookup.timeout", provider=label, seconds=round(LOOKUP_TIMEOUT))


def _month_change(stored: dict) -> MonthChange:
    # Months cached before the lists moved to MonthDomains carry an empty "lost_domains": ignored.
    return MonthChange(**{k: v for k, v in stored.items() if k != "lost_domains"})


def _workspace(channel: ChannelKey) -> Workspace:
    return (channel.platform, channel.workspace)


def _months_back(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
