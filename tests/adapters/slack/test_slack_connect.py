"""Connecting a data provider from Slack: the real Bolt app over loopback HTTP, Slack's Web API on its
stand-in, and the real DataForSEO client against DataForSEO's stand-in (which counts the key checks).

`/backlinks connect` opens a private form for a workspace admin or owner, or the person who installed
the bot; everyone else sees the status and who can change it. The key is checked with one cheap call,
stored sealed, never stored in clear (not in the inbox either), never sent back to Slack, never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_client import install, serve
from support import TYPED_ANSWERS, rows

from bot.storage.secrets import Sealer

TOKEN_KEY = Fernet.generate_key().decode()
ADMIN, OWNER, MEMBER = "UADMIN", "UOWNER", "U1"
USER_DATA = "appendix/user_data"  # DataForSEO's free call: the key check
TYPED = {**dict(TYPED_ANSWERS), "strategies": "guest_posting, outreach"}  # a multi-select sends option values


@pytest.fixture
def settings(slack_settings, dataforseo):
    return slack_settings.model_copy(update={"provider_url": dataforseo.url, "token_key": SecretStr(TOKEN_KEY)})


@pytest.fixture
async def slack(settings, standin, caplog):
    caplog.set_level(logging.INFO)
    standin.roles.update({ADMIN: "admin", OWNER: "primary_owner"})
    bot, runner = await serve(settings, standin, lookups=True)
    yield bot
    await bot.session.close()
    await runner.cleanup()
    await bot.store.close()


def keys(db_path) -> list[tuple]:
    return rows(db_path, "SELECT platform, workspace, provider, secret, last4, added_by FROM provider_keys")


def texts(call) -> str:
    """What a message shows: its fallback text and every block's text."""
    blocks = call.body.get("blocks") or []
    return "\n".join([call.body.get("text", ""), *(b.get("text", {}).get("text", "") for b in blocks)])


async def open_connect_form(slack, user=ADMIN, **where) -> dict:
    before = len(slack.standin.of("views.open"))
    response = await slack.command("connect", user=user, **where)
    assert response.status == 200 and (await response.text()) == "", "a bare ack: the form opens"
    calls = await slack.standin.wait_for("views.open", before + 1)
    return calls[-1].body["view"]


def never_shown(key: str, slack, db_path, caplog) -> None:
    """The key went nowhere but to the provider: not to Slack, not in clear to the database, not to the log."""
    sent = json.dumps([c.body for c in slack.standin.calls])
    assert key not in sent, "the key was sent to Slack"
    stored = Path(db_path).read_bytes() + (
        Path(f"{db_path}-wal").read_bytes() if Path(f"{db_path}-wal").exists() else b""
    )
    assert key.encode() not in stored, "the key is in the database in clear"
    assert key not in caplog.text, "the key was logged"


