"""The Discord adapter: a discord.py client that owns the `/backlinks` command tree.

Thin by design: answer or defer first, translate the interaction into a core event, `await
engine.handle(event)`, translate the neutral replies into embeds, buttons and modals. The client is
made of its parts, one noun each:
- commands.py: the `/backlinks` command group, built from the questionnaire and the engine's commands;
- interactions.py: answering an interaction (respond, defer, follow up, fail clearly);
- modals.py: the questionnaire's sections as modals, and their submissions into the engine's intake;
- follow_ups.py: a stored submission worked after its interaction is gone;
- buttons.py: buttons with stable custom ids, registered at start-up (they outlive a restart);
- guilds.py: the bot removed from a server, and added back;
- this module: the client's life: its parts wired, the commands synced, the intake drained at close.
"""

from __future__ import annotations

from collections import OrderedDict

import discord
from discord import app_commands

from adapters.discord.buttons import ActionButton, SectionButton
from adapters.discord.commands import backlinks_group
from adapters.discord.follow_ups import FollowUps
from adapters.discord.guilds import Guilds
from adapters.discord.interactions import Interactions
from adapters.discord.modals import Modals
from adapters.discord.render import NO_MENTIONS, DiscordRenderer
from adapters.discord.translator import CatalogTranslator
from bot.core.settings import Settings
from bot.engine import Engine

# The bot never joins a voice channel: discord.py's start-up warnings that voice support is missing
# (PyNaCl, davey) would only worry whoever reads the logs.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


class BacklinksClient(Modals, Interactions, FollowUps, Guilds, discord.Client):
    def __init__(self, *, engine: Engine, settings: Settings):
        # Only the guilds intent (not privileged): interactions arrive whatever the intents, and
        # discord.py keeps its guild state consistent with it.
        super().__init__(intents=discord.Intents(guilds=True), allowed_mentions=NO_MENTIONS)
        self.engine = engine
        self.settings = settings
        self.renderer = DiscordRenderer(engine.knowledge)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(backlinks_group(self))
        self.tree.on_error = self.on_command_error
        self.typed = {}  # a refused form's answers, as typed (modals.py)
        self._views = OrderedDict()  # a reply's buttons, made once (interactions.py)
        engine.intake.serve("discord", self._perform)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton, SectionButton)
        await self.tree.set_translator(CatalogTranslator())  # descriptions in every language we speak
        await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        if self.settings.discord_guild_id:  # a development guild sees changes at once
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    async def close(self) -> None:
        # Submissions already answered are finished (within the deadline) while the HTTP session
        # is still open; what is left stays in the inbox for the next start.
        await self.engine.intake.drain(self.settings.drain_seconds)
        await super().close()
