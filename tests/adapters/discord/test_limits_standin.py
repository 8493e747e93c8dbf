"""The Discord stand-in refuses what Discord refuses: one too-big body per documented limit, and a malformed one.

Each body goes over plain HTTP to the stand-in, as discord.py would send it, and must come back as Discord
answers: 400, code 50035 "Invalid Form Body", with ``errors`` naming the field. The same body within the
limit is accepted, so none of these tests passes by a stand-in that refuses everything.

The limits are checked with or without Discord's OpenAPI spec beside the repo, so each limit test runs
both ways (``checked_by``): with the spec, and with the specs hidden as on a clone alone. A malformed body
is refused by the spec alone, so that test needs it.
"""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
import platform_specs
import pytest
from discord_spec import spec
from discord_standin import DiscordStandIn

from adapters.discord import limits

EMBED = {"title": "Plan", "description": "A month of links.", "fields": [{"name": "Why", "value": "Because."}]}
BUTTON = {"type": 2, "style": 1, "label": "Details", "custom_id": "backlinks:details"}
TEXT_INPUT = {"type": 4, "custom_id": "site", "style": 1, "label": "Site", "max_length": 1000, "value": "example.com"}
MODAL = {"title": "Authority (1/5)", "custom_id": "backlinks:form:authority:ab12", "components": []}


def message(**changes: Any) -> dict[str, Any]:
    return {"embeds": [copy.deepcopy(EMBED)], "components": [{"type": 1, "components": [BUTTON]}], **changes}


def modal(**changes: Any) -> dict[str, Any]:
    return {**MODAL, "components": [{"type": 1, "components": [dict(TEXT_INPUT)]}], **changes}


def embed(**changes: Any) -> dict[str, Any]:
    return message(embeds=[{**EMBED, **changes}])


def text_input(**changes: Any) -> dict[str, Any]:
    return modal(components=[{"type": 1, "components": [{**TEXT_INPUT, **changes}]}])


def field(name: str = "Why", value: str = "Because.") -> list[dict[str, str]]:
    return [{"name": name, "value": value}]


def labelled(label: str = "Site") -> dict[str, Any]:
    """A modal whose text input sits in a label component (type 18), as newer modals have it."""
    inner = {k: v for k, v in TEXT_INPUT.items() if k != "label"}
    return modal(components=[{"type": 18, "label": label, "component": inner}])


def commands(choices: int = 3, name: str = "Local business") -> list[dict[str, Any]]:
    """The command list the bot registers (PUT), one option with a menu of choices (the first named `name`)."""
    option = {"type": 3, "name": "kind", "description": "The kind of site"}
    option["choices"] = [{"name": name if i == 0 else f"Kind {i}", "value": f"kind{i}"} for i in range(choices)]
    plan = {"type": 1, "name": "plan", "description": "Plan", "options": [option]}
    return [{"name": "backlinks", "description": "Backlinks", "type": 1, "options": [plan]}]


