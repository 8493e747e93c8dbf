"""The real discord.py client against the gateway and REST stand-in, on a real SQLite store."""

from __future__ import annotations

import pytest
from discord_flow import make_client
from discord_standin import DiscordStandIn, steer_discord

from bot.storage.store import Store


@pytest.fixture
async def standin(caplog):
    async with DiscordStandIn() as standin:
        with steer_discord(standin):
            yield standin
    assert standin.unexpected == [], standin.unexpected
    # Every body the bot sent is one Discord accepts (schema and documented limits).
    assert standin.invalid == [], [(c.method, c.path, c.status) for c in standin.invalid]


@pytest.fixture
async def store(migrated_db):
    store = await Store.open(f"sqlite:///{migrated_db}")
    yield store
    await store.close()


@pytest.fixture
async def bot(standin, store):
    client = make_client(standin, store)
    async with standin.connected(client):
        yield client
