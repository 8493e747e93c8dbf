"""The progress chart in Slack: uploaded with the files API into the channel as part of the check-in
and of `show`, through the real Bolt app and slack_sdk against the stand-in, which refuses what
Slack refuses (tests/helpers/slack_spec.py)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from support import TYPED_ANSWERS

from adapters.slack.notify import SlackNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}
PNG = b"\x89PNG\r\n\x1a\n"


async def plan_with_history(slack, db_path, channel="C1"):
    """A plan made about two months ago, with a month logged: enough history for a chart."""
    posted = len(slack.standin.of("chat.postMessage"))
    await slack.command("plan", channel=channel)
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    await slack.submit(view, ANSWERS)
    await slack.standin.wait_for("chat.postMessage", posted + 1)
    await (await slack.command("log 3", channel=channel)).text()
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(days=70)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE plans SET created_at = ?", (earlier,))
        connection.execute("UPDATE progress SET month = ?", (earlier[:7],))


def next_first() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return (now.replace(day=1, hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=32)).replace(day=1)


def uploaded(standin):
    return [u for u in standin.uploads.values() if u.channel is not None]


async def test_the_check_in_carries_its_chart_uploaded_into_the_channel(slack, slack_settings, db_path):
    await plan_with_history(slack, db_path)
    notifier = SlackNotifier(settings=slack_settings, knowledge=knowledge.default())
    report = await ReminderLoop(checkins=slack.adapter.engine.monthly, notifiers=[notifier]).run_once(next_first())
    assert report.sent == 1
    standin = slack.standin
    # The three steps, in order, each accepted: a URL for the file, its bytes, the share with the message.
    steps = [c.method for c in standin.calls if c.method.startswith(("files.", "upload"))]
    assert steps == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert all(c.refused is None for c in standin.calls)
    [upload] = uploaded(standin)
    assert upload.channel == "C1" and upload.token == "xoxb-T1"
    assert upload.data.startswith(PNG) and 4_000 < len(upload.data) < 150_000
    assert upload.filename.endswith(".png")
    # The check-in itself is the file's message: its blocks, buttons included; no second post.
    text = json.dumps(upload.blocks)
    assert "Monthly backlink check-in for example.com" in text
    assert any(b["type"] == "actions" for b in upload.blocks)
    assert not [c for c in standin.of("chat.postMessage") if "check-in" in json.dumps(c.body)]
    # The alt text names the numbers: the month logged, and where the profile started.
    assert "3 (to build" in upload.alt_txt and "140 when the first plan was made" in upload.alt_txt


async def test_show_uploads_the_chart_with_the_plan(slack, db_path):
    await plan_with_history(slack, db_path)
    response = await slack.command("show")
    assert response.status == 200
    await slack.standin.wait_for("files.completeUploadExternal")
    [upload] = uploaded(slack.standin)
    assert upload.channel == "C1" and upload.data.startswith(PNG)
    assert "Backlink plan for example.com" in json.dumps(upload.blocks)
    assert "Progress (new referring domains logged / to build)" in json.dumps(upload.blocks)


async def test_without_the_files_write_scope_the_message_goes_without_its_chart(slack, db_path):
    # A workspace installed before the scope was asked for: Slack answers missing_scope.
    await plan_with_history(slack, db_path)
    slack.standin.refuse["files.getUploadURLExternal"] = "missing_scope"
    await slack.command("show")
    post = await slack.standin.wait_until("chat.postMessage", "Backlink plan for example.com")
    assert post.body["channel"] == "C1" and not uploaded(slack.standin)


async def test_a_plan_of_one_month_shows_no_chart(slack):
    await slack.command("plan")
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    await slack.submit(view, ANSWERS)
    await slack.standin.wait_for("chat.postMessage")
    shown = await (await slack.command("show")).text()
    assert "Backlink plan for example.com" in shown  # on the ack, as before: nothing to upload
    assert not slack.standin.of("files.getUploadURLExternal")


# The stand-in refuses what Slack refuses.


@pytest.fixture
async def client(standin):
    client = AsyncWebClient(token="xoxb-T1", base_url=standin.api_url)
    yield client
    if client.session:
        await client.session.close()


async def test_an_upload_url_needs_the_files_name_and_length(client, standin):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.png"})
    assert refused.value.response["error"] == "invalid_arguments"
    assert "missing required field: length" in json.dumps(refused.value.response.data)
    with pytest.raises(SlackApiError) as refused:
        await client.files_getUploadURLExternal(filename="a.png", length=3, alt_txt="x" * 1001)
    assert refused.value.response["error"] == "invalid_arguments"


async def test_completing_an_upload_whose_bytes_never_arrived_is_refused(client, standin):
    ticket = await client.files_getUploadURLExternal(filename="a.png", length=3)
    with pytest.raises(SlackApiError) as refused:
        await client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert refused.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as refused:
        await client.files_completeUploadExternal(files=[], channel_id="C1")
    assert refused.value.response["error"] == "invalid_arguments"


async def test_the_upload_url_takes_the_length_announced_once(client, standin):
    import aiohttp

    ticket = await client.files_getUploadURLExternal(filename="a.png", length=3)
    async with aiohttp.ClientSession() as session:
        async with session.post(ticket["upload_url"], data=b"four") as response:
            assert response.status == 400
        async with session.post(ticket["upload_url"], data=b"abc") as response:
            assert response.status == 200
        async with session.post(ticket["upload_url"], data=b"abc") as response:
            assert response.status == 404
    blocks = json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    with pytest.raises(SlackApiError) as refused:
        await client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1", blocks=blocks)
    assert refused.value.response["error"] == "invalid_blocks"
    done = await client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "t"}], channel_id="C1")
    assert done["files"][0]["id"] == ticket["file_id"] and standin.uploads[ticket["file_id"]].channel == "C1"
