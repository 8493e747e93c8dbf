"""The chart drawing processes (bot/monthly/drawers.py) end with the process that started them.

The real `backlinks reminders run-once`, sending the check-ins (each with its chart) of a few
thousand terminal channels, is SIGKILLed mid-run, as a supervisor or the OOM killer does. Its
stdout and stderr are pipes, read as a supervisor reads them: they must reach end-of-file at once
(nothing left holds them), and none of its child processes may be left running."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from processes import BACKLINKS, CLEAN
from reminder_worker import DUE, populate

from bot.monthly import drawers
from bot.storage.store import Store

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")

CHANNELS = 3000  # a run of several seconds, each check-in with its own chart: killed in the middle of it
GONE_WITHIN = 5.0  # seconds


def stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return fields[0], int(fields[1])


def children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (seen := stat(int(entry.name))) is not None and seen[1] == parent:
            found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a zombie holds no memory and no file; whoever adopted it reaps it)."""
    seen = stat(pid)
    return seen is not None and seen[0] != "Z"


class Reader(threading.Thread):
    """Reads a pipe to its end, as a supervisor does, noting when the end came."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.ended_at: float | None = None

    def run(self) -> None:
        while self.pipe.read(65536):
            pass
        self.ended_at = time.monotonic()


async def test_a_sigkilled_run_leaves_no_drawer_and_its_pipes_end(tmp_path):
    db = tmp_path / "bot.db"
    store = await Store.open(f"sqlite:///{db}")
    await populate(store, CHANNELS, platform="console")
    async with store.engine.begin() as connection:  # each channel's own profile: every chart differs
        change = "UPDATE plans SET answers = json_set(answers, '$.referring_domains', 100 + channel_id)"
        await connection.execute(sa.text(change))
    await store.close()
    env = {k: v for k, v in CLEAN.items() if k not in ("DATABASE_URL", "BACKLINKS_DATABASE_URL")}
    command = [BACKLINKS, "reminders", "run-once", "--database", str(db), "--now", DUE.isoformat(), "--yes"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    readers = [Reader(run.stdout), Reader(run.stderr)]
    for reader in readers:
        reader.start()
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not (started := children(run.pid)):  # the first chart starts the drawing processes
            assert run.poll() is None, f"the run ended (exit {run.returncode}) before drawing a chart"
            assert time.monotonic() < deadline, "no drawing process within two minutes"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # all of them, drawing
        started |= children(run.pid)
        assert run.poll() is None, "the run ended before it could be killed mid-run"
        run.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert await asyncio.to_thread(run.wait, 10) == -signal.SIGKILL

        while (left := [pid for pid in started if running(pid)]) and time.monotonic() - killed_at < GONE_WITHIN:
            await asyncio.sleep(0.05)
        assert not left, f"{len(left)} of the run's {len(started)} child processes outlived it: {describe(left)}"
        for reader in readers:
            await asyncio.to_thread(reader.join, max(0.1, killed_at + GONE_WITHIN - time.monotonic()))
        assert all(r.ended_at is not None for r in readers), "its stdout or stderr is still held open"
    finally:
        for pid in started:  # a failing run must not leave processes behind on the machine
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.kill()


def describe(pids: list[int]) -> list[str]:
    found = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            command = "?"
        found.append(f"{pid}: {command[:120]}")
    return found


def test_a_drawer_ends_when_its_parent_closes_the_pipe():
    pool = drawers.Drawers(size=1)
    try:
        png = asyncio.run(pool.draw(request()))
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        [pid] = pool.pids()
        assert running(pid) and stat(pid)[1] == os.getpid()
    finally:
        pool.close()
    assert not running(pid)


def test_a_drawer_that_died_is_started_again():
    pool = drawers.Drawers(size=1)
    try:
        asyncio.run(pool.draw(request()))
        [first] = pool.pids()
        os.kill(first, signal.SIGKILL)
        assert asyncio.run(pool.draw(request())).startswith(b"\x89PNG")
        [second] = pool.pids()
        assert second != first
    finally:
        pool.close()


def test_a_failed_drawing_says_why_and_the_drawer_goes_on():
    pool = drawers.Drawers(size=1)
    try:
        with pytest.raises(drawers.DrawerFailed, match="KeyError: 'title'"):
            asyncio.run(pool.draw(request(labels={})))
        assert asyncio.run(pool.draw(request())).startswith(b"\x89PNG")
    finally:
        pool.close()


def request(**changed) -> bytes:
    import json

    sys.path.insert(0, str(Path(__file__).parent))
    import test_chart

    return json.dumps({"data": test_chart.fixed_data().to_json(), "labels": test_chart.LABELS, **changed}).encode()
