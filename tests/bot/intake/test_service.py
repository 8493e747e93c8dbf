"""The intake on its own (SQLite and PostgreSQL): a submission's only cost before its ack is its
durable write; work runs from a queue with its own bounded concurrency; "busy" only past a real
backlog; keys, leases, claims by several processes, drain."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from bot.intake import Busy, Intake


async def test_a_key_is_taken_once_and_each_stored_submission_is_worked(any_store):
    intake = Intake(any_store)
    worked = []

    async def record(entry):
        worked.append(entry.payload["n"])

    intake.serve("slack", record)
    first = await intake.accept("slack", "k1", {"n": 1})
    assert first is not None and await intake.accept("slack", "k1", {"n": 1}) is None  # a replay
    assert await intake.accept("slack", "k2", {"n": 2}) is not None
    assert await intake.idle(5) == 0
    assert sorted(worked) == [1, 2] and await intake.waiting() == 0


async def test_accepting_never_waits_for_working_and_a_flood_is_stored_in_few_transactions(any_store):
    intake = Intake(any_store, workers=4)
    gate = asyncio.Event()
    worked = []

    async def slow(entry):
        await gate.wait()  # the work is stuck: planning, storing and posting take their time
        worked.append(entry.key)

    intake.serve("slack", slow)
    commits = []
    event.listen(any_store.engine.sync_engine, "commit", lambda _connection: commits.append(1))
    accepted = await asyncio.gather(*(intake.accept("slack", f"k{n}", {}) for n in range(300)))
    assert all(accepted), "300 at once, none refused although not one was worked yet"
    assert worked == [] and await intake.waiting() == 300  # every one stored before its accept returned
    assert len(commits) <= 30, f"{len(commits)} transactions for 300 submissions that arrived together"
    gate.set()
    assert await intake.idle(10) == 0 and len(worked) == 300


async def test_busy_only_past_the_stated_seconds_of_work_waiting(any_store):
    intake = Intake(any_store, workers=2, backlog_seconds=1.0)
    intake.pace = 0.1  # a submission takes a worker a tenth of a second: 1 s of work is 20 waiting
    gate = asyncio.Event()

    async def stuck(_entry):
        await gate.wait()

    intake.serve("slack", stuck)
    for n in range(22):  # two taken by the workers, twenty waiting: exactly a second of work
        await intake.accept("slack", f"k{n}", {})
    assert intake.busy is None
    await intake.accept("slack", "one-more", {})
    assert intake.busy == "1 s of work waiting"
    with pytest.raises(Busy, match="s of work waiting"):
        await intake.accept("slack", "refused", {})
    gate.set()
    assert await intake.idle(10) == 0
    assert intake.busy is None and await intake.accept("slack", "refused", {}) is not None


async def test_a_stop_finishes_what_was_taken_and_takes_nothing_new(any_store):
    intake = Intake(any_store, workers=1)
    done = []

    async def takes_a_moment(entry):
        await asyncio.sleep(0.1)
        done.append(entry.key)

    intake.serve("slack", takes_a_moment)
    for key in "abc":  # one worked, two waiting in the queue
        await intake.accept("slack", key, {})
    assert await intake.drain(5) == 0 and done == ["a", "b", "c"]
    with pytest.raises(Busy, match="stopping"):
        await intake.accept("slack", "d", {})


async def test_what_a_stop_could_not_finish_stays_for_the_next_start(any_store):
    intake = Intake(any_store, workers=1)

    async def never(_entry):
        await asyncio.Event().wait()

    intake.serve("slack", never)
    for key in "ab":
        await intake.accept("slack", key, {})
    assert await intake.drain(0.2) == 2
    assert await intake.waiting() == 2  # stored, with their lease: the next start works them


async def test_storing_slower_than_the_deadline_is_answered_busy_and_still_worked_if_it_lands(any_store):
    intake = Intake(any_store)
    worked = []

    async def record(entry):
        worked.append(entry.key)

    intake.serve("slack", record)
    # Another writer holds the database (SQLite: the one writer connection; PostgreSQL: a lock on the table).
    async with any_store.engine.begin() as connection:
        if any_store.engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("LOCK TABLE inbox IN EXCLUSIVE MODE")
        storing = asyncio.ensure_future(intake.accept("slack", "slow", {}, within=0.2))
        with pytest.raises(Busy):
            await storing
    # The row landed once the writer let go: it is worked, and a second try of the same form is a replay.
    for _ in range(50):
        if worked:
            break
        await asyncio.sleep(0.05)
    assert worked == ["slow"]
    assert await intake.accept("slack", "slow", {}) is None


async def test_nothing_is_taken_into_a_sqlite_file_deleted_under_the_running_bot(store, db_path):
    intake = Intake(store)
    assert await intake.accept("slack", "before", {}) is not None
    db_path.unlink()
    with pytest.raises(Busy, match="is gone"):
        await intake.accept("slack", "after", {})
