"""The stand-in refuses what Slack refuses: one case per documented limit, each just at the limit
(accepted) and one past it (refused as Slack refuses it), through the real slack_sdk clients."""

from __future__ import annotations

import json

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def section(text: str = "hi") -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text="Go", value="v", action_id="go") -> dict:
    return {"type": "button", "text": plain(text), "value": value, "action_id": action_id}


def message(blocks: list[dict], text: str = "fallback") -> tuple[str, dict]:
    return "chat.postMessage", {"channel": "C1", "text": text, "blocks": blocks}


def modal(blocks=None, **fields) -> tuple[str, dict]:
    view = {
        "type": "modal",
        "callback_id": "backlinks_plan",
        "title": plain("Plan"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": "{}",
        "blocks": blocks if blocks is not None else [section()],
        **fields,
    }
    return "views.open", {"trigger_id": "t", "view": view}


def home(blocks=None, **fields) -> tuple[str, dict]:
    view = {"type": "home", "blocks": blocks if blocks is not None else [section()], **fields}
    return "views.publish", {"user_id": "U1", "view": view}


def text_input(**element) -> dict:
    return {
        "type": "input",
        "block_id": "site",
        "label": plain("Site"),
        "element": {"type": "plain_text_input", "action_id": "value", **element},
    }


def select(options: int, text="x", value="v") -> dict:
    choices = [{"text": plain(text), "value": value}] * options
    return {
        "type": "input",
        "block_id": "kind",
        "label": plain("Kind"),
        "element": {"type": "static_select", "action_id": "value", "options": choices},
    }


# (name, limit, call for a size n, Slack's error, the json-pointer it names)
LIMITS = [
    ("message blocks", 50, lambda n: message([section()] * n), "invalid_blocks", "/blocks"),
    ("section text", 3000, lambda n: message([section("x" * n)]), "invalid_blocks", "/blocks/0/text/text"),
    (
        "section fields",
        10,
        lambda n: message([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * n}]),
        "invalid_blocks",
        "/blocks/0/fields",
    ),
    (
        "section field text",
        2000,
        lambda n: message([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * n}]}]),
        "invalid_blocks",
        "/blocks/0/fields/0/text",
    ),
    (
        "header text",
        150,
        lambda n: message([{"type": "header", "text": plain("h" * n)}]),
        "invalid_blocks",
        "/blocks/0/text/text",
    ),
    ("message text", 40_000, lambda n: message([section()], text="t" * n), "msg_too_long", None),
    (
        "button text",
        75,
        lambda n: message([{"type": "actions", "elements": [button(text="b" * n)]}]),
        "invalid_blocks",
        "/blocks/0/elements/0/text/text",
    ),
    (
        "button value",
        2000,
        lambda n: message([{"type": "actions", "elements": [button(value="v" * n)]}]),
        "invalid_blocks",
        "/blocks/0/elements/0/value",
    ),
    (
        "button action_id",
        255,
        lambda n: message([{"type": "actions", "elements": [button(action_id="a" * n)]}]),
        "invalid_blocks",
        "/blocks/0/elements/0/action_id",
    ),
    (
        "actions elements",
        25,
        lambda n: message([{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(n)]}]),
        "invalid_blocks",
        "/blocks/0/elements",
    ),
    ("modal blocks", 100, lambda n: modal([section()] * n), "invalid_arguments", "/view/blocks"),
    ("modal title", 24, lambda n: modal(title=plain("t" * n)), "invalid_arguments", "/view/title/text"),
    ("modal submit", 24, lambda n: modal(submit=plain("s" * n)), "invalid_arguments", "/view/submit/text"),
    ("modal close", 24, lambda n: modal(close=plain("c" * n)), "invalid_arguments", "/view/close/text"),
    ("modal callback_id", 255, lambda n: modal(callback_id="c" * n), "invalid_arguments", "/view/callback_id"),
    (
        "modal private_metadata",
        3000,
        lambda n: modal(private_metadata="m" * n),
        "invalid_arguments",
        "/view/private_metadata",
    ),
    (
        "input label",
        2000,
        lambda n: modal([{**text_input(), "label": plain("l" * n)}]),
        "invalid_arguments",
        "/view/blocks/0/label/text",
    ),
    (
        "plain_text_input initial_value",
        3000,
        lambda n: modal([text_input(initial_value="i" * n)]),
        "invalid_arguments",
        "/view/blocks/0/element/initial_value",
    ),
    (
        "plain_text_input max_length",
        3000,
        lambda n: modal([text_input(max_length=n)]),
        "invalid_arguments",
        "/view/blocks/0/element/max_length",
    ),
    (
        "placeholder",
        150,
        lambda n: modal([text_input(placeholder=plain("p" * n))]),
        "invalid_arguments",
        "/view/blocks/0/element/placeholder/text",
    ),
    ("static_select options", 100, lambda n: modal([select(n)]), "invalid_arguments", "/view/blocks/0/element/options"),
    (
        "option text",
        75,
        lambda n: modal([select(1, text="o" * n)]),
        "invalid_arguments",
        "/view/blocks/0/element/options/0/text/text",
    ),
    (
        "option value",
        150,
        lambda n: modal([select(1, value="v" * n)]),
        "invalid_arguments",
        "/view/blocks/0/element/options/0/value",
    ),
    ("home blocks", 100, lambda n: home([section()] * n), "invalid_arguments", "/view/blocks"),
    (
        "home section accessory button text",
        75,
        lambda n: home([{**section(), "accessory": button(text="b" * n)}]),
        "invalid_arguments",
        "/view/blocks/0/accessory/text/text",
    ),
    (
        "button url",
        3000,
        lambda n: home([{**section(), "accessory": {**button(), "url": "https://x/" + "u" * (n - 10)}}]),
        "invalid_arguments",
        "/view/blocks/0/accessory/url",
    ),
]


