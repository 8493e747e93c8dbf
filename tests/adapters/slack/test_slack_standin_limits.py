"""The stand-in refuses what Slack refuses: one case per documented limit, each just at the limit
(accepted) and one past it (refused as Slack refuses it), through the real slack_sdk clients.

The limits are checked with or without Slack's method spec beside the repo, so each limit test runs both
ways (``checked_by``): with the spec, and with the specs hidden as on a clone alone. A method's missing or
mistyped arguments are refused by the spec alone, so that test needs it."""

from __future__ import annotations

import json

import platform_specs
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


def blocks_of_text(characters: int) -> list[dict]:
    """Sections of at most 3,000 characters, `characters` of text in all."""
    sizes = [3000] * (characters // 3000) + ([characters % 3000] if characters % 3000 else [])
    return [section("x" * size) for size in sizes]


@pytest.fixture(params=platform_specs.MODES)
def checked_by(request, monkeypatch) -> str:
    return platform_specs.check_mode(request.param, "slack", monkeypatch)


@pytest.fixture
async def client(standin):
    client = AsyncWebClient(token="xoxb-T1", base_url=standin.api_url)
    yield client
    if client.session is not None:
        await client.session.close()


@pytest.mark.parametrize(("name", "limit", "call", "error", "pointer"), LIMITS, ids=[case[0] for case in LIMITS])
async def test_each_block_kit_limit_is_refused_one_past_it(checked_by, client, name, limit, call, error, pointer):
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


@platform_specs.needs("slack")
async def test_a_required_argument_missing_or_of_the_wrong_type_is_refused(client):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "hi"})  # no user
    assert refused.value.response["error"] == "invalid_arguments"
    assert "missing required field: user" in json.dumps(refused.value.response.data)
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", json={"channel": "C1", "text": "hi", "unfurl_links": "maybe"})
    assert refused.value.response["error"] == "invalid_arguments"
    assert "/unfurl_links" in json.dumps(refused.value.response.data)


async def test_a_message_without_text_or_blocks_is_refused(checked_by, client):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", json={"channel": "C1"})
    assert refused.value.response["error"] == "no_text"


async def test_a_call_without_a_token_is_refused(checked_by, standin):
    anonymous = AsyncWebClient(token=None, base_url=standin.api_url)
    with pytest.raises(SlackApiError) as refused:
        await anonymous.api_call("chat.postMessage", json={"channel": "C1", "text": "hi"})
    assert refused.value.response["error"] == "not_authed"


async def test_a_response_url_refuses_what_a_message_may_not_hold(checked_by, standin):
    webhook = AsyncWebhookClient(standin.response_url())
    assert (await webhook.send_dict({"text": "hi", "blocks": [section()] * 50})).status_code == 200
    refused = await webhook.send_dict({"text": "hi", "blocks": [section()] * 51})
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    refused = await webhook.send_dict({"text": "hi", "blocks": [section("x" * 3001)]})
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    refused = await webhook.send_dict({"response_type": "ephemeral"})
    assert (refused.status_code, refused.body) == (400, "no_text")


async def test_views_publish_takes_only_a_home_view_for_a_user(checked_by, client):
    method, arguments = home()
    assert (await client.api_call(method, json=arguments))["ok"]
    refusals = {
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


@platform_specs.needs("slack")
async def test_views_publish_needs_the_user_it_is_for(client):
    method, arguments = home()
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json={"view": arguments["view"]})
    assert refused.value.response["error"] == "invalid_arguments"
    assert "missing required field: user_id" in json.dumps(refused.value.response.data)


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
async def test_a_message_whose_blocks_carry_too_much_text_is_refused(checked_by, client, method):
    # Slack's msg_blocks_too_long: every block within its own limit, too much text over all of them.
    arguments = {"channel": "C1", "user": "U1", "ts": "1.2", "text": "fallback"}
    assert (await client.api_call(method, json={**arguments, "blocks": blocks_of_text(12_000)}))["ok"]
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json={**arguments, "blocks": blocks_of_text(12_001)})
    assert refused.value.response["error"] == "msg_blocks_too_long"
    # Every text counts: a header's, a field's, a button's, not only a section's.
    header = {"type": "header", "text": plain("h" * 150)}
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 100}] * 2}
    buttons = {"type": "actions", "elements": [button(text="b" * 25)]}
    blocks = [header, fields, buttons, *blocks_of_text(12_000 - 150 - 200 - 25)]
    assert (await client.api_call(method, json={**arguments, "blocks": blocks}))["ok"]
    with pytest.raises(SlackApiError) as refused:
        await client.api_call(method, json={**arguments, "blocks": [*blocks, section("x")]})
    assert refused.value.response["error"] == "msg_blocks_too_long"


async def test_a_response_url_takes_blocks_of_more_text(checked_by, standin):
    # A response_url was measured taking the blocks chat.postMessage refused (bolt-js#2867).
    webhook = AsyncWebhookClient(standin.response_url())
    assert (await webhook.send_dict({"text": "hi", "blocks": blocks_of_text(12_001)})).status_code == 200
