"""Persistence: plans per channel (with history) and answer drafts per channel and user.

SQLAlchemy 2 Core in async mode, so one query layer runs on SQLite (aiosqlite, the embedded
default, in WAL mode) and on PostgreSQL (asyncpg). Alembic owns the schema and runs at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.core.events import ChannelKey
from bot.storage.db import Clock, utc_now
from bot.storage.group_commit import GroupCommit
from bot.storage.home_store import HomeStore
from bot.storage.lookup_store import LookupStore
from bot.storage.reminder_store import ProgressStore, ReminderStore, new_entry
from bot.storage.request_store import RequestStore
from bot.storage.schema import channels, drafts, plans, reminders
from bot.storage.sqlite_file import DamagedDatabase, DatabaseFile, announce_if_new, sqlite_path
from bot.storage.tenants import TenantStore

log = logging.getLogger(__name__)

ANY = object()  # save_draft/save_plan: whatever version is there


class DraftConflict(RuntimeError):
    """Another request saved this user's draft between our read and our write: read again."""


class PlanSave(NamedTuple):
    """One save_plan call, as a group of them is written."""

    key: ChannelKey
    user: str
    answers: dict[str, Any]
    plan: dict[str, Any]
    expected: Any
    first_reminder: tuple[dict[str, Any], dt.datetime | None] | None
    request: str | None


@dataclass(frozen=True, slots=True)
class Session:
    draft: dict[str, Any] | None
    version: int | None
    answers: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    plan: dict[str, Any]
    answers: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    earlier: int  # how many older plans the channel keeps


@dataclass(frozen=True, slots=True)
class ChannelRecord:
    """A channel's plans (oldest first), its check-ins' time zone and what it logged, as `show`
    and its chart read them: in one round trip."""

    plans: list[StoredPlan]
    timezone: str  # its reminder's, else UTC
    totals: Any  # what it logged, per month (bot.monthly.progress.Totals, as ProgressStore reads it)


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


