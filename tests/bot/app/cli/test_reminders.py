"""`backlinks reminders run-once` (bot/app/cli/reminders.py), run as a subprocess on a plan made in
`backlinks console`."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from processes import BACKLINKS
from support import rows


def planned_in_the_console(db: Path) -> None:
    from support import TYPED_ANSWERS

    script = "\n".join(["plan", *(typed for _, typed in TYPED_ANSWERS), "quit"]) + "\n"
    subprocess.run(
        [BACKLINKS, "console", "--database", str(db)],
        input=script,
        text=True,
        capture_output=True,
        timeout=60,
        check=True,
    )


def run_once(db: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BACKLINKS, "reminders", "run-once", "--database", str(db), *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


def first_check_in() -> dt.datetime:
    """When a plan made today is first reminded of: the 1st of next month, 09:00 (UTC here)."""
    today = dt.datetime.now(dt.UTC)
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1, hour=9, minute=0, second=0, microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def test_reminders_run_once_sends_what_is_due_once(tmp_path):
    db = tmp_path / "r.db"
    planned_in_the_console(db)
    due = first_check_in()
    early = run_once(db, "--now", iso(due - dt.timedelta(hours=1)), "--yes")
    assert "claimed 0, sent 0" in early.stdout
    nothing_yet = run_once(db, "--now", iso(due - dt.timedelta(hours=1)))
    assert nothing_yet.returncode == 0 and nothing_yet.stderr == "", "nothing due: nothing to refuse"
    assert nothing_yet.stdout.startswith("0 reminder(s) due at ") and nothing_yet.stdout.endswith("or sent).\n")
    dry = run_once(db, "--now", iso(due), "--dry-run")
    assert "1 reminder(s) due" in dry.stdout and "console/local/console" in dry.stdout
    done = run_once(db, "--now", iso(due), "--yes")
    assert done.returncode == 0, done.stderr
    assert f"Monthly backlink check-in for example.com - {due:%B %Y}" in done.stdout
    assert "claimed 1, sent 1 (0 late)" in done.stdout
    again = run_once(db, "--now", iso(due + dt.timedelta(minutes=30)), "--yes")
    assert "claimed 0, sent 0" in again.stdout, "one reminder a month"
    bad = run_once(db, "--now", "tomorrow")
    assert bad.returncode == 1 and "is not an ISO time" in bad.stderr


def test_run_once_at_a_future_moment_lists_and_refuses_without_yes(tmp_path):
    db = tmp_path / "r.db"
    planned_in_the_console(db)
    due = first_check_in()
    before = rows(db, "SELECT * FROM plans"), rows(db, "SELECT * FROM reminders")
    refused = run_once(db, "--now", iso(due))
    assert refused.returncode == 1
    assert refused.stdout == (
        f"1 reminder(s) due at {due.isoformat()} (nothing claimed or sent):\n"
        f"  console/local/console  due {due.isoformat()}\n"
    )
    assert refused.stderr == (
        f"Not sent: {iso(due)} is in the future. Sending these closes their month for good: each check-in goes "
        "out, and each plan is re-run a month on (the site a month older, the horizon a month shorter). Add --yes "
        "to do it, or --dry-run to only list them.\n"
    )
    dry = run_once(db, "--now", iso(due), "--dry-run")
    assert dry.returncode == 0 and dry.stdout == refused.stdout and dry.stderr == ""
    assert (rows(db, "SELECT * FROM plans"), rows(db, "SELECT * FROM reminders")) == before, "nothing changed"
    sent = run_once(db, "--now", iso(due), "--yes")
    assert sent.returncode == 0 and "claimed 1, sent 1 (0 late)" in sent.stdout
    assert rows(db, "SELECT * FROM reminders") != before[1], "the month closed: the next check-in moved on"
