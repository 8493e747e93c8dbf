"""Acknowledged means stored (bot/intake/) on Discord: a form a stopped process took is finished
after the restart, through the interaction's follow-up while it lasts, else in the channel."""

from __future__ import annotations

from discord_flow import ANSWERS, answered
from support import rows

from bot.intake import Intake


async def left_by_a_stopped_process(bot, standin) -> dict:
    """A plan form some process stored and deferred, then died: its row's lease has run out."""
    help_ = await standin.dispatch_interaction(standin.slash_command(sub="help"))
    await answered(standin, help_)  # an interaction Discord knows was answered (its token works)
    submission = {
        "form": "plan",
        "guild": str(standin.guild_id),
        "channel": help_["channel_id"],
        "user": help_["member"]["user"]["id"],
        "values": dict(ANSWERS),
        "application_id": str(standin.application_id),
        "token": help_["token"],
    }
    assert await Intake(bot.engine.store, lease=-1).accept("discord", "discord:4242", submission) is not None
    return help_


async def test_the_plan_is_finished_through_the_follow_up_while_it_lasts(bot, standin, db_path):
    interaction = await left_by_a_stopped_process(bot, standin)
    assert await bot.engine.intake.recover() == 1
    assert await bot.engine.intake.idle(5) == 0
    [posted] = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{interaction['token']}")
    assert posted.json["embeds"][0]["title"] == "Backlink plan for example.com"
    assert rows(db_path, "SELECT request FROM plans") == [("discord:4242",)]
    assert await bot.engine.intake.waiting() == 0


async def test_after_fifteen_minutes_the_plan_is_posted_in_the_channel(bot, standin, db_path):
    interaction = await left_by_a_stopped_process(bot, standin)
    standin.expire_token(interaction["token"])
    assert await bot.engine.intake.recover() == 1
    assert await bot.engine.intake.idle(5) == 0
    [posted] = await standin.wait_for("POST", rf"/channels/{interaction['channel_id']}/messages")
    assert posted.json["embeds"][0]["title"] == "Backlink plan for example.com"
    assert rows(db_path, "SELECT request FROM plans") == [("discord:4242",)]
