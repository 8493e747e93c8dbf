"""`export` in chat: the channel's history as a CSV, one row a month since the first plan, with the
target in force and the links built; the terminal saves it in the current folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess

import pytest
from processes import BACKLINKS, CLEAN
from support import TYPED_ANSWERS, MemoryChat

from bot.core.events import ChannelKey
from bot.core.replies import files
from bot.engine import Engine
from bot.exports.history import COLUMNS
from bot.planning import knowledge
from bot.storage.store import Store


@pytest.fixture
async def chat(migrated_db):
    # Mid-month: a plan made in a month's last days is not scored for it.
    store = await Store.open(f"sqlite:///{migrated_db}", clock=lambda: dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC))
    yield MemoryChat(
        Engine(knowledge=knowledge.default(), store=store), ChannelKey("memory", "team-1", "general"), "al"
    )
    await store.close()


async def test_export_gives_one_row_a_month_with_the_target_and_what_was_built(chat: MemoryChat):
    assert "No history here yet" in await chat.say("export")
    await chat.answer_all()
    await chat.say("log 3")
    out = await chat.say("export")
    assert "example.com, month by month since the first plan (1 month)" in out
    [reply] = chat.last
    [attached] = files(reply)
    assert attached.filename == "backlinks-example.com-history.csv"
    rows = list(csv.DictReader(io.StringIO(attached.data.decode("utf-8"))))
    assert list(rows[0]) == list(COLUMNS)
    [month] = rows
    # The same month as `show` gives it (logged / to build).
    assert "November 2026: 3 / about 3 ✓" in await chat.say("show")
    assert (month["target_low"], month["target_high"], month["target_per"]) == ("3", "3", "month")
    assert month["built"] == "3" and month["nofollow"] == "0"
    assert month["month"] == "2026-11"
    assert (month["scored"], month["on_target"]) == ("yes", "yes")
    assert "export" in await chat.say("help")


def test_the_terminal_saves_the_csv_in_the_current_folder(tmp_path):
    lines = ["plan", *(typed for _, typed in TYPED_ANSWERS), "log 2", "export", "quit"]
    done = subprocess.run(
        [BACKLINKS, "console", "--database", str(tmp_path / "bot.db"), "--user", "tester"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=CLEAN,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    saved = tmp_path / "backlinks-example.com-history.csv"
    assert f"History saved to {saved}" in done.stdout
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    assert len(rows) == 1 and rows[0]["built"] == "2"
