"""The Discord client end to end (adapters/discord/client.py and its parts): the real discord.py
client against the gateway and REST stand-in."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from discord_flow import (
    ANSWERS,
    EPHEMERAL,
    SECTIONS,
    buttons,
    inputs,
    make_client,
    press,
    slash,
    submit,
    walk_the_plan,
)
from support import TYPED_ANSWERS, rows

import adapters.discord


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


def test_starting_the_client_logs_no_warning_about_voice(standin, store, caplog):
    # The bot uses no voice; discord.py's "voice will NOT be supported" warnings only alarmed operators.
    with caplog.at_level(logging.WARNING, logger="discord"):
        make_client(standin, store)
    assert not [r for r in caplog.records if "voice" in r.getMessage()]


def test_every_module_of_the_discord_adapter_has_its_test_module():
    # The tests mirror the source: adapters/discord/<name>.py is tested in test_<name>*.py here.
    here = Path(__file__).parent
    modules = sorted(Path(adapters.discord.__file__).parent.glob("*.py"))
    untested = [m.name for m in modules if m.stem != "__init__" and not list(here.glob(f"test_{m.stem}*.py"))]
    assert untested == []
