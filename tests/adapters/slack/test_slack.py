"""The Slack adapter end to end: the real Bolt app over loopback HTTP, the Web API on a stand-in."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse

import pytest
from pydantic import SecretStr
from slack_client import serve
from support import TYPED_ANSWERS, rows

ANSWERS = dict(TYPED_ANSWERS)
ANSWERS["strategies"] = "guest_posting, outreach"  # a multi-select sends option values


def plans(db_path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT c.workspace, c.channel, p.created_by, p.answers FROM plans p JOIN channels c ON c.id = p.channel_id",
    )


async def open_modal(slack, text="plan", **where) -> dict:
    before = len(slack.standin.of("views.open"))
    response = await slack.command(text, **where)
    assert response.status == 200
    calls = await slack.standin.wait_for("views.open", before + 1)
    return calls[-1].body["view"]


async def test_plan_opens_a_modal_built_from_the_questionnaire(slack):
    response = await slack.command("plan referring_domains=140")
    assert response.status == 200 and (await response.text()) == ""  # a bare ack, at once
    [call] = await slack.standin.wait_for("views.open")
    assert call.token == "xoxb-T1"
    assert call.body["trigger_id"].startswith("trigger-")
    view = call.body["view"]
    assert view["type"] == "modal" and view["callback_id"] == "backlinks_plan"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Authority", "Momentum", "Competitors", "Content", "Capacity"]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [q for q, _ in TYPED_ANSWERS]
    authority = inputs["authority"]
    assert authority["optional"] is True and authority["element"]["type"] == "number_input"
    assert (authority["element"]["min_value"], authority["element"]["max_value"]) == ("0", "100")
    assert authority["element"]["is_decimal_allowed"] is False
    assert inputs["hours_per_month"]["element"]["is_decimal_allowed"] is True
    assert inputs["referring_domains"]["element"]["initial_value"] == "140"  # the inline answer
    assert inputs["content_quality"]["element"]["type"] == "static_select"
    strategies = inputs["strategies"]["element"]
    assert strategies["type"] == "multi_static_select"
    assert [o["value"] for o in strategies["options"]][:2] == ["guest_posting", "outreach"]
    kind = inputs["site_kind"]
    assert kind["optional"] is True and kind["element"]["type"] == "static_select"
    assert [o["text"]["text"] for o in kind["element"]["options"]][:2] == ["local business", "online shop"]
    assert inputs["site"]["element"]["type"] == "plain_text_input"
    assert inputs["site"]["label"]["text"] == "Which site is this plan for?"
    assert json.loads(view["private_metadata"])["channel"] == "C1"


async def test_a_bad_value_comes_back_on_the_field_and_nothing_is_stored(slack, db_path):
    view = await open_modal(slack)
    response = await slack.submit(view, {**ANSWERS, "authority": "150", "competitors": "lots"})
    assert response.status == 200
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"authority", "competitors"}
    assert "between 0 and 100" in body["errors"]["authority"]
    assert plans(db_path) == [] and rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]
    assert slack.standin.of("chat.postMessage") == []


async def test_a_valid_submission_posts_the_plan_and_stores_it(slack, db_path):
    view = await open_modal(slack)
    response = await slack.submit(view, ANSWERS)
    assert response.status == 200 and (await response.text()) == ""  # the modal closes
    [post] = await slack.standin.wait_for("chat.postMessage")
    assert post.body["channel"] == "C1" and post.token == "xoxb-T1"
    blocks = post.body["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Backlink plan for example.com", "emoji": True},
    }
    texts = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "new referring domains a month, everything counted" in texts
    assert "*Checklist*" in texts and "Never buy links" in texts
    assert "*Split (a month)*" in texts
    assert "Type `/backlinks why` for every figure" in texts, "commands are named as they are typed in Slack"
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["replan", "details"]
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert post.body["text"].startswith("example.com: ") and "new referring domains a month" in post.body["text"]
    [(team, channel, user, answers)] = plans(db_path)
    assert (team, channel, user) == ("T1", "C1", "U1")
    assert json.loads(answers)["strategies"] == ["guest_posting", "outreach"]


async def test_help_goes_only_to_the_caller_with_every_command(slack):
    response = await slack.command("help")
    reply = json.loads(await response.text())  # ready at once, so it travels on the ack
    assert reply["response_type"] == "ephemeral"
    assert slack.standin.of("respond") == [] and slack.standin.of("chat.postMessage") == []
    text = "\n".join(b["text"]["text"] for b in reply["blocks"] if b["type"] == "section")
    for command in ("plan", "show", "why", "help"):
        assert f"`/backlinks {command}" in text
    assert "While planning" not in text, "back/skip/cancel belong to one-question-at-a-time chats"


async def test_unknown_text_gets_help(slack):
    response = await slack.command("frobnicate now")
    unknown = json.loads(await response.text())
    [help_] = await slack.standin.wait_for("respond")
    assert unknown["response_type"] == "ephemeral"
    assert "I don't know the command *frobnicate*" in unknown["blocks"][0]["text"]["text"]
    assert help_.body["blocks"][0]["text"]["text"] == "Backlinks bot commands"


async def test_mentions_are_escaped_in_everything_echoed(slack):
    response = await slack.command("<!channel> <@U999> <!here>")
    text = await response.text()
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    view = await open_modal(slack, "plan rd=<!here>")
    context = next(b for b in view["blocks"] if b["type"] == "context")
    assert "&lt;!here&gt;" in context["elements"][0]["text"] and "<!here>" not in json.dumps(view)


async def test_show_posts_the_channel_plan_and_details_only_to_the_clicker(slack):
    response = await slack.command("show")
    assert "There is no plan for this channel yet" in await response.text()
    view = await open_modal(slack)
    await slack.submit(view, ANSWERS)
    await slack.standin.wait_for("chat.postMessage")
    response = await slack.command("show")
    shown = json.loads(await response.text())
    assert shown["response_type"] == "in_channel", "the plan is shown to the whole channel"
    assert shown["blocks"][0]["text"]["text"] == "Backlink plan for example.com"
    before = len(slack.standin.of("respond"))
    await slack.press("details")
    details = (await slack.standin.wait_for("respond", before + 1))[-1]
    assert details.body["response_type"] == "ephemeral" and details.body["replace_original"] is False
    assert "The figures behind the plan" in json.dumps(details.body)
    await slack.press("replan")
    calls = await slack.standin.wait_for("views.open", 2)
    inputs = {b["block_id"]: b for b in calls[-1].body["view"]["blocks"] if b["type"] == "input"}
    assert inputs["site"]["element"]["initial_value"] == "example.com"  # previous answers pre-filled
    assert [o["value"] for o in inputs["strategies"]["element"]["initial_options"]] == ["guest_posting", "outreach"]


async def test_a_bad_signature_or_a_stale_timestamp_gets_401(slack):
    body = urllib.parse.urlencode(
        {
            "command": "/backlinks",
            "text": "help",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "response_url": slack.standin.response_url(),
            "trigger_id": "t",
        }
    )
    assert (await slack.post(body, secret="not-the-secret")).status == 401
    assert (await slack.post(body, timestamp=int(time.time()) - 6 * 60)).status == 401
    response = await slack.post(body)
    assert response.status == 200 and "Backlinks bot commands" in await response.text()
    # (the signed one asked Slack for the person's locale: the channel chose no language)
    assert [c.method for c in slack.standin.calls] == ["auth.test", "users.info"], "only the signed one was handled"


async def test_two_channels_and_two_workspaces_are_isolated(slack, db_path):
    slack.standin.tokens["xoxb-T1"] = "T1"
    view = await open_modal(slack, team="T1", channel="C1")
    await slack.submit(view, ANSWERS, team="T1")
    await slack.standin.wait_for("chat.postMessage")
    for team, channel in (("T1", "C2"), ("T2", "C1")):
        response = await slack.command("show", team=team, channel=channel)
        assert "There is no plan for this channel yet" in await response.text()
        view = await open_modal(slack, team=team, channel=channel)
        inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
        assert "initial_value" not in inputs["site"]["element"], "no answers leak from another channel"
    assert [(t, c) for t, c, *_ in plans(db_path)] == [("T1", "C1")]


async def test_a_channel_the_bot_is_not_in_gets_the_plan_through_the_response_url(slack, db_path):
    slack.standin.refuse["chat.postMessage"] = "not_in_channel"
    view = await open_modal(slack, channel="G-private")
    await slack.submit(view, ANSWERS)
    [posted] = await slack.standin.wait_for("respond")
    assert posted.body["response_type"] == "in_channel"
    assert "Backlink plan for example.com" in json.dumps(posted.body)


async def test_a_failure_gives_a_clear_private_message(slack):
    await slack.store.engine.dispose()
    async with slack.store.engine.begin() as connection:  # the database loses a table under the bot
        from sqlalchemy import text

        await connection.execute(text("DROP TABLE drafts"))
    response = await slack.command("plan")
    told = json.loads(await response.text())
    assert response.status == 200 and told["response_type"] == "ephemeral"
    assert "something went wrong on our side" in told["text"]
    await slack.press("replan")  # after a button's ack the message goes to its response_url
    [told] = await slack.standin.wait_for("respond")
    assert told.body["response_type"] == "ephemeral" and "something went wrong on our side" in told.body["text"]


async def test_an_oauth_install_stores_the_installation_and_the_bot_answers_with_its_token(
    slack_settings, standin, db_path
):
    settings = slack_settings.model_copy(
        update={"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": SecretStr("s3cret")}
    )
    slack, runner = await serve(settings, standin)
    try:
        install = await slack.session.get(f"{slack.url}/slack/install", allow_redirects=False)
        page = await install.text()
        assert install.status == 200 and "slack.com/oauth/v2/authorize" in page and "client_id=111.222" in page
        state = re.search(r"state=([\w-]+)", page).group(1)
        cookie = install.headers["Set-Cookie"].split(";")[0]  # a Secure cookie: sent back by hand over http
        assert rows(db_path, "SELECT count(*) FROM slack_oauth_states") == [(1,)]

        done = await slack.session.get(
            f"{slack.url}/slack/oauth_redirect?code=code-T2&state={state}", headers={"Cookie": cookie}
        )
        assert done.status == 200, await done.text()
        [access] = standin.of("oauth.v2.access")
        assert access.body["code"] == "code-T2"
        assert rows(db_path, "SELECT team_id, bot_token, client_id FROM slack_bots") == [("T2", "xoxb-T2", "111.222")]
        assert rows(db_path, "SELECT team_id, user_id FROM slack_installations") == [("T2", "UINSTALLER")]
        assert rows(db_path, "SELECT count(*) FROM slack_oauth_states") == [(0,)], "the state is used once"

        await slack.command("plan", team="T2", channel="C9")
        [opened] = await standin.wait_for("views.open")
        assert opened.token == "xoxb-T2", "the bot answers in that workspace with that workspace's token"
        await slack.command("plan", team="T3", channel="C9")  # a workspace that never installed the app
        await asyncio.sleep(0.3)
        assert len(standin.of("views.open")) == 1

        response = await slack.event("T2", {"type": "app_uninstalled"})
        assert response.status == 200
        deadline = time.monotonic() + 5
        # slack_sdk deletes the bot, then the installation, in two transactions: wait for both.
        gone = "SELECT (SELECT count(*) FROM slack_bots) + (SELECT count(*) FROM slack_installations)"
        while rows(db_path, gone) != [(0,)] and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert rows(db_path, "SELECT count(*) FROM slack_bots") == [(0,)], "uninstalling forgets the token"
        assert rows(db_path, "SELECT count(*) FROM slack_installations") == [(0,)]
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


async def test_healthz_reports_the_database(slack):
    response = await slack.session.get(f"{slack.url}/healthz")
    assert response.status == 200 and await response.json() == {"ok": True, "database": "ok"}


async def test_a_refused_or_unreachable_slack_stops_the_start_with_a_clear_reason(slack_settings, standin):
    from adapters.slack.server import SlackStartError, check_tokens

    await check_tokens(slack_settings)  # the stand-in knows xoxb-T1
    wrong = slack_settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-revoked")})
    with pytest.raises(SlackStartError, match="Slack refused SLACK_BOT_TOKEN: invalid_auth"):
        await check_tokens(wrong)
    nowhere = slack_settings.model_copy(update={"slack_api_url": "http://127.0.0.1:9/api/"})
    with pytest.raises(SlackStartError, match="cannot reach Slack's Web API at http://127.0.0.1:9/api/"):
        await check_tokens(nowhere)


async def test_time_zones_are_remembered_for_a_bounded_number_of_users_and_read_again_later(
    slack_settings, standin, monkeypatch
):
    import adapters.slack.app

    monkeypatch.setattr(adapters.slack.app, "ZONE_CACHE_USERS", 2)
    monkeypatch.setattr(adapters.slack.app, "ZONE_CACHE_SECONDS", 0.5)
    slack, runner = await serve(slack_settings, standin)

    async def asked_about(user: str) -> bool:
        before = len(standin.of("users.info"))
        await slack.command("remind", user=user)
        return len(standin.of("users.info")) > before

    try:
        assert [await asked_about(u) for u in ("U1", "U2", "U3")] == [True, True, True]
        assert not await asked_about("U3"), "remembered"
        assert await asked_about("U1"), "the least recently asked was forgotten: at most two are kept"
        await asyncio.sleep(0.6)
        assert await asked_about("U1"), "read again once it may have changed"
    finally:
        await slack.session.close()
        await runner.cleanup()
        await slack.store.close()


async def test_an_inline_answer_the_validators_refuse_is_named_above_the_form(slack):
    view = await open_modal(slack, "plan site=exa\u202emple.com referring_domains=140 colour=blue")
    notes = [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]
    said = "\n".join(notes)
    assert "*Site (domain or URL)* was left out of the form: “exa&lt;U+202E&gt;mple.com” is not a domain." in said
    assert "colour" in said, "a name that is no question is said too"
    assert "\u202e" not in json.dumps(view, ensure_ascii=False)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["referring_domains"]["element"]["initial_value"] == "140"
    assert "initial_value" not in inputs["site"]["element"]


async def test_web_api_calls_build_no_debug_line_that_would_not_be_shown(slack_settings, standin, monkeypatch):
    # slack_sdk builds its debug line of every call (the whole message sent and the answer) when its
    # logger's own level is unset, whatever the level in effect; the adapter sets it, so at WARNING
    # a call costs no formatting of the message, and at DEBUG the lines still come.
    import logging

    sdk = logging.getLogger("slack_sdk.web.async_base_client")
    lines: list[str] = []
    monkeypatch.setattr(sdk, "debug", lambda message, *args, **kwargs: lines.append(message))
    for level, shown in ((logging.WARNING, False), (logging.DEBUG, True)):
        monkeypatch.setattr(sdk, "level", logging.NOTSET)  # as slack_sdk leaves it
        monkeypatch.setattr(logging.getLogger(), "level", level)
        bot, runner = await serve(slack_settings, standin)
        try:
            lines.clear()
            await bot.adapter.app.client.chat_postMessage(channel="C1", text="hello")
            assert bool(lines) is shown, (level, lines)
        finally:
            await bot.session.close()
            await runner.cleanup()
            await bot.store.close()
