"""The chart in the terminal: `show --chart FILE.png` in the real console, and `backlinks chart` for
scripts, each writing a real PNG (a plan backdated in the SQLite file gives it months of history)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import struct
import subprocess

from processes import BACKLINKS, console
from support import TYPED_ANSWERS


def backdated_plan(tmp_path):
    db_path = tmp_path / "chat.db"
    done = console(db_path, ["plan", *(typed for _, typed in TYPED_ANSWERS), "log 3", "quit"])
    assert done.returncode == 0, done.stderr
    # The plan (and its log) moved back three months: this month is its fourth month of history.
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(days=95)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE plans SET created_at = ?", (earlier,))
    return db_path


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (800, 450)
    assert 4_000 < len(data) < 150_000


def test_show_chart_saves_the_picture_and_says_where(tmp_path):
    db_path = backdated_plan(tmp_path)
    target = tmp_path / "progress.png"
    done = console(db_path, ["show", f"show --chart {target}", "quit"])
    assert done.returncode == 0, done.stderr
    assert "type show --chart FILE.png to save it as a picture" in done.stdout
    assert f"Chart saved to {target}" in done.stdout
    assert_png(target)


def test_show_chart_before_two_months_says_why_and_writes_nothing(tmp_path):
    target = tmp_path / "progress.png"
    done = console(tmp_path / "new.db", ["plan", *(t for _, t in TYPED_ANSWERS), f"show --chart {target}", "quit"])
    assert "No chart yet: it comes once the plan has two months of history." in done.stdout
    assert not target.exists()


def test_backlinks_chart_writes_the_png_for_scripts(tmp_path):
    db_path = backdated_plan(tmp_path)
    target = tmp_path / "out" / "chart.png"
    target.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKLINKS_DATABASE_URL")}
    command = [BACKLINKS, "chart", "--channel", "console", "-o", str(target), "--database", str(db_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target.resolve())
    assert_png(target)
    # Another channel has no plan: a clear line, no file, a failing exit code.
    other = tmp_path / "other.png"
    command = [BACKLINKS, "chart", "--channel", "nobody", "-o", str(other), "--database", str(db_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1 and "No chart for nobody" in done.stderr and not other.exists()
