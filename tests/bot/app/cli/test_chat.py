"""`backlinks plan --answers FILE` (bot/app/cli/chat.py): the scripting interface, run as a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import yaml
from processes import BACKLINKS

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "answers.yaml"


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


def test_an_answer_file_in_peoples_words_makes_the_plan(tmp_path):
    """Answers written as people write them, a start date for the site's age among them."""
    answers = {
        "site": "https://www.candleshop.co.uk/",
        "site_kind": "we sell handmade candles online",
        "authority": "DR 15",
        "referring_domains": "about 60",
        "site_age_months": "since March 2021",
        "competitors": "yankeecandle.com 20000, smallwick.co.uk 150, waxlyrical.co.uk 400",
        "horizon_months": "2 years",
        "linkable_assets": "none really",
        "posts_per_month": "one a week",
        "content_quality": "pretty good, 4",
        "strategies": "outreach and guest posts",
        "hours_per_month": "5 hours a week",
    }
    path = tmp_path / "words.yaml"
    path.write_text(yaml.safe_dump(answers))
    done = plan(path)
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)["answers"]
    today = dt.datetime.now(dt.UTC).date()
    assert read["site_age_months"] == (today.year - 2021) * 12 + today.month - 3
    assert read["site_kind"] == "shop" and read["authority"] == 15 and read["horizon_months"] == 24
    assert read["strategies"] == ["outreach", "guest_posting"] and read["hours_per_month"] == 22


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    done = plan(path)
    assert done.returncode == 1 and "expected a mapping of question id to answer" in done.stderr
    path.write_text("site: [unclosed\n")
    done = plan(path)
    assert done.returncode == 1 and "not a readable YAML or JSON file" in done.stderr
