"""Discord in German, French and Spanish through the real discord.py client and the stand-in: with
no choice made, the language each interaction's locale names (Discord sends it with every one) —
help, a whole plan through its modals, and the check-in the channel gets after a `language` choice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from discord_flow import ANSWERS, inputs, slash, submit, walk_the_plan
from discord_standin import MANAGE_GUILD_PERMISSIONS

from adapters.discord.notify import DiscordNotifier
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge

FAR = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
SAID = {
    "de": ("Befehle von Backlinks bot", "Backlink-Plan für example.com", "Monatlicher Backlink-Check-in für"),
    "fr": ("Commandes de Backlinks bot", "Plan de backlinks pour example.com", "Point mensuel backlinks pour"),
    "es": ("Comandos de Backlinks bot", "Plan de backlinks para example.com", "Seguimiento mensual de backlinks para"),
}
LOCALES = {"de": "de", "fr": "fr", "es": "es-ES"}  # as Discord names them
# The adapter's own refusal (Manage Server), said in the member's language as well.
FORBIDDEN = {
    "de": "Nur Mitglieder, die diesen Server verwalten dürfen",
    "fr": "Seuls les membres qui peuvent gérer ce serveur",
    "es": "Solo los miembros que pueden gestionar este servidor",
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
async def test_each_interaction_is_answered_in_its_locale_and_the_check_in_in_the_channels_language(
    bot, standin, language
):
    help_heading, plan_heading, check_in_heading = SAID[language]
    locale = LOCALES[language]
    answered = await slash(standin, "help", locale=locale)
    assert help_heading in json.dumps(answered["data"], ensure_ascii=False)
    assert "Backlinks bot commands" in json.dumps((await slash(standin, "help"))["data"])  # en-US: English

    done = await walk_the_plan(standin, locale=locale)
    assert plan_heading in json.dumps(done["data"], ensure_ascii=False)

    # A check-in has no person's locale: it goes out in the language the channel chose.
    refused = await slash(standin, "language", {"language": language}, locale=locale)  # a member
    assert refused["data"]["content"].startswith(FORBIDDEN[language])  # in the member's language too
    await slash(standin, "language", {"language": language}, locale=locale, permissions=MANAGE_GUILD_PERMISSIONS)
    bot.engine.monthly.charts = False
    notifier = DiscordNotifier(token="token", knowledge=knowledge.default(), http=bot.http)
    assert (await ReminderLoop(checkins=bot.engine.monthly, notifiers=[notifier]).run_once(FAR)).sent == 1
    [post] = standin.of("POST", rf"/channels/{standin.channel_id}/messages")
    assert check_in_heading in json.dumps(post.json["embeds"], ensure_ascii=False)


async def test_the_commands_are_synced_with_their_descriptions_in_every_language(bot, standin):
    [sync] = standin.of("PUT", rf"/applications/{standin.application_id}/guilds/{standin.guild_id}/commands")
    [group] = sync.json
    assert (
        group["description_localizations"]["de"]
        == "Wie viele Backlinks du jeden Monat aufbauen solltest – und dranbleiben"
    )
    subs = {o["name"]: o for o in group["options"]}
    assert subs["help"]["description_localizations"]["fr"] == "Ce que le bot sait faire (visible par vous seul)"
    assert subs["help"]["description_localizations"]["es-ES"] == "Lo que puede hacer el bot (solo para ti)"
    assert not subs["help"].get("name_localizations"), "names stay English: typed as the help shows them"
    kind = next(o for o in subs["plan"]["options"] if o["name"] == "site_kind")
    local = next(c for c in kind["choices"] if c["value"] == "local")
    assert local["name_localizations"]["de"] == "lokales Unternehmen" and local["name"] == "local business"


async def test_the_plan_modals_speak_the_interactions_language_within_discords_limits(bot, standin):
    """Each section's modal in French: its title, labels and "par ex. …" placeholders, cut to Discord's
    limits (45 a title or label, 100 a placeholder) where a translation runs longer."""
    opened = await walk_the_plan(standin, locale="fr", until="authority")
    modal = opened["data"]
    assert modal["title"].startswith("Autorité")
    fields = inputs(modal)
    assert fields["site"]["label"] == "Site (domaine ou URL)"
    assert fields["site"]["placeholder"] == "par ex. example.com"
    assert all(len(f["label"]) <= 45 and len(f.get("placeholder", "")) <= 100 for f in fields.values())
    assert len(modal["title"]) <= 45
    assert "e.g." not in json.dumps(modal)
    after = await submit(standin, modal, {q: ANSWERS[q] for q in fields}, locale="fr")
    labels = [c["label"] for row in after["data"].get("components", []) for c in row["components"]]
    assert labels and labels[0].startswith("Continuer : "), after["data"]


async def test_refused_answers_come_back_in_the_interactions_language(bot, standin):
    modal = (await walk_the_plan(standin, locale="es-ES", until="authority"))["data"]
    typed = {q: "" for q in inputs(modal)} | {"site": "example.com", "authority": "150", "referring_domains": "muchos"}
    refused = await submit(standin, modal, typed, locale="es-ES")
    content = refused["data"]["content"]
    assert "150 está fuera de rango: para puntuación de autoridad, el valor debe estar entre 0 y 100." in content
    assert "“muchos” no es un número. Escribe un número, p. ej. 140." in content
    assert "is not" not in content and "out of range" not in content
    [[button]] = [row["components"] for row in refused["data"]["components"]]
    assert button["label"] == "Corregir estas respuestas"
