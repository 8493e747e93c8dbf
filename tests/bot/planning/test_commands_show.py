"""`show` through the real engine and a real SQLite file: what it says, and that the reply it keeps
for a moment (bot/planning/commands.py, SHOWN_SECONDS) never hides a change: one made in this
process shows at once, one made by another process (another engine on the same file) within the
moment, and a second `show` in the moment reads nothing."""

from __future__ import annotations

import asyncio

import pytest
from support import TYPED_ANSWERS, MemoryChat

from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.progress_store import ProgressStore
from bot.planning import commands as planning
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

HERE = ChannelKey("memory", "team-1", "general")


def this_month(reply: str) -> str:
    return next(line for line in reply.splitlines() if "(this month)" in line or "✓" in line)


async def test_a_log_in_this_process_shows_at_once(chat: MemoryChat):
    await chat.answer_all(TYPED_ANSWERS)
    first = await chat.say("show")
    assert "Backlink plan for example.com" in first and ": 0 / " in this_month(first)
    await chat.say("log 2")
    assert ": 2 / " in this_month(await chat.say("show"))
    await chat.say("remind off")
    await chat.say("log 1")
    assert ": 3 / " in this_month(await chat.say("show"))


async def test_another_processs_log_shows_within_the_moment(db_path, monkeypatch):
    monkeypatch.setattr(planning, "SHOWN_SECONDS", 0.3)
    knowledge = knowledge_module.default()
    first_store, second_store = await Store.open(f"sqlite:///{db_path}"), await Store.open(f"sqlite:///{db_path}")
    try:
        here = MemoryChat(Engine(knowledge=knowledge, store=first_store), HERE, "alice")
        elsewhere = MemoryChat(Engine(knowledge=knowledge, store=second_store), HERE, "bob")
        await here.answer_all(TYPED_ANSWERS)
        assert ": 0 / " in this_month(await here.say("show"))
        await elsewhere.say("log 4")  # another process: this one hears nothing of it
        await asyncio.sleep(0.35)
        assert ": 4 / " in this_month(await here.say("show"))
    finally:
        await first_store.close()
        await second_store.close()


async def test_a_show_again_within_the_moment_reads_nothing(chat: MemoryChat, monkeypatch):
    await chat.answer_all(TYPED_ANSWERS)
    first = await chat.say("show")
    reads = []
    record = ProgressStore.on(chat.engine.store).channel_record

    async def counted(key):
        reads.append(key)
        return await record(key)

    monkeypatch.setattr(ProgressStore.on(chat.engine.store), "channel_record", counted)
    assert await chat.say("show") == first
    assert reads == []
    chat.engine.planning.changed([HERE])
    assert await chat.say("show") == first and reads == [HERE]


@pytest.mark.parametrize("command", ["show", "why"])
async def test_a_channel_without_a_plan_is_told_how_to_make_one(chat: MemoryChat, command):
    assert "plan" in await chat.say(command)
