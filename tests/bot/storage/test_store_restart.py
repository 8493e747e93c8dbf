"""The database restarts under traffic (PostgreSQL): every connection is cut, the bot carries on."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from support import TYPED_ANSWERS, MemoryChat

from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.planning import knowledge
from bot.storage.store import Store


async def cut_every_connection(url: str) -> int:
    """What a server restart looks like to clients: all their connections dropped at once."""
    admin = await Store.open(url, migrate=False)
    try:
        async with admin.engine.connect() as connection:
            result = await connection.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return result.scalar_one()
    finally:
        await admin.close()


async def test_the_bot_recovers_after_the_database_drops_every_connection(postgres_url):
    store = await Store.open(postgres_url)
    try:
        engine = Engine(knowledge=knowledge.default(), store=store)
        chats = [MemoryChat(engine, ChannelKey("slack", "T1", f"C{n}"), "U1") for n in range(8)]
        for chat in chats:
            await chat.say("plan")
        failures = 0

        async def answer(chat: MemoryChat, typed: str) -> None:
            nonlocal failures
            try:
                await chat.say(typed)
            except Exception:  # in flight when the connections were cut: the adapter says "try again"
                failures += 1

        answers = [typed for _, typed in TYPED_ANSWERS]
        await asyncio.gather(*(answer(c, answers[0]) for c in chats))
        traffic = asyncio.gather(*(answer(c, answers[1]) for c in chats))
        killed = await cut_every_connection(postgres_url)
        await traffic
        assert killed > 0, "there were pooled connections to cut"
        # After the cut, everything works again: each chat finishes its plan.
        for chat in chats:
            draft = await store.load_draft(chat.channel, "U1")
            done = len(draft["answers"]) + len(draft["skipped"])
            for typed in answers[done:]:
                reply = await chat.say(typed)
        assert "Backlink plan for example.com" in reply
        assert all([await store.current_plan(c.channel) for c in chats])
        assert failures <= len(chats)
    finally:
        await store.close()
