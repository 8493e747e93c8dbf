"""Slack in German, French and Spanish through the real Bolt app and the stand-in: `/backlinks
language …`, then help, a whole plan (the modal, the posted plan) and its check-in, each in the
channel's language; another channel stays English."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support import TYPED_ANSWERS

from adapters.slack.notify import SlackNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

ANSWERS = dict(TYPED_ANSWERS) | {"strategies": "guest_posting, outreach"}

SAID = {
    "de": ("Ab jetzt spreche ich hier Deutsch.", "Befehle von Backlinks bot", "Backlink-Plan für example.com",
           "Monatlicher Backlink-Check-in für example.com"),
    "fr": ("Désormais, je parle Français ici.", "Commandes de Backlinks bot", "Plan de backlinks pour example.com",
           "Point mensuel backlinks pour example.com"),
    "es": ("A partir de ahora hablo Español aquí.", "Comandos de Backlinks bot", "Plan de backlinks para example.com",
           "Seguimiento mensual de backlinks para example.com"),
}  # fmt: skip


@pytest.mark.parametrize("language", ["de", "fr", "es"])
async def test_a_channel_speaking_another_language(slack, slack_settings, language):
    chosen, help_heading, plan_heading, check_in_heading = SAID[language]
    slack.adapter.engine.monthly.charts = False
    assert chosen in await said(slack, f"language {language}")
    assert help_heading in await said(slack, "help")

    await slack.command("plan")
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    await slack.submit(view, ANSWERS)
    [plan] = await slack.standin.wait_for("chat.postMessage")
    assert plan_heading in json.dumps(plan.body, ensure_ascii=False)
    assert "Backlink plan for" not in json.dumps(plan.body)

    assert "Backlinks bot commands" in await said(slack, "help", channel="C2")  # another channel chose nothing

    due = dt.datetime.now(dt.UTC).replace(day=1, hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=32)
    notifier = SlackNotifier(settings=slack_settings, knowledge=knowledge.default())
    report = await ReminderLoop(checkins=slack.adapter.engine.monthly, notifiers=[notifier]).run_once(
        due.replace(day=1)
    )
    assert report.sent == 1
    check_in = slack.standin.of("chat.postMessage")[-1]
    assert check_in_heading in json.dumps(check_in.body, ensure_ascii=False)


async def said(slack, command: str, **where) -> str:
    """What a command answers on its ack (ready at once, the reply travels on it)."""
    response = await slack.command(command, **where)
    return json.dumps(json.loads(await response.text()), ensure_ascii=False)


async def test_the_plan_modal_and_its_refusals_speak_the_channels_language(slack):
    """The modal's headers, labels, hints, menus and placeholders in German, within Slack's limits;
    a log's problem and a remind's too, each naming what was typed."""
    await said(slack, "language de")
    await slack.command("plan authority=viele")
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    notes = json.dumps([b for b in view["blocks"] if b["type"] == "context"], ensure_ascii=False)
    assert "wurde im Formular weggelassen: “viele” ist keine Zahl. Gib eine Zahl von 0 bis 100 an, z. B. 35." in notes
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    headers = [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]
    assert view["title"]["text"] == "Backlink-Plan" and "Autorität" in headers
    assert inputs["site"]["label"]["text"] == "Für welche Website ist dieser Plan?"
    assert inputs["site"]["element"]["placeholder"]["text"] == "z. B. example.com"
    kinds = inputs["site_kind"]["element"]
    assert kinds["placeholder"]["text"] == "Auswählen"
    assert [o["text"]["text"] for o in kinds["options"]][:2] == ["lokales Unternehmen", "Onlineshop"]
    assert inputs["site_kind"]["hint"]["text"].startswith("Die Art ändert den Rat")
    for block in inputs.values():  # Slack's limits: 2,000 a label or hint, 150 a placeholder, 75 an option
        assert len(block["label"]["text"]) <= 2000 and len(block["hint"]["text"]) <= 2000
        assert len(block["element"].get("placeholder", {}).get("text", "")) <= 150
        assert all(len(o["text"]["text"]) <= 75 for o in block["element"].get("options", ()))
    refused = await slack.submit(view, ANSWERS | {"site": "meine Bäckerei"})  # the field's error, on the ack
    assert json.loads(await refused.text())["errors"] == {
        "site": "“meine Bäckerei” ist keine Domain. Gib eine an wie example.com oder https://example.com/."
    }
    await slack.submit(view, ANSWERS)
    await slack.standin.wait_for("chat.postMessage")
    assert "„-2“: ein Log fügt nur Links hinzu." in await said(slack, "log -2")
    assert "„40“ ist kein Tag des Monats: nimm 1 bis 31 oder last." in await said(slack, "remind day=40")


async def test_a_channel_that_chose_no_language_answers_in_each_persons_slack_locale(slack):
    """Slack tells a person's locale only when users.info is asked with include_locale: a French
    user gets French, an English one English, in the same channel; a choice made there wins."""
    slack.standin.locales.update({"U1": "fr-FR", "U2": "en-US"})
    assert "Commandes de Backlinks bot" in await said(slack, "help")
    assert "Backlinks bot commands" in await said(slack, "help", user="U2")
    asked = slack.standin.of("users.info")
    assert asked and all(str(c.body.get("include_locale")).lower() in ("1", "true") for c in asked)

    await slack.command("plan")  # the modal in the person's language too, and the plan it posts
    view = (await slack.standin.wait_for("views.open"))[-1].body["view"]
    assert view["title"]["text"] == "Plan de backlinks"
    await slack.submit(view, ANSWERS)
    [plan] = await slack.standin.wait_for("chat.postMessage")
    assert "Plan de backlinks pour example.com" in json.dumps(plan.body, ensure_ascii=False)

    await said(slack, "language es", user="U2")  # the channel's choice, for everyone in it
    assert "Comandos de Backlinks bot" in await said(slack, "help")


async def test_a_failure_is_apologised_for_in_the_channels_language(slack):
    """The database loses a table under the bot: the apology on the ack is in German, as the channel speaks."""
    await said(slack, "language de")
    async with slack.store.engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(text("DROP TABLE drafts"))
    told = await said(slack, "plan")
    assert "bei uns ist etwas schiefgelaufen" in told and "went wrong" not in told, told
