"""`/backlinks export` in Discord: the channel's history attached to the reply as a CSV file (a
multipart body the stand-in validates as Discord does), named in the embed's footer."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time

from discord_flow import slash, walk_the_plan


async def test_export_attaches_the_history_csv(bot, standin):
    await walk_the_plan(standin)
    await slash(standin, "log", {"count": 5})
    await slash(standin, "export")
    deadline = time.monotonic() + 10
    while not (sent := [c for c in standin.calls if c.files]) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    [call] = sent
    [(name, data)] = call.files.items()
    assert name == "backlinks-example.com-history.csv"
    [row] = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert row["built"] == "5"
    body = call.json.get("data", call.json)
    assert [a["filename"] for a in body["attachments"]] == [name]
    assert body["embeds"][-1]["footer"]["text"] == f"Attached: {name}"
    assert "month by month since the first plan" in json.dumps(body["embeds"])
    assert not standin.invalid
