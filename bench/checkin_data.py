"""The check-ins' data (bench_checkins.py): N channels in 5 workspaces of unequal size, each with a
plan and a reminder due at the same minute (tests/helpers/reminder_worker's DUE), for N/4 distinct
sites drawn with a fixed seed, and what DataForSEO's stand-in knows of each site (12 months of new
and lost referring domains, November's lost ones by name).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import common  # noqa: F401 - puts the tree and the tests' helpers on the path
import sqlalchemy as sa
from dataforseo_standin import Site
from reminder_worker import ANSWERS, DUE

from bot.planning import knowledge as knowledge_module
from bot.planning import planner
from bot.storage.schema import channels, plans, reminders
from bot.storage.store import Store

PLATFORM = "bench"
WORKSPACES = {"w1": 0.40, "w2": 0.25, "w3": 0.15, "w4": 0.12, "w5": 0.08}  # share of the channels
CHANNELS_PER_SITE = 4
LAST_MONTH = "2026-11"  # what the check-ins of 1 Dec 2026 measure
MONTHS = [f"{2025 + (11 + k) // 12}-{(11 + k) % 12 + 1:02d}" for k in range(12)]  # 2025-12 … 2026-11
SEED = 15


@dataclass
class Data:
    site_of: dict[str, str]  # channel name → its site
    sites: dict[str, Site]  # what the stand-in knows

    def november(self, channel: str) -> tuple[int, int]:
        new, lost, _ = self.sites[self.site_of[channel]].months[LAST_MONTH]
        return new, lost


async def populate(store: Store, n: int) -> Data:
    """n channels with a plan and a reminder due at DUE, their sites, and what the provider knows of them."""
    from bot.monthly.schedule import ReminderSettings

    rng = random.Random(SEED)
    count = max(1, n // CHANNELS_PER_SITE)
    names = [f"site{s}.com" for s in range(count)]
    chosen = names[:n] + [rng.choice(names) for _ in range(n - min(n, count))]
    rng.shuffle(chosen)
    workspaces = rng.choices(list(WORKSPACES), weights=list(WORKSPACES.values()), k=n)
    sites = {}
    for name in names:
        main, months = rng.randint(20, 900), {}
        for month in MONTHS:
            new, lost = rng.randint(0, 25), rng.randint(0, 10)
            main = max(0, main + new - lost)
            months[month] = (new, lost, main)
        lost = months[LAST_MONTH][1]
        referring = [(f"gone{k}.{name}", rng.randint(0, 700), "2024-01-01", "2026-11-15") for k in range(lost)]
        sites[name] = Site(
            referring=referring,
            rank=rng.randint(40, 700),
            referring_domains=main + main // 5,
            referring_main_domains=main,
            referring_domains_nofollow=main // 4,
            referring_main_domains_nofollow=main // 5,
            backlinks=main * 30,
            months=months,
        )
    knowledge = knowledge_module.default()
    plan = planner.plan(ANSWERS, knowledge).model_dump(mode="json")
    made = DUE - dt.timedelta(days=20)
    settings = ReminderSettings().to_json()
    async with store.engine.begin() as connection:
        for start in range(0, n, 5_000):
            ids = range(start + 1, min(n, start + 5_000) + 1)
            await connection.execute(
                sa.insert(channels),
                [
                    {
                        "id": i,
                        "platform": PLATFORM,
                        "workspace": workspaces[i - 1],
                        "channel": f"c{i}",
                        "created_at": made,
                    }
                    for i in ids
                ],
            )
            await connection.execute(
                sa.insert(plans),
                [
                    {
                        "channel_id": i,
                        "created_by": "u",
                        "created_at": made,
                        "answers": dict(ANSWERS, site=chosen[i - 1]),
                        "plan": dict(plan, site=chosen[i - 1]),
                    }
                    for i in ids
                ],
            )
            await connection.execute(
                sa.insert(reminders),
                [{"channel_id": i, "settings": settings, "next_due_at": DUE, "updated_at": made} for i in ids],
            )
    return Data({f"c{i + 1}": site for i, site in enumerate(chosen)}, sites)
