"""Driving the real Discord client through the plan flow on the stand-in (shared by the Discord tests)."""

from __future__ import annotations

import json

from discord_standin import DiscordStandIn
from support import TYPED_ANSWERS

from adapters.discord.client import BacklinksClient
from adapters.discord.render import FORM_PREFIX
from bot.core.settings import Settings
from bot.engine import Engine
from bot.planning import knowledge
from bot.storage.store import Store

ANSWERS = dict(TYPED_ANSWERS)
SECTIONS = {s.id: [q.id for q in s.questions] for s in knowledge.default().questionnaire.sections}
EPHEMERAL = 64


async def answered(standin: DiscordStandIn, interaction: dict) -> dict:
    """The interaction's first response (the callback body), once the bot sent it."""
    [call] = await standin.wait_for("POST", rf"/interactions/{interaction['id']}/{interaction['token']}/callback")
    return call.json


async def slash(standin, sub, options=None, **where) -> dict:
    return await answered(
        standin, await standin.dispatch_interaction(standin.slash_command(sub=sub, options=options, **where))
    )


async def submit(standin, modal: dict, values: dict[str, str], **where) -> dict:
    payload = standin.modal_submit(modal["custom_id"], values, **where)
    return await answered(standin, await standin.dispatch_interaction(payload))


async def press(standin, custom_id: str, message: dict | None = None, **where) -> dict:
    return await answered(standin, await standin.dispatch_interaction(standin.button(custom_id, message, **where)))


def inputs(modal: dict) -> dict[str, dict]:
    return {row["components"][0]["custom_id"]: row["components"][0] for row in modal["components"]}


def buttons(data: dict) -> list[str]:
    return [c["custom_id"] for row in data.get("components", []) for c in row["components"]]


async def walk_the_plan(standin, options=None, answers=ANSWERS, *, until: str | None = None, **where) -> dict:
    """`/backlinks plan`, then every section's form with Continue in between; the last response.
    With `until` (a section id), the walk stops at that section's form: the response opening it."""
    response = await slash(standin, "plan", options, **where)
    while response["type"] == 9 or "backlinks:continue" in json.dumps(response):
        if response["type"] != 9:  # "Next: …" with a Continue button
            [continue_id] = buttons(response["data"])
            response = await press(standin, continue_id, **where)
            continue
        modal = response["data"]
        if until is not None and modal["custom_id"].startswith(f"{FORM_PREFIX}{until}:"):
            return response
        response = await submit(standin, modal, {q: answers[q] for q in inputs(modal)}, **where)
    return response


def make_client(
    standin: DiscordStandIn, store: Store, *, lookups: bool = False, **settings_overrides
) -> BacklinksClient:
    """The real client on this store (`lookups`: with the data providers' clients, as `serve` builds
    them from the settings; BACKLINKS_PROVIDER_URL points them at a stand-in)."""
    settings = Settings(
        database_url="sqlite://", discord_token="token", discord_guild_id=standin.guild_id, **settings_overrides
    )
    extra = {}
    if lookups:
        from bot.app.lookups import lookups_for

        extra["lookups"] = lookups_for(store, settings)
    return BacklinksClient(engine=Engine(knowledge=knowledge.default(), store=store, **extra), settings=settings)