# (limit, what is sent: "message" | "modal" | "channel" | "commands", the body over the limit, the field
# Discord names)
OVER_THE_LIMIT = [
    ("10 embeds", "message", message(embeds=[EMBED] * 11), "data.embeds"),
    ("embed title 256", "message", embed(title="t" * 257), "data.embeds.0.title"),
    ("embed description 4,096", "message", embed(description="d" * 4097), "data.embeds.0.description"),
    ("25 fields", "message", embed(fields=field() * 26), "data.embeds.0.fields"),
    ("field name 256", "message", embed(fields=field(name="n" * 257)), "data.embeds.0.fields.0.name"),
    ("field value 1,024", "message", embed(fields=field(value="v" * 1025)), "data.embeds.0.fields.0.value"),
    ("footer 2,048", "message", embed(footer={"text": "f" * 2049}), "data.embeds.0.footer.text"),
    ("author name 256", "message", embed(author={"name": "a" * 257}), "data.embeds.0.author.name"),
    (
        "6,000 characters over all embeds of a message",
        "message",
        message(embeds=[{"description": "d" * 4000}, {"description": "d" * 2001}]),
        "data.embeds",
    ),
    ("content 2,000", "channel", {"content": "c" * 2001}, "content"),
    ("5 action rows in a message", "message", message(components=[{"type": 1, "components": [BUTTON]}] * 6), None),
    ("5 buttons a row", "message", message(components=[{"type": 1, "components": [BUTTON] * 6}]), None),
    (
        "button label 80",
        "message",
        message(components=[{"type": 1, "components": [{**BUTTON, "label": "b" * 81}]}]),
        "data.components.0.components.0.label",
    ),
    ("modal title 45", "modal", modal(title="t" * 46), "data.title"),
    ("modal custom_id 100", "modal", modal(custom_id="c" * 101), "data.custom_id"),
    (
        "5 action rows in a modal",
        "modal",
        modal(components=[{"type": 1, "components": [TEXT_INPUT]}] * 6),
        "data.components",
    ),
    ("text input label 45", "modal", text_input(label="l" * 46), "data.components.0.components.0.label"),
    (
        "text input value 4,000",
        "modal",
        text_input(value="v" * 4001, max_length=4000),
        "data.components.0.components.0.value",
    ),
    (
        "text input value within its own max_length",
        "modal",
        text_input(value="v" * 1001, max_length=1000),
        "data.components.0.components.0.value",
    ),
    ("text input max_length 4,000", "modal", text_input(max_length=4001), "data.components.0.components.0.max_length"),
    (
        "text input custom_id 100",
        "modal",
        text_input(custom_id="c" * 101),
        "data.components.0.components.0.custom_id",
    ),
    (
        "text input placeholder 100",
        "modal",
        text_input(placeholder="p" * 101),
        "data.components.0.components.0.placeholder",
    ),
    ("label component 45", "modal", labelled("l" * 46), "data.components.0.label"),
    ("25 choices an option", "commands", commands(choices=26), "0.options.0.options.0.choices"),
    ("choice name 100", "commands", commands(name="n" * 101), "0.options.0.options.0.choices.0.name"),
]
# "5 action rows", "5 buttons a row": named below, where the row (or rows) are.
NAMED = {"5 action rows in a message": "data.components", "5 buttons a row": "data.components.0.components"}


@pytest.fixture(params=platform_specs.MODES)
def checked_by(request, monkeypatch) -> str:
    return platform_specs.check_mode(request.param, "discord", monkeypatch)


@pytest.fixture
async def standin():
    async with DiscordStandIn() as standin, aiohttp.ClientSession() as http:
        standin.http = http
        yield standin


async def send(standin: DiscordStandIn, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], int]:
    """POST the body where the bot would: an interaction's response, a channel message, its commands (PUT)."""
    if kind == "commands":
        url = f"{standin.api_base}/applications/{standin.application_id}/commands"
        async with standin.http.put(url, json=body) as answer:
            return answer.status, await answer.json(), 0
    if kind == "channel":
        url = f"{standin.api_base}/channels/{standin.channel_id}/messages"
    else:
        interaction = standin.slash_command(sub="help")
        url = f"{standin.api_base}/interactions/{interaction['id']}/{interaction['token']}/callback"
        body = {"type": 9 if kind == "modal" else 4, "data": body}
    before = len(standin.messages)
    async with standin.http.post(url, json=body) as answer:
        return answer.status, await answer.json(), len(standin.messages) - before


def named(errors: dict[str, Any], dotted: str) -> list[dict[str, str]]:
    node = errors
    for key in dotted.split("."):
        node = node.get(key, {})
    return node.get("_errors", [])


@pytest.mark.parametrize(("limit", "kind", "body", "where"), OVER_THE_LIMIT, ids=[case[0] for case in OVER_THE_LIMIT])
async def test_the_standin_refuses_a_body_over_a_limit_as_discord_does(checked_by, standin, limit, kind, body, where):
    status, answer, created = await send(standin, kind, body)
    assert status == 400 and answer["code"] == 50035 and answer["message"] == "Invalid Form Body"
    assert named(answer["errors"], where or NAMED[limit]), f"the error names {where or NAMED[limit]}: {answer}"
    assert created == 0, "a refused body changes nothing"
    assert len(standin.invalid) == 1


@pytest.mark.parametrize("kind", ["message", "modal", "channel", "labelled", "commands"])
async def test_the_same_bodies_within_the_limits_are_accepted(checked_by, standin, kind):
    body = {
        "message": message(),
        "modal": modal(),
        "channel": {"content": "c" * 2000, **message()},
        "labelled": labelled("l" * 45),
        "commands": commands(choices=25, name="n" * 100),
    }[kind]
    kind = "modal" if kind == "labelled" else kind
    status, answer, _ = await send(standin, kind, body)
    assert status == 200, answer
    # Right at the limits: 6,000 characters over 10 embeds, 25 fields, a pre-fill as long as its max_length.
    full = [{"title": "t" * 256, "description": "d" * 344} for _ in range(10)]
    assert (await send(standin, "message", message(embeds=full)))[0] == 200
    assert (await send(standin, "message", embed(fields=field() * 25)))[0] == 200
    assert (await send(standin, "modal", text_input(value="v" * 4000, max_length=4000)))[0] == 200
    assert standin.invalid == []


