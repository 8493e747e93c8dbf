"""A change asked for once is made once: Discord may deliver one interaction several times."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import export_fixtures as F
from discord_flow import buttons, slash, walk_the_plan
from support import rows

MONTH = dt.datetime.now(dt.UTC).strftime("%Y-%m")


async def delivered(standin, bot, payload: dict, times: int) -> dict:
    """Push one INTERACTION_CREATE `times` times; its first response, once every delivery is worked."""
    for _ in range(times):
        await standin.dispatch_interaction(payload)
    await standin.wait_for("POST", rf"/interactions/{payload['id']}/{payload['token']}/callback")
    await slash(standin, "help")  # dispatched after them: by its answer, every delivery has started
    assert await bot.engine.intake.idle(5) == 0
    return standin.callback(payload)  # the answer Discord took (a second one it refuses)


def progress_shown(shown: dict) -> str:
    """The progress lines `show` posts for the channel."""
    fields = {f["name"]: f["value"] for e in shown["data"]["embeds"] for f in e.get("fields", [])}
    return fields["Progress (new referring domains logged / to build)"]


async def test_a_log_delivered_three_times_with_one_interaction_id_logs_once(bot, standin, db_path):
    await walk_the_plan(standin)
    log = standin.slash_command(sub="log", options={"count": 3})
    first = await delivered(standin, bot, log, times=3)

    assert "3 links by count" in json.dumps(first["data"])
    assert rows(db_path, "SELECT month, count FROM progress") == [(MONTH, 3)]
    assert re.search(r"\w+ \d{4}: 3 / ", progress_shown(await slash(standin, "show")))
    # The two redeliveries said nothing: no second answer (Discord would refuse it), no follow-up.
    answers = standin.of("POST", rf"/interactions/{log['id']}/{log['token']}/callback")
    assert [c.status for c in answers] == [200]
    assert standin.of("POST", rf"/webhooks/{standin.application_id}/{log['token']}") == []


async def test_another_interaction_with_the_same_options_logs_again(bot, standin, db_path):
    await walk_the_plan(standin)
    await slash(standin, "log", {"count": 3})
    again = await slash(standin, "log", {"count": 3})  # a new interaction: the user typed it twice
    assert "3 links by count" in json.dumps(again["data"])
    assert rows(db_path, "SELECT month, sum(count) FROM progress GROUP BY month") == [(MONTH, 6)]
    assert re.search(r"\w+ \d{4}: 6 / ", progress_shown(await slash(standin, "show")))


async def test_a_button_press_delivered_twice_logs_once(bot, standin, db_path):
    await walk_the_plan(standin)
    [confirm] = buttons((await slash(standin, "log", {"count": 1000}))["data"])  # far above: asked first
    pressed = standin.button(confirm)
    first = await delivered(standin, bot, pressed, times=2)
    assert "1,000 links by count" in json.dumps(first["data"])
    assert rows(db_path, "SELECT month, count FROM progress") == [(MONTH, 1000)]
    answers = standin.of("POST", rf"/interactions/{pressed['id']}/{pressed['token']}/callback")
    assert [c.status for c in answers] == [200]


async def test_an_import_delivered_twice_is_profiled_and_posted_once(bot, standin, tmp_path, caplog):
    links = [F.Link("https://news.example.org/story", "Example", dt.date(2026, 9, 3))]
    content = F.majestic_backlinks(links, tmp_path / "m.csv").read_bytes()
    attachment = standin.attachment("majestic.csv", content)
    command = standin.slash_command(sub="import", attachments={"file": attachment})
    with caplog.at_level(logging.INFO):
        first = await delivered(standin, bot, command, times=2)
        await standin.wait_for("GET", r"/attachments/\d+", count=2)  # each delivery fetched it (then asked the engine)
        assert await bot.engine.intake.idle(5) == 0
    assert first == {"type": 5, "data": {"flags": 64}}, "deferred while the file is fetched"
    posted = standin.of("POST", rf"/webhooks/{standin.application_id}/{command['token']}")
    assert len(posted) == 1 and "Link profile of example.com" in json.dumps(posted[0].json)
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], "a redelivery is no failure: nobody is told one"
    assert any("already answered" in r.getMessage() for r in caplog.records)
