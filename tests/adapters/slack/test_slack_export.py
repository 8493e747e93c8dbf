"""`/backlinks export` in Slack: the channel's history uploaded into the channel as a CSV file, with
the message that says what it is, through the real Bolt app and slack_sdk against the stand-in."""

from __future__ import annotations

import csv
import io
import json

from support import TYPED_ANSWERS

ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}


async def test_export_uploads_the_history_csv_into_the_channel(slack):
    await slack.command("plan")
    [opened] = await slack.standin.wait_for("views.open")
    await slack.submit(opened.body["view"], ANSWERS)
    await slack.standin.wait_for("chat.postMessage")
    await (await slack.command("log 4")).text()
    response = await slack.command("export")
    assert response.status == 200
    await slack.standin.wait_for("files.completeUploadExternal", timeout=10)
    assert all(c.refused is None for c in slack.standin.calls)
    [upload] = [u for u in slack.standin.uploads.values() if u.channel is not None]
    assert upload.channel == "C1" and upload.filename == "backlinks-example.com-history.csv"
    [row] = csv.DictReader(io.StringIO(upload.data.decode("utf-8")))
    assert row["built"] == "4"
    assert "example.com, month by month since the first plan (1 month)" in json.dumps(upload.blocks)
