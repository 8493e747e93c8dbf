"""The README's main job on a plain install (`pip install .`, no extras).

The suite itself runs with every extra installed, so a core module importing an extra's library
(`cachetools` once, from the Slack extra) passed every test and crashed the quick start. Here the
real `backlinks` runs in a child process that refuses every module only an extra provides; `.ci/run`
proves the same in a clean virtual environment.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Started as `python -c`: refuse the extras' modules, then run the real command line.
BLOCKED_RUN = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (only an extra installs it)", name=name)
sys.meta_path.insert(0, Refuse())
sys.argv = ["backlinks", *sys.argv[2:]]
from bot.app.cli import main
main()
"""


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]).lower()


def _closure(names: set[str]) -> set[str]:
    """The distributions these need, theirs included, as installed here."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r]
    return seen


def extras_only_modules() -> set[str]:
    """Top-level modules whose distribution comes with an extra and with no core dependency."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = _closure({_name(d) for d in project["dependencies"]})
    extras = {_name(d) for ds in project["optional-dependencies"].values() for d in ds} - core
    modules = metadata.packages_distributions()
    return {m for m, dists in modules.items() if {_name(d) for d in dists} <= extras and not m.startswith("_")}


def run_plain(*args: str, stdin: str = "", tmp: Path) -> subprocess.CompletedProcess:
    blocked = extras_only_modules()
    assert {"slack_bolt", "discord", "asyncpg"} <= blocked  # it does refuse the extras
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, ",".join(sorted(blocked)), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "PYTHONPATH": str(ROOT)},
    )


def test_the_terminal_chat_makes_a_plan_without_any_extra(tmp_path):
    chat = run_plain(
        "console",
        "--database",
        str(tmp_path / "bot.db"),
        "--user",
        "newcomer",
        stdin="plan site=freshbakery.co.uk kind=local rd=3 age=2 competitors=150,220,400 horizon=12 assets=0 "
        "posts=2 quality=3 strategies=citations, local associations hours=10 recent=1 lost=0 dr=5 pages=skip\n"
        "skip\nshow\nlog 2\nlog ²\nquit\n",
        tmp=tmp_path,
    )
    assert chat.returncode == 0, chat.stderr
    assert "Traceback" not in chat.stdout + chat.stderr
    assert "Backlink plan for freshbakery.co.uk" in chat.stdout
    assert "Logged for" in chat.stdout
    assert "“²” is not a link, a count or a month" in chat.stdout  # a superscript two ended the chat once


def test_plan_files_render_as_json_and_markdown_without_any_extra(tmp_path):
    example = str(ROOT / "examples" / "answers.yaml")
    as_json = run_plain("plan", "--answers", example, "--format", "json", tmp=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["checklist"]
    as_markdown = run_plain("plan", "--answers", example, "--format", "markdown", tmp=tmp_path)
    assert as_markdown.returncode == 0, as_markdown.stderr
    assert as_markdown.stdout.startswith("# Backlink plan for example.com")
