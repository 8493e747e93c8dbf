"""The stand-ins without the platforms' specs (a clone on its own): the tests pass, and the run says
what went unchecked (tests/helpers/platform_specs.py, the summary hook in tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platform_specs

ROOT = Path(__file__).resolve().parents[1]


def test_where_a_spec_is_looked_for(monkeypatch, tmp_path):
    for variable in (platform_specs.FOLDER_VARIABLE, *platform_specs.VARIABLES.values()):
        monkeypatch.delenv(variable, raising=False)
    assert platform_specs.wanted("discord") == ROOT.parent / "shared" / "specs" / "discord-openapi.json"
    monkeypatch.setenv("BACKLINKS_PLATFORM_SPECS", str(tmp_path))
    assert platform_specs.wanted("slack") == tmp_path / "slack-web-openapi-v2.json"
    assert platform_specs.spec_path("slack") is None, "an empty folder holds no spec"
    (tmp_path / "slack-web-openapi-v2.json").write_text("{}")
    assert platform_specs.spec_path("slack") == tmp_path / "slack-web-openapi-v2.json"
    monkeypatch.setenv("BACKLINKS_SLACK_SPEC", str(tmp_path / "elsewhere.json"))
    assert platform_specs.wanted("slack") == tmp_path / "elsewhere.json", "a file named for one platform comes first"
    assert platform_specs.wanted("discord") == tmp_path / "discord-openapi.json"
    monkeypatch.setenv("BACKLINKS_PLATFORM_SPECS", "none")
    assert platform_specs.wanted("slack") is None and platform_specs.spec_path("discord") is None, "none hides all"


def test_without_the_specs_the_limit_tests_pass_and_the_run_says_what_went_unchecked(tmp_path):
    # A real pytest run, as a clone alone runs it (`dev.py test`: in parallel workers, whose counts the
    # main process adds up): an empty folder where the specs should be.
    env = {**os.environ, "BACKLINKS_PLATFORM_SPECS": str(tmp_path)}
    for variable in platform_specs.VARIABLES.values():
        env.pop(variable, None)
    tests = ["tests/adapters/discord/test_limits_standin.py", "tests/adapters/slack/test_slack_standin_limits.py"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *tests]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("platform specs not found")]
    assert str(tmp_path / "discord-openapi.json") in line and str(tmp_path / "slack-web-openapi-v2.json") in line
    assert " request bodies (Discord " in line and ", Slack " in line and ") were checked" in line
    assert "checked against the recorded limits only, not against the full Discord and Slack API specs" in line
    # The tests of what only a spec refuses were skipped, not passed: nothing claims a check it lacked.
    assert " skipped" in done.stdout.splitlines()[-1]
