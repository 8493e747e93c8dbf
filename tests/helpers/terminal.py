"""The real `backlinks console` in a pseudo-terminal (pexpect), as a person at a keyboard uses it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pexpect
from processes import BACKLINKS

PROMPT = "\r\n> "
UP = "\x1b[A"
BYE = "Bye. Your plan and any answers in progress are saved."
TIMEOUT = 30  # generous: the machine may be busy; a pass takes a few seconds


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKLINKS_DATABASE_URL")}
    env.pop("COLUMNS", None)  # the width must come from the terminal itself
    env.pop("LINES", None)
    env["TERM"] = "xterm"
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # the history file goes here, not to the real home
    return env


def history_file(tmp_path: Path) -> Path:
    """Where the console keeps its history, under the `environment` above."""
    return tmp_path / "data" / "backlinks-bot" / "console_history"


def _sigint(disposition):
    """What the console inherits for SIGINT: whatever the test runner has is replaced, so the tests
    pass the same from a shell, nohup, an IDE or CI."""
    return lambda: signal.signal(signal.SIGINT, disposition)


def console(
    tmp_path: Path, *, columns: int = 80, env: dict[str, str] | None = None, sigint=signal.SIG_IGN
) -> pexpect.spawn:
    """The console on tmp_path's database as user "tester", at its first prompt (`env`: added). By
    default it starts the hardest way: SIGINT ignored, as nohup and some IDE and CI runners hand it on."""
    child = pexpect.spawn(
        BACKLINKS,
        ["console", "--database", str(tmp_path / "chat.db"), "--user", "tester"],
        env={**environment(tmp_path), **(env or {})},
        dimensions=(50, columns),
        encoding="utf-8",
        timeout=TIMEOUT,
        preexec_fn=_sigint(sigint),
    )
    child.expect(PROMPT)
    return child


def ask(child: pexpect.spawn, line: str) -> str:
    """Type a line; what the bot printed before the next prompt (without the echoed line)."""
    child.sendline(line)
    child.expect(PROMPT)
    return child.before.replace("\r\n", "\n").split("\n", 1)[-1]


def ended(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return child.before.replace("\r\n", "\n")
