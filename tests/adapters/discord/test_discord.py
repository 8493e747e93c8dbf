"""The Discord adapter end to end: the real discord.py client against the gateway and REST stand-in."""

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
    inputs,
    make_client,
    press,
    slash,
    submit,
    walk_the_plan,
)
from support import TYPED_ANSWERS, rows


async def test_the_command_group_is_synced_to_the_development_guild(bot, standin):
    [sync] = standin.of("PUT", rf"/applications/{standin.application_id}/guilds/{standin.guild_id}/commands")
    [group] = sync.json
    assert group["name"] == "backlinks" and group["description"]
    subs = {o["name"]: o for o in group["options"]}
    assert list(subs) == [
        "plan",
        "show",
        "why",
        "export",
        "help",
        "log",
        "remind",
        "language",
        "import",
        "connect",
        "disconnect",
        "forget",
    ]
    assert {o["type"] for o in subs.values()} == {1}
    options = {o["name"]: o for o in subs["plan"]["options"]}
    assert list(options) == [q for q, _ in TYPED_ANSWERS]
    assert options["authority"]["type"] == 4 and (
        options["authority"]["min_value"],
        options["authority"]["max_value"],
    ) == (0, 100)
    assert options["hours_per_month"]["type"] == 10 and options["site"]["type"] == 3
    assert not any(o["required"] for o in options.values())
    assert options["referring_domains"]["description"] == "Referring domains now"
    assert not standin.of("PUT", rf"/applications/{standin.application_id}/commands"), "not global when a guild is set"


async def test_the_whole_plan_across_forms_to_a_stored_plan_and_a_posted_embed(bot, standin, db_path):
    first = await slash(
        standin, "plan", {"referring_domains": 140, "strategies": "guest posting, outreach", "site_kind": "local"}
    )
    assert first["type"] == 9, "a form opens at once"
    modal = first["data"]
    assert list(inputs(modal)) == SECTIONS["authority"] and modal["title"] == f"Authority (1/{len(SECTIONS)})"
    assert inputs(modal)["site_kind"]["value"] == "local", "an option chosen from Discord's menu pre-fills the form"
    assert inputs(modal)["referring_domains"]["value"] == "140", "options pre-fill the forms"
    assert inputs(modal)["site"]["label"] == "Site (domain or URL)" and inputs(modal)["authority"]["required"] is False

    response = await submit(standin, modal, {q: ANSWERS[q] for q in SECTIONS["authority"]})
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert buttons(response["data"]) == ["backlinks:continue:momentum"]
    assert rows(db_path, "SELECT count(*) FROM plans") == [(0,)], "nothing is stored as a plan mid-way"

    response = await press(standin, "backlinks:continue:momentum")
    assert response["type"] == 9 and list(inputs(response["data"])) == SECTIONS["momentum"]
    response = await submit(standin, response["data"], {q: ANSWERS[q] for q in SECTIONS["momentum"]})
    response = await press(standin, buttons(response["data"])[0])
    assert response["type"] == 9 and list(inputs(response["data"])) == SECTIONS["competitors"]
    response = await submit(standin, response["data"], {q: ANSWERS[q] for q in SECTIONS["competitors"]})
    response = await press(standin, buttons(response["data"])[0])
    response = await submit(standin, response["data"], {q: ANSWERS[q] for q in SECTIONS["content"]})
    response = await press(standin, buttons(response["data"])[0])
    capacity = inputs(response["data"])
    assert capacity["strategies"]["value"] == "guest posting, outreach", "an option given at the start is kept"
    final = await submit(standin, response["data"], {q: ANSWERS[q] for q in SECTIONS["capacity"]})

    assert final["type"] == 4 and not final["data"].get("flags"), "the plan is posted for the whole channel"
    [embed, *_] = final["data"]["embeds"]
    assert embed["title"] == "Backlink plan for example.com"
    assert "new referring domains a month, everything counted" in embed["description"]
    fields = {f["name"]: f["value"] for e in final["data"]["embeds"] for f in e.get("fields", [])}
    assert {"Why this number", "Split (a month)", "Every link should be", "Checklist"} <= set(fields)
    assert "Never buy links" in fields["Checklist"]
    assert buttons(final["data"]) == ["backlinks:replan", "backlinks:details"]
    assert final["data"]["allowed_mentions"] == {"parse": []}
    [(workspace, channel, user, answers)] = rows(
        db_path,
        "SELECT c.workspace, c.channel, p.created_by, p.answers FROM plans p JOIN channels c ON c.id = p.channel_id",
    )
    assert (workspace, channel, user) == (str(standin.guild_id), str(standin.channel_id), str(standin.user_id))
    assert json.loads(answers)["referring_domains"] == 140
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]


