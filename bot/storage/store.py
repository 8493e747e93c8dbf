"""Persistence: the store every capability stands on (its engines, clock, migrations, health), with
plans per channel (bot/storage/plans.py) and answer drafts per channel and user (drafts.py).

SQLAlchemy 2 Core in async mode, so one query layer runs on SQLite (aiosqlite, the embedded
default, in WAL mode) and on PostgreSQL (asyncpg). Alembic owns the schema and runs at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core.events import ChannelKey
from bot.storage.db import Clock, Part, is_channel, utc_now
from bot.storage.drafts import DraftConflict, Drafts, Session
from bot.storage.group_commit import GroupCommit
from bot.storage.plans import Plans, PlanSave
from bot.storage.request_store import RequestStore
from bot.storage.schema import channels
from bot.storage.sqlite_file import DamagedDatabase, DatabaseFile, announce_if_new, sqlite_path
from bot.storage.tenants import TenantStore

log = logging.getLogger(__name__)


def async_url(url: str) -> str:
    """Accept the URLs people have (`postgres://`, `sqlite:///x.db`) and pick the async driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    return url


BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once; with WAL, synchronous=NORMAL stays
    # corruption-safe and skips an fsync per commit (only a power cut can lose the last commits);
    # the busy timeout waits out a brief lock instead of failing; foreign keys are off by default.
    # The busy timeout comes first: switching a new file to WAL takes a lock that another process
    # opening it at the same moment may hold.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Migrations are named NNNN_*.py and each revises the one before, so the newest file is the head.
