"""`backlinks plan --answers FILE`: the scripting interface, run as a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from support import rows

BACKLINKS = shutil.which("backlinks", path=str(Path(sys.executable).parent)) or "backlinks"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "answers.yaml"


def plan(path: Path, fmt: str = "json") -> subprocess.CompletedProcess:
    return subprocess.run(
        [BACKLINKS, "plan", "--answers", str(path), "--format", fmt], capture_output=True, text=True, timeout=60
    )


def test_json_has_the_documented_fields():
    done = plan(EXAMPLE)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data["target"]["low"], int) and isinstance(data["target"]["high"], int)
    assert 1 <= data["target"]["low"] <= data["target"]["high"] and data["target"]["per"] == "month"
    assert data["build"]["high"] <= data["target"]["high"] and data["build"]["per"] in {"month", "quarter", "year"}
    assert data["binding"] in {"gap", "safe_pace", "capacity"}
    assert isinstance(data["safe_pace"], int) and data["target"]["high"] <= data["safe_pace"]
    assert isinstance(data["capacity"], float | int)
    assert data["momentum"] == {"recent": 6, "spike": False, "earned": 1.38, "natural": 6.0, "basis": "recent"}
    assert data["target"]["low"] >= 6, "never below the site's own recent pace"
    assert data["months_to_parity"] is None or isinstance(data["months_to_parity"], int)
    assert data["levers"]["needed"] > data["target"]["high"] and data["levers"]["hours_to_close"] > 20
    assert data["page_level"]["median"] == 45 and data["page_level"]["pace"] > 0
    assert data["reclaim"] == {"lost": 12, "expected": 2, "on_purpose": False}
    assert sum(data["split"].values()) == data["target"]["high"]
    assert set(data["split"]) <= {"guest_posting", "outreach", "digital_pr", "momentum"}
    assert data["split"]["momentum"] == 6
    assert all(isinstance(item, str) and item for item in data["checklist"])
    assert any("Never buy links" in item for item in data["checklist"])
    assert all(a["assumption"] for a in data["assumptions"])
    assert {"hours_per_link.guest_posting", "recent_pace_multiple", "competitor_growth_share"} <= {
        a["id"] for a in data["assumptions"]
    }


def test_markdown_is_a_readable_report():
    done = plan(EXAMPLE, "markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Backlink plan for example.com\n")
    assert "## Checklist" in done.stdout and "## The figures behind the plan" in done.stdout


def test_invalid_answers_give_the_reasons_on_stderr_and_fail(tmp_path):
    answers = yaml.safe_load(EXAMPLE.read_text())
    answers.update(authority=150, competitors=list(range(11)), strategies=["telepathy"], colour="blue")
    del answers["hours_per_month"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(answers))
    done = plan(path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "authority: 150 is out of range" in done.stderr
    assert "competitors: That is 11 competitors" in done.stderr
    assert "strategies: “telepathy” is not a strategy I know" in done.stderr
    assert "colour: not a question I ask" in done.stderr
    assert "hours_per_month: missing" in done.stderr


def test_optional_answers_may_be_left_out_and_aliases_used(tmp_path):
    answers = yaml.safe_load(EXAMPLE.read_text())
    del answers["authority"], answers["recent_monthly_rd"]
    answers["rd"] = answers.pop("referring_domains")
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(answers))
    done = plan(path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["answers"]["referring_domains"] == 140 and "authority" not in data["answers"]


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    done = plan(path)
    assert done.returncode == 1 and "expected a mapping of question id to answer" in done.stderr
    path.write_text("site: [unclosed\n")
    done = plan(path)
    assert done.returncode == 1 and "not a readable YAML or JSON file" in done.stderr


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


def test_db_upgrade_names_the_database_it_migrated(tmp_path):
    db = tmp_path / "fresh.db"
    done = subprocess.run([BACKLINKS, "db", "upgrade", "--database", str(db)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"The database schema of sqlite:///{db} is up to date.\n"
    assert rows(db, "SELECT version_num FROM alembic_version")


def test_db_upgrade_names_a_server_database_without_its_password(postgres_url):
    import sqlalchemy as sa

    url = sa.engine.make_url(postgres_url).set(drivername="postgresql", password="hunter2")
    database = url.render_as_string(hide_password=False)
    done = subprocess.run([BACKLINKS, "db", "upgrade", "--database", database], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"The database schema of {url.render_as_string(hide_password=True)} is up to date.\n"
    assert "hunter2" not in done.stdout and ":***@" in done.stdout


def test_a_wrong_setting_stops_with_the_variable_named_and_no_traceback(tmp_path):
    env = {**os.environ, "PORT": "abc", "BACKLINKS_IMPORT_MAX_MB": "lots", "SLACK_CLIENT_SECRET": "s3cret-value"}
    done = subprocess.run(
        [BACKLINKS, "reminders", "run-once", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Cannot start: a setting in the environment (or .env) is wrong:" in done.stderr
    assert "BACKLINKS_PORT or PORT: Input should be a valid integer" in done.stderr
    assert "BACKLINKS_IMPORT_MAX_MB: Input should be a valid integer" in done.stderr
    assert "abc" not in done.stderr and "lots" not in done.stderr, "values are not echoed (they may be secrets)"
