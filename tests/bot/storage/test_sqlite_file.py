"""A SQLite file that tells the truth: deleted, replaced, damaged or new, the store says so."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import BACKLINKS, CLEAN, free_port

from bot.core.events import ChannelKey
from bot.storage.store import Store, StoreError

HERE = ChannelKey("console", "local", "console")


async def test_a_file_deleted_under_a_running_store_makes_it_unhealthy(store, db_path, caplog):
    assert await store.ping()
    db_path.unlink()
    with caplog.at_level(logging.ERROR, logger="bot.storage.store"):
        assert not await store.ping()
        assert not await store.ping()
    [record] = caplog.records  # said once, not at every health check
    assert f"the database file {db_path} is gone" in record.getMessage()


async def test_a_file_replaced_at_its_path_makes_the_store_unhealthy(store, db_path):
    await store.save_plan(HERE, "alice", {"site": "example.com"}, {"target": [3, 5]})
    moved = db_path.with_name("moved.db")
    db_path.rename(moved)
    shutil.copyfile(moved, db_path)  # the same bytes, another file: this store still writes to `moved`
    assert not await store.ping()


async def damaged(db_path: Path) -> Path:
    store = await Store.open(f"sqlite:///{db_path}")
    for n in range(200):
        await store.save_plan(ChannelKey("slack", "T1", f"C{n}"), "alice", {"n": n}, {"why": "x" * 500})
    await store.close()
    page = 4096
    with open(db_path, "r+b") as file:  # garbage over some pages in the middle, as a bad disk writes
        file.seek(page * 3)
        file.write(os.urandom(page * 4))
    return db_path


async def test_a_damaged_file_is_refused_at_start_naming_the_file_and_the_check(db_path):
    await damaged(db_path)
    started = time.perf_counter()
    with pytest.raises(StoreError, match=rf"the database file {db_path} is damaged \(PRAGMA quick_check: "):
        await Store.open(f"sqlite:///{db_path}")
    assert time.perf_counter() - started < 5


async def test_a_file_that_is_not_a_database_at_all_is_refused_the_same_way(db_path):
    db_path.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    with pytest.raises(
        StoreError, match=rf"the database file {db_path} is damaged \(PRAGMA quick_check: .*not a database"
    ):
        await Store.open(f"sqlite:///{db_path}")


async def test_a_new_database_beside_another_one_is_announced_loudly(tmp_path, caplog):
    (tmp_path / "backlinks.db").write_bytes(b"an older database")
    with caplog.at_level(logging.INFO, logger="bot.storage.sqlite_file"):
        store = await Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    await store.close()
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert f"Creating a NEW, EMPTY database at {tmp_path / 'bot.db'}" in record.getMessage()
    assert "its folder holds backlinks.db" in record.getMessage()


async def test_a_first_database_is_announced_quietly_and_a_reopened_one_not_at_all(db_path, caplog):
    with caplog.at_level(logging.INFO, logger="bot.storage.sqlite_file"):
        await (await Store.open(f"sqlite:///{db_path}")).close()
        await (await Store.open(f"sqlite:///{db_path}")).close()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, f"Creating a new database at {db_path}.")
    ]


def healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_healthz_turns_503_when_the_database_file_is_deleted_and_the_log_says_which(tmp_path):
    port, db = free_port(), tmp_path / "bot.db"
    env = {**CLEAN, "PORT": str(port), "BACKLINKS_HOST": "127.0.0.1", "DATABASE_URL": f"sqlite:///{db}"}
    process = subprocess.Popen([BACKLINKS, "serve", "--role", "web"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert healthz(port)[0] == 200
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "no /healthz within 30 s"
                time.sleep(0.2)
        db.unlink()
        assert healthz(port)[0] == 503
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    finally:
        process.kill()
    assert f"Unhealthy: the database file {db} is gone" in errors