async def test_invalid_answers_come_back_privately_with_a_button_to_fix_them(bot, standin, db_path):
    modal = (await slash(standin, "plan"))["data"]
    typed = {**{q: ANSWERS[q] for q in SECTIONS["authority"]}, "authority": "150", "site_age_months": "old"}
    refused = await submit(standin, modal, typed)
    assert refused["type"] == 4 and refused["data"]["flags"] == EPHEMERAL
    content = refused["data"]["content"]
    assert "150 is out of range" in content and "“old” is not a number" in content
    assert "**Authority score (DR or DA, 0-100)**" in content
    assert buttons(refused["data"]) == ["backlinks:fix:authority"]
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)] and rows(db_path, "SELECT count(*) FROM plans") == [
        (0,)
    ]

    reopened = await press(standin, "backlinks:fix:authority")
    assert reopened["type"] == 9
    assert inputs(reopened["data"])["authority"]["value"] == "150", "the form reopens as it was typed"
    assert inputs(reopened["data"])["site"]["value"] == "example.com"


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


async def test_two_guilds_never_see_each_other(bot, standin):
    final = await walk_the_plan(standin)
    assert final["data"]["embeds"][0]["title"] == "Backlink plan for example.com"
    here = await slash(standin, "show")
    assert here["data"]["embeds"][0]["title"] == "Backlink plan for example.com" and not here["data"].get("flags")
    other_guild = await slash(standin, "show", guild_id=9999)
    assert "There is no plan for this channel yet" in json.dumps(other_guild["data"])
    other_channel = await slash(standin, "show", channel_id=8888)
    assert "There is no plan for this channel yet" in json.dumps(other_channel["data"])
    modal = (await slash(standin, "plan", guild_id=9999))["data"]
    assert "value" not in inputs(modal)["site"], "no answers leak from another guild"


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


async def test_slow_work_is_deferred_then_followed_up(bot, standin, monkeypatch):
    import adapters.discord.client as discord_client

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


def test_starting_the_client_logs_no_warning_about_voice(standin, store, caplog):
    # The bot uses no voice; discord.py's "voice will NOT be supported" warnings only alarmed operators.
    with caplog.at_level(logging.WARNING, logger="discord"):
        make_client(standin, store)
    assert not [r for r in caplog.records if "voice" in r.getMessage()]


async def test_a_plan_typed_in_natural_answers_in_discord_forms(bot, standin, db_path):
    # The same validators as the chat: units, filler, `n/a` on optional fields, `domain count` pairs, `1 2 3`.
    natural = {
        **ANSWERS,
        "authority": "DR 35",
        "referring_domains": "about 140",
        "site_age_months": "2 years",
        "lost_referring_domains": "n/a",
        "competitors": "ahrefs.com 1.2k, moz.com=900",
        "linkable_assets": "none",
        "content_quality": "4/5",
        "strategies": "1 2 3",
        "hours_per_month": "10h/week",
    }
    final = await walk_the_plan(standin, answers=natural)
    assert final["data"]["embeds"][0]["title"] == "Backlink plan for example.com"
    [(answers,)] = rows(db_path, "SELECT answers FROM plans")
    answers = json.loads(answers)
    assert (answers["authority"], answers["referring_domains"], answers["site_age_months"]) == (35, 140, 24)
    assert "lost_referring_domains" not in answers and answers["linkable_assets"] == 0
    assert answers["competitors"] == [
        {"domain": "ahrefs.com", "referring_domains": 1200},
        {"domain": "moz.com", "referring_domains": 900},
    ]
    assert answers["content_quality"] == 4 and answers["hours_per_month"] == 43
    assert answers["strategies"] == ["guest_posting", "outreach", "digital_pr"]


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
