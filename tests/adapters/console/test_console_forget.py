"""`forget` in the real `backlinks console`: it shows what would go, deletes nothing until the channel's
name is typed, then deletes that channel's plans, drafts, reminder and progress, and nothing else."""

from __future__ import annotations

from processes import console
from support import TYPED_ANSWERS, rows

PLAN = ["plan", *(typed for _, typed in TYPED_ANSWERS)]


def stored(db_path, channel: str) -> dict[str, int]:
    counts = {}
    for table in ("plans", "drafts", "reminders", "progress"):
        [(n,)] = rows(
            db_path,
            f"SELECT count(*) FROM {table} t JOIN channels c ON c.id = t.channel_id WHERE c.channel = '{channel}'",
        )
        counts[table] = n
    return counts


def test_forget_needs_the_channels_name_typed_and_deletes_only_that_channel(tmp_path):
    db_path = tmp_path / "chat.db"
    console(db_path, PLAN, "--channel", "client-b")
    first = console(db_path, [*PLAN, "log 3", "plan", "example.com", "quit"], "--channel", "client-a")
    assert first.returncode == 0, first.stderr
    before = stored(db_path, "client-a")
    assert before == {"plans": 1, "drafts": 1, "reminders": 1, "progress": 1}
    kept = stored(db_path, "client-b")

    asked = console(db_path, ["forget", "forget client-b", "quit"], "--channel", "client-a")
    out = " ".join(asked.stdout.split())
    assert (
        "This deletes this channel's backlink data for good: 1 plan (the current one and its history), 1 plan in "
        "progress, its monthly reminder, and 1 progress record (links logged or imported)." in out
    )
    assert "To confirm, type forget client-a." in out
    assert "client-b is not this channel's name, so nothing was deleted." in out
    assert stored(db_path, "client-a") == before, "nothing is deleted without the confirmation"

    done = console(db_path, ["forget CLIENT-A", "show"], "--channel", "client-a")
    out = " ".join(done.stdout.split())
    assert (
        "This channel's backlink data is deleted: 1 plan, 1 plan in progress, the monthly reminder, 1 progress record."
        in out
    )
    assert "There is no plan for this channel yet." in out
    assert stored(db_path, "client-a") == {"plans": 0, "drafts": 0, "reminders": 0, "progress": 0}
    assert rows(db_path, "SELECT count(*) FROM channels WHERE channel = 'client-a'") == [(0,)]
    assert stored(db_path, "client-b") == kept, "another channel keeps everything"

    again = console(db_path, ["forget"], "--channel", "client-a")
    assert "Nothing is stored for this channel, so there is nothing to forget." in again.stdout
