"""The whole chain a terminal user runs: the real `backlinks console`, the real DataForSEO client,
and a loopback stand-in of DataForSEO's API (tests/helpers/dataforseo_standin.py) that counts calls."""

from __future__ import annotations

import datetime as dt

from dataforseo_standin import DataForSEOStandIn
from processes import backlinks

TODAY = dt.date.today()


async def console(standin: DataForSEOStandIn, db, lines: list[str], **env: str) -> str:
    chat = "\n".join([*lines, "quit"]) + "\n"
    variables = {"BACKLINKS_PROVIDER_URL": standin.url, **env}
    return await backlinks("console", "--database", str(db), "--channel", "shop", stdin=chat, env=variables)


async def test_connect_then_plan_with_competitors_as_domains(tmp_path):
    standin = DataForSEOStandIn()
    await standin.start()
    try:
        out = await console(
            standin,
            tmp_path / "b.db",
            [
                "connect dataforseo me@example.com:wrong-password",
                f"connect dataforseo {standin.key}",
                "plan site=example-shop.com competitors=rival.com, other.net, unknown-shop.io",
            ],
        )
        assert "Not connected: dataforseo refused that key" in out
        assert "Connected DataForSEO (key ending a7b8)" in out and standin.key not in out
        source = f"DataForSEO, {TODAY.day} {TODAY:%b %Y}"
        assert f"Competitors looked up ({source}): rival.com=921+29, other.net=310, unknown-shop.io" in out
        assert "DataForSEO doesn't know unknown-shop.io: give each a count" in out
        assert f"Looked up example-shop.com ({source}): referring domains 164" in out
        # The stand-in's site gained 7, 5 and 3 new referring domains in its last three months.
        assert "new referring domains a month 5" in out
        # One bulk call for three competitors (plus their ranks), one summary for the site.
        assert standin.count("backlinks/bulk_referring_domains/live") == 1
        assert standin.count("backlinks/summary/live") == 1
        assert "Competitors' referring domains: “unknown-shop.io” has no count" in out  # asked, not guessed
        # Only domains went to the provider: every task names its targets and documented options only.
        tasks = [task for call in standin.calls if isinstance(call.body, list) for task in call.body]
        targets = {t for task in tasks for t in ([task["target"]] if "target" in task else task.get("targets", []))}
        assert targets == {"example-shop.com", "rival.com", "other.net", "unknown-shop.io"}
        assert all(
            set(task)
            <= {
                "target",
                "targets",
                "rank_scale",
                "date_from",
                "date_to",
                "include_subdomains",
                "backlinks_status_type",
            }
            for task in tasks
        ), tasks
    finally:
        await standin.stop()


async def test_a_provider_that_does_not_answer_leaves_the_questions_to_be_typed(tmp_path):
    standin = DataForSEOStandIn()
    await standin.start()
    standin.fail_next(20, 500)
    try:
        out = await console(
            standin,
            tmp_path / "b.db",
            ["plan site=example-shop.com"],
            BACKLINKS_PROVIDER="dataforseo",
            BACKLINKS_PROVIDER_KEY=standin.key,
        )
        assert "Couldn't look the figures up (" in out and "please type them." in out
        assert "2/17  What kind of site is it?" in out
    finally:
        await standin.stop()
