"""Shared fixtures: a real SQLite file per test, the real knowledge, and an in-memory chat."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import platform_specs
import pytest
from postgres import create_database, drop_database
from support import MemoryChat

from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

# PostgreSQL runs in CI (.ci/run sets this); elsewhere its tests skip, saying why.
POSTGRES_URL = os.environ.get("BACKLINKS_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def knowledge():
    return knowledge_module.load()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "backlinks.db"


@pytest.fixture
async def store(db_path: Path):
    store = await Store.open(f"sqlite:///{db_path}")
    yield store
    await store.close()


@pytest.fixture
def engine(knowledge, store) -> Engine:
    return Engine(knowledge=knowledge, store=store)


@pytest.fixture
def chat(engine) -> MemoryChat:
    return MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")


def _run(coroutine):
    # Fixtures that prepare a database run outside the test's event loop, in a thread of their own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need BACKLINKS_TEST_POSTGRES_URL (.ci/run sets it), "
            "e.g. postgresql://postgres@127.0.0.1:5432/postgres"
        )
    url, name = _run(create_database(POSTGRES_URL))
    yield url
    _run(drop_database(POSTGRES_URL, name))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, db_path):
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def any_store(store_url):
    """The same store tests on the embedded default and on PostgreSQL."""
    store = await Store.open(store_url)
    yield store
    await store.close()


@pytest.fixture
async def dataforseo():
    """A loopback stand-in of DataForSEO's API (tests/helpers/dataforseo_standin.py)."""
    from dataforseo_standin import DataForSEOStandIn

    standin = DataForSEOStandIn()
    await standin.start()
    yield standin
    await standin.stop()


def pytest_sessionfinish(session):
    """A worker of a parallel run (pytest-xdist) hands its count of bodies checked against the limits
    only to the main process, which writes the summary line."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["limits_only"] = dict(platform_specs.limits_only)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The main process of a parallel run adds up what each worker counted (pytest_sessionfinish)."""
    platform_specs.limits_only.update(getattr(node, "workeroutput", {}).get("limits_only", {}))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say it when the stand-ins checked request bodies without the platforms' specs (a clone on its
    own, or BACKLINKS_PLATFORM_SPECS=none): those bodies were held to the recorded limits only. Written
    after pytest's own summary (the second half of the outermost wrapper), just above the counts, where
    it is seen. The count is this run's, its parallel workers' included: a stand-in running in another
    process (a benchmark, or a test that starts one in a subprocess) counts there, and is not in this line."""
    try:
        return (yield)
    finally:
        line = platform_specs.summary()
        if line is not None:
            terminalreporter.write_line(line, yellow=True)
