"""The longest plans users can make reach Slack whole: split over blocks and messages, never refused."""

from __future__ import annotations

import json

from support import TYPED_ANSWERS

LONG = dict(TYPED_ANSWERS)
LONG["site"] = "a" * 60 + "." + "b" * 60 + ".example.com"
LONG["competitors"] = ", ".join(f"{'c' * 55}{i}.example.org={400 + i * 37}+{i + 3}" for i in range(10))
LONG["ranking_pages"] = ", ".join(str(30 + i) for i in range(10))


async def plan_and_details(slack, answers) -> list:
    await slack.command("plan")
    [opened] = await slack.standin.wait_for("views.open")
    view = opened.body["view"]
    strategies = next(b for b in view["blocks"] if b.get("block_id") == "strategies")
    answers = {**answers, "strategies": ", ".join(o["value"] for o in strategies["element"]["options"])}
    response = await slack.submit(view, answers)
    assert response.status == 200 and await response.text() == "", await response.text()
    await slack.standin.wait_for("chat.postMessage")
    await slack.press("details")
    await slack.standin.wait_until("respond", "The figures behind the plan")
    return slack.standin.calls


async def test_the_longest_plan_and_its_details_are_accepted_by_slack_and_not_cut(slack):
    calls = await plan_and_details(slack, LONG)
    refused = [(c.method, c.refused) for c in calls if c.refused]
    assert refused == [], refused
    posted = [c for c in calls if c.method in ("chat.postMessage", "respond")]
    for call in posted:
        for block in call.body.get("blocks", []):
            assert block.get("text", {}).get("text") != "…", f"{call.method} was cut short"
    details = json.dumps([c.body for c in posted if c.method == "respond"])
    for i in range(10):
        assert f"{'c' * 55}{i}.example.org" in details, "every competitor is named in the details"