class Store:
    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now, reader: AsyncEngine | None = None):
        self.engine = engine  # writes (and reads inside a write)
        self.reader = reader or engine  # reads outside a write
        self.clock = clock
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self.reminders = ReminderStore(self)
        self.progress = ProgressStore(self)
        self.lookups = LookupStore(self)
        self.tenants = TenantStore(self)  # a workspace's or a channel's data, counted and deleted
        self.homes = HomeStore(self)
        self.requests = RequestStore(self)  # a platform request that asks for a change, claimed once
        # Plans finished at the same moment (a flood of forms worked at once) share one transaction.
        self._plan_saves: GroupCommit[PlanSave, bool | DraftConflict] = GroupCommit(self._save_plans)
        self.file: DatabaseFile | None = None  # a SQLite file's identity, for health
        self._file_problem: str | None = None  # logged once, when it appears

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
            # reconnected to, not failed on) and recycled now and then.
            engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_timeout=30,
                pool_recycle=1800,
                pool_pre_ping=True,
                connect_args={"timeout": 10},
            )
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
            query = sa.select(channels.c.id).where(_is_channel(key))
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

    async def load_draft(self, key: ChannelKey, user: str) -> dict[str, Any] | None:
        return (await self.load_session(key, user)).draft

    async def load_session(self, key: ChannelKey, user: str) -> Session:
        """The user's draft (with its version) and the answers of the channel's current plan, in one
        round trip."""
        draft = sa.select(drafts.c.state, drafts.c.version).where(
            drafts.c.channel_id == channels.c.id, drafts.c.user_id == user
        )
        answers = (
            sa.select(plans.c.answers)
            .where(plans.c.channel_id == channels.c.id)
            .order_by(plans.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = sa.select(
            draft.with_only_columns(drafts.c.state).scalar_subquery().label("draft"),
            draft.with_only_columns(drafts.c.version).scalar_subquery().label("version"),
            answers.label("answers"),
        ).where(_is_channel(key))
        async with self.reader.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return Session(row.draft, row.version, row.answers) if row else Session(None, None, None)

    async def save_draft(self, key: ChannelKey, user: str, state: dict[str, Any], *, expected: Any = ANY) -> None:
        """Save a draft. `expected` is the version it was read at (None: there was none); if another
        save came in between, DraftConflict is raised and nothing is written. ANY: overwrite."""
        async with self.engine.begin() as connection:
            channel_id = await self._channel_id(connection, key, create=True)
            await self._write_draft(connection, channel_id, user, state, expected, key)

    async def _write_draft(self, connection, channel_id: int, user: str, state, expected, key) -> None:
        values = {"state": state, "updated_at": self.clock()}
        if expected is ANY or expected is None:
            insert = self._insert(drafts).values(channel_id=channel_id, user_id=user, version=1, **values)
            if expected is ANY:
                update = {**values, "version": drafts.c.version + 1}
                statement = insert.on_conflict_do_update(index_elements=["channel_id", "user_id"], set_=update)
            else:
                statement = insert.on_conflict_do_nothing(index_elements=["channel_id", "user_id"])
        else:
            statement = (
                sa.update(drafts)
                .where(drafts.c.channel_id == channel_id, drafts.c.user_id == user, drafts.c.version == expected)
                .values(**values, version=drafts.c.version + 1)
            )
        if (await connection.execute(statement)).rowcount == 0:
            raise DraftConflict(f"the draft of {user} in {key} changed meanwhile")

    async def save_import(
        self,
        key: ChannelKey,
        user: str,
        draft: dict[str, Any] | None,
        expected: int | None,
        progress_by_month: dict[str, list[str]],
        nofollow: Collection[str] = (),
    ) -> dict[str, int]:
        """What an import keeps — the answers it filled and the new referring domains it found,
        month by month (`nofollow`: those whose links are all nofollow) — in one transaction.
        Returns how many domains each month gained (a domain the channel already has, logged by hand
        or imported before, counts once)."""
        async with self.engine.begin() as connection:
            channel_id = await self._channel_id(connection, key, create=True)
            if draft is not None:
                await self._write_draft(connection, channel_id, user, draft, expected, key)
            added: dict[str, int] = {}
            entry = new_entry()  # one import is one entry for `log undo`, whatever months it fills
            for month, domains in sorted(progress_by_month.items()):
                fresh = await self.progress.new_domains(connection, channel_id, domains)
                if fresh:
                    await self.progress.insert(
                        connection,
                        channel_id,
                        month,
                        user,
                        "import",
                        [(d, None, {"rel": "nofollow"} if d in nofollow else None) for d in fresh],
                        entry=entry,
                    )
                    added[month] = len(fresh)
            return added

    async def drop_draft(self, key: ChannelKey, user: str) -> bool:
        async with self.engine.begin() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return False
            result = await connection.execute(
                sa.delete(drafts).where(drafts.c.channel_id == channel_id, drafts.c.user_id == user)
            )
            return result.rowcount > 0

    # Plans.

    async def save_plan(
        self,
        key: ChannelKey,
        user: str,
        answers: dict[str, Any],
        plan: dict[str, Any],
        *,
        expected: Any = ANY,
        first_reminder: tuple[dict[str, Any], dt.datetime | None] | None = None,
        request: str | None = None,
    ) -> bool:
        """Store a finished plan and drop the user's draft, in one transaction. With the draft's
        `expected` version, a draft another process finished first raises DraftConflict: one plan.
        `first_reminder` (settings, next due) is set up only if the channel has no reminder yet;
        returns whether it was. A `request` (the submission's key) already stored stores nothing:
        the same submission worked twice is one plan. Plans saved at the same moment are written
        together, in one transaction of a few statements (group commit)."""
        saved = await self._plan_saves(PlanSave(key, user, answers, plan, expected, first_reminder, request))
        if isinstance(saved, DraftConflict):
            raise saved
        return saved

    async def _save_plans(self, group: list[PlanSave]) -> list[bool | DraftConflict]:
        """save_plan for a group, each item's outcome on its own: a conflict on one is that one's."""
        now = self.clock()
        outcome: list[bool | DraftConflict | None] = [None] * len(group)
        async with self.engine.begin() as connection:
            requests = [item.request for item in group if item.request is not None]
            seen = set()
            if requests:
                stored = sa.select(plans.c.request).where(plans.c.request.in_(requests))
                seen = set((await connection.execute(stored)).scalars())
            for n, item in enumerate(group):
                if item.request is not None:
                    if item.request in seen:
                        outcome[n] = False  # worked before (or twice in this group): one plan
                    seen.add(item.request)
            todo = [n for n in range(len(group)) if outcome[n] is None]
            ids = await self._channel_ids(connection, {group[n].key for n in todo})
            checked = [n for n in todo if group[n].expected is not ANY and group[n].expected is not None]
            if checked:
                versions = [(ids[group[n].key], group[n].user, group[n].expected) for n in checked]
                columns = sa.tuple_(drafts.c.channel_id, drafts.c.user_id, drafts.c.version)
                dropped = set(
                    map(tuple, await connection.execute(
                        sa.delete(drafts).where(columns.in_(versions)).returning(drafts.c.channel_id, drafts.c.user_id)
                    ))
                )  # fmt: skip
                for n in checked:
                    if (ids[group[n].key], group[n].user) not in dropped:
                        key, user = group[n].key, group[n].user
                        outcome[n] = DraftConflict(f"the draft of {user} in {key} was finished or changed meanwhile")
            if unchecked := [(ids[group[n].key], group[n].user) for n in todo if n not in checked]:
                mine = sa.tuple_(drafts.c.channel_id, drafts.c.user_id)
                await connection.execute(sa.delete(drafts).where(mine.in_(unchecked)))
            todo = [n for n in todo if outcome[n] is None]
            if todo:
                rows = [
                    {
                        "channel_id": ids[group[n].key],
                        "created_by": group[n].user,
                        "created_at": now,
                        "answers": group[n].answers,
                        "plan": group[n].plan,
                        "request": group[n].request,
                    }
                    for n in todo
                ]
                await connection.execute(sa.insert(plans).values(rows))
            first: dict[int, int] = {}  # channel → the item whose first reminder it gets
            for n in todo:
                if group[n].first_reminder is not None:
                    first.setdefault(ids[group[n].key], n)
            created: set[int] = set()
            if first:
                reminder_rows = [
                    {
                        "channel_id": channel_id,
                        "settings": group[n].first_reminder[0],
                        "next_due_at": group[n].first_reminder[1],
                        "updated_at": now,
                    }
                    for channel_id, n in first.items()
                ]
                insert = self._insert(reminders).values(reminder_rows)
                insert = insert.on_conflict_do_nothing(index_elements=["channel_id"]).returning(reminders.c.channel_id)
                created = set((await connection.execute(insert)).scalars())
            for n in todo:
                channel_id = ids[group[n].key]
                outcome[n] = channel_id in created and first.get(channel_id) == n
        return outcome  # type: ignore[return-value]

    async def _channel_ids(self, connection: AsyncConnection, keys: set[ChannelKey]) -> dict[ChannelKey, int]:
        """The ids of these channels, made where missing, in one statement."""
        if not keys:
            return {}
        rows = [
            {"platform": k.platform, "workspace": k.workspace, "channel": k.channel, "created_at": self.clock()}
            for k in keys
        ]
        upsert = self._insert(channels).values(rows)
        upsert = upsert.on_conflict_do_update(
            index_elements=["platform", "workspace", "channel"], set_={"channel": upsert.excluded.channel}
        ).returning(channels.c.id, channels.c.platform, channels.c.workspace, channels.c.channel)
        return {ChannelKey(r.platform, r.workspace, r.channel): r.id for r in await connection.execute(upsert)}

    async def current_plan(self, key: ChannelKey) -> StoredPlan | None:
        async with self.reader.connect() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return None
            newest = (
                await connection.execute(
                    sa.select(plans).where(plans.c.channel_id == channel_id).order_by(plans.c.id.desc()).limit(1)
                )
            ).one_or_none()
            if newest is None:
                return None
            total = (
                await connection.execute(
                    sa.select(sa.func.count()).select_from(plans).where(plans.c.channel_id == channel_id)
                )
            ).scalar_one()
        return StoredPlan(
            id=newest.id,
            plan=newest.plan,
            answers=newest.answers,
            created_by=newest.created_by,
            created_at=_aware(newest.created_at),
            earlier=total - 1,
        )

    async def plans_of(self, channel_ids: list[int]) -> dict[int, list[StoredPlan]]:
        """Every plan of these channels, oldest first, in one query (for a batch of reminders)."""
        query = sa.select(plans).where(plans.c.channel_id.in_(channel_ids)).order_by(plans.c.channel_id, plans.c.id)
        found: dict[int, list[StoredPlan]] = {}
        async with self.reader.connect() as connection:
            for r in await connection.execute(query):
                found.setdefault(r.channel_id, []).append(
                    StoredPlan(r.id, r.plan, r.answers, r.created_by, _aware(r.created_at), 0)
                )
        return found

    async def add_plans(self, rows: list[tuple[int, dict[str, Any], dict[str, Any]]], *, created_by: str) -> None:
        """Store new plan versions (channel id, answers, plan) in one statement."""
        if not rows:
            return
        now = self.clock()
        async with self.engine.begin() as connection:
            await connection.execute(
                sa.insert(plans),
                [
                    {"channel_id": cid, "created_by": created_by, "created_at": now, "answers": answers, "plan": plan}
                    for cid, answers, plan in rows
                ],
            )

    async def channel_record(self, key: ChannelKey) -> ChannelRecord:
        """The channel's plans with its reminder's time zone (one query), and its logged months (one
        more, only with a plan), on one connection: `show` answers with one trip to the database."""
        query = (
            sa.select(plans, reminders.c.settings.label("reminder"))
            .select_from(channels.join(plans, plans.c.channel_id == channels.c.id))
            .outerjoin(reminders, reminders.c.channel_id == channels.c.id)
            .where(_is_channel(key))
            .order_by(plans.c.id)
        )
        async with self.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
            totals = await self.progress.totals(connection, rows[0].channel_id if rows else None)
        stored = [
            StoredPlan(r.id, r.plan, r.answers, r.created_by, _aware(r.created_at), i) for i, r in enumerate(rows)
        ]
        return ChannelRecord(stored, self.reminders.zone(rows[0].reminder if rows else None), totals)

    async def plan_history(self, key: ChannelKey) -> list[StoredPlan]:
        async with self.reader.connect() as connection:
            channel_id = await self._channel_id(connection, key, create=False)
            if channel_id is None:
                return []
            rows = (
                await connection.execute(
                    sa.select(plans).where(plans.c.channel_id == channel_id).order_by(plans.c.id.desc())
                )
            ).all()
        return [
            StoredPlan(r.id, r.plan, r.answers, r.created_by, _aware(r.created_at), len(rows) - 1 - i)
            for i, r in enumerate(rows)
        ]


def _is_channel(key: ChannelKey) -> sa.ColumnElement[bool]:
    return sa.and_(
        channels.c.platform == key.platform,
        channels.c.workspace == key.workspace,
        channels.c.channel == key.channel,
    )


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


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes even for timezone=True columns; we only ever write UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