MIGRATIONS = Path(__file__).parent / "migrations" / "versions"
HEAD_REVISION = max(p.name[:4] for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _at_head(connection: sa.Connection) -> bool:
    if not sa.inspect(connection).has_table("alembic_version"):
        return False
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION


# Any constant of our own: PostgreSQL advisory locks are named by a number, database-wide.
MIGRATION_LOCK = 0x6261636B6C696E6B  # "backlink"
MIGRATION_LOCK_WAIT_MS = 120_000  # another process migrating a big table may take a while


async def _lock_for_migrations(connection: AsyncConnection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends; PostgreSQL's DDL is transactional, so the migration
        # commits (or rolls back) with it.
        await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
    else:
        # SQLite: take the write lock before reading the version. The driver opens transactions
        # lazily (and not for DDL), so the lock is asked for outright; this wait is the migration's.
        await connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_LOCK_WAIT_MS}")
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


async def _checked_file(engine: AsyncEngine, path: Path) -> DatabaseFile:
    try:
        return await DatabaseFile.opened(engine, path)
    except DamagedDatabase as error:
        raise StoreError(str(error)) from None


def _migrate(connection: sa.Connection) -> None:
    # Alembic takes a few hundred milliseconds to import: every start pays it only when there is
    # something to migrate (a schema already at head is read with one query).
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "bot.storage:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class Store(Drafts, Plans):
    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now, reader: AsyncEngine | None = None):
        self.engine = engine  # writes (and reads inside a write)
        self.reader = reader or engine  # reads outside a write
        self.clock = clock
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        # Each capability's own store (bot/monthly/reminder_store.py, ...), one a kind: `ReminderStore.on(store)`.
        self._parts: dict[Callable[[Store], Any], Any] = {}
        self.tenants = TenantStore(self)  # a workspace's or a channel's data, counted and deleted
        self.requests = RequestStore(self)  # a platform request that asks for a change, claimed once
        # Plans finished at the same moment (a flood of forms worked at once) share one transaction.
        self._plan_saves: GroupCommit[PlanSave, bool | DraftConflict] = GroupCommit(self._save_plans)
        # And the sessions (draft, last answers) they read first: one query for a group.
        self._session_reads: GroupCommit[tuple[ChannelKey, str], Session] = GroupCommit(self._load_sessions)
        self.file: DatabaseFile | None = None  # a SQLite file's identity, for health
        self._file_problem: str | None = None  # logged once, when it appears

    def part(self, kind: Callable[[Store], Part]) -> Part:
        """The one instance of a capability's store (its class) on this store: built on first use,
        shared after, so what it keeps (the reminders' pause count, a group commit) is one for every
        user of this store. The store never imports a capability's store: they stand above it."""
        found = self._parts.get(kind)
        if found is None:
            found = self._parts[kind] = kind(self)
        return found

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utc_now, migrate: bool = True, pool_size: int = 5) -> Store:
        """Connect (and migrate). A wrong URL or an unreachable server raises StoreError, saying which
        database (without its password) and why."""
        try:
            return await cls._open(url, clock=clock, migrate=migrate, pool_size=pool_size)
        except StoreError:
            raise
        except (OSError, sa.exc.SQLAlchemyError, ImportError, ValueError) as error:
            raise StoreError(f"cannot open the database {_safe(url)}: {_reason(error)}") from None

    @classmethod
    async def _open(cls, url: str, *, clock: Clock, migrate: bool, pool_size: int) -> Store:
        url = async_url(url)
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise StoreError(f"{_safe(url)} is not a database this bot runs on: use sqlite:///PATH or postgresql://…")
        if path := sqlite_path(sa.engine.make_url(url)):
            if path.is_dir():  # SQLite says "unable to open database file", which reads like damage
                like = path / "backlinks.db"
                raise StoreError(f"{path} is a folder, not a database file: give a file in it, like {like}")
            path.parent.mkdir(parents=True, exist_ok=True)
            announce_if_new(path)
        reader = None
        if url.startswith("sqlite"):
            # SQLite has one writer at a time: one shared connection queues writes in the pool
            # instead of letting them fight over the file lock ("database is locked"). In WAL mode
            # readers don't block, so reads get a few connections of their own. An embedded file
            # can't drop, so no pre-ping.
            engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
            # Reads in autocommit, whose connections go back to the pool without a rollback: a
            # trip to aiosqlite's thread less per read (a read holds no transaction to end).
            reader = create_async_engine(
                url,
                pool_size=4,
                max_overflow=0,
                pool_timeout=60,
                isolation_level="AUTOCOMMIT",
                skip_autocommit_rollback=True,
            )
            for each in (engine, reader):
                event.listen(each.sync_engine, "connect", _sqlite_pragmas)
        else:
            # A server: a bounded pool, connections checked before use (so a restarted database is
            # reconnected to, not failed on) and recycled now and then. Statements prepared are kept
            # for 500 texts, not asyncpg's 100: group commits and group reads write one text per
            # group size (VALUES and IN lists of 1 to 32), and a miss is a round trip to prepare.
            server = {
                "pool_size": pool_size,
                "max_overflow": pool_size,
                "pool_timeout": 30,
                "pool_recycle": 1800,
                "pool_pre_ping": True,
                "connect_args": {"timeout": 10, "prepared_statement_cache_size": 500},
            }
            engine = create_async_engine(url, **server)
            # Reads in autocommit, as on SQLite: no BEGIN and ROLLBACK around each, and the check
            # before use is one round trip instead of three (asyncpg's ping opens a transaction).
            reader = create_async_engine(url, isolation_level="AUTOCOMMIT", **server)
        store = cls(engine, clock=clock, reader=reader)
        try:
            if path:
                store.file = await _checked_file(engine, path)
            if migrate:
                await store.upgrade()
            else:
                await store.ping_or_raise()
        except BaseException:
            await store.close()
            raise
        return store

    async def ping_or_raise(self) -> None:
        async with self.reader.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def upgrade(self) -> None:
        """Bring the schema to head, once however many processes start together: the check and the
        migration run under one lock, so the others wait, then find the schema at head."""
        async with self.engine.begin() as connection:
            await _lock_for_migrations(connection)
            if not await connection.run_sync(_at_head):
                await connection.run_sync(_migrate)

    async def ping(self) -> bool:
        """Whether the database answers, and for a SQLite file whether it is still the file at its
        path (for /healthz: a deleted file answers queries while everything written to it is lost)."""
        problem = self.file.problem() if self.file is not None else None
        if problem != self._file_problem:
            if problem:
                log.error("Unhealthy: %s. Restore the file (or restart on the right one).", problem)
            self._file_problem = problem
        if problem:
            return False
        try:
            async with self.reader.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    async def close(self) -> None:
        await self.engine.dispose()
        if self.reader is not self.engine:
            await self.reader.dispose()

    async def _channel_id(self, connection: AsyncConnection, key: ChannelKey, *, create: bool) -> int | None:
        if not create:
            query = sa.select(channels.c.id).where(is_channel(key))
            return (await connection.execute(query)).scalar_one_or_none()
        # One statement whether or not the channel exists (writers are in a transaction anyway):
        # the no-op update makes RETURNING give the id of an existing row too.
        upsert = self._insert(channels).values(
            platform=key.platform, workspace=key.workspace, channel=key.channel, created_at=self.clock()
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "workspace", "channel"], set_={"channel": upsert.excluded.channel}
        ).returning(channels.c.id)
        return (await connection.execute(upsert)).scalar_one()

    # Drafts: a questionnaire in progress.


class StoreError(RuntimeError):
    """The database can't be opened: a wrong URL, a server that doesn't answer, bad credentials."""


def _safe(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable URL)"


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return f"{type(original).__name__}: {text}"
