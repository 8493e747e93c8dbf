"""A change asked for once is made once: a slash command or a button press replayed with its trigger id."""

from __future__ import annotations

import datetime as dt
import json
import re

from support import TYPED_ANSWERS, rows

ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}
MONTH = dt.datetime.now(dt.UTC).strftime("%Y-%m")


async def make_plan(slack) -> None:
    slack.adapter.engine.monthly.charts = False  # `show` answers on the ack, without an upload
    await slack.command("plan")
    [opened] = await slack.standin.wait_for("views.open")
    await slack.submit(opened.body["view"], ANSWERS)
    await slack.standin.wait_for("chat.postMessage")


async def said(response) -> str:
    assert response.status == 200
    return await response.text()


async def test_a_slash_command_replayed_with_its_trigger_id_logs_once(slack, db_path):
    await make_plan(slack)
    first = await said(await slack.command("log 3", trigger_id="trigger-log-3"))
    replays = [await said(await slack.command("log 3", trigger_id="trigger-log-3")) for _ in range(2)]

    assert "3 links by count" in first
    assert replays == ["", ""], "a replay is acknowledged and answered with nothing"
    assert rows(db_path, "SELECT month, count FROM progress") == [(MONTH, 3)]
    shown = await said(await slack.command("show"))
    assert re.search(r"\w+ \d{4}: 3 / ", shown)
    assert await slack.adapter.engine.intake.idle(5) == 0
    assert slack.standin.of("respond") == [], "nothing followed the replays either"


async def test_another_trigger_id_logs_again(slack, db_path):
    await make_plan(slack)
    await said(await slack.command("log 3", trigger_id="trigger-a"))
    again = await said(await slack.command("log 3", trigger_id="trigger-b"))
    assert "3 links by count" in again
    assert rows(db_path, "SELECT month, sum(count) FROM progress GROUP BY month") == [(MONTH, 6)]
    assert re.search(r"\w+ \d{4}: 6 / ", await said(await slack.command("show")))


async def test_a_button_press_replayed_with_its_trigger_id_logs_once(slack, db_path):
    await make_plan(slack)
    asked = json.loads(await said(await slack.command("log 1000")))  # far above the plan: asked first
    [button] = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    press = slack.pressed(button["action_id"], value=button["value"], trigger="trigger-confirm", reply_to="confirm")
    for _ in range(2):
        assert (await slack.interaction(press)).status == 200
    await slack.standin.wait_until("chat.postMessage", "1,000 links by count")
    assert await slack.adapter.engine.intake.idle(5) == 0
    assert rows(db_path, "SELECT month, count FROM progress") == [(MONTH, 1000)]
    posted = [c for c in slack.standin.of("chat.postMessage") if "1,000 links by count" in json.dumps(c.body)]
    assert len(posted) == 1
