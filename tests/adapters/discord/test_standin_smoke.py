"""The real discord.py client against the Discord stand-in: sync, slash commands, modals, buttons, restarts."""

from __future__ import annotations

import asyncio
import logging
import time

import discord
import pytest
from discord import app_commands
from discord_standin import DiscordStandIn, steer_discord

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning")

DONE_ID = "backlinks:done"


class PlanModal(discord.ui.Modal, title="Plan backlinks"):
    site = discord.ui.TextInput(label="Site", custom_id="site")
    links = discord.ui.TextInput(label="Links a month", custom_id="links")

    def __init__(self, client: SmokeClient) -> None:
        super().__init__(timeout=60)
        self.client = client

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.client.seen.append(("modal", self.site.value, self.links.value))
        await interaction.response.send_message(f"Planned {self.links.value} links for {self.site.value}")


class DoneView(discord.ui.View):
    """Persistent: no timeout and a stable custom_id, so it survives a restart."""

    def __init__(self, client: SmokeClient) -> None:
        super().__init__(timeout=None)
        self.client = client

    @discord.ui.button(label="Done", custom_id=DONE_ID, style=discord.ButtonStyle.success)
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.client.seen.append(("done", interaction.message.id, interaction.user.id))
        button.disabled = True
        await interaction.response.edit_message(content="Marked done", view=self)


