"""Database files made by main before issue 14's package move open with the current code.

tests/fixtures/made_by_main_<revision>.sqlite were filled by the code of f7814d5 (see
tests/fixtures/make_old_databases.py): one at that day's head (0007), one at 0005 with the same rows,
so the upgrade runs migrations over existing data. Each test works on a copy. Wherever the
migrations live, `backlinks db upgrade` and every start must find them, bring the file to head,
keep every row, and show its users what they stored.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from processes import BACKLINKS, CLEAN
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from support import MemoryChat, rows

from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.storage.schema import metadata
from bot.storage.store import Store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
OLD_FILES = sorted(FIXTURES.glob("made_by_main_*.sqlite"))
AFTER = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # the files hold entries up to 20 November 2026
CONSOLE = ChannelKey("console", "local", "console")  # alice's plan and reminder, bob's draft
HISTORY = ChannelKey("console", "local", "history")  # carol's two plans


@pytest.fixture(params=OLD_FILES, ids=lambda path: path.stem)
def old_db(request, tmp_path: Path) -> Path:
    path = tmp_path / request.param.name
    shutil.copyfile(request.param, path)
    return path


@pytest.fixture(scope="module")
def fresh_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    done = upgrade(path)
    assert done.returncode == 0, done.stderr
    return path


def test_both_old_files_are_there():
    assert [p.name for p in OLD_FILES] == ["made_by_main_0005.sqlite", "made_by_main_0007.sqlite"]


def upgrade(path: Path) -> subprocess.CompletedProcess:
    command = [BACKLINKS, "db", "upgrade", "--database", str(path)]
    return subprocess.run(command, capture_output=True, text=True, env=CLEAN, timeout=60)


def revision(path: Path) -> str:
    [(version,)] = rows(path, "SELECT version_num FROM alembic_version")
    return version


def every_row(path: Path) -> dict[str, list[dict]]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {t: [dict(r) for r in db.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}
    db.close()
    return found


def test_db_upgrade_brings_an_old_file_to_head_and_keeps_every_row(old_db: Path, fresh_db: Path):
    assert revision(old_db) == old_db.stem.removeprefix("made_by_main_")
    before = every_row(old_db)
    counts = {t: len(before[t]) for t in ("channels", "plans", "drafts", "reminders", "progress")}
    assert counts == {"channels": 2, "plans": 3, "drafts": 1, "reminders": 2, "progress": 4}
    assert len(before["slack_installations"]) == len(before["slack_bots"]) == 1

    done = upgrade(old_db)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"The database schema of sqlite:///{old_db} is up to date.\n"
    assert revision(old_db) == revision(fresh_db), "at head, as a database made today"
    after = every_row(old_db)
    for table, kept in before.items():
        if table != "alembic_version":
            projected = [{column: row[column] for column in kept[0]} for row in after[table]] if kept else after[table]
            assert projected == kept, f"{table}: every row kept as it was"
    for table in set(after) - set(before):
        assert after[table] == [], f"{table} is new: empty"
    assert upgrade(old_db).returncode == 0, "upgrading again changes nothing"
    assert every_row(old_db) == after


def test_the_console_greets_with_the_stored_plan_reminder_and_draft(old_db: Path):
    [(stored,)] = rows(old_db, "SELECT plan FROM plans WHERE created_by = 'alice'")
    target = json.loads(stored)["target"]
    assert target == {"low": 9, "high": 9, "per": "month"}

    done = subprocess.run(
        [BACKLINKS, "console", "--database", str(old_db), "--user", "bob"],
        input="remind\nplan\nquit\n",
        capture_output=True,
        text=True,
        env=CLEAN,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert (
        "Current plan for example.com: about 9 new referring domains a month. "
        "Next check-in: Sun 15 Nov 2026, 09:00 (Europe/Berlin)."
    ) in out
    assert "A new plan is in progress: 3 of 17 questions answered." in out
    assert "I check in here on the 15th of each month at 09:00 (Europe/Berlin)." in out
    assert "Picking up where you left off (3 of 17 answered)." in out
    assert "4/17 How many referring domains link to it now?" in out


async def test_the_engine_shows_and_changes_what_was_stored(old_db: Path, knowledge):
    store = await Store.open(f"sqlite:///{old_db}", clock=lambda: AFTER)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        alice = MemoryChat(engine, CONSOLE, "alice")
        shown = await alice.say("show")
        assert "Target: about 9 new referring domains a month, everything counted" in shown
        assert "November 2026: 5 / about 3 ✓ · 0 of 2 checked links met the quality bar" in shown
        assert "Stored Tue 10 Nov 2026, 08:00 (UTC) by alice." in shown
        history = await MemoryChat(engine, HISTORY, "carol").say("show")
        assert "Target: 11-13 new referring domains a month, everything counted" in history
        assert "Stored Mon 2 Nov 2026, 14:30 (UTC) by carol · 1 earlier plan kept." in history
        assert (
            "I check in here on the 15th of each month at 09:00 (Europe/Berlin). "
            "Next: Sun 15 Nov 2026, 09:00 (Europe/Berlin)."
        ) in await alice.say("remind")
        resumed = await MemoryChat(engine, CONSOLE, "bob").say("plan")
        assert "Picking up where you left off (3 of 17 answered)." in resumed
        assert "4/17  How many referring domains link to it now?" in resumed

        # Rows logged before 0007 have no entry key: undo takes the last moment's rows all the same.
        undone = " ".join((await alice.say("log undo")).split())
        assert "Removed the last entry: site-c.net for November 2026, logged by alice" in undone
        assert "Now: November 2026 4." in undone
        logged = " ".join((await alice.say("log https://www.site-d.io/w")).split())
        assert "Logged for November 2026: 1 new referring domain (site-d.io). November 2026 so far: 5" in logged
        assert rows(old_db, "SELECT entry IS NOT NULL FROM progress WHERE domain = 'site-d.io'") == [(1,)]
        assert "November 2026: 5 / about 3 ✓" in await alice.say("show")

        slack = AsyncSQLAlchemyInstallationStore(client_id="111.222", engine=store.engine)
        installation = await slack.async_find_installation(enterprise_id=None, team_id="T1")
        assert (installation.bot_token, installation.team_name) == ("xoxb-fixture", "Fixture team")
    finally:
        await store.close()


def schema(path: Path) -> dict[str, dict]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        inspector = sa.inspect(engine)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns(table)
                ],
                "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign keys": inspector.get_foreign_keys(table),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
                ),
            }
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def drift_from_schema_py(path: Path) -> list:
    """What Alembic's autogenerate would change to make the file match bot/storage/schema.py (the Slack
    tables are slack_sdk's shapes, kept by the migrations only: left out)."""
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            ours = {"include_name": lambda name, kind, _parent: kind != "table" or name in metadata.tables}
            return compare_metadata(MigrationContext.configure(connection, opts=ours), metadata)
    finally:
        engine.dispose()


