"""The inbox on its own (SQLite and PostgreSQL): keys, leases, claims by several processes, drain."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.inbox import Busy, Inbox


async def test_a_key_is_taken_once_and_busy_past_capacity(any_store):
    inbox = Inbox(any_store, capacity=2)
    gate = asyncio.Event()

    async def slow(_entry):
        await gate.wait()

    inbox.serve("slack", slow)
    first = await inbox.accept("slack", "k1", {"n": 1})
    assert first is not None and await inbox.accept("slack", "k1", {"n": 1}) is None  # a replay
    inbox.work(first)
    inbox.work(await inbox.accept("slack", "k2", {"n": 2}))
    with pytest.raises(Busy):
        await inbox.accept("slack", "k3", {"n": 3})
    gate.set()
    assert await inbox.idle(5) == 0
    assert await inbox.accept("slack", "k3", {"n": 3}) is not None
    assert await inbox.waiting() == 1  # k3 was taken and not worked


async def test_rows_whose_lease_ran_out_are_claimed_by_exactly_one_of_several_processes(any_store):
    dead = Inbox(any_store, lease=-1)
    for n in range(120):
        await dead.accept("slack", f"k{n}", {"n": n})
    worked: list[int] = []

    async def record(entry):
        worked.append(entry.payload["n"])

    processes = [Inbox(any_store, capacity=200) for _ in range(4)]
    for inbox in processes:
        inbox.serve("slack", record)
    for _ in range(3):  # a few rounds, all four at once
        await asyncio.gather(*(inbox.recover() for inbox in processes))
        await asyncio.gather(*(inbox.idle(5) for inbox in processes))
    assert sorted(worked) == list(range(120)), "every row worked exactly once"
    assert await processes[0].waiting() == 0


async def test_a_failing_row_is_tried_again_after_its_lease_and_given_up_after_five_attempts(any_store):
    inbox = Inbox(any_store, lease=-1)
    tries = 0

    async def broken(_entry):
        nonlocal tries
        tries += 1
        raise RuntimeError("the database went away")

    inbox.serve("discord", broken)
    inbox.work(await inbox.accept("discord", "d1", {}))
    await inbox.idle(5)
    assert await inbox.waiting() == 1  # still there, to be tried again
    for _ in range(6):
        await inbox.recover()
        await inbox.idle(5)
    assert tries == 5 and await inbox.waiting() == 0


async def test_a_stop_waits_for_the_work_in_flight_and_takes_nothing_new(any_store):
    inbox = Inbox(any_store)
    done = []

    async def takes_a_moment(entry):
        await asyncio.sleep(0.2)
        done.append(entry.key)

    inbox.serve("slack", takes_a_moment)
    inbox.work(await inbox.accept("slack", "a", {}))
    assert await inbox.drain(5) == 0 and done == ["a"]
    with pytest.raises(Busy):
        await inbox.accept("slack", "b", {})


async def test_storing_slower_than_the_deadline_is_answered_busy_and_still_worked_if_it_lands(any_store):
    inbox = Inbox(any_store)
    worked = []

    async def record(entry):
        worked.append(entry.key)

    inbox.serve("slack", record)
    # Another writer holds the database (SQLite: the one writer connection; PostgreSQL: a lock on the table).
    async with any_store.engine.begin() as connection:
        if any_store.engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("LOCK TABLE inbox IN EXCLUSIVE MODE")
        storing = asyncio.ensure_future(inbox.accept("slack", "slow", {}, within=0.2))
        with pytest.raises(Busy):
            await storing
    # The row landed once the writer let go: it is worked, and a second try of the same form is a replay.
    for _ in range(50):
        if worked:
            break
        await asyncio.sleep(0.05)
    assert worked == ["slow"]
    assert await inbox.accept("slack", "slow", {}) is None


async def test_nothing_is_taken_into_a_sqlite_file_deleted_under_the_running_bot(store, db_path):
    inbox = Inbox(store)
    assert await inbox.accept("slack", "before", {}) is not None
    db_path.unlink()
    with pytest.raises(Busy, match="is gone"):
        await inbox.accept("slack", "after", {})
