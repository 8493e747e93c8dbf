"""`backlinks serve` as the Procfile runs it: roles, /healthz, SIGTERM, the ephemeral-disk warning, and
the one-line messages that stop a start (half-set Slack, a platform's library missing, the database)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from processes import BACKLINKS, CLEAN, free_port, wait_for_healthz

from bot.app.serve import slack_settings_problem
from bot.core.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


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


def serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([BACKLINKS, "serve", *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_worker_with_nothing_configured_says_what_to_set(tmp_path):
    done = serve({**CLEAN, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db"}, "--role", "worker")
    assert done.returncode == 1
    assert done.stderr == (
        "Nothing to serve: no chat platform is configured. For Slack set SLACK_APP_TOKEN and SLACK_BOT_TOKEN "
        "(Socket Mode), or SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
        "SLACK_CLIENT_SECRET (many workspaces) for HTTP; for Discord set DISCORD_TOKEN. See the README.\n"
    )


def test_with_only_a_database_url_the_database_is_checked_too():
    env = {**CLEAN, "DATABASE_URL": "postgres://bot:hunter2@127.0.0.1:1/backlinks"}
    done = serve(env)
    assert done.returncode == 1
    assert done.stderr == (
        "Cannot start: cannot open the database postgres://bot:***@127.0.0.1:1/backlinks: "
        "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)\n"
    )


def test_a_wrong_database_url_stops_with_one_clear_line():
    env = {
        **CLEAN,
        "DATABASE_URL": "postgres://bot:hunter2@127.0.0.1:1/backlinks",
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_BOT_TOKEN": "xoxb-1",
    }
    done = serve(env)
    assert done.returncode == 1
    assert "cannot open the database postgres://bot:***@127.0.0.1:1/backlinks" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


BOT_TOKEN_WHERE = "SLACK_BOT_TOKEN is the Bot User OAuth Token (xoxb-…) under Install App, after Install to Workspace"
PAGES = "at https://api.slack.com/apps → your app (README, Slack)."


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        # The state after the README's step 2: the app-level token copied, the bot token not yet.
        (
            {"SLACK_APP_TOKEN": "xapp-1-A1-secret"},
            f"Slack is half set up: SLACK_APP_TOKEN is set, but SLACK_BOT_TOKEN is missing. {BOT_TOKEN_WHERE}; {PAGES}",
        ),
        (
            {"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5"},
            "Slack is half set up: SLACK_SIGNING_SECRET is set, but SLACK_BOT_TOKEN is missing. "
            f"{BOT_TOKEN_WHERE}; {PAGES}",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-secret"},
            "Slack is half set up: SLACK_BOT_TOKEN is set, but it needs SLACK_APP_TOKEN too for Socket Mode, "
            "an app-level token (xapp-…) made under Basic Information → App-Level Tokens → Generate Token and "
            "Scopes, scope connections:write; or SLACK_SIGNING_SECRET for HTTP mode, the Signing Secret under "
            f"Basic Information → App Credentials; {PAGES}",
        ),
    ],
    ids=["only-app-token", "only-signing-secret", "only-bot-token"],
)
def test_half_set_slack_settings_stop_with_one_line_naming_what_is_missing_and_where(tmp_path, variables, line):
    done = serve({**CLEAN, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", **variables})
    assert done.returncode == 1
    assert done.stderr == f"Cannot start: {line}\n"
    assert not any(value in done.stderr for value in variables.values()), "secrets are never echoed"
    assert not (tmp_path / "bot.db").exists(), "stopped before opening anything"


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        ({"slack_app_token": "xapp-1", "slack_bot_token": "xoxb-1"}, None),
        ({"slack_signing_secret": "s", "slack_bot_token": "xoxb-1"}, None),
        ({"slack_signing_secret": "s", "slack_client_id": "1.2", "slack_client_secret": "c"}, None),
        ({}, None),
        ({"slack_client_id": "1.2", "slack_signing_secret": "s"}, "but SLACK_CLIENT_SECRET is missing"),
        ({"slack_client_id": "1.2", "slack_client_secret": "c"}, "but SLACK_SIGNING_SECRET is missing"),
        ({"slack_mode": "socket", "slack_bot_token": "xoxb-1"}, "but SLACK_APP_TOKEN is missing"),
        ({"slack_mode": "http", "slack_app_token": "xapp-1"}, "but SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are"),
        (
            {"slack_app_token": "xoxb-1", "slack_bot_token": "xapp-1"},
            "SLACK_APP_TOKEN does not start with xapp- (it looks like the SLACK_BOT_TOKEN: are the two swapped?)",
        ),
        ({"slack_signing_secret": "s", "slack_bot_token": "xoxp-1"}, "SLACK_BOT_TOKEN does not start with xoxb-."),
    ],
)
def test_what_a_slack_configuration_lacks(settings, missing):
    problem = slack_settings_problem(Settings(_env_file=None, **settings))
    assert (problem is None) if missing is None else (missing in problem)


HIDE_PLATFORM_LIBRARIES = """
import sys

