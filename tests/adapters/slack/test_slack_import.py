"""Importing exports in Slack: the file input in a modal, and a file shared in the channel."""

from __future__ import annotations

import datetime as dt
import json

import export_fixtures as F
from slack_client import filled_state
from support import rows

LINKS = [
    F.Link("https://news.example.org/story", "Example", dt.date(2026, 9, 3)),
    F.Link("https://blog.other.net/post", "click here", dt.date(2026, 10, 5)),
    F.Link("https://www.third.co.uk/review", "best shoes", dt.date(2026, 10, 20)),
]


def export(tmp_path, writer=F.ahrefs_backlinks) -> bytes:
    return writer(LINKS, tmp_path / "export.csv").read_bytes()


async def test_import_opens_a_file_input_and_the_file_is_fetched_with_the_bot_token(slack, tmp_path, db_path):
    slack.standin.files["F1"] = ("Ahrefs backlinks.csv", export(tmp_path))
    await slack.command("import")
    [opened] = await slack.standin.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "backlinks_import"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["import_file"]["element"]["type"] == "file_input"
    assert inputs["import_file"]["element"]["filetypes"] == ["csv", "tsv", "txt", "zip", "xlsx"]

    response = await slack.submit(view, {"import_file": "F1", "import_whose": "mine"})
    assert response.status == 200 and await response.text() == ""
    posted = await slack.standin.wait_until("chat.postMessage", "Link profile")
    text = json.dumps(posted.body)
    assert "Link profile of example.com (Ahrefs backlinks)" in text and "Referring domains: 3" in text
    [download] = slack.standin.of("download")
    assert download.token == "xoxb-T1", "private files are fetched with the workspace's bot token"
    draft = json.loads(rows(db_path, "SELECT state FROM drafts")[0][0])
    assert draft["suggested"]["referring_domains"] == 3
    actions = next(b for b in posted.body["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["replan"]
    # "Plan with these" opens the plan form with the import's figures filled in, to confirm.
    await slack.press("replan")
    [_, plan_form] = await slack.standin.wait_for("views.open", count=2)
    inputs = {b["block_id"]: b for b in plan_form.body["view"]["blocks"] if b["type"] == "input"}
    assert inputs["referring_domains"]["element"]["initial_value"] == "3"
    assert inputs["site"]["element"]["initial_value"] == "example.com"


async def test_a_file_over_the_limit_is_refused_on_the_form_before_any_download(slack, tmp_path):
    slack.adapter.engine.imports.max_bytes = 100
    slack.standin.files["F2"] = ("big.csv", export(tmp_path))
    await slack.command("import")
    [opened] = await slack.standin.wait_for("views.open")
    response = await slack.submit(opened.body["view"], {"import_file": "F2"})
    errors = json.loads(await response.text())["errors"]
    assert "the limit is 0 MB" in errors["import_file"] and slack.standin.of("download") == []


async def test_an_unreadable_file_says_why_and_stores_nothing(slack, db_path):
    slack.standin.files["F3"] = ("notes.csv", b"when,who\n1,2\n")
    await slack.command("import")
    [opened] = await slack.standin.wait_for("views.open")
    await slack.submit(opened.body["view"], {"import_file": "F3"})
    told = await slack.standin.wait_until("respond", "recognise")  # only to the person who tried
    assert "I don't recognise the format of notes.csv" in json.dumps(told.body)
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]


async def test_an_export_shared_in_the_channel_is_imported(slack, tmp_path):
    slack.standin.files["F4"] = ("Top linking sites.csv", export(tmp_path, F.search_console_top_linking_sites))
    slack.standin.files["F5"] = ("photo.png", b"\x89PNG")
    await slack.event("T1", {"type": "file_shared", "file_id": "F5", "user_id": "U1", "channel_id": "C1"})
    response = await slack.event("T1", {"type": "file_shared", "file_id": "F4", "user_id": "U1", "channel_id": "C1"})
    assert response.status == 200
    posted = await slack.standin.wait_until("chat.postMessage", "Link profile")
    assert 'Search Console \\"Top linking sites\\"' in json.dumps(posted.body)
    assert [c.body["file"] for c in slack.standin.of("download")] == ["F4"], "a picture is not fetched"


MENTIONS = "<!channel> & <@U123>.csv"  # a file name that would notify a whole channel if sent raw


def assert_escaped(call) -> None:
    sent = json.dumps(call.body)
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;.csv" in sent
    assert "<!channel>" not in sent and "<@U123>" not in sent


async def test_a_shared_file_over_the_limit_is_named_escaped(slack, tmp_path):
    slack.adapter.engine.imports.max_bytes = 100
    slack.standin.files["F6"] = (MENTIONS, export(tmp_path))
    await slack.event("T1", {"type": "file_shared", "file_id": "F6", "user_id": "U1", "channel_id": "C1"})
    [told] = await slack.standin.wait_for("chat.postEphemeral")
    assert "the limit is 0 MB" in told.body["text"]
    assert_escaped(told)
    assert slack.standin.of("download") == []


async def test_a_download_slack_refuses_is_named_escaped(slack, tmp_path):
    slack.standin.files["F7"] = (MENTIONS, export(tmp_path))
    await slack.command("import")
    [opened] = await slack.standin.wait_for("views.open")
    file_object = slack.standin.file_object("F7")
    del slack.standin.files["F7"]  # deleted between choosing it and submitting: Slack answers 404
    values = filled_state(opened.body["view"], {"import_file": "F7"}, file_object=lambda _: file_object)
    await slack.interaction(submission(opened.body["view"], values))
    told = await slack.standin.wait_until("respond", "would not hand over")
    assert "(HTTP 404)" in told.body["text"]
    assert_escaped(told)


async def test_a_download_past_the_limit_is_named_escaped(slack, tmp_path):
    slack.standin.files["F8"] = (MENTIONS, export(tmp_path))
    await slack.command("import")
    [opened] = await slack.standin.wait_for("views.open")
    slack.adapter.engine.imports.max_bytes = 100
    small = {**slack.standin.file_object("F8"), "size": 10}  # the size Slack reported was wrong
    values = filled_state(opened.body["view"], {"import_file": "F8"}, file_object=lambda _: small)
    await slack.interaction(submission(opened.body["view"], values))
    told = await slack.standin.wait_until("respond", "MB limit")
    assert "is over the 0 MB limit" in told.body["text"]
    assert_escaped(told)


def submission(view, values) -> dict:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "trigger_id": "t",
        "view": {**view, "state": values},
    }


