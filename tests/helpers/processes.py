"""Starting the real `backlinks` command in tests: where it is, a clean environment, a free port."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"
# No platform tokens or database of the machine running the tests leak into the bot under test.
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BACKLINKS_", "DATABASE_URL"))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