async def test_an_admin_connects_in_a_private_form_and_the_key_is_kept_sealed(slack, dataforseo, db_path, caplog):
    view = await open_connect_form(slack)
    assert view["callback_id"] == "backlinks_connect" and view["title"]["text"] == "Connect a provider"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["connect_provider", "connect_key"]
    provider = inputs["connect_provider"]["element"]
    assert provider["type"] == "static_select"
    assert [o["value"] for o in provider["options"]] == ["dataforseo", "moz"]
    key_input = inputs["connect_key"]["element"]
    assert key_input["type"] == "plain_text_input" and "initial_value" not in key_input
    assert "last 4 characters" in inputs["connect_key"]["hint"]["text"]
    assert dataforseo.count(USER_DATA) == 0, "opening the form costs nothing"

    response = await slack.submit(view, {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, user=ADMIN)
    assert response.status == 200 and (await response.text()) == "", "the form closes"
    done = await slack.standin.wait_until("respond", "Connected")
    assert done.body["response_type"] == "ephemeral", "only the admin sees it"
    assert "Connected *DataForSEO* (key ending a7b8)" in texts(done)
    [(platform, team, name, secret, last4, added_by)] = keys(db_path)
    assert (platform, team, name, last4, added_by) == ("slack", "T1", "dataforseo", "a7b8", ADMIN)
    assert secret.startswith("fernet:") and Sealer(TOKEN_KEY).open(secret) == dataforseo.key
    assert dataforseo.count(USER_DATA) == 1, "one cheap call checks the key"
    assert rows(db_path, "SELECT count(*) FROM inbox") == [(0,)], "the form is not kept in the inbox"
    assert slack.standin.of("chat.postMessage") == [], "nothing in the channel"

    # Anyone may see the status (the key's last 4 only) and who can change it.
    status = json.loads(await (await slack.command("connect", user=MEMBER)).text())
    assert status["response_type"] == "ephemeral"
    shown = "\n".join(b["text"]["text"] for b in status["blocks"])
    assert "Connected: *DataForSEO* (key ending a7b8)" in shown and "0 of 200 lookups used this month" in shown
    assert "Only a workspace admin or owner, or the person who installed the bot" in shown
    assert "`/backlinks disconnect` removes" not in shown, "a member is not offered what they can't do"
    never_shown(dataforseo.key, slack, db_path, caplog)

    # The admin's form opens with the provider connected here; the key is never filled in.
    again = await open_connect_form(slack)
    inputs = {b["block_id"]: b for b in again["blocks"] if b["type"] == "input"}
    assert inputs["connect_provider"]["element"]["initial_option"]["value"] == "dataforseo"
    assert "initial_value" not in inputs["connect_key"]["element"]

    removed = json.loads(await (await slack.command("disconnect", user=OWNER)).text())
    assert removed["response_type"] == "ephemeral" and "Disconnected." in removed["blocks"][0]["text"]["text"]
    assert keys(db_path) == []


async def test_a_member_sees_the_status_and_who_can_and_changes_nothing(slack, dataforseo, db_path, caplog):
    response = await slack.command("connect", user=MEMBER)
    status = json.loads(await response.text())
    assert status["response_type"] == "ephemeral" and slack.standin.of("views.open") == []
    shown = "\n".join(b["text"]["text"] for b in status["blocks"])
    assert "No backlink data provider is connected here" in shown
    assert "Only a workspace admin or owner, or the person who installed the bot, can connect or disconnect" in shown
    # Asked about this member only: whether they manage the workspace (and their locale, once)
    assert {asked.body["user"] for asked in slack.standin.of("users.info")} == {MEMBER}

    # Typed inline (a slash command's text is not posted in the channel): refused before any check.
    inline = json.loads(await (await slack.command(f"connect dataforseo {dataforseo.key}", user=MEMBER)).text())
    assert inline["response_type"] == "ephemeral"
    assert inline["blocks"][0]["text"]["text"].startswith("Only a workspace admin or owner")
    refused = json.loads(await (await slack.command("disconnect", user=MEMBER)).text())
    assert refused["blocks"][0]["text"]["text"].startswith("Only a workspace admin or owner")
    assert keys(db_path) == [] and dataforseo.count(USER_DATA) == 0
    never_shown(dataforseo.key, slack, db_path, caplog)


async def test_who_submits_the_form_is_asked_again(slack, dataforseo, db_path):
    view = await open_connect_form(slack)
    del slack.standin.roles[ADMIN]  # no longer an admin by the time the form is sent
    response = await slack.submit(view, {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, user=ADMIN)
    assert response.status == 200
    refused = await slack.standin.wait_until("respond", "Only a workspace admin")
    assert refused.body["response_type"] == "ephemeral"
    assert keys(db_path) == [] and dataforseo.count(USER_DATA) == 0


async def test_a_refused_key_and_a_malformed_one(slack, dataforseo, db_path, caplog):
    wrong = "me@example.com:not-the-password-x9z8"
    view = await open_connect_form(slack)
    await slack.submit(view, {"connect_provider": "dataforseo", "connect_key": wrong}, user=ADMIN)
    refused = await slack.standin.wait_until("respond", "Not connected")
    assert "Not connected: dataforseo refused that key" in texts(refused) and wrong not in texts(refused)
    assert keys(db_path) == [] and dataforseo.count(USER_DATA) == 1

    # A key with a space in it comes back on its field, the form still open, the key not quoted.
    view = await open_connect_form(slack)
    response = await slack.submit(view, {"connect_provider": "moz", "connect_key": "half a key"}, user=ADMIN)
    body = json.loads(await response.text())
    assert body["response_action"] == "errors" and list(body["errors"]) == ["connect_key"]
    assert "no spaces" in body["errors"]["connect_key"] and "half a key" not in body["errors"]["connect_key"]

    # An admin may also type it inline; the reply shows its last 4 only.
    inline = await slack.command(f"connect dataforseo {dataforseo.key}", user=ADMIN)
    assert inline.status == 200
    [(_, _, _, _, last4, _)] = keys(db_path)
    assert last4 == dataforseo.key[-4:]
    never_shown(dataforseo.key, slack, db_path, caplog)
    assert wrong not in caplog.text


def oauth(settings):
    return settings.model_copy(
        update={"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": SecretStr("s3cret")}
    )


async def test_the_person_who_installed_the_bot_may_connect_without_being_an_admin(
    settings, standin, dataforseo, db_path
):
    slack, runner = await serve(oauth(settings), standin, lookups=True)
    try:
        await install(slack, "T2")  # the stand-in's OAuth answer names UINSTALLER as the installing user
        view = await open_connect_form(slack, user="UINSTALLER", team="T2", channel="C9")
        await slack.submit(
            view, {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, team="T2", user="UINSTALLER"
        )
        done = await standin.wait_until("respond", "Connected")
        assert done.token is None and "key ending a7b8" in texts(done)
        assert [(k[1], k[5]) for k in keys(db_path)] == [("T2", "UINSTALLER")]

        member = json.loads(await (await slack.command("disconnect", team="T2", channel="C9", user=MEMBER)).text())
        assert member["blocks"][0]["text"]["text"].startswith("Only a workspace admin or owner")
        assert len(keys(db_path)) == 1
        removed = json.loads(
            await (await slack.command("disconnect", team="T2", channel="C9", user="UINSTALLER")).text()
        )
        assert "Disconnected." in removed["blocks"][0]["text"]["text"] and keys(db_path) == []
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


async def test_a_plan_with_competitors_as_domains_is_looked_up_in_one_bulk_call_and_says_where_figures_came_from(
    slack, dataforseo, db_path
):
    view = await open_connect_form(slack)
    await slack.submit(view, {"connect_provider": "dataforseo", "connect_key": dataforseo.key}, user=ADMIN)
    await slack.standin.wait_until("respond", "Connected")

    before = len(slack.standin.of("views.open"))
    response = await slack.command("plan site=example-shop.com competitors=rival.com, other.net", user=MEMBER)
    assert response.status == 200
    [*_, opened] = await slack.standin.wait_for("views.open", before + 1)
    form = opened.body["view"]
    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    filled = {block: element.get("initial_value") for block, element in inputs.items()}
    assert filled["site"] == "example-shop.com" and filled["referring_domains"] == "164"
    assert filled["competitors"] == "rival.com=921+29, other.net=310"  # counts, and rival.com's pace
    notes = json.dumps([b for b in form["blocks"] if b["type"] != "input"])
    assert "Competitors looked up (DataForSEO," in notes and "Looked up *example-shop.com* (DataForSEO," in notes
    assert "Filled in on the form - keep them or type your own." in notes
    assert dataforseo.count("backlinks/bulk_referring_domains/live") == 1  # both competitors in one call

    answers = {**TYPED, **{k: v for k, v in filled.items() if v}}  # the user keeps what was filled in
    response = await slack.submit(form, answers, user=MEMBER)
    assert response.status == 200 and (await response.text()) == ""
    posted = await slack.standin.wait_until("chat.postMessage", "example-shop.com")
    said = json.dumps(posted.body)
    # rival.com's measured pace (29 a month) moves the competitors' median; other.net's is assumed.
    assert "(1 of them from their own recent paces, the others assumed at 1% of a profile a month)" in said
    assert "Measured by DataForSEO on" in said and "the competitors' counts" in said
    [(stored,)] = rows(db_path, "SELECT answers FROM plans")
    sources = json.loads(stored)["sources"]
    assert sources["referring_domains"] == {
        "provider": "DataForSEO",
        "day": dt.date.today().isoformat(),
        "value": 164,
        "site": "example-shop.com",
    }
    assert sources["competitors"]["value"][0] == {"domain": "rival.com", "referring_domains": 921, "monthly_new": 29}

    shown = json.loads(await (await slack.command("show", user=MEMBER)).text())
    assert "Measured by DataForSEO on" in json.dumps(shown)
