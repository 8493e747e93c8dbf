#!/usr/bin/env python3
"""One command from a fresh checkout: make a virtual environment, install, run.

    python3 dev.py console         # install the bot and chat with it in this terminal
    python3 dev.py test            # install the test extras and run the whole test suite
    python3 dev.py serve           # install Slack, Discord and PostgreSQL support, run `backlinks serve`
    python3 dev.py backlinks ...   # the same install, then any `backlinks` command (db upgrade, ...)

Extra arguments go to the command (`python3 dev.py test -k planner`, `python3 dev.py console
--channel acme`, `python3 dev.py serve --role worker`). Only the standard library is used here: this
runs before anything is installed. The install is redone only when pyproject.toml changes or a
command needs an extra that is not installed yet.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
BACKLINKS = BIN / ("backlinks.exe" if os.name == "nt" else "backlinks")

# What each command needs installed (extras of pyproject.toml). Running the bot for Slack or
# Discord needs their libraries; PostgreSQL's driver comes along for a DATABASE_URL.
RUN = {"postgres", "slack", "discord", "sentry"}  # sentry: only used when BACKLINKS_SENTRY_DSN is set
EXTRAS = {"console": set(), "serve": RUN, "backlinks": RUN, "test": {"test", *RUN}}


# The suite runs in parallel pytest processes (pytest-xdist), one per core and one more: many tests
# wait on processes they started, and a third worker on two cores kept both busy (about 175 s for the
# whole suite, against 200 s with two and 190 s with four). The tests are independent, each with its
# own files, ports and databases. `python3 dev.py test -n 0` runs them in one process.
WORKERS = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1
PARALLEL = ["-n", str(WORKERS), "--dist", "worksteal"]


def command_for(name: str, args: list[str]) -> list[str]:
    """What a dev.py command runs once its extras are installed."""
    if name == "test":
        return [str(PYTHON), "-m", "pytest", *PARALLEL, *args]
    if name == "backlinks":
        return [str(BACKLINKS), *args]
    return [str(BACKLINKS), name, *args]


def ensure_installed(extras: set[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"Backlinks bot needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    # The stamp names this pyproject.toml and holds the extras installed with it, so a command
    # needing fewer extras than the last install (console after test) installs nothing.
    stamp = VENV / f".installed-{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:16]}"
    if stamp.exists() and extras <= set(stamp.read_text().split()):
        return
    # Whatever was installed before (under this or an older pyproject.toml) is brought up to date too.
    before = {extra for old in VENV.glob(".installed-*") for extra in old.read_text().split()}
    wanted = sorted(extras | before)
    spec = f".[{','.join(wanted)}]" if wanted else "."
    print(f"Installing backlinks-bot{spec[1:]} into .venv (once; a minute or two) ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec],
        cwd=ROOT,
        check=True,
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.write_text(" ".join(wanted) + "\n")


def compile_sources() -> None:
    """Byte-compile the checkout's own modules, as pip does for a package it installs: an editable
    install runs them from here, and where PYTHONDONTWRITEBYTECODE is set (some shells, IDEs and
    sandboxes set it) every process would compile them again, about half a second of CPU each, and
    the test suite starts well over a hundred `backlinks` processes. Up to date, this takes ~40 ms."""
    packages = ("bot", "adapters", "providers", "knowledge", "tests", "bench")
    folders = [name for name in packages if (ROOT / name).is_dir()]
    subprocess.run([str(PYTHON), "-m", "compileall", "-qq", *folders], cwd=ROOT, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "command",
        choices=sorted(EXTRAS),
        help="console: chat in the terminal; test: run the tests; serve: run the bot for Slack and Discord; "
        "backlinks: any backlinks command",
    )
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the command")
    options = parser.parse_args()
    ensure_installed(EXTRAS[options.command])
    compile_sources()
    if options.command == "test":
        # pytest keeps the test modules it rewrote (for its assert messages) as bytecode only where
        # Python may write bytecode; else each parallel worker rewrites all of them, ~2.5 s of CPU.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    command = command_for(options.command, options.args)
    os.chdir(ROOT)
    if os.name == "nt":
        sys.exit(subprocess.call(command))
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
