"""Shared fixtures: a real SQLite file per test, the real knowledge, and an in-memory chat."""

from __future__ import annotations

import asyncio
import os
import shutil
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


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory) -> Path:
    """A SQLite file that the real Store.open migrated to the schema's head, once a session (each
    parallel worker makes its own). Migrating a new file takes 50-100 ms: tests of what a store keeps
    start from a copy (`migrated_db`); the migrations are tested on new files (db_path,
    tests/bot/storage/test_store.py)."""
    path = tmp_path_factory.mktemp("at-head") / "backlinks.db"
    _run(_migrated(f"sqlite:///{path}"))
    assert not path.with_name(path.name + "-wal").exists(), "closed: everything is in the file itself"
    return path


@pytest.fixture
def migrated_db(db_path: Path, sqlite_at_head: Path) -> Path:
    """db_path, holding a copy of a database at the schema's head (`sqlite_at_head`)."""
    shutil.copyfile(sqlite_at_head, db_path)
    return db_path


@pytest.fixture
async def store(migrated_db: Path):
    store = await Store.open(f"sqlite:///{migrated_db}")
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


async def _migrated(url: str) -> None:
    store = await Store.open(url)
    await store.close()


def _needs_postgres() -> None:
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need BACKLINKS_TEST_POSTGRES_URL (.ci/run sets it), "
            "e.g. postgresql://postgres@127.0.0.1:5432/postgres"
        )


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _needs_postgres()
    url, name = _run(create_database(POSTGRES_URL))
    yield url
    _run(drop_database(POSTGRES_URL, name))


@pytest.fixture(scope="session")
def postgres_at_head():
    """The name of a PostgreSQL database that the real Store.open migrated to the schema's head, once a
    session (each parallel worker makes its own): the template of `postgres_url_at_head`. Migrating a
    new database takes about 0.3 s; the migrations are tested on empty ones (postgres_url)."""
    _needs_postgres()
    url, name = _run(create_database(POSTGRES_URL, prefix="backlinks_head"))
    _run(_migrated(url))
    yield name
    _run(drop_database(POSTGRES_URL, name))


@pytest.fixture
def postgres_url_at_head(postgres_at_head):
    """A PostgreSQL database for one test, made from `postgres_at_head` (its schema at head), dropped afterwards."""
    url, name = _run(create_database(POSTGRES_URL, template=postgres_at_head))
    yield url
    _run(drop_database(POSTGRES_URL, name))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, db_path):
    """A database of the test's own, on the embedded default and on PostgreSQL, its schema at head (a
    copy of one migrated once a session): for tests of what the store keeps."""
    if request.param == "sqlite":
        return f"sqlite:///{request.getfixturevalue('migrated_db')}"
    return request.getfixturevalue("postgres_url_at_head")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request, db_path):
    """A new, empty database of the test's own, on the embedded default and on PostgreSQL: for tests of
    migrating one."""
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


# The longest tests, measured under `dev.py test` (--durations), longest first. The parallel
# scheduler (worksteal) hands each worker a run of the collection in order and the idle ones take
# from the end of the others' runs; collected in path order these came last (tests/system/ and the
# top-level files), so one worker was still in a 20 s test after the others had finished. Started
# first, they run while the short tests fill in around them. Only the order changes.
LONGEST_FIRST = (
    "tests/test_every_plan_renders.py",
    "tests/adapters/console/test_terminal.py",
    "tests/system/test_reminder_processes.py",
    "tests/system/test_durability.py",
    "tests/bot/app/cli/test_reminders.py",
    "tests/test_platform_specs.py",
    "tests/bot/storage/test_backup.py",
    "tests/bot/planning/test_plan_reply_words.py",
    "tests/adapters/console/test_console_forget.py",
    "tests/bot/lookups/test_service_unreadable_key.py",
    "tests/system/",
)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: within a file, and for all the others, the order stays as collected
