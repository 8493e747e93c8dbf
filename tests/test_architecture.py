"""The core stays platform-neutral: bot/ never imports a platform SDK."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = {"slack_bolt", "slack_sdk", "discord"}


def test_no_module_in_bot_imports_a_platform_sdk():
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[0] in SDKS]
    assert offenders == []


def test_importing_the_core_loads_no_platform_sdk():
    modules = ", ".join(
        f"bot.{p.stem}" for p in sorted((ROOT / "bot").glob("*.py")) if p.stem not in {"__init__", "__main__"}
    )
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] in {SDKS!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
