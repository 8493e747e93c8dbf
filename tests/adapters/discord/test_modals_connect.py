"""Connecting a data provider from Discord: the real discord.py client against the gateway and REST
stand-in, and the real DataForSEO client against DataForSEO's stand-in (which counts the key checks).

`/backlinks connect` opens a form for members with Manage Server; everyone else sees the status and
who can change it, privately. The key is checked with one cheap call, stored sealed, never stored in
clear (not in the inbox either), never sent back to Discord.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from discord_flow import ANSWERS, EPHEMERAL, answered, buttons, inputs, make_client, press, slash, submit
from discord_standin import ADMIN_PERMISSIONS, MANAGE_GUILD_PERMISSIONS
from support import rows

from bot.storage.secrets import Sealer

TOKEN_KEY = Fernet.generate_key().decode()
USER_DATA = "appendix/user_data"  # DataForSEO's free call: the key check
MANAGER = {"permissions": MANAGE_GUILD_PERMISSIONS}


@pytest.fixture
async def bot(standin, store, dataforseo, caplog):
    caplog.set_level(logging.INFO)
    client = make_client(standin, store, lookups=True, provider_url=dataforseo.url, token_key=TOKEN_KEY)
    async with standin.connected(client):
        yield client


def keys(db_path) -> list[tuple]:
    return rows(db_path, "SELECT platform, workspace, provider, secret, last4, added_by FROM provider_keys")


def shown(response: dict) -> str:
    data = response["data"]
    return "\n".join([data.get("content") or "", *(e.get("description", "") for e in data.get("embeds", []))])


def never_shown(key: str, standin, db_path, caplog) -> None:
    """The key went nowhere but to the provider: not to Discord, not in clear to the database, not to the log."""
    assert key not in json.dumps([c.json for c in standin.calls]), "the key was sent to Discord"
    wal = Path(f"{db_path}-wal")
    stored = Path(db_path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert key.encode() not in stored, "the key is in the database in clear"
    assert key not in caplog.text, "the key was logged"


async def test_a_manager_connects_in_a_form_and_the_key_is_kept_sealed(bot, standin, dataforseo, db_path, caplog):
    opened = await slash(standin, "connect", **MANAGER)
    assert opened["type"] == 9, "the form opens at once"
    modal = opened["data"]
    assert modal["title"] == "Connect a data provider"
    fields = inputs(modal)
    assert list(fields) == ["connect_provider", "connect_key"]
    assert fields["connect_provider"]["label"] == "Provider (dataforseo or moz)"
    assert fields["connect_key"].get("value") is None and fields["connect_key"]["required"] is True
    assert dataforseo.count(USER_DATA) == 0, "opening the form costs nothing"

    done = await submit(standin, modal, {"connect_provider": "DataForSEO", "connect_key": dataforseo.key}, **MANAGER)
    assert done["type"] == 4 and done["data"]["flags"] == EPHEMERAL, "only the manager sees it"
    assert "Connected **DataForSEO** (key ending a7b8)" in shown(done)
    [(platform, guild, name, secret, last4, added_by)] = keys(db_path)
    assert (platform, guild, name, last4) == ("discord", str(standin.guild_id), "dataforseo", "a7b8")
    assert added_by == str(standin.user_id)
    assert secret.startswith("fernet:") and Sealer(TOKEN_KEY).open(secret) == dataforseo.key
    assert dataforseo.count(USER_DATA) == 1, "one cheap call checks the key"
    assert rows(db_path, "SELECT count(*) FROM inbox") == [(0,)], "the form is not kept in the inbox"

    # Anyone sees the status (the key's last 4 only) and who can change it, privately.
    status = await slash(standin, "connect")
    assert status["type"] == 4 and status["data"]["flags"] == EPHEMERAL
    assert "Connected: **DataForSEO** (key ending a7b8)" in shown(status)
    assert "Only members who can manage this server (Manage Server)" in shown(status)

    # The manager's form opens with the provider connected here; the key is never filled in.
    again = inputs((await slash(standin, "connect", permissions=ADMIN_PERMISSIONS))["data"])
    assert again["connect_provider"]["value"] == "dataforseo" and again["connect_key"].get("value") is None

    removed = await slash(standin, "disconnect", **MANAGER)
    assert removed["data"]["flags"] == EPHEMERAL and "Disconnected." in shown(removed)
    assert keys(db_path) == []
    never_shown(dataforseo.key, standin, db_path, caplog)


async def test_a_member_without_manage_server_changes_nothing(bot, standin, dataforseo, db_path):
    status = await slash(standin, "connect")
    assert status["type"] == 4 and status["data"]["flags"] == EPHEMERAL, "no form, a private answer"
    assert "No backlink data provider is connected here" in shown(status)
    assert "Only members who can manage this server (Manage Server) can connect or disconnect" in shown(status)
    refused = await slash(standin, "disconnect")
    assert refused["data"]["flags"] == EPHEMERAL and "Only members who can manage this server" in shown(refused)

    # A form opened by someone who then lost Manage Server: asked again at submission.
    modal = (await slash(standin, "connect", **MANAGER))["data"]
    late = await submit(standin, modal, {"connect_provider": "moz", "connect_key": dataforseo.key})
    assert late["data"]["flags"] == EPHEMERAL and "Only members who can manage this server" in shown(late)
    assert keys(db_path) == [] and dataforseo.count(USER_DATA) == 0


async def test_a_wrong_answer_reopens_the_form_without_the_key(bot, standin, dataforseo, db_path, caplog):
    modal = (await slash(standin, "connect", **MANAGER))["data"]
    refused = await submit(standin, modal, {"connect_provider": "ahrefs", "connect_key": dataforseo.key}, **MANAGER)
    assert refused["data"]["flags"] == EPHEMERAL
    assert "“ahrefs” is not a choice I know" in refused["data"]["content"]
    assert dataforseo.key not in refused["data"]["content"]
    [fix] = buttons(refused["data"])
    reopened = await press(standin, fix, **MANAGER)
    assert reopened["type"] == 9
    assert inputs(reopened["data"])["connect_provider"]["value"] == "ahrefs", "the form reopens as it was typed"
    assert inputs(reopened["data"])["connect_key"].get("value") is None, "but never with the key"

    wrong = "me@example.com:not-the-password-x9z8"
    answer = await submit(
        standin, reopened["data"], {"connect_provider": "dataforseo", "connect_key": wrong}, **MANAGER
    )
    assert "Not connected: dataforseo refused that key" in shown(answer) and wrong not in shown(answer)
    assert keys(db_path) == [] and dataforseo.count(USER_DATA) == 1
    never_shown(dataforseo.key, standin, db_path, caplog)
    assert wrong not in caplog.text


async def test_a_slow_key_check_answers_privately_after_thinking(bot, standin, dataforseo, db_path):
    modal = (await slash(standin, "connect", **MANAGER))["data"]
    dataforseo.delay = 2.0  # past the 1.5 s the bot waits before deferring
    sent = standin.modal_submit(
        modal["custom_id"], {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, **MANAGER
    )
    await standin.dispatch_interaction(sent)
    assert (await answered(standin, sent)) == {"type": 5, "data": {"flags": EPHEMERAL}}, "a private 'thinking…'"
    [done] = await standin.wait_for("POST", rf"/webhooks/{standin.application_id}/{sent['token']}")
    assert done.json["flags"] == EPHEMERAL and "key ending a7b8" in json.dumps(done.json["embeds"])
    assert standin.of("PATCH", rf"/webhooks/{standin.application_id}/{sent['token']}/messages/@original") == []
    assert [k[4] for k in keys(db_path)] == ["a7b8"]


async def test_a_plan_with_competitors_as_domains_shows_what_was_looked_up_before_its_form(
    bot, standin, dataforseo, db_path
):
    modal = (await slash(standin, "connect", **MANAGER))["data"]
    await submit(standin, modal, {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, **MANAGER)

    first = await slash(standin, "plan", {"site": "example-shop.com", "competitors": "rival.com, other.net"})
    # A modal has no room for notes: what was looked up, and where from, comes first, privately,
    # with a button that opens the form filled in.
    assert first["type"] == 4 and first["data"]["flags"] == EPHEMERAL
    said = shown(first)
    assert "Competitors looked up (DataForSEO," in said and "rival.com=921+29, other.net=310" in said
    assert "Looked up **example-shop.com** (DataForSEO," in said and "Filled in on the form" in said
    assert dataforseo.count("backlinks/bulk_referring_domains/live") == 1
    [continue_id] = buttons(first["data"])
    opened = await press(standin, continue_id)
    assert opened["type"] == 9
    fields = inputs(opened["data"])
    assert fields["referring_domains"]["value"] == "164"

    response = opened
    while response["type"] == 9 or "backlinks:continue" in json.dumps(response):
        if response["type"] != 9:
            [continue_id] = buttons(response["data"])
            response = await press(standin, continue_id)
            continue
        form = response["data"]
        values = {q: f.get("value") or ANSWERS[q] for q, f in inputs(form).items()}
        response = await submit(standin, form, values)
    posted = json.dumps(response)
    assert "(1 of them from their own recent paces, the others assumed at 1% of a profile a month)" in posted
    [(stored,)] = rows(db_path, "SELECT answers FROM plans")
    assert json.loads(stored)["sources"]["competitors"]["provider"] == "DataForSEO"
