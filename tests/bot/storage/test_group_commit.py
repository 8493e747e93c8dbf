"""Group commit under a flood: each caller is answered once its own group is committed."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.storage.group_commit import GroupCommit


async def test_a_caller_is_answered_when_its_group_is_written_not_when_the_flood_ends():
    groups: list[int] = []

    async def write(items):
        await asyncio.sleep(0.01)  # a transaction
        groups.append(len(items))
        return items

    commit = GroupCommit(write)
    answered: dict[int, float] = {}
    began = time.monotonic()

    async def caller(n: int) -> None:
        assert await commit(n) == n
        answered[n] = time.monotonic() - began

    flood = []
    for n in range(60):  # a new caller every 5 ms for 0.3 s, so a write is always under way
        flood.append(asyncio.create_task(caller(n)))
        await asyncio.sleep(0.005)
    await asyncio.gather(*flood)
    # The first caller's row went in the first group: it waits one write or two, not the 0.3 s flood.
    assert answered[0] < 0.1, answered[0]
    assert sum(groups) == 60 and len(groups) < 60  # and the flood did share transactions


async def test_a_failed_write_fails_its_group_only_and_a_caller_gone_meanwhile_logs_nothing(caplog):
    calls = 0

    async def write(items):
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        if calls == 1:
            raise RuntimeError("disk full")
        return items

    commit = GroupCommit(write)
    first = asyncio.create_task(commit("a"))
    gone = asyncio.create_task(commit("b"))
    await asyncio.sleep(0)
    gone.cancel()  # a caller that stopped waiting (a platform's deadline) while its write went on
    with pytest.raises(RuntimeError, match="disk full"):
        await first
    assert await commit("c") == "c"
    assert "exception was never retrieved" not in caplog.text
