"""Shared fixtures: a real SQLite file per test, the real knowledge, and an in-memory chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import MemoryChat

from bot import knowledge as knowledge_module
from bot.engine import Engine
from bot.events import ChannelKey
from bot.store import Store


@pytest.fixture(scope="session")
def knowledge():
    return knowledge_module.load()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "backlinks.db"


@pytest.fixture
async def store(db_path: Path):
    store = await Store.open(f"sqlite:///{db_path}")
    yield store
    await store.close()


@pytest.fixture
def engine(knowledge, store) -> Engine:
    return Engine(knowledge=knowledge, store=store)


@pytest.fixture
def chat(engine) -> MemoryChat:
    return MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
