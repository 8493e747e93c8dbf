"""The store against a real SQLite file: migrations, drafts, plans with history, isolation."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from support import rows

from bot.core.events import ChannelKey
from bot.storage.store import HEAD_REVISION, Store, async_url

ROOT = Path(__file__).resolve().parents[3]


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "bot.storage:migrations")
    return config


HERE = ChannelKey("slack", "T1", "C1")
HEAD = ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_the_newest_migration_file_is_alembics_head():
    assert HEAD_REVISION == HEAD, "migrations are named NNNN_*.py in order: the store checks the head by name"


def test_a_start_on_a_schema_at_head_does_not_load_alembic(db_path):
    script = (
        "import asyncio, sys\n"
        "from bot.storage.store import Store\n"
        "async def main():\n"
        f"    store = await Store.open('sqlite:///{db_path}')\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False"), first.stderr + again.stderr


async def test_migrations_create_the_schema_at_start_up_and_are_idempotent(db_path):
    store = await Store.open(f"sqlite:///{db_path}")
    await store.close()
    tables = {name for (name,) in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"channels", "plans", "drafts", "alembic_version"} <= tables
    assert rows(db_path, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    store = await Store.open(f"sqlite:///{db_path}")  # a second start finds nothing to do
    await store.close()
    assert rows(db_path, "SELECT version_num FROM alembic_version") == [(HEAD,)]


async def test_sqlite_runs_in_wal_mode(store, db_path):
    await store.save_draft(HERE, "U1", {"answers": {}})
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_a_draft_is_upserted_not_duplicated(any_store):
    store = any_store
    await store.save_draft(HERE, "U1", {"answers": {"site": "a.com"}})
    await store.save_draft(HERE, "U1", {"answers": {"site": "b.com"}})
    assert await store.load_draft(HERE, "U1") == {"answers": {"site": "b.com"}}
    async with store.engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT count(*) FROM drafts"))).scalar_one() == 1
    assert await store.load_draft(HERE, "U2") is None
    assert await store.drop_draft(HERE, "U1") is True
    assert await store.drop_draft(HERE, "U1") is False


async def test_saving_a_plan_drops_the_draft_in_the_same_transaction(any_store):
    store = any_store
    await store.save_draft(HERE, "U1", {"answers": {"site": "a.com"}})
    await store.save_draft(HERE, "U2", {"answers": {"site": "b.com"}})
    await store.save_plan(HERE, "U1", {"site": "a.com"}, {"site": "a.com", "target": {"low": 1, "high": 2}})
    assert await store.load_draft(HERE, "U1") is None
    assert await store.load_draft(HERE, "U2") is not None, "another user's draft is untouched"


async def test_history_is_kept_and_the_newest_plan_is_current(any_store):
    moments = iter(dt.datetime(2026, 11, d, 9, 0, tzinfo=dt.UTC) for d in range(1, 30))
    store = Store(any_store.engine, clock=lambda: next(moments))
    for n in range(3):
        await store.save_plan(HERE, f"U{n}", {"n": n}, {"n": n})
    current = await store.current_plan(HERE)
    assert current.plan == {"n": 2} and current.created_by == "U2" and current.earlier == 2
    assert current.created_at.tzinfo is not None
    history = await store.plan_history(HERE)
    assert [h.plan["n"] for h in history] == [2, 1, 0]
    assert history[0].created_at > history[1].created_at > history[2].created_at


async def test_channels_are_keyed_by_platform_workspace_and_channel(any_store):
    store = any_store
    keys = [
        ChannelKey("slack", "T1", "C1"),
        ChannelKey("slack", "T2", "C1"),
        ChannelKey("discord", "T1", "C1"),
        ChannelKey("slack", "T1", "C2"),
    ]
    for n, key in enumerate(keys):
        await store.save_plan(key, "U1", {"n": n}, {"n": n})
        await store.save_draft(key, "U1", {"n": n})
    for n, key in enumerate(keys):
        assert (await store.current_plan(key)).plan == {"n": n}
        assert (await store.load_draft(key, "U1")) == {"n": n}
        assert (await store.current_plan(key)).earlier == 0
    assert await store.current_plan(ChannelKey("slack", "T3", "C1")) is None
    assert await store.plan_history(ChannelKey("slack", "T3", "C1")) == []


def test_database_urls_people_have_are_accepted():
    assert async_url("postgres://u:p@h:5432/db") == "postgresql+asyncpg://u:p@h:5432/db"
    assert async_url("postgresql://h/db") == "postgresql+asyncpg://h/db"
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


async def test_plans_finished_at_the_same_moment_are_saved_together_each_with_its_own_outcome(any_store):
    """A flood of forms worked at once: their plans share a transaction, and what one of them meets
    (a draft finished elsewhere, a submission worked twice) is that one's alone."""
    import asyncio

    from bot.storage.drafts import DraftConflict

    store = any_store
    mine, theirs = ChannelKey("slack", "T1", "C7"), ChannelKey("slack", "T1", "C8")
    await store.save_draft(mine, "U1", {"answers": {}}, expected=None)  # U1's draft at version 1
    reminder = ({"day": 1}, dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC))
    commits = []
    sa.event.listen(store.engine.sync_engine, "commit", lambda _connection: commits.append(1))
    outcomes = await asyncio.gather(
        store.save_plan(mine, "U1", {"n": 1}, {"n": 1}, expected=1, first_reminder=reminder, request="r1"),
        store.save_plan(mine, "U2", {"n": 2}, {"n": 2}, expected=5, first_reminder=reminder, request="r2"),
        store.save_plan(theirs, "U3", {"n": 3}, {"n": 3}, first_reminder=reminder, request="r3"),
        store.save_plan(theirs, "U3", {"n": 3}, {"n": 3}, first_reminder=reminder, request="r3"),  # worked twice
        store.save_plan(theirs, "U4", {"n": 4}, {"n": 4}, first_reminder=reminder, request="r4"),
        return_exceptions=True,
    )
    first, conflict, third, again, fourth = outcomes
    assert first is True, "the first plan in C7 starts its reminders"
    assert isinstance(conflict, DraftConflict), "U2's draft was never at version 5: that plan alone is refused"
    assert third is True and again is False and fourth is False  # C8's reminder once; r3 stored once
    async with store.engine.connect() as connection:
        stored = sorted((await connection.execute(sa.text("SELECT request FROM plans"))).scalars())
        drafts = (await connection.execute(sa.text("SELECT count(*) FROM drafts"))).scalar_one()
        reminders = (await connection.execute(sa.text("SELECT count(*) FROM reminders"))).scalar_one()
    assert stored == ["r1", "r3", "r4"] and drafts == 0 and reminders == 2
    assert len(commits) <= 2, f"{len(commits)} transactions for five plans saved at once"


