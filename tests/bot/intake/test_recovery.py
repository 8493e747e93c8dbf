"""Rows no process holds (bot/intake/recovery.py), on SQLite and PostgreSQL: claimed after their
lease by exactly one process, tried again after a failure and given up after five attempts, shared
by a full process and worked once by another, left for a process that serves their platform."""

from __future__ import annotations

import asyncio

import pytest

from bot.intake import Busy, Intake


async def test_a_platform_this_process_does_not_serve_waits_for_one_that_does(any_store):
    web = Intake(any_store, lease=-1)  # a process that takes Discord forms but is not the one working them
    assert await web.accept("discord", "d1", {"n": 1}) is not None
    assert await web.idle(1) == 0 and await web.waiting() == 1
    worked = []

    async def record(entry):
        worked.append(entry.key)

    worker = Intake(any_store)
    worker.serve("discord", record)
    assert await worker.recover() == 1 and await worker.idle(5) == 0
    assert worked == ["d1"] and await worker.waiting() == 0


async def test_rows_whose_lease_ran_out_are_claimed_by_exactly_one_of_several_processes(any_store):
    dead = Intake(any_store, lease=-1)
    for n in range(120):
        await dead.accept("slack", f"k{n}", {"n": n})
    worked: list[int] = []

    async def record(entry):
        worked.append(entry.payload["n"])

    processes = [Intake(any_store) for _ in range(4)]
    for intake in processes:
        intake.serve("slack", record)
    for _ in range(3):  # a few rounds, all four at once
        await asyncio.gather(*(intake.recover() for intake in processes))
        await asyncio.gather(*(intake.idle(5) for intake in processes))
    assert sorted(worked) == list(range(120)), "every row worked exactly once"
    assert await processes[0].waiting() == 0


async def test_a_failing_row_is_tried_again_after_its_lease_and_given_up_after_five_attempts(any_store):
    intake = Intake(any_store, lease=-1)
    tries = 0

    async def broken(_entry):
        nonlocal tries
        tries += 1
        raise RuntimeError("the database went away")

    intake.serve("discord", broken)
    await intake.accept("discord", "d1", {})
    await intake.idle(5)
    assert await intake.waiting() == 1  # still there, to be tried again
    for _ in range(6):
        await intake.recover()
        await intake.idle(5)
    assert tries == 5 and await intake.waiting() == 0


async def test_a_full_process_shares_new_rows_and_another_process_works_them_once(any_store):
    """A web process whose workers are all busy stores new submissions unclaimed; a worker process
    (another Intake on the same database, its own loop running) claims and works each exactly once,
    while the web process's own workers are still stuck."""
    web, worker = Intake(any_store, workers=2), Intake(any_store, workers=8)
    gate, worked_here, worked_there = asyncio.Event(), [], []

    async def stuck(entry):
        worked_here.append(entry.payload["n"])
        await gate.wait()

    async def record(entry):
        worked_there.append(entry.payload["n"])

    web.serve("slack", stuck)
    worker.serve("slack", record)
    loops = [asyncio.create_task(web.run_forever(every=0.05)), asyncio.create_task(worker.run_forever(every=0.05))]
    try:
        await asyncio.sleep(0.05)  # the loops have started: sharing is on
        for n in range(40):
            assert await web.accept("slack", f"k{n}", {"n": n}) is not None
        assert web.waiting_here == 2, "only what its own two workers hold stays with the web process"
        deadline = asyncio.get_running_loop().time() + 10
        while len(worked_there) < 38 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        assert sorted(worked_here) == [0, 1] and sorted(worked_there) == list(range(2, 40))
        gate.set()
        assert await web.idle(5) == 0 and await worker.idle(5) == 0
        assert await web.waiting() == 0
    finally:
        gate.set()
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)


async def test_rows_shared_and_unclaimed_count_toward_busy(any_store):
    """No process free to claim them: the shared rows are work waiting, and past the bound a new
    submission is told to try again (nothing acked is left unbounded in the inbox)."""
    intake = Intake(any_store, workers=1, backlog_seconds=1.0)
    intake.pace = 0.1  # one worker, a tenth of a second each: a second of work is ten rows
    gate = asyncio.Event()

    async def stuck(_entry):
        await gate.wait()

    intake.serve("slack", stuck)
    loop = asyncio.create_task(intake.run_forever(every=0.05))
    try:
        await asyncio.sleep(0.05)
        # One worked, then shared rows, each accepted after the loop has counted those before it: a
        # look that reads a row in the moment between its insert and its accept counting it counts
        # it twice until the next look (one row's pace, a moment), which this test is not about.
        for n in range(12):  # one worked, eleven shared: over a second of work
            await intake.accept("slack", f"k{n}", {})
            if n >= 8:
                await asyncio.sleep(0.3)
        assert intake.waiting_here == 1
        # Counted from the database at the loop's next look (a count taken while the last insert was
        # being written may lag it by one, until the look after).
        await asyncio.sleep(0.3)
        assert intake.unclaimed == 11
        assert intake.busy == "1 s of work waiting"
        with pytest.raises(Busy):
            await intake.accept("slack", "refused", {})
        gate.set()  # its worker frees up and takes the shared rows back
        deadline = asyncio.get_running_loop().time() + 10
        while await intake.waiting() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        assert await intake.waiting() == 0 and await intake.idle(5) == 0
    finally:
        gate.set()
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