async def test_files_shared_by_a_german_speaker_are_refused_in_german(slack, tmp_path, db_path):
    """No language chosen in the channel: Slack's locale of the person who shared the file decides,
    for the adapter's refusal (too big, never downloaded) and for the engine's (not an export)."""
    slack.standin.locales["U1"] = "de-DE"
    slack.adapter.engine.imports.max_bytes = 1_500_000
    slack.standin.files["F8"] = ("<!channel>.csv", b"x" * 2_500_000)
    await slack.event("T1", {"type": "file_shared", "file_id": "F8", "user_id": "U1", "channel_id": "C1"})
    [told] = await slack.standin.wait_for("chat.postEphemeral")
    assert told.body["text"].startswith("&lt;!channel&gt;.csv ist 2,5 MB groß; das Limit liegt bei 1,5 MB")
    assert slack.standin.of("download") == []

    slack.standin.files["F9"] = ("notizen.csv", b"wann,wer\n1,2\n")
    await slack.event("T1", {"type": "file_shared", "file_id": "F9", "user_id": "U1", "channel_id": "C1"})
    told = await slack.standin.wait_until("chat.postEphemeral", "notizen.csv")  # only to them
    refused = json.dumps(told.body, ensure_ascii=False)
    assert "Das Format von notizen.csv erkenne ich nicht." in refused and "Die erste Zeile war: wann,wer" in refused
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]
