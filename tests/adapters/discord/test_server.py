"""Running the Discord adapter (adapters/discord/server.py): a Discord it cannot reach stops the
process with a clear message, not a traceback."""

from __future__ import annotations

import socket

import pytest
from discord_standin import DiscordStandIn, steer_discord

from adapters.discord.server import DiscordStartError, serve
from bot.core.settings import Settings
from bot.engine import Engine
from bot.planning import knowledge


async def test_a_discord_out_of_reach_is_a_clear_start_error(store):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    standin = DiscordStandIn()  # never started: only its addresses are used, on the closed port
    standin.port = port
    settings = Settings(_env_file=None, database_url="sqlite://", discord_token="token")
    with steer_discord(standin), pytest.raises(DiscordStartError, match="cannot reach Discord"):
        await serve(Engine(knowledge=knowledge.default(), store=store), settings)
