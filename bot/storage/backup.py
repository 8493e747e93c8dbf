"""A database, or one workspace of it, as one versioned JSON file, and back (`backlinks export`,
`backlinks restore`): plans with their history, answers in progress, progress, reminders, settings.

Generic over the schema: every table the database holds (the metadata's, in dependency order, and
the few another library owns, such as slack_sdk's installation tables, read from the database
itself), every column, values encoded by their column's type. A table added later is exported and
restored with no change here; a workspace's rows are found by `TENANT_DATA` (bot/storage/tenants.py),
the one list of where a workspace's rows are. Secrets are copied as stored: a provider key or a
Slack token sealed with BACKLINKS_TOKEN_KEY stays sealed, and opens only with that key.

A restore goes into a database whose tables are empty (a new one: `Store.open` migrates it first):
rows keep their ids, so the references between them hold, and PostgreSQL's id sequences are moved
past them.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.visitors import replacement_traverse

from bot.storage.schema import metadata
from bot.storage.store import HEAD_REVISION, Store
from bot.storage.tenants import TENANT_DATA

FORMAT = "backlinks-export"
VERSION = 1
SKIPPED = {"alembic_version"}  # the schema's revision: the file says it, the target's own migrations set it
BATCH = 1000  # rows a statement on restore


class BackupError(ValueError):
    """A file that is no export, of a newer bot, or a target database that is not empty."""


async def export(store: Store, workspace: tuple[str, str] | None = None) -> dict[str, Any]:
    """Every table's rows (`workspace`: only that (platform, workspace)'s rows, from the tables that
    hold a workspace's data), as a JSON-ready document."""
    held = {h.name: h for h in TENANT_DATA}
    tables: dict[str, Any] = {}
    async with store.engine.connect() as connection:
        for table in await _tables(connection):
            query = sa.select(table).order_by(*_order(table))
            if workspace is not None:
                if table.name not in held:
                    continue  # shared by every workspace (the lookups cache) or nobody's (request ids)
                query = query.where(_on(table, held[table.name].of_workspace(*workspace)))
            rows = (await connection.execute(query)).all()
            columns = [c.name for c in table.columns]
            tables[table.name] = {
                "columns": columns,
                "rows": [
                    [_encoded(table.c[name], value) for name, value in zip(columns, row, strict=True)] for row in rows
                ],
            }
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": HEAD_REVISION,
        "exported_at": store.clock().isoformat(),
        "workspace": None if workspace is None else {"platform": workspace[0], "workspace": workspace[1]},
        "tables": tables,
    }


async def restore(store: Store, document: dict[str, Any]) -> dict[str, int]:
    """Load an export into this (empty) database, in one transaction: rows restored by table."""
    check(document)
    restored: dict[str, int] = {}
    async with store.engine.begin() as connection:
        tables = {t.name: t for t in await _tables(connection)}
        if unknown := sorted(set(document["tables"]) - set(tables)):
            raise BackupError(f"the file has tables this database does not: {', '.join(unknown)}")
        filled = [name for name in document["tables"] if await _has_rows(connection, tables[name])]
        if filled:
            raise BackupError(
                f"the database already holds data ({', '.join(filled)}): restore into a new, empty database"
            )
        for table in tables.values():  # dependency order: a row's references are in before it
            if table.name not in document["tables"]:
                continue
            given = document["tables"][table.name]
            if missing := [c for c in given["columns"] if c not in table.c]:
                raise BackupError(f"{table.name} has no column {', '.join(missing)} here")
            rows = [
                {name: _decoded(table.c[name], value) for name, value in zip(given["columns"], row, strict=True)}
                for row in given["rows"]
            ]
            for start in range(0, len(rows), BATCH):
                await connection.execute(sa.insert(table), rows[start : start + BATCH])
            restored[table.name] = len(rows)
            if connection.dialect.name == "postgresql" and rows:
                await _move_sequences(connection, table)
    return restored


def check(document: Any) -> None:
    """Raise BackupError unless this is an export this bot can restore."""
    if not isinstance(document, dict) or document.get("format") != FORMAT or "tables" not in document:
        raise BackupError("not a backlinks export (made by `backlinks export`)")
    if document.get("version") != VERSION:
        raise BackupError(f"an export of format version {document.get('version')}; this bot reads version {VERSION}")
    if str(document.get("schema", "")) > HEAD_REVISION:
        raise BackupError(
            f"made by a newer bot (schema {document['schema']}, this one's is {HEAD_REVISION}): upgrade this one first"
        )


async def _tables(connection: AsyncConnection) -> list[sa.Table]:
    """The database's tables: the metadata's in dependency order (parents first), then the ones
    another library made (their shapes read from the database)."""
    names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    ours = [t for t in metadata.sorted_tables if t.name in names]
    others = sorted(set(names) - set(metadata.tables) - SKIPPED)
    if not others:
        return ours
    reflected = sa.MetaData()
    await connection.run_sync(lambda sync: reflected.reflect(sync, only=others))
    return [*ours, *(reflected.tables[name] for name in others)]


def _on(table: sa.Table, where: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """A condition written for a table of the same name (tenants.py names slack_sdk's tables by
    `sa.table`) made about this one, the one the rows are selected from."""

    def swap(element: Any) -> Any:
        if isinstance(element, sa.ColumnClause) and getattr(element.table, "name", None) == table.name:
            return table.c[element.name] if element.table is not table else None
        return None

    return replacement_traverse(where, {}, swap)


def _order(table: sa.Table) -> Iterator[sa.Column]:
    """A stable row order: the primary key, else every column."""
    return iter(table.primary_key.columns or table.columns)


async def _has_rows(connection: AsyncConnection, table: sa.Table) -> bool:
    return (await connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1))).first() is not None


async def _move_sequences(connection: AsyncConnection, table: sa.Table) -> None:
    """Rows came with their ids: the next id PostgreSQL hands out must be past them."""
    for column in table.primary_key.columns:
        if isinstance(column.type, sa.Integer):
            await connection.execute(
                sa.text(
                    f'SELECT setval(pg_get_serial_sequence(:table, :column), MAX("{column.name}")) '
                    f'FROM "{table.name}" WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL'
                ),
                {"table": table.name, "column": column.name},
            )


def _encoded(column: sa.Column, value: Any) -> Any:
    """A value as JSON holds it, by its column's type (JSON columns are JSON already)."""
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        if getattr(column.type, "timezone", False) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)  # SQLite keeps no zone: the store writes UTC
        return value.isoformat()
    if isinstance(column.type, sa.Date):
        return value.isoformat()
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64encode(value).decode()
    return value


def _decoded(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        parsed = dt.datetime.fromisoformat(value)
        if not getattr(column.type, "timezone", False) and parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value