@pytest.fixture
async def client(standin):
    client = AsyncWebClient(token="xoxb-T1", base_url=standin.api_url)
    yield client
    if client.session is not None:
        await client.session.close()


@pytest.mark.parametrize(("name", "limit", "call", "error", "pointer"), LIMITS, ids=[case[0] for case in LIMITS])
async def test_each_block_kit_limit_is_refused_one_past_it(client, name, limit, call, error, pointer):
    method, arguments = call(limit)
    assert (await client.api_call(method, json=arguments))["ok"], f"{name}: {limit} is allowed"
    method, arguments = call(limit + 1)
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json=arguments)
    assert refused.value.response.status_code == 200, "Slack refuses with HTTP 200 and ok: false"
    assert refused.value.response["error"] == error
    if pointer is not None:
        said = json.dumps(refused.value.response.data)
        assert f"[json-pointer:{pointer}]" in said, said


async def test_a_required_argument_missing_or_of_the_wrong_type_is_refused(client):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "hi"})  # no user
    assert refused.value.response["error"] == "invalid_arguments"
    assert "missing required field: user" in json.dumps(refused.value.response.data)
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", json={"channel": "C1", "text": "hi", "unfurl_links": "maybe"})
    assert refused.value.response["error"] == "invalid_arguments"
    assert "/unfurl_links" in json.dumps(refused.value.response.data)
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", json={"channel": "C1"})
    assert refused.value.response["error"] == "no_text"


async def test_a_call_without_a_token_is_refused(standin):
    anonymous = AsyncWebClient(token=None, base_url=standin.api_url)
    with pytest.raises(SlackApiError) as refused:
        await anonymous.api_call("chat.postMessage", json={"channel": "C1", "text": "hi"})
    assert refused.value.response["error"] == "not_authed"


async def test_a_response_url_refuses_what_a_message_may_not_hold(standin):
    webhook = AsyncWebhookClient(standin.response_url())
    assert (await webhook.send_dict({"text": "hi", "blocks": [section()] * 50})).status_code == 200
    refused = await webhook.send_dict({"text": "hi", "blocks": [section()] * 51})
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    refused = await webhook.send_dict({"text": "hi", "blocks": [section("x" * 3001)]})
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    refused = await webhook.send_dict({"response_type": "ephemeral"})
    assert (refused.status_code, refused.body) == (400, "no_text")


async def test_views_publish_takes_only_a_home_view_for_a_user(client):
    method, arguments = home()
    assert (await client.api_call(method, json=arguments))["ok"]
    refusals = {
        "no user": {"view": arguments["view"]},
        "no view": {"user_id": "U1"},
        "a modal": {"user_id": "U1", "view": modal()[1]["view"]},
        "no type": {"user_id": "U1", "view": {"blocks": [section()]}},
        "a title": {"user_id": "U1", "view": {**arguments["view"], "title": plain("Home")}},
    }
    for name, body in refusals.items():
        with pytest.raises(SlackApiError) as refused:
            await client.api_call("views.publish", json=body)
        assert refused.value.response["error"] == "invalid_arguments", name
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("views.open", json={"trigger_id": "t", "view": home()[1]["view"]})
    assert "must be a modal view" in json.dumps(refused.value.response.data)
