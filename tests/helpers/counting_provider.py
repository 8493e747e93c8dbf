"""A backlink data provider stood in at the provider interface (bot/lookups/provider.py): answers
from a table of figures and counts what it is asked. For tests of what the bot does with figures;
the real HTTP clients are tested against stand-ins of each API (tests/providers/)."""

from __future__ import annotations

from bot.lookups.provider import LookupFailed, MonthChange, MonthDomains, RefusedKey, SiteFigures

KEY = "login@example.com:s3cret-key-9a7f"  # the key it accepts


class CountingProvider:
    name, label, authority_name, has_history = "dataforseo", "DataForSEO", "DataForSEO rank", True
    has_domain_lists = True
    figures = {
        "example.com": SiteFigures("example.com", 1240, authority=41),
        "rival.com": SiteFigures("rival.com", 3100, authority=55),
        "other.net": SiteFigures("other.net", 2200, authority=50),
    }
    months = {
        # 30, 12, 15 new in the last three complete months before November: 19 a month; 5 lost a month.
        "example.com": [MonthChange(f"2026-{m:02d}", new, 5) for m, new in ((8, 30), (9, 12), (10, 15), (11, 9))],
        "rival.com": [MonthChange(f"2026-{m:02d}", 40, 10) for m in (8, 9, 10)],
    }

    # November's new and lost referring domains of example.com, the most valuable first (9 new, 5 lost
    # counted above; a provider names what it can: a subdomain may stand for a registrable domain).
    named = {
        ("example.com", "2026-11"): MonthDomains(
            "2026-11",
            new=("news.bakers-guild.org", "citylist.net", "foodie.io"),
            lost=("gone-news.com", "closed-forum.net", "old-dir.org", "spam-farm.biz", "moved.net"),
        )
    }

    def __init__(self, key: str = KEY, calls: list | None = None, fail: list | None = None, broken=frozenset()):
        if ":" not in key:
            raise ValueError("a DataForSEO key is LOGIN:PASSWORD")
        self.key = key
        self.calls = calls if calls is not None else []
        self.fail = fail if fail is not None else []  # failures the next calls raise, in turn
        self.broken = broken  # domains whose history call fails

    async def check(self) -> None:
        self.calls.append(("check",))
        if self.key != KEY:
            raise RefusedKey("wrong credentials")

    async def sites(self, domains):
        self.calls.append(("sites", tuple(domains)))
        if self.fail:
            raise self.fail.pop(0)
        return {d: self.figures.get(d) for d in domains}

    async def history(self, domain, since):
        self.calls.append(("history", domain, since))
        if self.fail:
            raise self.fail.pop(0)
        if domain in self.broken:
            raise LookupFailed(f"DataForSEO answered 500 for {domain}")
        return [m for m in self.months.get(domain, []) if m.month >= since]

    async def month_domains(self, domain, month):
        self.calls.append(("month_domains", domain, month))
        if self.fail:
            raise self.fail.pop(0)
        if domain in self.broken:
            raise LookupFailed(f"DataForSEO answered 500 for {domain}")
        return self.named.get((domain, month), MonthDomains(month))

    async def close(self) -> None:
        pass
