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


async def test_a_burst_of_show_at_once_reads_once(chat: MemoryChat, monkeypatch):
    # Sixteen people (or one client retrying) asking together, the kept reply gone: one read, one
    # composing, every one of them answered with it.
    await chat.answer_all(TYPED_ANSWERS)
    first = await chat.say("show")
    chat.engine.planning.changed([HERE])
    reads = []
    record = ProgressStore.on(chat.engine.store).channel_record

    async def counted(key):
        reads.append(key)
        return await record(key)

    monkeypatch.setattr(ProgressStore.on(chat.engine.store), "channel_record", counted)
    answers = await asyncio.gather(*(chat.say("show") for _ in range(16)))
    assert answers == [first] * 16 and reads == [HERE]


async def test_a_show_asked_after_a_change_does_not_wait_for_one_composed_before_it(chat: MemoryChat, monkeypatch):
    await chat.answer_all(TYPED_ANSWERS)
    chat.engine.planning.changed([HERE])
    reads, release = [], asyncio.Event()
    record = ProgressStore.on(chat.engine.store).channel_record

    async def held(key):
        reads.append(key)
        if len(reads) == 1:
            await release.wait()  # the first read is slow: the change lands while it is composed
        return await record(key)

    monkeypatch.setattr(ProgressStore.on(chat.engine.store), "channel_record", held)
    before = asyncio.ensure_future(chat.say("show"))
    while not reads:
        await asyncio.sleep(0)
    chat.engine.planning.changed([HERE])
    after = asyncio.ensure_future(chat.say("show"))
    async with asyncio.timeout(2):  # joined to the one composed before the change, it would read nothing
        while len(reads) < 2:
            await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(before, after)
    assert reads == [HERE, HERE]
