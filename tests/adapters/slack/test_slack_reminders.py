"""Monthly reminders in Slack: posted by the loop, logged through the button, shown in progress."""

from __future__ import annotations

import datetime as dt
import json

from support import TYPED_ANSWERS, rows

from adapters.slack.notify import SlackNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}


async def make_plan(slack, channel="C1"):
    # These check-ins come a month after the plan, with two months of history: without the chart
    # they are one chat.postMessage, which these tests follow (with it: test_slack_chart.py).
    slack.adapter.engine.monthly.charts = False
    opened, posted = len(slack.standin.of("views.open")), len(slack.standin.of("chat.postMessage"))
    await slack.command("plan", channel=channel)
    view = (await slack.standin.wait_for("views.open", opened + 1))[-1].body["view"]
    await slack.submit(view, ANSWERS)
    await slack.standin.wait_for("chat.postMessage", posted + 1)


def loop(slack, settings):
    engine = slack.adapter.engine
    return ReminderLoop(
        checkins=engine.monthly, notifiers=[SlackNotifier(settings=settings, knowledge=knowledge.default())]
    )


async def test_a_first_plan_takes_the_slack_users_time_zone_for_its_reminder(slack, db_path):
    slack.standin.zones["U1"] = "Europe/Berlin"
    await make_plan(slack)
    plan = slack.standin.of("chat.postMessage")[-1]  # the note is part of the posted plan
    assert "I'll check in here on the 1st of each month at 09:00 (Europe/Berlin)" in json.dumps(plan.body)
    [(settings,)] = rows(db_path, "SELECT settings FROM reminders")
    assert json.loads(settings)["timezone"] == "Europe/Berlin"


async def test_the_reminder_is_posted_and_logging_through_its_button_shows_in_progress(slack, slack_settings, db_path):
    await make_plan(slack)
    now = dt.datetime.now(dt.UTC)
    due = now.replace(day=1, hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=32)
    due = due.replace(day=1)
    report = await loop(slack, slack_settings).run_once(due)
    assert report.sent == 1
    post = slack.standin.of("chat.postMessage")[-1]
    assert post.body["channel"] == "C1" and post.token == "xoxb-T1"
    text = json.dumps(post.body["blocks"])
    assert "Monthly backlink check-in for example.com" in text and "This month's target" in text
    actions = next(b for b in post.body["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["log", "skip_month", "pause", "replan"]
    assert "check-in for example.com" in post.body["text"]

    await slack.press("log")
    opened = (await slack.standin.wait_for("views.open", 2))[-1].body["view"]
    assert opened["callback_id"] == "backlinks_log"
    inputs = {b["block_id"]: b for b in opened["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["log_links", "log_month", "log_checks"]
    assert inputs["log_checks"]["element"]["type"] == "multi_static_select"
    refused = await slack.submit(opened, {"log_links": "banana"})
    assert json.loads(await refused.text())["errors"]["log_links"].startswith("“banana” is not a link")
    before = len(slack.standin.of("chat.postMessage"))
    answered = await slack.submit(
        opened,
        {
            "log_links": "https://news.example.org/a https://blog.other.net/b",
            "log_checks": "relevant, content, traffic",
        },
    )
    assert await answered.text() == ""
    logged = (await slack.standin.wait_for("chat.postMessage", before + 1))[-1]
    assert "2 new referring domains (example.org, other.net)" in json.dumps(logged.body)
    response = await slack.command("show")
    shown = await response.text()
    assert "Progress (new referring domains logged / to build)" in shown
    assert "2 of 2 checked links met the quality bar" in shown
    assert rows(db_path, "SELECT count(*) FROM progress") == [(2,)]


async def test_a_channel_the_bot_was_removed_from_is_paused(slack, slack_settings, db_path):
    await make_plan(slack)
    slack.standin.refuse["chat.postMessage"] = "channel_not_found"
    far = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    report = await loop(slack, slack_settings).run_once(far)
    assert len(report.paused) == 1
    assert rows(db_path, "SELECT paused_reason FROM reminders") == [("channel_not_found",)]
    assert (await loop(slack, slack_settings).run_once(far + dt.timedelta(days=31))).claimed == 0
    del slack.standin.refuse["chat.postMessage"]
    response = await slack.command("help")
    assert "were paused because the bot could not post here (channel_not_found)" in await response.text()


async def test_a_slack_rate_limit_is_waited_out(slack, slack_settings):
    await make_plan(slack)
    slack.standin.rate_limit_once["chat.postMessage"] = 1
    report = await loop(slack, slack_settings).run_once(dt.datetime.now(dt.UTC) + dt.timedelta(days=40))
    assert report.sent == 1, "retried after Retry-After"
    assert len([c for c in slack.standin.of("chat.postMessage") if "check-in" in json.dumps(c.body)]) == 2


async def test_a_log_far_above_the_plan_is_confirmed_with_its_button(slack, db_path):
    await make_plan(slack)
    response = await slack.command("log 1000")
    asked = json.loads(await response.text())
    assert "far above your plan" in json.dumps(asked) and "/backlinks log 1000 yes" in json.dumps(asked)
    assert rows(db_path, "SELECT count(*) FROM progress") == [(0,)], "nothing stored before the confirmation"
    [button] = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert (button["action_id"], button["value"]) == ("confirm_log", f"{month} 1000")
    press = slack.pressed(button["action_id"], value=button["value"], trigger="trigger-confirm", reply_to="confirm")
    assert (await slack.interaction(press)).status == 200
    seen = await slack.standin.wait_until("chat.postMessage", "1,000 links by count")
    assert seen.body["channel"] == "C1"
    assert rows(db_path, "SELECT month, count FROM progress") == [(month, 1000)]
