"""Starting the real `backlinks` command in tests: where it is, a clean environment, a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"
# No platform tokens or database of the machine running the tests leak into the bot under test.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BACKLINKS_", "DATABASE_URL"))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def console(db_path: Path, lines: list[str], *extra: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real `backlinks console` on this SQLite file, fed these lines, as user "tester"."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKLINKS_DATABASE_URL")}
    return subprocess.run(
        [BACKLINKS, "console", "--database", str(db_path), "--user", "tester", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
