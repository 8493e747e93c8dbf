"""Requests Slack never sends: refused with a 401 or a 400 and one short log line, never a 500."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt.request.internals import parse_body
from support import rows

from adapters.slack.guard import RefusalLog, _payload, _unquoted


def command_body(**fields) -> str:
    body = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": "U1",
        "command": "/backlinks",
        "text": "help",
        "response_url": "http://127.0.0.1:9/respond",
        "trigger_id": "t",
    }
    body.update(fields)
    return urllib.parse.urlencode({k: v for k, v in body.items() if v is not None})


async def unsigned(slack, body: bytes, timestamp: str):
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    async with slack.session.post(f"{slack.url}/slack/events", data=body, headers=headers) as response:
        await response.read()
        return response


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


@pytest.mark.parametrize("timestamp", ["abc", "", "1e10", " 12", "-5"])
async def test_a_timestamp_that_is_not_a_number_gets_401(slack, caplog, timestamp):
    response = await unsigned(slack, command_body().encode(), timestamp)
    assert response.status == 401
    assert tracebacks(caplog) == []


async def test_a_flood_of_big_unsigned_requests_gets_401s_and_a_few_short_log_lines(slack, caplog):
    caplog.set_level(logging.INFO)
    body = command_body(text="x" * 500_000).encode()  # 0.5 MB each, under aiohttp's 1 MiB default
    stamp = str(int(time.time()))
    statuses = []
    for _ in range(10):  # 100 requests, 10 at a time
        batch = await asyncio.gather(*(unsigned(slack, body, stamp) for _ in range(10)))
        statuses += [r.status for r in batch]
    assert statuses == [401] * 100
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert len(logged.encode()) < 1_000, f"{len(logged):,} characters of log for 100 refused requests"
    assert "refused a Slack request: bad signature or timestamp" in logged
    assert "xxxx" not in logged, "the body is never logged"


def test_refusals_held_back_are_counted_in_the_next_line(caplog):
    now = [0.0]
    refusals = RefusalLog(logging.getLogger("test.refusals"), window=10, clock=lambda: now[0])
    for _ in range(5):
        refusals.note("bad signature")
    now[0] = 10.5
    refusals.note("bad signature")
    lines = [r.getMessage() for r in caplog.records if r.name == "test.refusals"]
    assert lines == [
        "refused a Slack request: bad signature",
        "refused a Slack request: bad signature (4 more refused in the last 10 s, not logged)",
    ]


async def signed_400(slack, caplog, body: str, *, json_body: bool = False) -> str:
    response = await slack.post(body, json_body=json_body)
    text = await response.text()
    assert response.status == 400, (response.status, text)
    assert tracebacks(caplog) == [], "one short line, not a traceback"
    assert len(text) < 200
    return text


@pytest.mark.parametrize(
    "body",
    [
        "payload=not-json",
        "payload=" + urllib.parse.quote("[1, 2]"),
        "payload=" + urllib.parse.quote('"a string"'),
        "payload=null",
    ],
)
async def test_a_signed_payload_that_is_not_a_json_object_gets_400(slack, caplog, body):
    assert await signed_400(slack, caplog, body) == "malformed payload"
    assert "refused a Slack request: unreadable payload" in caplog.text


async def test_a_signed_json_body_that_is_not_an_object_gets_400(slack, caplog):
    assert await signed_400(slack, caplog, "[1, 2]", json_body=True) == "malformed payload"


@pytest.mark.parametrize("missing", ["team_id", "channel_id", "user_id"])
async def test_a_command_without_team_channel_or_user_gets_400(slack, caplog, missing):
    text = await signed_400(slack, caplog, command_body(**{missing: None}))
    assert missing in text
    assert "malformed slash command payload" in caplog.text
    await asyncio.sleep(0.2)
    assert [c.method for c in slack.standin.calls if c.method != "auth.test"] == [], "nothing was answered"


async def modal(slack) -> dict:
    await slack.command("plan")
    [opened] = await slack.standin.wait_for("views.open")
    return opened.body["view"]


def submission(view: dict, **changes) -> dict:
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "t1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t",
        "view": {**view, "state": {"values": {}}},
    }
    for key, value in changes.items():
        if key.startswith("view_"):
            payload["view"][key.removeprefix("view_")] = value
        else:
            payload[key] = value
    return payload


async def post_payload(slack, caplog, payload: dict) -> str:
    return await signed_400(slack, caplog, "payload=" + urllib.parse.quote(json.dumps(payload)))


async def test_a_submission_whose_state_is_a_list_gets_400_and_nothing_is_stored(slack, caplog, db_path):
    view = await modal(slack)
    text = await post_payload(slack, caplog, submission(view, view_state=[{"values": {}}]))
    assert text.startswith("view.state")
    assert "malformed view_submission payload" in caplog.text
    assert rows(db_path, "SELECT count(*) FROM plans") == [(0,)]


async def test_selected_options_as_a_string_gets_400(slack, caplog):
    view = await modal(slack)
    state = {"values": {"strategies": {"value": {"type": "multi_static_select", "selected_options": "outreach"}}}}
    text = await post_payload(slack, caplog, submission(view, view_state=state))
    assert "selected_options" in text


@pytest.mark.parametrize("metadata", ["not json", "[]", "{}", ""])
async def test_private_metadata_that_is_not_the_bots_gets_400(slack, caplog, metadata):
    view = await modal(slack)
    text = await post_payload(slack, caplog, submission(view, view_private_metadata=metadata))
    assert text.startswith("view.private_metadata")


async def test_a_submission_naming_no_workspace_gets_400(slack, caplog):
    view = await modal(slack)
    text = await post_payload(slack, caplog, submission(view, team=None, user={"id": "U1"}))
    assert text == "team: no workspace named"


async def test_a_button_press_without_a_channel_gets_400_before_any_work(slack, caplog):
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "trigger_id": "t",
        "actions": [{"type": "button", "action_id": "details", "block_id": "b", "value": "details"}],
    }
    text = await post_payload(slack, caplog, payload)
    assert text.startswith("channel")
    await asyncio.sleep(0.2)
    assert slack.standin.of("respond") == []


async def test_a_well_formed_request_still_works_after_refusals(slack, caplog):
    await unsigned(slack, command_body().encode(), "abc")
    await slack.post("payload=not-json")
    response = await slack.command("help")
    assert response.status == 200 and "Backlinks bot commands" in await response.text()


@settings(max_examples=300, deadline=None)
@given(text=st.text(), extra=st.sampled_from(["", "&x=1", "&payload=second"]))
def test_the_door_reads_a_form_payload_as_bolt_would(text, extra):
    """The door decodes `payload=` with yarl instead of Bolt's parse_qsl (40× faster): what Bolt is
    handed must be the payload Bolt itself would have read, whatever the text in it (pluses, percent
    signs, "&", "=", "#", emoji, lone surrogates refused the same way)."""
    try:
        payload = json.dumps({"type": "view_submission", "value": text, "+": "a+b %41 &=#"})
    except UnicodeEncodeError:
        return
    raw = "payload=" + urllib.parse.quote_plus(payload) + extra
    assert _read(lambda: parse_body(_payload(raw), None)) == _read(
        lambda: parse_body(raw, "application/x-www-form-urlencoded")
    )


def _read(parse):
    try:
        return parse()
    except ValueError as error:  # Bolt's refusal (the door answers it with a 400)
        return type(error)


PERCENT_BITS = st.sampled_from(["%", "%4", "%41", "%e2%82%ac", "%E2%82", "%zz", "%%41", "+", "%2B", "%3D", "%0A"])


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.text() | PERCENT_BITS).map("".join))
def test_the_c_percent_decoder_is_unquote_plus_or_declines(text):
    """binascii's quoted-printable decoder stands in for urllib's unquote_plus: over any text
    (escapes broken, cut short, doubled, bytes that are no UTF-8) it gives the same, or None."""
    fast = _unquoted(text)
    assert fast is None or fast == urllib.parse.unquote_plus(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_the_c_percent_decoder_reads_anything_slack_encodes(text):
    """Whatever was typed, encoded as Slack encodes a form (quote_plus), takes the fast way."""
    try:
        encoded = urllib.parse.quote_plus(text)
    except UnicodeEncodeError:  # a lone surrogate: no body has one
        return
    assert _unquoted(encoded) == urllib.parse.unquote_plus(encoded)
