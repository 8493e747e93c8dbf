"""Slack's App Home and the welcome: the real Bolt app over loopback HTTP, views.publish and
chat.postMessage on the stand-in (which refuses a view Slack would refuse)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path

from pydantic import SecretStr
from slack_client import install, serve
from support import TYPED_ANSWERS, rows

from adapters.slack.notify import SlackNotifier
from bot.monthly.reminders import ReminderLoop

ROOT = Path(__file__).resolve().parents[3]
ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}


async def make_plan(slack, *, site: str, team="T1", channel="C1", user="U1") -> None:
    opened, posted = len(slack.standin.of("views.open")), len(slack.standin.of("chat.postMessage"))
    await slack.command("plan", team=team, channel=channel, user=user)
    view = (await slack.standin.wait_for("views.open", opened + 1))[-1].body["view"]
    await slack.submit(view, {**ANSWERS, "site": site}, team=team, user=user)
    await slack.standin.wait_for("chat.postMessage", posted + 1)
    await slack.adapter.engine.home.settle()  # the Homes it changed are out before the test goes on


async def open_home(slack, *, team="T1", user="U1", tab="home") -> None:
    response = await slack.event(
        team, {"type": "app_home_opened", "user": user, "channel": f"D-{user}", "tab": tab, "event_ts": "1.0"}
    )
    assert response.status == 200


async def published(slack, count: int, user="U1") -> dict:
    """The view of the `count`-th views.publish (for this user), once it has arrived."""
    deadline = time.monotonic() + 5
    while True:
        calls = [c for c in slack.standin.of("views.publish") if c.body["user_id"] == user]
        if len(calls) >= count:
            assert all(c.refused is None for c in calls), [c.refused for c in calls]
            view = calls[count - 1].body["view"]
            return json.loads(view) if isinstance(view, str) else view
        assert time.monotonic() < deadline, f"no {count}× views.publish for {user}"
        await _tick()


async def _tick() -> None:
    await asyncio.sleep(0.01)


def oauth(settings):
    """Many workspaces: installed with OAuth, their tokens in the database."""
    update = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": SecretStr("s3cret")}
    return settings.model_copy(update=update)


def shown(view: dict) -> str:
    return json.dumps(view["blocks"])


def links(view: dict) -> list[str]:
    return [b["accessory"]["url"] for b in view["blocks"] if "accessory" in b]


def welcomes(slack) -> list:
    return [c for c in slack.standin.of("chat.postMessage") if "first plan in three steps" in json.dumps(c.body)]


async def test_the_home_lists_this_users_plans_in_this_workspace_only(slack):
    await make_plan(slack, site="mine.com", channel="C1", user="U1")
    await make_plan(slack, site="colleague.com", channel="C2", user="U2")  # same workspace, another user
    await make_plan(slack, site="elsewhere.com", team="T2", channel="C3", user="U1")  # same user, another workspace
    await slack.command("help", channel="C4", user="U1")  # used the bot here, no plan yet

    await open_home(slack)
    view = await published(slack, 1)
    assert view["type"] == "home"
    text = shown(view)
    assert "*mine.com*" in text and "new referring domains a month" in text
    assert "0 logged of" in text and "Next check-in: " in text
    assert "No plan in this channel yet" in text  # C4
    assert "colleague.com" not in text and "elsewhere.com" not in text
    assert links(view) == [  # the most recently used first
        "https://slack.com/app_redirect?channel=C4&team=T1",
        "https://slack.com/app_redirect?channel=C1&team=T1",
    ]
    assert "/backlinks plan" in text and "Your first plan in three steps" in text and "/backlinks help" in text
    assert "Backlink data:" not in text and "No backlink data provider is connected" not in text  # none configured


async def test_the_home_shows_the_connected_provider_with_only_its_last_4(slack_settings, standin, dataforseo):
    settings = slack_settings.model_copy(update={"provider_url": dataforseo.url})
    slack, runner = await serve(settings, standin, lookups=True)
    try:
        standin.roles["U1"] = "admin"
        await open_home(slack)
        assert "No backlink data provider is connected" in shown(await published(slack, 1))
        await slack.command("connect", user="U1")
        [form] = await standin.wait_for("views.open")
        await slack.submit(form.body["view"], {"connect_provider": "dataforseo", "connect_key": dataforseo.key})
        await standin.wait_until("respond", "Connected")
        # Connecting changed the Home of the one who did it (opening the form republished it already).
        text = shown(await published_with(slack, "key ending a7b8"))
        assert "*DataForSEO* (key ending a7b8)" in text
        assert dataforseo.key not in json.dumps([c.body for c in standin.calls])
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


async def test_the_messages_tab_publishes_nothing(slack):
    await open_home(slack, tab="messages")
    await open_home(slack, user="U9")  # handled after the first: once its Home is out, the first is done
    await published(slack, 1, user="U9")
    await slack.standin.wait_for("chat.postMessage")
    assert [c.body["user_id"] for c in slack.standin.of("views.publish")] == ["U9"]
    assert [w.body["channel"] for w in welcomes(slack)] == ["D-U9"]


async def test_the_home_is_republished_after_a_plan_and_a_log_for_those_who_opened_it(slack):
    await make_plan(slack, site="mine.com", channel="C1", user="U1")
    await slack.command("show", channel="C1", user="U2")  # U2 uses C1 too, but never opens the Home
    await open_home(slack)
    assert "0 logged of" in shown(await published(slack, 1))

    await slack.command("log 3", channel="C1", user="U2")  # anyone's log in C1 changes U1's Home
    assert "3 logged of" in shown(await published(slack, 2))
    await slack.adapter.engine.home.settle()
    assert len(slack.standin.of("views.publish")) == 2  # one publish for one log

    await make_plan(slack, site="second.com", channel="C5", user="U1")
    view = await published_with(slack, "*second.com*")
    assert "*mine.com*" in shown(view)
    assert {c.body["user_id"] for c in slack.standin.of("views.publish")} == {"U1"}  # none for U2

    await slack.adapter.engine.home.settle()
    count = len(slack.standin.of("views.publish"))
    response = await slack.command("help", channel="C1", user="U1")  # changes nothing: no publish
    assert response.status == 200
    await slack.adapter.engine.home.settle()
    assert len(slack.standin.of("views.publish")) == count


async def published_with(slack, text: str, user="U1") -> dict:
    """The first Home published for this user that shows `text`, once it has arrived."""
    deadline = time.monotonic() + 5
    while True:
        for call in slack.standin.of("views.publish"):
            if call.body["user_id"] == user and text in json.dumps(call.body):
                assert call.refused is None, call.refused
                return call.body["view"]
        assert time.monotonic() < deadline, f"no Home for {user} showing {text!r}"
        await _tick()


async def test_the_home_is_republished_after_a_check_in(slack, slack_settings, db_path):
    await make_plan(slack, site="mine.com", channel="C1", user="U1")
    await open_home(slack)
    assert "Next check-in: " in shown(await published(slack, 1))
    engine = slack.adapter.engine
    notifier = SlackNotifier(settings=slack_settings, knowledge=engine.knowledge, engine=engine, home=engine.home)
    reminders = ReminderLoop(checkins=engine.monthly, notifiers=[notifier], checked_in=engine.home.changed)
    due = next_due(db_path)
    report = await reminders.run_once(due + dt.timedelta(minutes=1))
    assert report.sent == 1
    after = next_due(db_path)
    assert after > due
    text = shown(await published(slack, 2))
    # In Slack's date markup: each reader sees it in their own zone; the fallback names the channel's.
    fallback = f"{after:%a} {after.day} {after:%b %Y}, 09:00 (UTC)"
    epoch = int(after.replace(tzinfo=dt.UTC).timestamp()) if after.tzinfo is None else int(after.timestamp())
    assert f"Next check-in: <!date^{epoch}^{{date_short_pretty}}, {{time}}|{fallback}>" in text


def next_due(db_path) -> dt.datetime:
    [(due,)] = rows(db_path, "SELECT next_due_at FROM reminders")
    return dt.datetime.fromisoformat(due).replace(tzinfo=dt.UTC)


async def test_the_welcome_comes_once_across_visits_and_a_restart(slack_settings, standin):
    for _ in range(2):  # a process, then the same database after a restart
        slack, runner = await serve(slack_settings, standin)
        try:
            for _ in range(2):
                await open_home(slack)
                await published(slack, len(standin.of("views.publish")) + 1)
        finally:
            await slack.session.close()
            await runner.cleanup()
            await slack.store.close()
    [welcome] = welcomes(slack)
    assert welcome.body["channel"] == "D-U1"  # the app's Messages tab with this user
    text = json.dumps(welcome.body)
    assert "/backlinks plan" in text and "/backlinks log 3" in text
    assert len(standin.of("views.publish")) == 4


async def test_a_welcome_that_could_not_be_sent_is_tried_again_on_the_next_visit(slack):
    slack.standin.refuse["chat.postMessage"] = "channel_not_found"
    await open_home(slack)
    await published(slack, 1)
    await slack.adapter.engine.home.settle()
    await wait_for_calls(slack, "chat.postMessage", 1)
    del slack.standin.refuse["chat.postMessage"]
    await open_home(slack)
    await wait_for_calls(slack, "chat.postMessage", 2)
    await open_home(slack)
    await published(slack, 3)
    assert len(welcomes(slack)) == 2  # one refused, one delivered, none after


async def wait_for_calls(slack, method: str, count: int) -> None:
    await slack.standin.wait_for(method, count)


async def test_an_install_welcomes_the_installer_once_and_their_first_visit_does_not_again(slack_settings, standin):
    slack, runner = await serve(oauth(slack_settings), standin)
    try:
        await install(slack, "T2")
        [welcome] = welcomes(slack)
        assert welcome.body["channel"] == "UINSTALLER" and welcome.token == "xoxb-T2"
        await install(slack, "T2")  # installed again (a new scope, say): nothing more
        await open_home(slack, team="T2", user="UINSTALLER")
        view = await published(slack, 1, user="UINSTALLER")
        assert view["type"] == "home"
        assert [c.token for c in standin.of("views.publish")] == ["xoxb-T2"]
        await open_home(slack, team="T2", user="USOMEONE")  # another person's first visit: their own welcome
        await published(slack, 1, user="USOMEONE")
        await wait_for_calls(slack, "chat.postMessage", 2)
        assert [w.body["channel"] for w in welcomes(slack)] == ["UINSTALLER", "D-USOMEONE"]
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


def test_both_manifests_turn_the_home_tab_and_its_event_on():
    import yaml

    for manifest in ROOT.glob("adapters/slack/manifest.*.yaml"):
        read = yaml.safe_load(manifest.read_text())
        home = read["features"]["app_home"]
        assert home["home_tab_enabled"] is True and home["messages_tab_enabled"] is True, manifest.name
        assert "app_home_opened" in read["settings"]["event_subscriptions"]["bot_events"], manifest.name
        # Nothing beyond chat:write: views.publish and app_home_opened need no scope of their own.
        assert "im:write" not in read["oauth_config"]["scopes"]["bot"], manifest.name
