"""Check-ins measured for 1,000 channels by two workers at once: one paid call per domain and month.

250 sites spread over 1,000 channels in 4 workspaces; two reminder loops (two stores, as two
processes would have) claim the check-ins together, on SQLite and on PostgreSQL. The provider is a
stand-in at the provider interface that counts each call and takes a few milliseconds; half the
sites lost enough last month for the check-in to ask which domains they were, once per site too.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt

import sqlalchemy as sa
from reminder_worker import ANSWERS  # the answers every channel's plan was made from
from support import Recording

from bot.engine import Engine
from bot.lookups.provider import MonthChange, MonthDomains
from bot.lookups.service import Lookups
from bot.monthly.reminders import ReminderLoop
from bot.monthly.schedule import ReminderSettings
from bot.planning import knowledge, planner
from bot.storage.schema import channels, plans, reminders
from bot.storage.store import Store

DUE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
NOW = DUE + dt.timedelta(minutes=5)
CHANNELS, SITES, WORKSPACES = 1000, 250, 4


class SlowCountingProvider:
    name, label, authority_name, has_history = "dataforseo", "DataForSEO", "DataForSEO rank", True
    has_domain_lists = True

    def __init__(self, calls: collections.Counter):
        self.calls = calls

    async def history(self, domain, since):
        self.calls[domain] += 1
        await asyncio.sleep(0.005)  # a network round trip, so the two workers overlap
        return [MonthChange("2026-11", new=7, lost=_lost(domain))]

    async def month_domains(self, domain, month):
        self.calls["names of " + domain] += 1
        await asyncio.sleep(0.005)
        return MonthDomains(month, new=("a.org",), lost=tuple(f"gone{n}.net" for n in range(_lost(domain))))

    async def close(self) -> None:
        pass


def _lost(domain: str) -> int:
    return 6 if int(domain.removeprefix("site").removesuffix(".com")) % 2 else 2  # 6: a reclamation note


async def populate(store: Store) -> None:
    made = DUE - dt.timedelta(days=40)
    settings = ReminderSettings().to_json()
    answers = [dict(ANSWERS, site=f"site{i % SITES}.com") for i in range(CHANNELS)]
    plan = planner.plan(ANSWERS, knowledge.default()).model_dump(mode="json")
    async with store.engine.begin() as connection:
        await connection.execute(
            sa.insert(channels),
            [
                {
                    "id": i + 1,
                    "platform": "memory",
                    "workspace": f"w{i % WORKSPACES}",
                    "channel": f"c{i}",
                    "created_at": made,
                }
                for i in range(CHANNELS)
            ],
        )
        await connection.execute(
            sa.insert(plans),
            [
                {"channel_id": i + 1, "created_by": "u", "created_at": made, "answers": answers[i], "plan": plan}
                for i in range(CHANNELS)
            ],
        )
        await connection.execute(
            sa.insert(reminders),
            [
                {"channel_id": i + 1, "settings": settings, "next_due_at": DUE, "updated_at": made}
                for i in range(CHANNELS)
            ],
        )


async def test_two_workers_over_1000_channels_make_one_paid_call_per_domain_and_month(store_url):
    calls: collections.Counter = collections.Counter()
    stores = [await Store.open(store_url, clock=lambda: NOW) for _ in range(2)]
    try:
        await populate(stores[0])
        loops, platforms = [], []
        for number, store in enumerate(stores):
            lookups = Lookups(
                store=store,
                clients=lambda name, key: SlowCountingProvider(calls),
                providers=("dataforseo",),
                budget=CHANNELS,
                default=("dataforseo", "login:password"),
            )
            engine = Engine(knowledge=knowledge.default(), store=store, lookups=lookups)
            engine.monthly.charts = False  # the paid calls are counted here; charts: bench/bench_chart.py
            platforms.append(Recording("memory"))
            loops.append(
                ReminderLoop(
                    checkins=engine.monthly, notifiers=[platforms[-1]], clock=lambda: NOW, owner=f"w{number}", batch=100
                )
            )
        reports = await asyncio.gather(*(loop.run_once() for loop in loops))
        assert sum(r.sent for r in reports) == CHANNELS
        assert all(r.sent > 0 for r in reports), reports  # both workers took part
        # Each site's month paid for once, and the names of the lost domains once for each odd site.
        assert len(calls) == SITES + SITES // 2 and set(calls.values()) == {1}
        sent = [reply for platform in platforms for _, reply in platform.sent]
        measured = [r for r in sent if "reminder.measured" in str(r)]
        assert len(measured) == CHANNELS
        assert sum("reminder.reclaim" in str(r) and "gone5.net" in str(r) for r in sent) == CHANNELS // 2
        async with stores[0].reader.connect() as connection:
            used = dict((await connection.execute(sa.text("SELECT workspace, used FROM lookup_budget"))).all())
        assert sum(used.values()) == SITES + SITES // 2  # a workspace pays only for what it looked up itself
    finally:
        for store in stores:
            await store.close()
