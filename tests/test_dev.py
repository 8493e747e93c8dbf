"""dev.py installs what a command needs, once: never less (a missing platform library), never again
for a command that needs no more than what is installed (console after test)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

import dev


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A checkout whose .venv python is a stand-in for pip that records each install it is asked for."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'backlinks-bot'\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(tmp_path / 'pip.log')!r}, 'a').write(sys.argv[-1] + '\\n')\n"
    )
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "PYTHON", python)
    return tmp_path


def installs(checkout: Path) -> list[str]:
    log = checkout / "pip.log"
    return log.read_text().split() if log.exists() else []


def test_each_command_gets_its_extras_and_a_smaller_need_installs_nothing(checkout):
    dev.ensure_installed(dev.EXTRAS["console"])
    assert installs(checkout) == ["."]
    dev.ensure_installed(dev.EXTRAS["serve"])
    assert installs(checkout) == [".", ".[discord,postgres,sentry,slack]"]
    dev.ensure_installed(dev.EXTRAS["console"])
    dev.ensure_installed(dev.EXTRAS["backlinks"])
    assert len(installs(checkout)) == 2, "serve's install covers console and backlinks"
    dev.ensure_installed(dev.EXTRAS["test"])
    dev.ensure_installed(dev.EXTRAS["serve"])
    assert installs(checkout)[2:] == [".[discord,postgres,sentry,slack,test]"]


def test_a_changed_pyproject_reinstalls_everything_installed_before(checkout):
    dev.ensure_installed(dev.EXTRAS["test"])
    (checkout / "pyproject.toml").write_text("[project]\nname = 'backlinks-bot'\nversion = '2'\n")
    dev.ensure_installed(dev.EXTRAS["console"])
    assert installs(checkout) == [".[discord,postgres,sentry,slack,test]"] * 2
    assert len(list((checkout / ".venv").glob(".installed-*"))) == 1
