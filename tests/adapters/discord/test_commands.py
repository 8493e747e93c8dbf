"""The `/backlinks` command group (adapters/discord/commands.py): options the validators refuse."""

from __future__ import annotations

import json

from discord_flow import (
    EPHEMERAL,
    buttons,
    inputs,
    press,
    slash,
)
from support import rows


async def test_an_option_the_validators_refuse_is_named_with_their_reason_and_the_rest_prefill(bot, standin, db_path):
    options = {"site": "x" * 10_000, "referring_domains": 140, "authority": 35}
    told = await slash(standin, "plan", options)
    assert told["type"] == 4 and told["data"]["flags"] == EPHEMERAL, "said privately, before the form"
    said = json.dumps(told["data"]["embeds"], ensure_ascii=False)
    assert "**Site (domain or URL)** was left out of the form: “xxxxxxxx" in said
    assert "…” is not a domain. Give one like example.com or https://example.com/." in said
    assert buttons(told["data"]) == ["backlinks:continue:authority"]

    modal = (await press(standin, "backlinks:continue:authority"))["data"]
    assert inputs(modal)["referring_domains"]["value"] == "140" and inputs(modal)["authority"]["value"] == "35"
    assert "value" not in inputs(modal)["site"], "the refused option is left out, not cut to fit"
    [(draft,)] = rows(db_path, "SELECT state FROM drafts")
    assert json.loads(draft)["answers"] == {"referring_domains": 140, "authority": 35}


async def test_an_invisible_control_character_in_an_option_is_named_not_echoed(bot, standin):
    told = await slash(standin, "plan", {"site": "exa\u202emple.com", "referring_domains": 140})
    said = json.dumps(told["data"], ensure_ascii=False)
    assert "**Site (domain or URL)** was left out of the form: “exa<U+202E>mple.com” is not a domain." in said
    assert "\u202e" not in said, "a right-to-left override would turn the rest of the message around"
    modal = (await press(standin, "backlinks:continue:authority"))["data"]
    assert inputs(modal)["referring_domains"]["value"] == "140" and "value" not in inputs(modal)["site"]
