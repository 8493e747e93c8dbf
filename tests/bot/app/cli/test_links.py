"""`backlinks links check` (bot/app/cli/links.py), run as a subprocess. The checking itself (real
pages on a local HTTP server) is tested in tests/bot/links/test_store.py; a subprocess cannot
resolve a logged link's name to a loopback server, so here: the command opens the database, finds
nothing due on a plan with no links logged, and says so in one line."""

from __future__ import annotations

import subprocess

from processes import BACKLINKS, CLEAN
from support import TYPED_ANSWERS


def test_links_check_says_what_it_checked_in_one_line(tmp_path):
    db = str(tmp_path / "l.db")
    typed = ["plan", *(answer for _, answer in TYPED_ANSWERS), "log 2", "quit"]
    subprocess.run(
        [BACKLINKS, "console", "--database", db],
        input="\n".join(typed) + "\n",
        text=True,
        env=CLEAN,
        check=True,
        capture_output=True,
    )
    done = subprocess.run([BACKLINKS, "links", "check", "--database", db], capture_output=True, text=True, env=CLEAN)
    assert (done.returncode, done.stdout, done.stderr) == (0, "Checked 0 link(s): none due.\n", "")
    wrong = subprocess.run(
        [BACKLINKS, "links", "check", "--database", "mysql://h/db"], capture_output=True, text=True, env=CLEAN
    )
    assert wrong.returncode == 1 and wrong.stderr.startswith("Cannot ") and "Traceback" not in wrong.stderr