@platform_specs.needs("discord")
async def test_the_standin_refuses_a_malformed_body_by_the_spec(standin):
    status, answer, _ = await send(standin, "message", message(embeds="not a list"))
    assert status == 400 and answer["code"] == 50035
    assert named(answer["errors"], "data.embeds")[0]["code"] == "BASE_TYPE_INVALID"
    status, answer, _ = await send(standin, "modal", {"title": "No inputs", "components": []})
    assert status == 400 and named(answer["errors"], "data.custom_id")[0]["code"] == "BASE_TYPE_REQUIRED"
    interaction = standin.slash_command(sub="help")
    url = f"{standin.api_base}/interactions/{interaction['id']}/{interaction['token']}/callback"
    async with standin.http.post(url, json={"data": {"content": "no type"}}) as answer:
        assert answer.status == 400 and named(await answer.json(), "errors.type")
    async with standin.http.post(url, json={"type": 4, "data": {"content": "now right"}}) as answer:
        assert answer.status == 200, "a refused response did not acknowledge the interaction"


@platform_specs.needs("discord", "this test compares the recorded limits with the spec")
def test_the_recorded_limits_agree_with_discords_spec_where_it_states_them():
    """The record (adapters/discord/limits.py) and the spec, where both state a limit, say the same."""
    schemas = spec()["components"]["schemas"]

    def schema(name: str, field: str, keyword: str) -> int:
        return schemas[name]["properties"][field][keyword]

    assert {
        "content": schema("IncomingWebhookInteractionRequest", "content", "maxLength"),
        "embeds": schema("IncomingWebhookInteractionRequest", "embeds", "maxItems"),
        "title": schema("RichEmbed", "title", "maxLength"),
        "description": schema("RichEmbed", "description", "maxLength"),
        "fields": schema("RichEmbed", "fields", "maxItems"),
        "field name": schema("RichEmbedField", "name", "maxLength"),
        "field value": schema("RichEmbedField", "value", "maxLength"),
        "footer": schema("RichEmbedFooter", "text", "maxLength"),
        "author": schema("RichEmbedAuthor", "name", "maxLength"),
        "row": schema("ActionRowComponentForMessageRequest", "components", "maxItems"),
        "button label": schema("ButtonComponentForMessageRequest", "label", "maxLength"),
        "custom id": schema("ButtonComponentForMessageRequest", "custom_id", "maxLength"),
        "modal title": schema("ModalInteractionCallbackRequestData", "title", "maxLength"),
        "input label": schema("TextInputComponentForModalRequest", "label", "maxLength"),
        "label": schema("LabelComponentForModalRequest", "label", "maxLength"),
        "input value": schema("TextInputComponentForModalRequest", "value", "maxLength"),
        "input max_length": schema("TextInputComponentForModalRequest", "max_length", "maximum"),
        "placeholder": schema("TextInputComponentForModalRequest", "placeholder", "maxLength"),
        "choice name": schema("ApplicationCommandOptionStringChoice", "name", "maxLength"),
    } == {
        "content": limits.MESSAGE_CONTENT,
        "embeds": limits.MESSAGE_EMBEDS,
        "title": limits.EMBED_TITLE,
        "description": limits.EMBED_DESCRIPTION,
        "fields": limits.EMBED_FIELDS,
        "field name": limits.FIELD_NAME,
        "field value": limits.FIELD_VALUE,
        "footer": limits.FOOTER_TEXT,
        "author": limits.AUTHOR_NAME,
        "row": limits.ROW_BUTTONS,
        "button label": limits.BUTTON_LABEL,
        "custom id": limits.CUSTOM_ID,
        "modal title": limits.MODAL_TITLE,
        "input label": limits.TEXT_INPUT_LABEL,
        "label": limits.TEXT_INPUT_LABEL,
        "input value": limits.TEXT_INPUT_VALUE,
        "input max_length": limits.TEXT_INPUT_VALUE,
        "placeholder": limits.TEXT_INPUT_PLACEHOLDER,
        "choice name": limits.CHOICE_NAME,
    }
