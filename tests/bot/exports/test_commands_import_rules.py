"""Imports that protect the plan: spam-flagged rows are no progress, nofollow ones are counted apart,
your own export is no competitor; and the paths people type (spaces, quotes, a folder)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import export_fixtures as F
import pytest
from support import MemoryChat

from adapters.console.chat import ConsoleChat
from bot.core.events import ChannelKey, Said
from bot.engine import Engine
from bot.exports import ExportError, read_profile
from bot.exports import formats as export_formats
from bot.exports.commands import import_target
from bot.monthly.progress_store import ProgressStore
from bot.planning import knowledge
from bot.storage.store import Store

HERE = ChannelKey("memory", "team-1", "general")
NOVEMBER = dt.date(2026, 11, 3)
BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"


class Clock:
    def __call__(self) -> dt.datetime:
        return dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def store(store_url):
    store = await Store.open(store_url, clock=Clock())
    yield store
    await store.close()


@pytest.fixture
def engine(store):
    return Engine(knowledge=knowledge.default(), store=store)


async def imported(chat: MemoryChat, path: Path, argument: str = "import") -> str:
    return await chat._send(Said(chat.channel, chat.user, argument, file=str(path)))


async def test_spam_flagged_rows_are_no_progress_and_nofollow_ones_are_counted_apart(engine, store, tmp_path):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()  # a plan for example.com, made in November 2026
    links = [
        F.Link("https://followed.example.org/a", first_seen=NOVEMBER),
        F.Link("https://quiet.example.net/b", first_seen=NOVEMBER, nofollow=True),
        F.Link("https://junk.example.info/c", first_seen=NOVEMBER, spam=True, nofollow=True),
    ]
    reply = await imported(chat, F.ahrefs_backlinks(links, tmp_path / "mine.csv"))
    assert "Counted as progress (new referring domains by first-seen month): 2026-11: 2." in reply
    assert "1 new referring domain flagged as spam by the tool was not counted as progress." in reply
    totals = await ProgressStore.on(store).by_month(HERE)
    assert dict(totals.logged) == {"2026-11": 2} and dict(totals.nofollow) == {"2026-11": 1}
    line = next(x for x in (await chat.say("show")).splitlines() if "November 2026:" in x)
    assert line.startswith("  - November 2026: 2 / ") and "· 1 of them nofollow" in line
    # One import is one entry: undone at once.
    assert "Removed the last entry: an import's 2 new referring domains for November 2026" in await chat.say("log undo")
    assert dict((await ProgressStore.on(store).by_month(HERE)).logged) == {}


async def test_a_referring_domains_export_marks_domains_without_followed_links_nofollow(engine, store, tmp_path):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()
    links = [
        F.Link("https://followed.example.org/a", first_seen=NOVEMBER),
        F.Link("https://quiet.example.net/b", first_seen=NOVEMBER, nofollow=True),
    ]
    await imported(chat, F.ahrefs_referring_domains(links, tmp_path / "domains.csv"))
    assert dict((await ProgressStore.on(store).by_month(HERE)).nofollow) == {"2026-11": 1}


async def test_your_own_export_imported_as_a_competitors_is_not_added(engine, store, tmp_path):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()  # site: example.com; the fixtures' links point to https://example.com/
    path = F.semrush_backlinks([F.Link("https://news.example.org/story")], tmp_path / "rival.csv")
    reply = await imported(chat, path, "import competitor")
    assert "This export is of example.com, your own site (the plan's site), not a competitor's" in reply
    assert "Added to your competitors" not in reply
    session = await store.load_session(HERE, "alice")
    assert session.draft is None, "nothing suggested"
    assert dict((await ProgressStore.on(store).by_month(HERE)).logged) == {}


# Paths as people type them.


def test_an_unquoted_path_with_spaces_is_taken_whole_when_the_file_exists(tmp_path):
    folder = tmp_path / "my exports"
    folder.mkdir()
    export = folder / "Latest links.csv"
    export.write_text("x")
    assert import_target(f"{folder}/Latest links.csv") == (str(export), False)
    assert import_target(f'"{folder}/Latest links.csv" competitor') == (str(export), True)
    assert import_target(f"competitor '{folder}/Latest links.csv'") == (str(export), True)
    escaped = str(folder).replace(" ", "\\ ") + "/Latest\\ links.csv"
    assert import_target(escaped) == (str(export), False)
    # A file that isn't there is named whole, so the reason names it too.
    assert import_target(f"{folder}/Missing file.csv") == (f"{folder}/Missing file.csv", False)
    assert import_target("competitor") == (None, True)


async def test_the_terminal_imports_a_path_with_spaces_from_the_home_folder(engine, store, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    F.ahrefs_backlinks([F.Link("https://news.example.org/story")], tmp_path / "Downloads" / "my export.csv")
    console = ConsoleChat(engine=engine, channel=HERE, user="alice", stdin=io.StringIO(), stdout=io.StringIO())
    [reply] = await engine.handle(console.event("import ~/Downloads/my export.csv"))
    assert reply.blocks[0].text.values["format"] == "Ahrefs backlinks"


def test_a_folder_gets_a_sentence_naming_the_exports_in_it(tmp_path):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "Latest links.csv").write_text("x")
    (folder / "notes.md").write_text("x")
    with pytest.raises(ExportError) as refused:
        read_profile(folder, export_formats.default(), max_bytes=1_000_000)
    assert str(refused.value) == (
        "Downloads is a folder, not an export file: give the file's own path. It holds Latest links.csv."
    )
    assert "Errno" not in str(refused.value)


def test_import_as_text_prints_the_profile_as_the_chat_shows_it(tmp_path):
    links = [F.Link("https://news.example.org/story"), F.Link("https://gone.io/x", lost=True)]
    path = F.ahrefs_backlinks(links, tmp_path / "Latest links.csv")
    env = {**os.environ, "BACKLINKS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    done = subprocess.run(
        [BACKLINKS, "import", str(path), "--format", "text"], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "Link profile of example.com (Ahrefs backlinks)" in done.stdout
    assert "  - Referring domains: 1 live, 1 lost" in done.stdout
    assert "{" not in done.stdout and "new_by_month" not in done.stdout
    folder = subprocess.run([BACKLINKS, "import", str(tmp_path), "--format", "text"], capture_output=True, text=True)
    assert folder.returncode != 0 and "is a folder, not an export file" in folder.stdout + folder.stderr
    json_done = subprocess.run([BACKLINKS, "import", str(path)], capture_output=True, text=True, timeout=60, env=env)
    assert json.loads(json_done.stdout)["referring_domains"] == 1
