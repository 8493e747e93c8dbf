"""Buttons with stable custom ids (adapters/discord/buttons.py): what a reply's buttons become, and
that they still work on messages sent before the bot restarted."""

from __future__ import annotations

import json

import discord
from discord_flow import (
    ANSWERS,
    EPHEMERAL,
    SECTIONS,
    answered,
    buttons,
    inputs,
    make_client,
    press,
    submit,
    walk_the_plan,
)

from adapters.discord.buttons import action_view
from bot.core.replies import Button, Buttons, Reply, text


async def test_a_replys_buttons_keep_their_action_and_value_in_the_custom_id():
    pressed = (Button("replan", text("button.replan")), Button("forget_confirm", text("button.replan"), "c1:u1:99"))
    view = action_view(Reply("plan", blocks=(Buttons(pressed),)))
    assert [(b.item.custom_id, b.item.style) for b in view.children] == [
        ("backlinks:replan", discord.ButtonStyle.primary),
        ("backlinks:forget_confirm:c1:u1:99", discord.ButtonStyle.danger),  # it deletes a channel's data
    ]
    assert action_view(Reply("info")) is None


async def test_buttons_still_work_after_the_bot_restarts(standin, store, db_path):
    first = make_client(standin, store)
    async with standin.connected(first):
        plan = await standin.dispatch_interaction(standin.slash_command(sub="plan"))
        await answered(standin, plan)
        await walk_the_plan(standin)
        show = await standin.dispatch_interaction(standin.slash_command(sub="show"))
        await answered(standin, show)
        plan_message = standin.original(show)  # the posted plan, with its buttons
    assert buttons(plan_message) == ["backlinks:replan", "backlinks:details"]
    second = make_client(standin, store)  # a new process: nothing in memory
    async with standin.connected(second):
        assert standin.identify_count == 2
        details = await press(standin, "backlinks:details", plan_message)
        assert details["type"] == 4 and details["data"]["flags"] == EPHEMERAL
        assert "The figures behind the plan for example.com" in json.dumps(details["data"]["embeds"])
        replan = await press(standin, "backlinks:replan", plan_message)
        assert replan["type"] == 9 and inputs(replan["data"])["site"]["value"] == "example.com"
        # A form opened before the restart still submits: forms are matched by their custom id.
        modal = replan["data"]
    third = make_client(standin, store)
    async with standin.connected(third):
        response = await submit(standin, modal, {q: ANSWERS[q] for q in SECTIONS["authority"]})
        assert buttons(response["data"]) == ["backlinks:continue:momentum"]
