"""The progress chart in Discord: a PNG attachment shown as the embed's image (`attachment://`), sent
by discord.py as a multipart body (payload_json + files[n]) that the stand-in reads and validates as
Discord does: the reminder loop's post and `/backlinks show`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import aiohttp
from discord_flow import slash, walk_the_plan

from adapters.discord.notify import DiscordNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

PNG = b"\x89PNG\r\n\x1a\n"
FAR = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)


async def with_history(standin, db_path) -> None:
    await walk_the_plan(standin)
    await slash(standin, "log", {"count": 3})
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(days=70)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE plans SET created_at = ?", (earlier,))
        connection.execute("UPDATE progress SET month = ?", (earlier[:7],))


def assert_chart_attached(call) -> None:
    [(name, data)] = call.files.items()
    assert name == "backlinks-progress.png" and data.startswith(PNG) and 4_000 < len(data) < 150_000
    body = call.json.get("data", call.json)  # an interaction callback nests the message in `data`
    images = [e["image"]["url"] for e in body["embeds"] if e.get("image")]
    assert images == ["attachment://backlinks-progress.png"]
    [attachment] = body["attachments"]
    assert attachment["filename"] == "backlinks-progress.png"
    assert (
        "3 (to build" in attachment["description"] and "140 when the first plan was made" in attachment["description"]
    )


async def test_the_check_in_shows_its_chart_as_the_embeds_image(bot, standin, db_path):
    await with_history(standin, db_path)
    notifier = DiscordNotifier(token="token", knowledge=knowledge.default(), http=bot.http)
    report = await ReminderLoop(checkins=bot.engine.monthly, notifiers=[notifier]).run_once(FAR)
    assert report.sent == 1 and not standin.invalid
    [post] = standin.of("POST", rf"/channels/{standin.channel_id}/messages")
    assert "Monthly backlink check-in for example.com" in json.dumps(post.json["embeds"])
    assert_chart_attached(post)


async def test_without_attach_files_the_check_in_goes_without_its_chart_and_reminders_go_on(bot, standin, db_path):
    """A server that added the bot with Send Messages and Embed Links only: Discord refuses a
    message with a file (403, 50013). The check-in is posted without the chart, not lost, and the
    channel's reminders are not paused as if the bot had been removed."""
    await with_history(standin, db_path)
    standin.without_attach_files.add(str(standin.channel_id))
    notifier = DiscordNotifier(token="token", knowledge=knowledge.default(), http=bot.http)
    report = await ReminderLoop(checkins=bot.engine.monthly, notifiers=[notifier]).run_once(FAR)
    assert report.sent == 1 and not standin.invalid
    refused, post = standin.of("POST", rf"/channels/{standin.channel_id}/messages")
    assert refused.files and not post.files
    assert "Monthly backlink check-in for example.com" in json.dumps(post.json["embeds"])
    assert not any(e.get("image") for e in post.json["embeds"]) and not post.json.get("attachments")
    with sqlite3.connect(db_path) as connection:
        [(paused,)] = connection.execute("SELECT paused_reason FROM reminders").fetchall()
    assert paused is None


async def test_show_attaches_the_chart(bot, standin, db_path):
    await with_history(standin, db_path)
    await slash(standin, "show")
    deadline = dt.datetime.now() + dt.timedelta(seconds=10)
    while not (sent := [c for c in standin.calls if c.files]) and dt.datetime.now() < deadline:
        import asyncio

        await asyncio.sleep(0.05)
    [call] = sent
    assert "Backlink plan for example.com" in json.dumps(call.json)
    assert_chart_attached(call)
    assert not standin.invalid


async def test_a_multipart_body_discord_would_refuse_is_refused(bot, standin):
    url = f"http://127.0.0.1:{standin.port}/api/v10/channels/{standin.channel_id}/messages"
    headers = {"Authorization": "Bot token"}
    async with aiohttp.ClientSession() as session:
        # A file in a part not named files[n].
        form = aiohttp.FormData()
        form.add_field("payload_json", json.dumps({"content": "x"}), content_type="application/json")
        form.add_field("picture", PNG, filename="a.png", content_type="image/png")
        async with session.post(url, data=form, headers=headers) as response:
            assert response.status == 400 and (await response.json())["code"] == 50035
        # An attachment entry naming no uploaded file.
        form = aiohttp.FormData()
        payload = {"content": "x", "attachments": [{"id": 1, "filename": "a.png"}]}
        form.add_field("payload_json", json.dumps(payload), content_type="application/json")
        form.add_field("files[0]", PNG, filename="a.png", content_type="image/png")
        async with session.post(url, data=form, headers=headers) as response:
            assert response.status == 400
        # The same, right: accepted.
        form = aiohttp.FormData()
        payload = {"content": "x", "attachments": [{"id": 0, "filename": "a.png"}]}
        form.add_field("payload_json", json.dumps(payload), content_type="application/json")
        form.add_field("files[0]", PNG, filename="a.png", content_type="image/png")
        async with session.post(url, data=form, headers=headers) as response:
            assert response.status == 200
    # The two refused ones were this test's own, not the bot's (the fixture checks the bot sent none).
    assert len(standin.invalid) == 2
    standin.invalid.clear()
