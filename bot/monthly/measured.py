"""What the data provider measured for the sites of a batch of check-ins: each site's months of new
and lost referring domains, and for last month, which domains came and went.

The names cost one more lookup per site and month, so they are asked for only when a check-in has
a use for them: a loss large enough for a reclamation note (it lists the lost domains to ask first),
or domains logged for the month (the user sees which of them the provider has found). Both the
counts and the names go through the lookups cache, so two workers or a resent check-in pay once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.conversation.validators.domains import registrable_domain
from bot.lookups.provider import LookupFailed, MonthChange, MonthDomains, Source
from bot.monthly.progress_store import ProgressStore
from bot.monthly.schedule import add_months, month_key
from bot.planning.planner import MONTHS_IN, cleaning_up

if TYPE_CHECKING:
    import datetime as dt

    from bot.lookups.service import Lookups
    from bot.monthly.reminder_store import Reminder
    from bot.storage.plans import StoredPlan
    from bot.storage.store import Store

log = logging.getLogger(__name__)

WORKSPACES_AT_ONCE = 4  # workspaces measured at once in a check-in batch (each up to 8 calls in flight)


@dataclass(frozen=True, slots=True)
class Seen:
    """Which of the domains logged for a month the provider counts among that month's new ones."""

    seen: tuple[str, ...]
    not_seen: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Measured:
    """One channel's site as the provider measured it."""

    months: Mapping[str, MonthChange]  # by month, "2026-10"
    source: Source
    last: str  # the month the check-in closes
    lists: MonthDomains | None = None  # last month's new and lost domains, when they were asked for
    seen: Seen | None = None  # the logged domains of last month among its new ones

    @property
    def last_month(self) -> MonthChange | None:
        return self.months.get(self.last)


def seen(logged: Collection[str], lists: MonthDomains) -> Seen:
    """The logged domains (registrable, as `log` stores them) found among the provider's new ones,
    which may name a subdomain (blog.example.com counts as example.com)."""
    new = {registrable_domain(name) or name for name in lists.new}
    return Seen(tuple(sorted(d for d in logged if d in new)), tuple(sorted(d for d in logged if d not in new)))


def wants_names(month: MonthChange | None, logged: Collection[str], reclaim_from: float | None) -> bool:
    """Is last month worth one more lookup for the names of its new and lost domains? `reclaim_from`
    is None where nothing lost is to be won back (a clean-up: the links went on purpose)."""
    if month is None:
        return False
    return bool(logged) or (reclaim_from is not None and month.lost >= reclaim_from)


def on_pace(month: MonthChange, expected: Mapping[str, Any]) -> bool:
    """Did the site gain at least the low end of what the plan expects in all, its own pace included?"""
    return month.new >= expected["low"] / MONTHS_IN[expected.get("per", "month")] - 1e-9


async def measure(
    lookups: Lookups,
    store: Store,
    batch: Sequence[Reminder],
    plans: Mapping[int, Sequence[StoredPlan]],
    now: dt.datetime,
    *,
    reclaim_from: float,
) -> dict[int, Measured]:
    """Each channel's site as its workspace's provider measures it: one history lookup per workspace
    and site, through the month's cache, and the names where a check-in has a use for them. A
    workspace whose lookup fails (or has no provider) gets its check-ins without measurement."""
    by_workspace: dict[tuple[str, str], list[Reminder]] = {}
    for reminder in batch:
        if plans.get(reminder.channel_id):
            by_workspace.setdefault((reminder.channel.platform, reminder.channel.workspace), []).append(reminder)
    last = {r.channel_id: add_months(month_key(r.next_due_at or now, r.settings.timezone), -1) for r in batch}
    logged = await ProgressStore.on(store).domains_of({r.channel_id: last[r.channel_id] for r in batch})
    measured: dict[int, Measured] = {}
    slots = asyncio.Semaphore(WORKSPACES_AT_ONCE)

    async def one(reminders: list[Reminder]) -> None:
        sites = {r.channel_id: registrable_domain(plans[r.channel_id][-1].answers["site"]) for r in reminders}
        channel = reminders[0].channel
        async with slots:
            try:
                history = await lookups.history(channel, sorted({s for s in sites.values() if s}), partial=True)
            except LookupFailed as failed:
                log.info("check-ins of %s go without measurement: %s", channel.workspace, failed)
                return
            if history is None:
                return
            found = {
                r.channel_id: Measured({m.month: m for m in history.months[site]}, history.source, last[r.channel_id])
                for r in reminders
                if (site := sites[r.channel_id]) and history.months.get(site)
            }
            named: dict[str, list[str]] = {}  # month → the sites whose names it is worth a lookup
            for channel_id, site_measured in found.items():
                reclaims = None if cleaning_up(plans[channel_id][-1].answers) else reclaim_from
                if wants_names(site_measured.last_month, logged.get(channel_id, ()), reclaims):
                    named.setdefault(site_measured.last, []).append(sites[channel_id])
            lists: dict[str, dict[str, MonthDomains]] = {}
            for month, domains in named.items():
                try:
                    lists[month] = await lookups.month_domains(channel, sorted(set(domains)), month)
                except LookupFailed as failed:
                    log.info("check-ins of %s go without the domains' names: %s", channel.workspace, failed)
        for channel_id, site_measured in found.items():
            names = lists.get(site_measured.last, {}).get(sites[channel_id])
            mine = logged.get(channel_id)
            measured[channel_id] = Measured(
                site_measured.months,
                site_measured.source,
                site_measured.last,
                names,
                seen(mine, names) if names is not None and mine else None,
            )

    await asyncio.gather(*(one(reminders) for reminders in by_workspace.values()))
    return measured
