"""Reminder loops in three real processes sharing one database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from processes import BACKLINKS
from reminder_worker import populate

from bot.monthly.reminders import CONCURRENCY
from bot.storage.store import HEAD_REVISION, Store

WORKER = Path(__file__).resolve().parents[1] / "helpers" / "reminder_worker.py"
CHANNELS = 1000
IN_FLIGHT = CONCURRENCY  # sends a loop has posted or is posting and has not recorded yet, at most


def start(
    url: str, owner: str, out: Path, *, lease: float, delay: float, extra: tuple = (), gate: Path | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, owner, str(out), str(lease), str(delay), *map(str, extra)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "REMINDER_WORKER_GATE": str(gate)} if gate else None,
    )


async def opened(gate: Path, owners: list[str]) -> None:
    """Lets the workers go together, once each has started and opened its store."""
    deadline = time.monotonic() + 120
    while not all(Path(f"{gate}.{owner}").exists() for owner in owners):
        assert time.monotonic() < deadline, "a worker never got ready"
        await asyncio.sleep(0.02)
    gate.touch()


def sent(paths: list[Path]) -> collections.Counter:
    return collections.Counter(line for p in paths if p.exists() for line in p.read_text().split())


async def prepared(store_url: str, channels: int = CHANNELS) -> None:
    store = await Store.open(store_url)
    await populate(store, channels)
    await store.close()


async def claimed_by(store_url: str, owner: str) -> int:
    """Rows still carrying the owner's claim: finish() clears it, so these were claimed and not done."""
    store = await Store.open(store_url, migrate=False)
    async with store.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM reminders WHERE claimed_by = :owner")
        held = (await connection.execute(query, {"owner": owner})).scalar_one()
    await store.close()
    return held


async def test_three_processes_send_each_channel_exactly_one_reminder(store_url, tmp_path):
    await prepared(store_url)
    outs = [tmp_path / f"w{n}.txt" for n in range(3)]
    gate, owners = tmp_path / "go", [f"w{n}" for n in range(3)]
    workers = [
        start(store_url, owner, out, lease=2, delay=0, gate=gate) for owner, out in zip(owners, outs, strict=True)
    ]
    await opened(gate, owners)
    for worker in workers:
        _, errors = await asyncio.to_thread(worker.communicate, timeout=240)
        assert worker.returncode == 0, errors[-2000:]
    counts = sent(outs)
    assert len(counts) == CHANNELS, f"missed {CHANNELS - len(counts)}"
    assert max(counts.values()) == 1, "a channel got two reminders"
    assert sum(1 for p in outs if p.exists() and p.read_text()) >= 2, "the work was shared"


async def test_a_process_killed_mid_run_leaves_no_channel_missed(store_url, tmp_path):
    await prepared(store_url)
    outs = [tmp_path / f"w{n}.txt" for n in range(3)]
    lease = 3.0
    # Slow "posting" so the kill lands mid-run, with rows claimed and not yet sent.
    workers = [start(store_url, f"w{n}", outs[n], lease=lease, delay=0.05) for n in range(3)]
    deadline = time.monotonic() + 60
    # Kill worker 0 in the middle of a batch of 50 (some of its claimed rows sent, some not).
    while not ((done := len(sent([outs[0]]))) >= 40 and 10 <= done % 50 <= 35):
        assert time.monotonic() < deadline, "worker 0 never got going"
        await asyncio.sleep(0.005)
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait()
    held = await claimed_by(store_url, "w0")
    assert held > 0, (
        f"the kill should leave rows claimed and unsent (else this tests nothing); sent {len(sent([outs[0]]))}"
    )
    for worker in workers[1:]:
        _, errors = await asyncio.to_thread(worker.communicate, timeout=240)
        assert worker.returncode == 0, errors[-2000:]
    counts = sent(outs)
    assert len(counts) == CHANNELS, f"missed {CHANNELS - len(counts)} channels after the kill"
    repeated = [c for c, n in counts.items() if n > 1]
    # Only what the killed process had in flight (posted, not yet recorded) can go out twice.
    assert len(repeated) <= IN_FLIGHT, f"{len(repeated)} channels got two reminders"
    assert all(sent([outs[0]])[c] == 1 for c in repeated), "repeats come only from the killed process"


async def test_four_processes_upgrading_a_new_database_at_once_all_succeed_and_migrate_once(empty_store_url):
    store_url = empty_store_url
    upgrades = [
        subprocess.Popen(
            [BACKLINKS, "db", "upgrade", "--database", store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for upgrade in upgrades:
        out, errors = await asyncio.to_thread(upgrade.communicate, timeout=120)
        assert upgrade.returncode == 0, errors[-2000:]
        assert out.startswith("The database schema of ") and out.rstrip().endswith(" is up to date.")
    store = await Store.open(store_url, migrate=False)
    async with store.engine.connect() as connection:
        versions = (await connection.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
    await store.close()
    assert versions == [(HEAD_REVISION,)]


async def test_a_fast_run_killed_mid_batch_repeats_at_most_the_sends_in_flight(store_url, tmp_path):
    """The terminal posts in microseconds: sends far outrun the database writes that record them.
    One run over 300 due channels (one batch, as `reminders run-once` claims 500) is SIGKILLed
    right after its 150th post; a second run after the lease sends the rest."""
    channels, batch, kill_after, lease = 300, 500, 150, 2.0
    await prepared(store_url, channels)
    first, second = tmp_path / "killed.txt", tmp_path / "after.txt"
    killed = start(store_url, "killed", first, lease=lease, delay=0, extra=(batch, kill_after))
    _, errors = await asyncio.to_thread(killed.communicate, timeout=120)
    assert killed.returncode == -signal.SIGKILL, errors[-2000:]
    assert len(sent([first])) == kill_after
    assert await claimed_by(store_url, "killed") > 0, "killed mid-batch, with rows claimed and not done"

    after = start(store_url, "after", second, lease=lease, delay=0, extra=(batch,))
    _, errors = await asyncio.to_thread(after.communicate, timeout=120)
    assert after.returncode == 0, errors[-2000:]
    counts = sent([first, second])
    assert len(counts) == channels, f"missed {channels - len(counts)} channels after the kill"
    twice = sorted(c for c, n in counts.items() if n > 1)
    # Only a send in flight at the kill (posted, not yet recorded) may go out again.
    assert len(twice) <= IN_FLIGHT, f"{len(twice)} channels got two reminders: {twice}"
