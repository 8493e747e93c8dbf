"""`backlinks serve` as the Procfile runs it: roles, /healthz, SIGTERM, the ephemeral-disk warning."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request

from processes import BACKLINKS, CLEAN, free_port


def test_a_web_process_without_slack_answers_healthz_warns_on_an_ephemeral_disk_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **CLEAN,
        "PORT": str(port),
        "BACKLINKS_HOST": "127.0.0.1",
        "DYNO": "web.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
    }
    process = subprocess.Popen([BACKLINKS, "serve", "--role", "web"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200 and json.load(response) == {"ok": True, "database": "ok"}
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "no /healthz within 30 s"
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "every plan, reminder and Slack installation will be LOST" in errors and "(DYNO is set)" in errors
    assert errors.rstrip().endswith("stopped")


def test_a_worker_with_nothing_configured_says_what_to_set(tmp_path):
    env = {**CLEAN, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db"}
    done = subprocess.run([BACKLINKS, "serve", "--role", "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Nothing to serve:" in done.stderr and "DISCORD_TOKEN" in done.stderr and "SLACK_APP_TOKEN" in done.stderr


def test_a_wrong_database_url_stops_with_one_clear_line():
    env = {**CLEAN, "DATABASE_URL": "postgres://bot:hunter2@127.0.0.1:1/backlinks", "SLACK_APP_TOKEN": "xapp-1"}
    done = subprocess.run([BACKLINKS, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot open the database postgres://bot:***@127.0.0.1:1/backlinks" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr
