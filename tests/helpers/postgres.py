"""Fresh PostgreSQL databases on a server the tests (or a benchmark) are given, dropped afterwards."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.store import async_url


async def create_database(
    admin_url: str, prefix: str = "backlinks_test", *, template: str | None = None
) -> tuple[str, str]:
    """A new database on the server of `admin_url`, empty or a copy of `template` (a database nobody is
    connected to): its URL (with the password) and its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return sa.engine.make_url(async_url(admin_url)).set(database=name).render_as_string(hide_password=False), name


async def drop_database(admin_url: str, name: str) -> None:
    """Drop it, even with connections still open."""
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(admin_url: str, statement: str) -> None:
    admin = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await admin.dispose()
