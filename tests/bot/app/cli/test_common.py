"""What every command shares (bot/app/cli/common.py): a wrong setting stops it with the variable
named, no traceback and no value."""

from __future__ import annotations

import os
import subprocess

from processes import BACKLINKS


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
