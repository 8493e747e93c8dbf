"""Monthly reminders in Discord: posted by the loop over REST, logged through the button, shown in progress."""

from __future__ import annotations

import datetime as dt
import json

from discord_flow import buttons, inputs, make_client, press, slash, submit, walk_the_plan
from discord_standin import MANAGE_GUILD_PERMISSIONS
from support import rows

from adapters.discord.notify import DiscordNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

FAR = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)


def loop(bot) -> ReminderLoop:
    notifier = DiscordNotifier(token="token", knowledge=knowledge.default(), http=bot.http)
    return ReminderLoop(checkins=bot.engine.monthly, notifiers=[notifier])


async def test_the_reminder_is_posted_with_its_buttons_and_logging_shows_in_progress(bot, standin, db_path):
    await walk_the_plan(standin)
    report = await loop(bot).run_once(FAR)
    assert report.sent == 1
    [post] = standin.of("POST", rf"/channels/{standin.channel_id}/messages")
    assert "Monthly backlink check-in for example.com" in json.dumps(post.json["embeds"])
    assert post.json["allowed_mentions"] == {"parse": []}
    assert buttons(post.json) == ["backlinks:log", "backlinks:skip_month", "backlinks:pause", "backlinks:replan"]

    form = await press(standin, "backlinks:log")
    assert form["type"] == 9 and list(inputs(form["data"])) == ["log_links", "log_month", "log_checks"]
    assert form["data"]["title"] == "Log links"
    refused = await submit(standin, form["data"], {"log_links": "banana", "log_month": "", "log_checks": ""})
    assert "“banana” is not a link" in refused["data"]["content"] and refused["data"]["flags"] == 64
    assert buttons(refused["data"]) == ["backlinks:fix:log"]
    reopened = await press(standin, "backlinks:fix:log")
    assert reopened["type"] == 9 and inputs(reopened["data"])["log_links"]["value"] == "banana", "as it was typed"
    logged = await submit(
        standin,
        form["data"],
        {"log_links": "https://news.example.org/a b.example.net", "log_month": "", "log_checks": ""},
    )
    assert "2 new referring domains (example.org, example.net)" in json.dumps(logged["data"])
    shown = await slash(standin, "show")
    assert "Progress (new referring domains logged / to build)" in json.dumps(shown["data"]["embeds"])
    assert rows(db_path, "SELECT domain FROM progress ORDER BY domain") == [("example.net",), ("example.org",)]


async def test_log_and_remind_commands(bot, standin, db_path):
    await walk_the_plan(standin)
    logged = await slash(standin, "log", {"count": 3})
    assert "3 links by count" in json.dumps(logged["data"])
    status = await slash(standin, "remind")
    assert "I check in here on the 1st of each month at 09:00 (UTC)" in json.dumps(status["data"])
    refused = await slash(standin, "remind", {"day": "15"})  # a member without Manage Server
    assert refused["data"]["content"] == "Only members who can manage this server can change its reminders."
    assert json.loads(rows(db_path, "SELECT settings FROM reminders")[0][0])["day"] == 1
    allowed = await slash(
        standin,
        "remind",
        {"day": "15", "time": "18:30", "timezone": "Europe/Berlin"},
        permissions=MANAGE_GUILD_PERMISSIONS,
    )
    assert "15th of each month at 18:30 (Europe/Berlin)" in json.dumps(allowed["data"])


async def test_a_channel_the_bot_can_no_longer_post_in_is_paused(bot, standin, db_path):
    await walk_the_plan(standin)
    standin.refuse(
        "POST", rf"/channels/{standin.channel_id}/messages", status=403, code=50001, message="Missing Access"
    )
    report = await loop(bot).run_once(FAR)
    assert len(report.paused) == 1
    [(reason,)] = rows(db_path, "SELECT paused_reason FROM reminders")
    assert reason.startswith("403")
    assert (await loop(bot).run_once(FAR + dt.timedelta(days=31))).claimed == 0
    help_ = await slash(standin, "help")
    follow = standin.of("POST", rf"/webhooks/{standin.application_id}/.+")
    seen = json.dumps(help_["data"]) + json.dumps([c.json for c in follow])
    assert "were paused because the bot could not post here" in seen


async def test_reminder_buttons_work_after_a_restart(standin, store):
    first = make_client(standin, store)
    async with standin.connected(first):
        await walk_the_plan(standin)
        await loop(first).run_once(FAR)
    second = make_client(standin, store)
    async with standin.connected(second):
        skipped = await press(standin, "backlinks:skip_month")
        assert "skipping" in json.dumps(skipped["data"])
        paused = await press(standin, "backlinks:pause")
        assert "Monthly reminders are off here." in json.dumps(paused["data"])


async def test_a_log_far_above_the_plan_is_confirmed_with_its_button(bot, standin, db_path):
    await walk_the_plan(standin)
    asked = await slash(standin, "log", {"count": 1000})
    assert "far above your plan" in json.dumps(asked["data"]) and asked["data"]["flags"] == 64
    assert rows(db_path, "SELECT count(*) FROM progress") == [(0,)], "nothing stored before the confirmation"
    [confirm] = buttons(asked["data"])
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert confirm == f"backlinks:confirm_log:{month} 1000"
    logged = await press(standin, confirm)  # the custom id carries what to log: it works after a restart too
    assert "1,000 links by count" in json.dumps(logged["data"])
    assert rows(db_path, "SELECT month, count FROM progress") == [(month, 1000)]
