"""`backlinks console` given a database it cannot start on: one clear line, never a traceback and
never a wrong diagnosis."""

from __future__ import annotations

import subprocess

from processes import BACKLINKS, CLEAN

HIDE_ASYNCPG = """
import sys

class Hidden:
    \"\"\"asyncpg looks uninstalled, as after the quick start's plain `pip install .`.\"\"\"

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "asyncpg":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Hidden())
"""


def console(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BACKLINKS, "console", "--user", "tester", *args],
        input="quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**CLEAN, **(env or {})},
    )


def test_a_folder_given_as_the_database_is_called_a_folder_not_a_damaged_file(tmp_path):
    done = console("--database", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr == (
        f"Cannot start: {tmp_path} is a folder, not a database file: give a file in it, like {tmp_path}/backlinks.db\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_postgresql_database_without_its_driver_names_the_install_command(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(HIDE_ASYNCPG)
    done = console(
        "--database", "postgresql://bot:hunter2@db.example:5432/backlinks", env={"PYTHONPATH": str(tmp_path)}
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "Cannot start: the database is PostgreSQL, but asyncpg (PostgreSQL) is not installed."
    )
    assert "[postgres]" in done.stderr and "ModuleNotFoundError" not in done.stderr and "hunter2" not in done.stderr
