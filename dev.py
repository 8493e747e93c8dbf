#!/usr/bin/env python3
"""One command from a fresh checkout: make a virtual environment, install, run.

    python3 dev.py console   # install the bot and chat with it in this terminal
    python3 dev.py test      # install the test extras and run the whole test suite

Extra arguments go to the command (`python3 dev.py test -k planner`, `python3 dev.py console
--channel acme`). Only the standard library is used here: this runs before anything is installed.
The install is redone only when pyproject.toml changes.
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

# What each command needs installed (extras of pyproject.toml).
EXTRAS = {"console": "", "test": "[test,postgres,slack,discord]"}


def ensure_installed(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"Backlinks bot needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    print(f"Installing backlinks-bot{extras} into .venv (once; a minute or two) ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".{extras}"],
        cwd=ROOT,
        check=True,
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    if extras != EXTRAS["console"]:
        # The fuller install also serves the console, so don't reinstall for it afterwards.
        (VENV / f".installed-{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:16]}").touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(EXTRAS), help="console: chat in the terminal; test: run the tests")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the command")
    options = parser.parse_args()
    ensure_installed(EXTRAS[options.command])
    if options.command == "console":
        command = [str(BIN / "backlinks"), "console", *options.args]
    else:
        command = [str(PYTHON), "-m", "pytest", *options.args]
    os.chdir(ROOT)
    if os.name == "nt":
        sys.exit(subprocess.call(command))
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
