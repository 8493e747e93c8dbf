"""`backlinks export` and `backlinks restore`, the real commands: a database goes SQLite → PostgreSQL →
SQLite and every table comes back row for row (read by reflecting the databases, not through the
code under test); one workspace's export holds that workspace's rows and nobody else's; a restore
refuses a database that holds data, and a file that is no export."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from processes import BACKLINKS, CLEAN
from tenant_rows import channel_owners, every_row, fill, held_by

from bot.core.events import ChannelKey
from bot.lookups.store import LookupStore
from bot.storage.secrets import Sealer
from bot.storage.store import Store

SEALER = Sealer(Fernet.generate_key().decode())  # BACKLINKS_TOKEN_KEY of the deployment
PROVIDER_KEY = "access-id:the-secret-key"


def backlinks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BACKLINKS, *args], env=CLEAN, capture_output=True, text=True, timeout=120)


async def filled(url: str) -> None:
    """Two workspaces' data in every table that holds some, plus the shared tables' rows."""
    store = await Store.open(url)
    try:
        await fill(store, "slack", "T1")
        await fill(store, "discord", "G1", channels=("C9",))
        await LookupStore.on(store).remember(
            "dataforseo", "site", "2026-11", {"rival.com": {"rank": 35, "domains": 420}}
        )
        assert await store.requests.claim("slack:trigger-1")
        await LookupStore.on(store).save_key(("console", "local"), "moz", SEALER.seal(PROVIDER_KEY), "-key", "me")
    finally:
        await store.close()


async def rows_of(url: str) -> dict[str, list[dict]]:
    store = await Store.open(url, migrate=False)
    try:
        return await every_row(store)
    finally:
        await store.close()


def comparable(rows: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Rows as sorted JSON lines: a time as UTC (SQLite keeps no zone, PostgreSQL gives one back)."""

    def value(v):
        if isinstance(v, dt.datetime):
            return (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
        return v

    return {
        name: sorted(json.dumps({k: value(v) for k, v in row.items()}, sort_keys=True, default=str) for row in found)
        for name, found in rows.items()
        if name != "alembic_version"
    }


def export(url: str, path: Path, *extra: str) -> str:
    done = backlinks("export", "--database", url, *extra, str(path))
    assert done.returncode == 0, done.stderr
    return done.stdout


def restore(url: str, path: Path) -> subprocess.CompletedProcess:
    return backlinks("restore", "--database", url, str(path))


async def test_a_database_goes_sqlite_to_postgresql_and_back_with_every_row(migrated_db, postgres_url, tmp_path):
    source = f"sqlite:///{migrated_db}"
    await filled(source)
    original = comparable(await rows_of(source))
    assert all(original[name] for name in original if name != "slack_oauth_states"), "every table holds rows"

    said = export(source, tmp_path / "from-sqlite.json")
    assert said.startswith(f"Exported {sum(map(len, original.values()))} rows (channels 3, ")
    done = restore(postgres_url, tmp_path / "from-sqlite.json")
    assert done.returncode == 0, done.stderr
    assert comparable(await rows_of(postgres_url)) == original

    export(postgres_url, tmp_path / "from-postgresql.json")
    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert restore(back, tmp_path / "from-postgresql.json").returncode == 0
    assert comparable(await rows_of(back)) == original
    text = (tmp_path / "from-postgresql.json").read_text()
    document = json.loads(text)
    assert document["format"] == "backlinks-export" and document["version"] == 1
    # The provider key travels sealed, and opens with the deployment's key at the other end.
    assert PROVIDER_KEY not in text and PROVIDER_KEY not in (tmp_path / "from-sqlite.json").read_text()
    store = await Store.open(back)
    try:
        [(_, stored)] = [(w, k) for w, k in await LookupStore.on(store).keys() if w == ("console", "local")]
        assert SEALER.open(stored.secret) == PROVIDER_KEY
    finally:
        await store.close()

    # The restored PostgreSQL database goes on: new rows get ids past the restored ones.
    store = await Store.open(postgres_url)
    try:
        await store.save_plan(ChannelKey("slack", "T1", "C-new"), "U9", {"site": "a.example"}, {"site": "a"})
        assert len(await store.plan_history(ChannelKey("slack", "T1", "C-new"))) == 1
    finally:
        await store.close()


async def test_one_workspace_exported_holds_its_rows_and_nobody_elses(migrated_db, tmp_path):
    source = f"sqlite:///{migrated_db}"
    await filled(source)
    before = await rows_of(source)
    export(source, tmp_path / "t1.json", "--workspace", "slack:T1")
    target = f"sqlite:///{tmp_path / 'target.db'}"
    done = restore(target, tmp_path / "t1.json")
    assert done.returncode == 0, done.stderr
    after = await rows_of(target)
    owners = channel_owners(before)
    theirs = held_by(before, "slack", "T1", owners)
    assert held_by(after, "slack", "T1", channel_owners(after)) == theirs
    assert {name: len(found) for name, found in after.items() if found and name != "alembic_version"} == theirs
    assert held_by(after, "discord", "G1", channel_owners(after)) == {}


async def test_a_restore_refuses_a_database_holding_data_and_a_file_that_is_no_export(migrated_db, tmp_path):
    source = f"sqlite:///{migrated_db}"
    await filled(source)
    export(source, tmp_path / "all.json")
    refused = restore(source, tmp_path / "all.json")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Cannot restore: the database already holds data (channels, handled_requests, ")
    assert refused.stderr.endswith("restore into a new, empty database. Nothing was changed.\n")

    (tmp_path / "other.json").write_text('{"plans": []}')
    wrong = restore(f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "other.json")
    assert wrong.stderr == "Cannot restore: not a backlinks export (made by `backlinks export`). Nothing was changed.\n"

    newer = json.loads((tmp_path / "all.json").read_text()) | {"schema": "9999"}
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    later = restore(f"sqlite:///{tmp_path / 'new2.db'}", tmp_path / "newer.json")
    assert "made by a newer bot (schema 9999" in later.stderr
    async with (await Store.open(f"sqlite:///{tmp_path / 'new2.db'}")).engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT count(*) FROM channels"))).scalar_one() == 0


@pytest.mark.parametrize("workspace", ["slack", "slack:", ":T1"])
def test_a_workspace_is_named_platform_colon_id(workspace, tmp_path):
    done = backlinks("export", "--database", str(tmp_path / "x.db"), "--workspace", workspace, str(tmp_path / "x.json"))
    assert done.returncode == 1 and "is not PLATFORM:ID, like slack:T0123" in done.stderr