class Hidden:
    \"\"\"Makes the extras' libraries look uninstalled, as after the quick start (core only).\"\"\"

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("discord", "slack_bolt", "slack_sdk", "asyncpg"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Hidden())
"""


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        (
            {"DISCORD_TOKEN": "MTIz.secret"},
            "DISCORD_TOKEN is set, but discord.py is not installed. "
            f"Install it with: {sys.executable} -m pip install -e '{ROOT}[discord]'",
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"},
            "Slack is configured, but slack-bolt is not installed. "
            f"Install it with: {sys.executable} -m pip install -e '{ROOT}[slack]'",
        ),
        (
            {"DATABASE_URL": "postgres://bot:hunter2@db.example:5432/backlinks", "DISCORD_TOKEN": "MTIz.secret"},
            "DISCORD_TOKEN is set, but discord.py is not installed. "
            f"Install it with: {sys.executable} -m pip install -e '{ROOT}[discord]'",
        ),
        (
            {"DATABASE_URL": "postgres://bot:hunter2@db.example:5432/backlinks"},
            "the database is PostgreSQL, but asyncpg (PostgreSQL) is not installed. "
            f"Install it with: {sys.executable} -m pip install -e '{ROOT}[postgres]'",
        ),
    ],
    ids=["discord", "slack", "discord-first", "postgres"],
)
def test_a_platform_library_not_installed_is_one_line_naming_the_install_command(tmp_path, variables, line):
    (tmp_path / "hide").mkdir()
    (tmp_path / "hide" / "sitecustomize.py").write_text(HIDE_PLATFORM_LIBRARIES)
    env = {**CLEAN, "PYTHONPATH": str(tmp_path / "hide"), "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", **variables}
    done = serve(env)
    assert done.returncode == 1
    assert done.stderr == f"Cannot start: {line}\n"
    assert "Traceback" not in done.stderr


def test_db_upgrade_of_a_postgresql_database_without_its_driver_names_the_install_command(tmp_path):
    (tmp_path / "hide").mkdir()
    (tmp_path / "hide" / "sitecustomize.py").write_text(HIDE_PLATFORM_LIBRARIES)
    env = {**CLEAN, "PYTHONPATH": str(tmp_path / "hide")}
    database = "postgresql://bot:hunter2@db.example:5432/backlinks"
    done = subprocess.run([BACKLINKS, "db", "upgrade", "--database", database], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == (
        "Cannot migrate: the database is PostgreSQL, but asyncpg (PostgreSQL) is not installed. "
        f"Install it with: {sys.executable} -m pip install -e '{ROOT}[postgres]'\n"
    )


def test_a_worker_given_a_port_answers_healthz_and_metrics_there(tmp_path):
    """A container's health check asks every process on PORT (Dockerfile): a worker, which has no
    HTTP server of its own, serves /healthz and /metrics there when PORT is given."""
    port = free_port()
    env = {
        **CLEAN,
        "PORT": str(port),
        "BACKLINKS_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
        # Slack over HTTP: the worker works the forms the web processes share; it asks Slack nothing at start.
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_BOT_TOKEN": "xoxb-1-test",
        "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/",
    }
    process = subprocess.Popen([BACKLINKS, "serve", "--role", "worker"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        health = wait_for_healthz(port, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            page = response.read().decode()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        process.kill()
    assert health == {"ok": True, "database": "ok"}
    assert "backlinks_inbox_depth 0.0" in page.splitlines()
    assert process.returncode == 0


def test_serve_runs_on_uvloop_where_it_is_installed_else_on_asyncio(monkeypatch):
    import importlib

    import uvloop

    serve_command = importlib.import_module("bot.app.cli.serve")  # the module (the package exports the command)

    assert serve_command._loop() is uvloop.new_event_loop  # a dependency on Linux and macOS
    monkeypatch.setitem(sys.modules, "uvloop", None)  # not installed (Windows): asyncio's own loop
    assert serve_command._loop() is None