class SmokeClient(discord.Client):
    def __init__(self, guild_id: int) -> None:
        super().__init__(intents=discord.Intents.none())
        self.guild = discord.Object(id=guild_id)
        self.tree = app_commands.CommandTree(self)
        self.seen: list[tuple] = []
        self.not_found: list[discord.NotFound] = []
        group = app_commands.Group(name="backlinks", description="Backlinks planning")

        @group.command(name="help", description="How this works")
        async def help_(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("Use /backlinks plan", ephemeral=True)
            except discord.NotFound as exc:
                self.not_found.append(exc)

        @group.command(name="plan", description="Plan backlinks for a site")
        async def plan(
            interaction: discord.Interaction, site: str, months: int, aggressive: bool = False, budget: float = 0.0
        ) -> None:
            self.seen.append(("plan", site, months, aggressive, budget))
            await interaction.response.send_modal(PlanModal(self))

        @group.command(name="later", description="Answers after thinking")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            sent = await interaction.followup.send("Here is your plan", wait=True)
            more = await interaction.followup.send("And one more thing", wait=True)
            edited = await interaction.edit_original_response(content="Here is your plan (edited)")
            self.seen.append(("later", sent.id, more.id, edited.id))

        self.tree.add_command(group, guild=self.guild)

    async def setup_hook(self) -> None:
        self.add_view(DoneView(self))


@pytest.fixture
async def standin(caplog):
    async with DiscordStandIn() as standin:
        with steer_discord(standin):
            yield standin
    assert standin.unexpected == [], standin.unexpected
    # discord.py logs (rather than raises) what goes wrong in commands, views and modals.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def button_message(standin: DiscordStandIn) -> dict:
    return standin.message(
        "Did you build this week's links?",
        components=[{"type": 1, "components": [{"type": 2, "style": 3, "label": "Done", "custom_id": DONE_ID}]}],
    )


async def test_real_client_syncs_and_answers_interactions(standin: DiscordStandIn) -> None:
    client = SmokeClient(standin.guild_id)
    async with standin.connected(client):
        assert standin.identified.is_set()
        assert client.user.id == standin.bot_user_id
        assert client.application_id == standin.application_id
        identify = next(f for f in standin.gateway_frames if f["op"] == 2)
        assert identify["d"]["token"] == "token" and identify["d"]["intents"] == 0

        # Sync: the group with its subcommands and typed options, for the guild.
        await client.tree.sync(guild=client.guild)
        (sync,) = standin.of("PUT", f"/applications/{standin.application_id}/guilds/{standin.guild_id}/commands")
        (command,) = sync.json
        assert command["name"] == "backlinks" and command["type"] == 1
        subs = {o["name"]: o for o in command["options"]}
        assert {name: o["type"] for name, o in subs.items()} == {"help": 1, "plan": 1, "later": 1}
        assert [(o["name"], o["type"], o["required"]) for o in subs["plan"]["options"]] == [
            ("site", 3, True),
            ("months", 4, True),
            ("aggressive", 5, False),
            ("budget", 10, False),
        ]

        # An ephemeral answer.
        help_ = await standin.dispatch_interaction(standin.slash_command(sub="help"))
        (call,) = await standin.wait_for("POST", rf"/interactions/{help_['id']}/{help_['token']}/callback")
        assert call.query == {"with_response": "1"}
        assert call.json["type"] == 4
        assert call.json["data"]["content"] == "Use /backlinks plan" and call.json["data"]["flags"] == 64
        assert standin.original(help_)["flags"] == 64

        # Typed options reach the command, which answers with a modal.
        options = {"site": "example.com", "months": 3, "aggressive": True, "budget": 99.5}
        plan = await standin.dispatch_interaction(standin.slash_command(sub="plan", options=options))
        (call,) = await standin.wait_for("POST", rf"/interactions/{plan['id']}/.+/callback")
        assert client.seen[-1] == ("plan", "example.com", 3, True, 99.5)
        assert [type(v) for v in client.seen[-1][1:]] == [str, int, bool, float]
        modal = call.json["data"]
        assert call.json["type"] == 9 and modal["title"] == "Plan backlinks"
        assert [row["components"][0]["custom_id"] for row in modal["components"]] == ["site", "links"]
        assert {row["type"] for row in modal["components"]} == {1}

        # The submission reaches the modal's on_submit with the typed values.
        submit = standin.modal_submit(modal["custom_id"], {"site": "example.com", "links": "12"})
        await standin.dispatch_interaction(submit)
        (call,) = await standin.wait_for("POST", rf"/interactions/{submit['id']}/.+/callback")
        assert client.seen[-1] == ("modal", "example.com", "12")
        assert call.json == {"type": 4, "data": {"tts": False, "content": "Planned 12 links for example.com"}}

        # Deferred "thinking", then follow-ups: the first replaces the loading message (same id).
        later = await standin.dispatch_interaction(standin.slash_command(sub="later"))
        await until(lambda: client.seen[-1][0] == "later")
        assert standin.callback(later) == {"type": 5, "data": {"flags": 64}}
        follow_ups = standin.of("POST", rf"/webhooks/{standin.application_id}/{later['token']}")
        assert [c.query["wait"] for c in follow_ups] == ["1", "1"]
        _, sent_id, more_id, edited_id = client.seen[-1]
        original = standin.original(later)
        assert sent_id == edited_id == int(original["id"]) != more_id
        assert original["content"] == "Here is your plan (edited)" and original["flags"] == 64

        # A persistent button: edit_message is callback type 7 with the updated view.
        message = button_message(standin)
        press = await standin.dispatch_interaction(standin.button(DONE_ID, message))
        (call,) = await standin.wait_for("POST", rf"/interactions/{press['id']}/.+/callback")
        assert client.seen[-1] == ("done", int(message["id"]), standin.user_id)
        assert call.json["type"] == 7 and call.json["data"]["content"] == "Marked done"
        assert call.json["data"]["components"][0]["components"][0]["disabled"] is True
        assert standin.messages[message["id"]]["content"] == "Marked done"

        # An expired interaction: the callback answers 404 10062 and discord.py raises NotFound in the command.
        late = standin.slash_command(sub="help")
        standin.expire(late["id"])
        await standin.dispatch_interaction(late)
        await until(lambda: client.not_found)
        assert client.not_found[0].code == 10062 and client.not_found[0].status == 404
        assert late["id"] not in standin.responses


async def test_persistent_button_survives_a_restart(standin: DiscordStandIn) -> None:
    message = button_message(standin)
    first = SmokeClient(standin.guild_id)
    async with standin.connected(first):
        press = await standin.dispatch_interaction(standin.button(DONE_ID, message))
        await standin.wait_for("POST", rf"/interactions/{press['id']}/.+/callback")
    assert first.is_closed()

    second = SmokeClient(standin.guild_id)  # a fresh process would build a fresh client
    async with standin.connected(second):
        assert standin.identify_count == 2
        press = await standin.dispatch_interaction(standin.button(DONE_ID, message))
        (call,) = await standin.wait_for("POST", rf"/interactions/{press['id']}/.+/callback")
        assert call.json["type"] == 7
        assert second.seen == [("done", int(message["id"]), standin.user_id)]
    assert first.seen == [("done", int(message["id"]), standin.user_id)]


async def test_gateway_reconnect_resumes_the_session(standin: DiscordStandIn) -> None:
    client = SmokeClient(standin.guild_id)
    async with standin.connected(client):
        await standin.request_reconnect()
        await until(lambda: standin.resume_count == 1)
        resume = next(f for f in standin.gateway_frames if f["op"] == 6)
        assert resume["d"]["session_id"] == client.ws.session_id
        help_ = await standin.dispatch_interaction(standin.slash_command(sub="help"))
        await standin.wait_for("POST", rf"/interactions/{help_['id']}/.+/callback")
        assert standin.identify_count == 1
