"""An internationalised domain in Slack, in a channel speaking German: the plan posted, its modal
filled in again for a re-plan, the check-in and the Home name bäckerei-koch.de, never its punycode."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

from support import TYPED_ANSWERS

from adapters.slack.notify import SlackNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

ANSWERS = dict(TYPED_ANSWERS) | {
    "site": "https://bäckerei-koch.de/?utm_source=newsletter",
    "competitors": "wettbewerber-müller.de=420, other.net=610",
    "strategies": "guest_posting, outreach",
}


async def home_of(slack, user="U1") -> str:
    """The App Home published for this user once they open it."""
    event = {"type": "app_home_opened", "user": user, "channel": f"D-{user}", "tab": "home", "event_ts": "1.0"}
    assert (await slack.event("T1", event)).status == 200
    deadline = time.monotonic() + 5
    while not (calls := [c for c in slack.standin.of("views.publish") if c.body["user_id"] == user]):
        assert time.monotonic() < deadline, "no views.publish"
        await asyncio.sleep(0.01)
    return json.dumps(calls[-1].body["view"], ensure_ascii=False)


def said(call) -> str:
    return json.dumps(call.body, ensure_ascii=False)


async def test_slack_names_an_internationalised_domain_as_typed(slack, slack_settings):
    slack.adapter.engine.monthly.charts = False
    await slack.command("language de")
    await slack.command("plan")
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    await slack.submit(view, ANSWERS)
    [plan] = await slack.standin.wait_for("chat.postMessage")
    assert "Backlink-Plan für bäckerei-koch.de" in said(plan)

    await slack.command("plan")  # the re-plan's form offers the answers as they were typed
    again = (await slack.standin.wait_for("views.open", 2))[-1]
    assert "bäckerei-koch.de" in said(again) and "wettbewerber-müller.de=420" in said(again)

    await slack.adapter.engine.home.settle()
    assert "bäckerei-koch.de" in await home_of(slack)

    due = dt.datetime.now(dt.UTC).replace(day=1, hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=32)
    notifier = SlackNotifier(settings=slack_settings, knowledge=knowledge.default())
    report = await ReminderLoop(checkins=slack.adapter.engine.monthly, notifiers=[notifier]).run_once(
        due.replace(day=1)
    )
    assert report.sent == 1
    check_in = slack.standin.of("chat.postMessage")[-1]
    assert "Monatlicher Backlink-Check-in für bäckerei-koch.de" in said(check_in)
    assert not [c.path for c in slack.standin.calls if "xn--" in json.dumps(c.body)]
