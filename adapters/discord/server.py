"""Running the Discord adapter: a gateway connection for the life of the process."""

from __future__ import annotations

import aiohttp
import discord

from adapters.discord.client import BacklinksClient
from bot.core.settings import Settings
from bot.engine import Engine


class DiscordStartError(RuntimeError):
    """Discord refuses the token: stop with a clear message."""


async def serve(engine: Engine, settings: Settings) -> None:
    client = BacklinksClient(engine=engine, settings=settings)
    try:
        async with client:
            await client.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        raise DiscordStartError("Discord refused DISCORD_TOKEN (improper token)") from None
    except (aiohttp.ClientError, OSError) as error:
        raise DiscordStartError(f"cannot reach Discord ({error})") from None
    except discord.PrivilegedIntentsRequired:  # cannot happen with our intents; a clear word if it does
        raise DiscordStartError("Discord asks for privileged intents this bot does not use") from None
