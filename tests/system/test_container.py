"""The container files (Dockerfile, compose.yaml, .env.example, .dockerignore) give the bot what it
needs: the Procfile's commands, the compose database, every setting documented, a health check
that asks the port the bot listens on. Parsed everywhere; built and validated by Docker itself
where an engine runs (skipped elsewhere, with the reason in the summary: `-ra` shows it)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.app.cli.common import variables
from bot.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# The Compose Specification's schema (github.com/compose-spec/compose-spec, schema/compose-spec.json,
# Apache-2.0), what `docker compose config` validates against.
COMPOSE_SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec.json"


def procfile() -> dict[str, list[str]]:
    roles = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            role, _, command = line.partition(":")
            roles[role.strip()] = shlex.split(command)
    return roles


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per instruction, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def env_example() -> dict[str, str]:
    """Every variable .env.example names, set or commented out (`# NAME=value`)."""
    found = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if match := re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=(\S*)", line):
            found[match[1]] = match[2]
    return found


def test_the_compose_file_is_valid_compose():
    validator = jsonschema.Draft7Validator(json.loads(COMPOSE_SCHEMA.read_text()))
    validator.validate(compose())
    # The schema refuses what Docker refuses (it would pass anything if it were loaded wrong).
    broken = compose()
    broken["services"]["web"]["helthcheck"] = {}
    assert not validator.is_valid(broken)


def test_each_procfile_role_is_a_compose_service_running_the_same_command():
    services = compose()["services"]
    assert procfile() == {"release": ["backlinks", "db", "upgrade"], **{
        role: ["backlinks", "serve", "--role", role] for role in ("web", "worker")
    }}  # fmt: skip
    for role, command in procfile().items():
        assert services[role]["command"] == command, role


def test_web_and_worker_use_the_compose_database_after_the_release_step():
    spec = compose()
    db = spec["services"]["db"]
    assert db["image"].startswith("postgres:")
    user, name = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"]
    assert any(v.startswith("pgdata:/var/lib/postgresql/data") for v in db["volumes"])
    assert "pgdata" in spec["volumes"]  # a named volume: the data outlives the container
    for role in ("release", "web", "worker"):
        service = spec["services"][role]
        url = service["environment"]["DATABASE_URL"]
        # postgresql://USER:${POSTGRES_PASSWORD...}@db:5432/NAME, the password from .env
        assert re.fullmatch(rf"postgresql://{user}:\$\{{POSTGRES_PASSWORD[^}}]*\}}@db:5432/{name}", url), url
        assert service["env_file"] == ".env"  # the tokens
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    for role in ("web", "worker"):
        assert spec["services"][role]["depends_on"]["release"]["condition"] == "service_completed_successfully"
    # The bot reads the same variable: the compose URL is the one it opens.
    assert Settings(DATABASE_URL="postgresql://u:p@db:5432/n").database_url == "postgresql://u:p@db:5432/n"
    assert "POSTGRES_PASSWORD" in env_example()


def test_the_web_port_is_published_and_every_bot_listens_where_the_health_check_asks():
    spec = compose()
    published = spec["services"]["web"]["ports"]
    assert [p.rsplit(":", 1)[1] for p in published] == ["3000"]
    for role in ("web", "worker"):
        environment = spec["services"][role]["environment"]
        assert environment["PORT"] == "3000" and environment["BACKLINKS_HOST"] == "0.0.0.0"
    instructions = dockerfile()
    check = " ".join(args for name, args in instructions if name == "HEALTHCHECK")
    assert "/healthz" in check and "PORT" in check
    assert ("EXPOSE", "3000") in instructions and ("ENV", "PORT=3000") in instructions


def test_the_image_is_slim_python_311_runs_as_a_user_and_installs_this_checkout_with_serves_extras():
    instructions = dockerfile()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    copied = {args.split()[0] for name, args in instructions if name == "COPY"}
    assert {"pyproject.toml", "bot", "adapters", "providers", "knowledge"} <= copied
    installs = " ".join(args for name, args in instructions if name == "RUN")
    extras = set(re.search(r'pip install "\.\[([a-z,]+)\]"', installs)[1].split(","))
    assert {"slack", "discord", "postgres"} <= extras  # what `serve` may import (dev.py's RUN)
    import dev

    assert extras == dev.RUN
    assert json.loads(next(args for name, args in instructions if name == "CMD")) == procfile()["web"]
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") :].count("!bot/") == 1 and "**/.env" in ignored


def test_env_example_documents_every_setting_the_bot_reads():
    named = env_example()
    missing = [
        names for field, names in variables(Settings).items() if field in Settings.model_fields
        and not any(name in named for name in names.split(" or "))
    ]  # fmt: skip
    assert missing == []
    # Nothing it sets would stop the bot: the values given parse as settings.
    set_lines = [line for line in (ROOT / ".env.example").read_text().splitlines() if re.match(r"^[A-Z]", line)]
    assert set_lines == ["POSTGRES_PASSWORD=change-me"]


def _docker_engine() -> str | None:
    """Why Docker can't be used here (None: it can)."""
    if shutil.which("docker") is None:
        return "no docker client installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        return "no Docker engine running (`docker info` failed)"
    return None


@pytest.fixture(scope="module")
def docker():
    if reason := _docker_engine():
        pytest.skip(f"Docker: {reason}; the image build and `docker compose config` are not checked here")


def test_docker_compose_config_validates_the_file(docker, tmp_path):
    env = tmp_path / ".env"
    env.write_text("POSTGRES_PASSWORD=x\n")
    result = subprocess.run(
        ["docker", "compose", "--project-directory", str(ROOT), "--env-file", str(env), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_builds_and_runs_backlinks_help(docker):
    tag = "backlinks-bot:test"
    build = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run(
        ["docker", "run", "--rm", tag, "backlinks", "--help"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "serve" in run.stdout and "console" in run.stdout
    user = subprocess.run(["docker", "run", "--rm", tag, "id", "-u"], capture_output=True, text=True, timeout=120)
    assert user.stdout.strip() != "0"
