"""The bot removed from a server, and added back.

When the bot is removed from a server (GUILD_DELETE for a server it was in: discord.py calls
`on_guild_remove` only then, not for an outage, which comes with `unavailable: true` and calls
`on_guild_unavailable`), the server's data is deleted after a grace period
(BACKLINKS_REMOVAL_GRACE_DAYS); added back within it (`on_guild_join`), it keeps everything.

A removal while no process was connected sends no event: READY, at every new session, names every
server the bot is in, so `on_ready` holds that list against the servers with stored data, and
schedules (or cancels) the same deletions.

A part of BacklinksClient (adapters/discord/client.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.core.settings import Settings
    from bot.engine import Engine


class Guilds:
    engine: Engine
    settings: Settings

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        after = dt.timedelta(days=self.settings.removal_grace_days)
        await self.engine.store.tenants.schedule_deletion("discord", str(guild.id), after=after, reason="removed")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.engine.store.tenants.cancel_deletion("discord", str(guild.id))

    async def on_ready(self) -> None:
        # self.guilds: every server READY named, the unavailable ones (an outage) too.
        present = {str(guild.id) for guild in self.guilds}
        after = dt.timedelta(days=self.settings.removal_grace_days)
        await self.engine.store.tenants.reconcile("discord", present, after=after, removed=frozenset({"removed"}))
