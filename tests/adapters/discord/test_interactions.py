"""Answering an interaction (adapters/discord/interactions.py): deferring slow work, an expired
interaction, mentions off."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from discord_flow import (
    ANSWERS,
    EPHEMERAL,
    SECTIONS,
    answered,
    buttons,
    press,
    slash,
    submit,
)


async def test_an_expired_interaction_is_logged_not_a_crash(bot, standin, caplog):
    caplog.set_level(logging.WARNING)
    late = standin.slash_command(sub="help")
    standin.expire(late["id"])
    await standin.dispatch_interaction(late)
    deadline = time.monotonic() + 5
    while not any("10062" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "no log line for the expired interaction"
        await asyncio.sleep(0.01)
    help_ = await slash(standin, "help")  # the bot carries on
    assert help_["type"] == 4 and help_["data"]["flags"] == EPHEMERAL
    assert "Backlinks bot commands" in json.dumps(help_["data"]["embeds"])


async def test_mentions_are_disabled_and_user_text_escaped(bot, standin):
    modal = (await slash(standin, "plan"))["data"]
    refused = await submit(standin, modal, {**{q: ANSWERS[q] for q in SECTIONS["authority"]}, "site": "@everyone"})
    data = refused["data"]
    assert data["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in data["content"] and "@\u200beveryone" in data["content"]
    modal = (await slash(standin, "plan"))["data"]
    refused = await submit(
        standin, modal, {**{q: ANSWERS[q] for q in SECTIONS["authority"]}, "site": "**bold** <@123>"}
    )
    assert "\\*\\*bold\\*\\*" in refused["data"]["content"], "markdown in user text is escaped"


async def test_slow_work_is_deferred_then_followed_up(bot, standin, monkeypatch):
    import adapters.discord.interactions as discord_client

    monkeypatch.setattr(discord_client, "RESPOND_BUDGET_SECONDS", 0)  # as if the database were slow
    help_ = await standin.dispatch_interaction(standin.slash_command(sub="help"))
    assert await answered(standin, help_) == {"type": 5, "data": {"flags": EPHEMERAL}}, "deferred first"
    [follow_up] = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{help_['token']}")
    assert "Backlinks bot commands" in json.dumps(follow_up.json["embeds"])

    plan = await standin.dispatch_interaction(standin.slash_command(sub="plan"))
    assert (await answered(standin, plan))["type"] == 5
    [offer] = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{plan['token']}")
    assert buttons(offer.json) == ["backlinks:continue:authority"], "no form after deferring: a button opens it"

    monkeypatch.setattr(discord_client, "RESPOND_BUDGET_SECONDS", 5)
    modal = (await press(standin, "backlinks:continue:authority"))["data"]
    for section in list(SECTIONS)[:-1]:
        response = await submit(standin, modal, {q: ANSWERS[q] for q in SECTIONS[section]})
        modal = (await press(standin, buttons(response["data"])[0]))["data"]
    monkeypatch.setattr(discord_client, "RESPOND_BUDGET_SECONDS", 0)
    last = standin.modal_submit(modal["custom_id"], {q: ANSWERS[q] for q in SECTIONS["capacity"]})
    await standin.dispatch_interaction(last)
    assert (await answered(standin, last)) == {"type": 5, "data": {"flags": EPHEMERAL}}
    [posted] = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{last['token']}")
    assert not posted.json.get("flags"), "the plan is posted for everyone, not in the private 'thinking…'"
    assert posted.json["embeds"][0]["title"] == "Backlink plan for example.com"
    [edited] = standin.of("PATCH", rf"/webhooks/{standin.application_id}/{last['token']}/messages/@original")
    assert edited.json["content"] == "Posted in the channel."


async def test_a_failure_is_apologised_for_in_the_members_language(bot, standin, store):
    """The database loses a table under the bot: a German member is told so in German."""
    async with store.engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(text("DROP TABLE drafts"))
    told = json.dumps(await slash(standin, "plan", locale="de"), ensure_ascii=False)
    assert "bei uns ist etwas schiefgelaufen" in told and "went wrong" not in told, told
