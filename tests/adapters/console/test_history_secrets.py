"""The terminal's history keeps what people type, but never a key: the real `backlinks console` in a
pseudo-terminal (pexpect), connecting a data provider (the real DataForSEO client against its
loopback stand-in), then the history file read as anyone on the machine could."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pexpect
from terminal import BYE, UP, ask, console, history_file

from bot.engine import Engine

OLD_SECRET = "me@example.com:kept-by-an-older-version"


def session(tmp_path: Path, url: str, key: str) -> list[str]:
    """A person's session: what the bot printed after each line they typed."""
    child = console(tmp_path, columns=200, env={"BACKLINKS_PROVIDER_URL": url})
    typed = ["show", f"connect dataforseo {key}", UP, "conect dataforseo me@example.com:a-typo", "connect"]
    said = [ask(child, line) for line in typed]  # UP, then Enter: the line the up arrow brings back, again
    child.sendline("quit")
    child.expect(BYE)
    child.expect(pexpect.EOF)
    child.close()
    return said


async def test_a_line_with_a_key_never_reaches_the_history_and_the_file_is_the_owners_alone(dataforseo, tmp_path):
    history = history_file(tmp_path)
    history.parent.mkdir(parents=True)
    history.write_text(f"show\nconnect dataforseo {OLD_SECRET}\n")  # as an older version kept it
    history.chmod(0o644)

    said = await asyncio.to_thread(session, tmp_path, dataforseo.url, dataforseo.key)

    assert "Connected DataForSEO (key ending a7b8)" in said[1]
    # The up arrow after connecting recalls the line before it, not the key.
    assert "There is no plan for this channel yet." in said[2] and "Connected" not in said[2]
    assert "I didn't understand conect. Did you mean connect?" in said[3]  # and its key isn't quoted back
    assert "Connected: DataForSEO (key ending a7b8)" in said[4]
    kept = history.read_text()
    assert kept.split("\n")[:-1] == ["show", "connect", "quit"], kept
    for secret in (dataforseo.key, "a1b2c3d4e5f6a7b8", OLD_SECRET, "a-typo"):
        assert secret not in kept
    assert stat.S_IMODE(history.stat().st_mode) == 0o600


def test_the_core_says_which_lines_carry_a_secret(knowledge, store):
    engine = Engine(knowledge=knowledge, store=store)
    assert engine.tables.secrets == {"connect"}  # declared by the command that takes a key
    for line in ("connect dataforseo login:password", "  CONNECT moz id:key ", "conect dataforseo a:b", "connect x"):
        assert engine.carries_secret(line), line
    for line in ("connect", "connect  ", "show", "plan site=example.com", "disconnect now", "example.com"):
        assert not engine.carries_secret(line), line
