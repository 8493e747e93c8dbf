"""Every entry point gets the same engine (bot/app/build.py): with a provider configured, a check-in
sent by `backlinks reminders run-once` reports what the provider measured, as `serve`'s do.

Once, run-once built its engine without lookups: its check-ins made no provider call and said "0
logged against 2-3" while the provider had seen 9 new referring domains and 6 lost.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from dataforseo_standin import DataForSEOStandIn
from processes import backlinks

ROOT = Path(__file__).resolve().parents[2]
PLAN = (
    "plan site=example-shop.com kind=shop rd=164 dr=40 age=48 recent=5 lost=2 on_purpose=no followed=80 "
    "competitors=420,610 horizon=12 "
    "pages=skip assets=1 posts=4 quality=4 strategies=guest posting, outreach hours=20"
)


async def test_a_check_in_sent_by_run_once_reports_what_the_provider_measured(tmp_path):
    standin = DataForSEOStandIn()
    await standin.start()
    today = dt.datetime.now(dt.UTC)
    this_month, next_month = f"{today:%Y-%m}", (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    standin.sites["example-shop.com"].months[this_month] = (9, 6, 167)
    env = {
        "BACKLINKS_PROVIDER": "dataforseo",
        "BACKLINKS_PROVIDER_KEY": standin.key,
        "BACKLINKS_PROVIDER_URL": standin.url,
        "TZ": "UTC",
    }
    db = str(tmp_path / "bot.db")
    try:
        chat = await backlinks("console", "--database", db, "--channel", "shop", stdin=f"{PLAN}\nskip\nquit\n", env=env)
        assert "Backlink plan for example-shop.com" in chat
        standin.calls.clear()
        when = f"{next_month:%Y-%m-%d}T12:00Z"
        sent = await backlinks("reminders", "run-once", "--database", db, "--now", when, "--yes", env=env)
        assert "sent 1" in sent, sent
        assert f"9 new referring domains and 6 lost in {today:%B %Y}, net +3" in sent, sent
        assert standin.count("backlinks/history/live") == 1
    finally:
        await standin.stop()


def test_only_the_builder_makes_an_engine():
    """Entry points and adapters take the engine from bot/app/build.py; none builds its own."""
    builders = []
    for folder in ("bot", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Engine":
                    builders.append(str(path.relative_to(ROOT)))
    assert builders == ["bot/app/build.py"]
