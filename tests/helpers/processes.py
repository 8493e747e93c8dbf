"""Starting the real `backlinks` command in tests: where it is, a clean environment, a free port."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"
# No platform tokens or database of the machine running the tests leak into the bot under test.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BACKLINKS_", "DATABASE_URL"))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_healthz(port: int, process: subprocess.Popen, timeout: float = 30) -> dict:
    """/healthz of a `backlinks serve` just started (stderr piped), once it answers: its JSON."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return json.load(response)
        except OSError:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, f"no /healthz within {timeout:g} s"
            time.sleep(0.2)


def console(
    db_path: Path, lines: list[str], *extra: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The real `backlinks console` on this SQLite file, fed these lines, as user "tester" (`env`: added
    to this process's environment, LANG=de_DE.UTF-8 say)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKLINKS_DATABASE_URL")} | (env or {})
    return subprocess.run(
        [BACKLINKS, "console", "--database", str(db_path), "--user", "tester", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


async def backlinks(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """The real `backlinks` command, awaited: what it printed (stdout and stderr together). It must
    end well; `env` is added to the clean environment."""
    process = await asyncio.create_subprocess_exec(
        BACKLINKS,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**CLEAN, **(env or {})},
    )
    out, _ = await asyncio.wait_for(process.communicate(stdin.encode()), timeout)
    assert process.returncode == 0, out.decode()
    return out.decode()