async def test_an_upgraded_old_file_has_the_schema_of_a_fresh_one(old_db: Path, fresh_db: Path):
    store = await Store.open(f"sqlite:///{old_db}")  # any start migrates, as `db upgrade` does
    await store.close()
    assert revision(old_db) == revision(fresh_db)
    assert schema(old_db) == schema(fresh_db)
    assert drift_from_schema_py(old_db) == []
    assert drift_from_schema_py(fresh_db) == []


def test_submissions_stored_before_0009_are_named_by_their_workspace_and_channel(tmp_path: Path):
    """Waiting ones from their payload (Slack's team, Discord's guild), done Slack ones from their key."""
    old_db = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURES / "made_by_main_0007.sqlite", old_db)  # 0006 made the inbox
    with sqlite3.connect(old_db) as db:
        db.execute("DELETE FROM inbox")
        rows_in = [
            ("slack:T9:V1:h", "slack", '{"team": "T9", "channel": "C9", "values": {}}', None),
            ("discord:77", "discord", '{"guild": "G7", "channel": "77", "values": {}}', None),
            ("slack:T8:V2:h", "slack", "{}", "2026-11-30 10:00:00"),
            ("discord:78", "discord", "{}", "2026-11-30 10:00:00"),
        ]
        for key, platform, payload, done in rows_in:
            db.execute(
                "INSERT INTO inbox (key, platform, payload, received_at, claimed_until, attempts, done_at) "
                "VALUES (?, ?, ?, '2026-11-30 09:00:00', '2026-11-30 09:02:00', 1, ?)",
                (key, platform, payload, done),
            )
    db.close()
    assert upgrade(old_db).returncode == 0
    assert rows(old_db, "SELECT key, workspace, channel FROM inbox ORDER BY id") == [
        ("slack:T9:V1:h", "T9", "C9"),
        ("discord:77", "G7", "77"),
        ("slack:T8:V2:h", "T8", None),
        ("discord:78", None, None),
    ]