async def test_a_submission_another_process_stores_meanwhile_is_one_plan_not_an_error(postgres_url_at_head):
    """Two processes work one submission (a lease ran out while the first worked it): the second
    commits its plan between the first one's look for the request and its insert. The first is told
    'already stored'; nothing fails, nothing is doubled (before: a UniqueViolation rolled back the
    whole group of plans saved with it, and a traceback was logged)."""
    import asyncio
    import threading

    store = await Store.open(postgres_url_at_head)
    other = await Store.open(postgres_url_at_head, migrate=False)
    here = ChannelKey("slack", "T1", "C9")
    await other.save_plan(here, "U0", {"n": 0}, {"n": 0}, request="r0")  # the channel exists

    def the_other_process_stores_it_first() -> None:
        async def store_it() -> None:
            twin = await Store.open(postgres_url_at_head, migrate=False)
            # (in another channel: this one's row is locked by the first one's open transaction)
            await twin.save_plan(ChannelKey("slack", "T1", "C10"), "U1", {"n": 1}, {"n": 1}, request="r1")
            await twin.close()

        asyncio.run(store_it())

    raced = []

    def before(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PLANS") and not raced:
            raced.append(statement)
            worker = threading.Thread(target=the_other_process_stores_it_first)
            worker.start()
            worker.join(30)
            assert not worker.is_alive(), "the other process could not store meanwhile"

    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", before)
    outcomes = await asyncio.gather(
        store.save_plan(here, "U1", {"n": 1}, {"n": 1}, request="r1"),
        store.save_plan(here, "U2", {"n": 2}, {"n": 2}, request="r2"),  # saved in the same group
    )
    assert raced and outcomes == [False, False]  # no first reminder: r0's plan made the channel's
    async with store.engine.connect() as connection:
        stored = sorted((await connection.execute(sa.text("SELECT request FROM plans"))).scalars())
    await store.close()
    await other.close()
    assert stored == ["r0", "r1", "r2"]


async def test_sessions_asked_for_at_the_same_moment_are_read_in_one_query_each_its_own(any_store):
    """A flood of forms worked at once reads its sessions together: each caller gets its own draft
    (by channel and user) and its own channel's last answers, whatever else the group holds."""
    import asyncio

    store = any_store
    one, two, empty = ChannelKey("slack", "T1", "C1"), ChannelKey("slack", "T1", "C2"), ChannelKey("slack", "T9", "C1")
    await store.save_plan(one, "U1", {"n": 1}, {"n": 1})
    await store.save_plan(one, "U1", {"n": 2}, {"n": 2})
    await store.save_draft(one, "U1", {"answers": {"site": "a.com"}})
    await store.save_draft(one, "U2", {"answers": {"site": "b.com"}})
    await store.save_draft(two, "U1", {"answers": {"site": "c.com"}})
    await store.save_draft(two, "U1", {"answers": {"site": "d.com"}})  # version 2
    queries = []
    sa.event.listen(store.reader.sync_engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    asked = [(one, "U1"), (one, "U2"), (one, "U3"), (two, "U1"), (two, "U2"), (empty, "U1"), (one, "U1")]
    sessions = await asyncio.gather(*(store.load_session(key, user) for key, user in asked))
    assert [(s.draft, s.version, s.answers) for s in sessions] == [
        ({"answers": {"site": "a.com"}}, 1, {"n": 2}),
        ({"answers": {"site": "b.com"}}, 1, {"n": 2}),
        (None, None, {"n": 2}),
        ({"answers": {"site": "d.com"}}, 2, None),
        (None, None, None),
        (None, None, None),
        ({"answers": {"site": "a.com"}}, 1, {"n": 2}),
    ]
    assert len(queries) == 1, queries
