"""The real `backlinks console` as a subprocess: a scripted conversation, then the stored row."""

from __future__ import annotations

import json
import os
import subprocess

from processes import BACKLINKS, console
from support import TYPED_ANSWERS, rows

from bot.conversation.rendering import span


def test_a_scripted_conversation_stores_the_plan(tmp_path):
    db_path = tmp_path / "chat.db"
    script = ["plan", *(typed for _, typed in TYPED_ANSWERS), "show", "quit"]
    done = console(db_path, script)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Backlinks bot tells you how many backlinks to build each month")
    welcome = out.split("\n\n")[0].splitlines()
    assert len(welcome) == 2, "the bot says in two lines what it does and what to type"
    for command in ("plan", "show", "why", "help", "quit"):
        assert command in welcome[1]
    assert out.count("Backlink plan for example.com") == 2  # the plan, then `show`
    assert "Stored " in out and "by tester." in out

    [(platform, workspace, channel, user, answers, plan)] = rows(
        db_path,
        "SELECT c.platform, c.workspace, c.channel, p.created_by, p.answers, p.plan "
        "FROM plans p JOIN channels c ON c.id = p.channel_id",
    )
    assert (platform, workspace, channel, user) == ("console", "local", "console", "tester")
    assert json.loads(answers)["hours_per_month"] == 20
    plan = json.loads(plan)
    assert f"Target: {span(plan['target'])} new referring domains" in out


def test_quitting_midway_and_starting_again_resumes(tmp_path):
    db_path = tmp_path / "chat.db"
    total = len(TYPED_ANSWERS)
    first = console(db_path, ["plan", "example.com", "saas", "quit"])
    assert f"3/{total}  What is its authority score" in first.stdout
    assert rows(db_path, "SELECT count(*) FROM plans") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(1,)]

    rest = [typed for _, typed in TYPED_ANSWERS[2:]]
    second = console(db_path, ["plan", *rest])  # stdin ends: end of input quits too
    assert f"Picking up where you left off (2 of {total} answered)" in second.stdout
    assert "Backlink plan for example.com" in second.stdout
    assert second.stdout.rstrip().endswith("Bye. Your plan and any answers in progress are saved.")
    assert rows(db_path, "SELECT count(*) FROM plans") == [(1,)]


def test_the_channel_name_keeps_plans_apart(tmp_path):
    db_path = tmp_path / "chat.db"
    console(db_path, ["plan", *(typed for _, typed in TYPED_ANSWERS)], "--channel", "client-a")
    other = console(db_path, ["show"], "--channel", "client-b")
    assert "There is no plan for this channel yet." in other.stdout
    same = console(db_path, ["show"], "--channel", "client-a")
    assert "Backlink plan for example.com" in same.stdout


def test_the_database_location_comes_from_the_environment(tmp_path):
    db_path = tmp_path / "from-env.db"
    env = {**os.environ, "BACKLINKS_DATABASE_URL": f"sqlite:///{db_path}"}
    done = subprocess.run(
        [BACKLINKS, "console"], input="plan\nexample.com\nquit\n", capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(1,)]


async def test_quitting_at_once_stops_the_reminder_loop_before_the_store_closes(engine):
    # `echo quit | backlinks console` hung now and then: the reminder loop was cancelled but still
    # mid-query when the store closed under it. The chat now returns only once the loop has stopped.
    import asyncio
    import io

    from adapters.console.chat import ConsoleChat
    from bot.core.events import ChannelKey

    out = io.StringIO()
    chat = ConsoleChat(
        engine=engine, channel=ChannelKey("console", "local", "c"), user="u", stdin=io.StringIO("quit\n"), stdout=out
    )
    await chat.run(reminders_every=0.01)
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert pending == [], "nothing of the chat is left running when it returns"
    assert "Bye." in out.getvalue()


HOSTILE_HEADER = "\x1b]0;pwned\x07Linking page\x1b[2J,Wann\x9b31m,\x08Zeit\r\n"


def test_an_import_file_cannot_send_the_terminal_escape_sequences(tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_text(HOSTILE_HEADER + "https://a.example.org/,morgen,x\n", encoding="utf-8")
    done = console(tmp_path / "chat.db", [f"import {path}", "quit"])
    assert done.returncode == 0, done.stderr
    assert "I don't recognise the format of hostile.csv" in done.stdout
    assert "Its first line was: Linking page,Wann,Zeit\n" in done.stdout, "the readable text stays, nothing else"
    for control in ("\x1b", "\x07", "\x9b", "\x08", "\r"):
        assert control not in done.stdout


def test_the_import_command_prints_no_escape_sequences_either(tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_text(HOSTILE_HEADER, encoding="utf-8")
    done = subprocess.run([BACKLINKS, "import", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Its first line was: Linking page,Wann,Zeit" in done.stderr
    assert not set(done.stderr) & {"\x1b", "\x07", "\x9b", "\x08", "\r"}


def test_printable_drops_whole_escape_sequences_and_keeps_newlines_and_tabs():
    from adapters.console.output import printable

    text = "a\x1b[1;31mb\x1b]8;;https://x\x1b\\c\x1b(Bd\x9d0;t\x9ce\x1bP1$r\x1b\\f\x07\x7f\r\n\tg"
    assert printable(text) == "abcdef\n\tg"
