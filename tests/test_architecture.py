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
    modules = ", ".join(m for m in sorted(_own_modules()) if m.startswith("bot"))
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] in {SDKS!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# Imports under `if TYPE_CHECKING:` count too: they never run, but they tie the modules together
# all the same.


def _own_modules() -> dict[str, Path]:
    modules = {}
    for top in ("bot", "adapters", "providers"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.relative_to(ROOT).parts:
                continue  # Alembic's scripts, loaded by Alembic, not imported
            rel = path.relative_to(ROOT).with_suffix("")
            modules[".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)] = path
    return modules


def _imports(tree: ast.AST):
    """Every import statement, wherever it stands (in a function, under `if TYPE_CHECKING:`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _import_graph() -> dict[str, set[str]]:
    modules = _own_modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # A module importing its own package's __init__ is no circle of ours.
                if target and target != module and not module.startswith(target + "."):
                    graph[module].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _named(circles) -> list[str]:
    return sorted(" <-> ".join(sorted(c)) for c in circles)


def test_the_import_graph_sees_the_project():
    graph = _import_graph()
    assert "bot.storage.store" in graph["bot.engine"]
    assert "bot.core.events" in graph["bot.storage.store"]
    assert not any(m.startswith("bot.storage.migrations") for m in graph)


def test_every_import_counts_even_for_type_checking():
    tree = ast.parse(
        "import a\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\nelse:\n    import c\n"
        "def f():\n    import d\n"
    )
    names = sorted(alias.name for node in _imports(tree) for alias in node.names)
    assert names == ["TYPE_CHECKING", "a", "b", "c", "d"]


def test_no_import_circles():
    circles = set(_circles(_import_graph()))
    assert not circles, f"import circles (break them; imports under `if TYPE_CHECKING:` count too): {_named(circles)}"


# The application on top composes the engine; a capability plugs into it and never imports it.
ENGINE_USERS = {"bot.app.build", "bot.app.serve"}  # build makes it (for every entry point); serve runs it


def test_no_capability_imports_the_engine():
    graph = _import_graph()
    users = {m for m, imported in graph.items() if m.startswith("bot.") and "bot.engine" in imported}
    assert users <= ENGINE_USERS, sorted(users - ENGINE_USERS)


def test_adapters_import_only_the_cores_public_names():
    """Adapters translate in and out: they use the core's public names, never its privates, and
    never the application on top (which composes them)."""
    offenders = []
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        for node in _imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "bot":
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or node.module.startswith("bot.app"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module} {private}")
    assert offenders == []


def test_every_folder_of_code_is_packaged():
    """setuptools finds packages by their __init__.py: a folder of modules without one would be
    missing from an installed bot (its migrations, say) while every test here still passed."""
    import tomllib

    folders = {p.parent for top in ("bot", "adapters") for p in (ROOT / top).rglob("*.py")}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()) == []
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        folder = ROOT.joinpath(*package.split("."))
        assert (folder / "__init__.py").exists(), package
        assert all(list(folder.glob(pattern)) for pattern in patterns), (package, patterns)


def test_the_core_stands_on_nothing_else_of_the_bot():
    graph = _import_graph()
    core = {m for m in graph if m.startswith("bot.core")}
    above = {f"{m} -> {i}" for m in core for i in graph[m] if i.startswith("bot") and not i.startswith("bot.core")}
    assert above == set()


# bot/'s packages, ground floor first: a module imports from its own package or one below it.
LAYERS = [
    *("core", "storage", "conversation", "lookups", "planning", "monthly", "exports", "privacy", "home", "status"),
    *("engine", "app"),
]


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if parts[0] == "bot" and len(parts) > 1 and parts[1] in LAYERS else None


def test_packages_stand_in_layers():
    graph = _import_graph()
    upward = {
        (m, i)
        for m, imported in graph.items()
        for i in imported
        if _layer(m) is not None and _layer(i) is not None and _layer(i) > _layer(m)
    }
    assert upward == set(), "an import points up a floor (see LAYERS): hand the lower one what it needs instead"


def test_providers_know_only_the_provider_interface():
    """A data provider's client turns its API into the neutral figures of bot/lookups/provider.py;
    it knows nothing else of the bot, and the bot never imports a client (the app composes them)."""
    graph = _import_graph()
    providers = {m for m in graph if m.startswith("providers")}
    used = {i for m in providers for i in graph[m] if i.startswith("bot")}
    assert used <= {"bot.lookups.provider", "bot.lookups"}, sorted(used)
    users = {
        m for m, imported in graph.items() if m.startswith("bot.") and any(i.startswith("providers") for i in imported)
    }
    assert users <= {"bot.app.lookups"}, sorted(users)


def test_adapters_take_forms_in_through_the_engines_intake_never_through_tables():
    """Every adapter hands a form to `engine.intake` (bot/intake/): none writes the inbox itself, so
    taking a submission in is written once, not once a platform."""
    internals = {"bot.intake.rows", "bot.storage.schema", "bot.storage.group_commit"}
    offenders = []
    for path in sorted((ROOT / "adapters").rglob("*.py")):
        for node in _imports(ast.parse(path.read_text(), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n in internals]
    assert offenders == []


# The tests mirror the source: a module bot/<package>/<name>.py is tested in
# tests/bot/<package>/test_<name>*.py (a subpackage's modules may be tested with it, as
# tests/bot/conversation/test_validators.py tests bot/conversation/validators/), or it is named
# here with the test module that covers it (through the module that uses it).
TESTED_IN = {
    "bot/app/build.py": "tests/bot/test_engine.py",
    # `backlinks` commands run as subprocesses by the tests of what they do:
    "bot/app/cli/backup.py": "tests/bot/storage/test_backup.py",
    "bot/app/cli/charts.py": "tests/adapters/console/test_console_chart.py",
    "bot/app/cli/imports.py": "tests/bot/exports/test_commands_import_rules.py",
    "bot/app/cli/lookups.py": "tests/bot/lookups/test_service_shared_key_cap.py",
    "bot/app/cli/serve.py": "tests/bot/app/test_serve.py",
    "bot/app/lookups.py": "tests/system/test_entry_points.py",
    "bot/conversation/rendering.py": "tests/adapters/discord/test_render.py",
    "bot/conversation/views.py": "tests/bot/test_engine.py",
    "bot/core/datafiles.py": "tests/bot/planning/test_knowledge.py",
    "bot/core/events.py": "tests/bot/test_engine.py",
    "bot/core/metrics.py": "tests/system/test_metrics.py",
    "bot/core/moments.py": "tests/adapters/test_moments.py",
    "bot/languages/store.py": "tests/bot/languages/test_service.py",
    "bot/links/page.py": "tests/bot/links/test_checker.py",
    "bot/links/service.py": "tests/bot/links/test_store.py",
    "bot/links/summary.py": "tests/bot/links/test_store.py",
    "bot/status/pages.py": "tests/system/test_metrics.py",
    "bot/core/feature.py": "tests/bot/test_engine.py",
    "bot/core/numbers.py": "tests/bot/test_engine_fuzzed_commands.py",
    "bot/core/plan.py": "tests/bot/planning/test_planner.py",
    "bot/core/replies.py": "tests/bot/test_engine.py",
    "bot/core/settings.py": "tests/bot/app/test_serve.py",
    "bot/exports/formats.py": "tests/bot/planning/test_knowledge.py",
    "bot/exports/profile.py": "tests/bot/exports/test_exports.py",
    "bot/exports/read.py": "tests/bot/exports/test_exports.py",
    "bot/exports/values.py": "tests/bot/exports/test_exports.py",
    "bot/home/page.py": "tests/adapters/slack/test_slack_home.py",
    "bot/home/service.py": "tests/adapters/slack/test_slack_home.py",
    "bot/intake/rows.py": "tests/bot/intake/test_service.py",
    "bot/lookups/answers.py": "tests/bot/lookups/test_service.py",
    "bot/lookups/commands.py": "tests/adapters/discord/test_modals_connect.py",
    "bot/lookups/failures.py": "tests/bot/lookups/test_service_unreadable_key.py",
    "bot/lookups/notices.py": "tests/bot/lookups/test_service_unreadable_key.py",
    "bot/lookups/provider.py": "tests/bot/lookups/test_service.py",
    "bot/lookups/results.py": "tests/bot/lookups/test_service.py",
    "bot/lookups/store.py": "tests/bot/lookups/test_service_shared_key_cap.py",
    "bot/monthly/canvas.py": "tests/bot/monthly/test_chart.py",
    "bot/monthly/chart_maker.py": "tests/bot/monthly/test_reminders.py",
    "bot/monthly/checkin.py": "tests/bot/monthly/test_reminders.py",
    "bot/monthly/commands.py": "tests/bot/monthly/test_reminders.py",
    "bot/monthly/measured.py": "tests/bot/lookups/test_checkin_with_a_provider.py",
    "bot/monthly/months.py": "tests/bot/monthly/test_log.py",
    "bot/monthly/picture.py": "tests/bot/monthly/test_chart.py",
    "bot/monthly/progress.py": "tests/bot/monthly/test_log.py",
    "bot/monthly/progress_store.py": "tests/bot/monthly/test_reminder_store.py",
    "bot/monthly/summary.py": "tests/bot/planning/test_commands_show.py",
    "bot/planning/capacity.py": "tests/bot/planning/test_planner.py",
    "bot/planning/chat.py": "tests/bot/test_engine.py",
    "bot/planning/checklist.py": "tests/bot/planning/test_planner_sites.py",
    "bot/planning/competitors.py": "tests/bot/planning/test_planner.py",
    "bot/planning/drafts.py": "tests/bot/test_engine.py",
    "bot/planning/entries.py": "tests/bot/planning/test_knowledge.py",
    "bot/planning/figures.py": "tests/bot/lookups/test_service.py",
    "bot/planning/forms.py": "tests/adapters/slack/test_slack.py",
    "bot/planning/levers.py": "tests/bot/planning/test_planner_faults.py",
    "bot/planning/momentum.py": "tests/bot/planning/test_planner.py",
    "bot/planning/pace.py": "tests/bot/planning/test_planner.py",
    "bot/planning/report.py": "tests/bot/app/cli/test_chat.py",
    "bot/planning/safety.py": "tests/bot/planning/test_planner.py",
    "bot/planning/sources.py": "tests/bot/planning/test_planner_faults.py",
    "bot/planning/why_reply.py": "tests/bot/planning/test_planner_sites.py",
    "bot/privacy/commands.py": "tests/adapters/slack/test_slack_forget.py",
    "bot/storage/db.py": "tests/bot/storage/test_store.py",
    "bot/storage/drafts.py": "tests/bot/storage/test_store.py",
    "bot/storage/plans.py": "tests/bot/storage/test_store.py",
    "bot/storage/schema.py": "tests/bot/storage/test_upgrade_from_old_main.py",
    "bot/storage/secrets.py": "tests/bot/lookups/test_service_unreadable_key.py",
}


def _own_test(module: Path) -> list[Path]:
    rel = module.relative_to(ROOT)
    found = list((ROOT / "tests" / rel.parent).glob(f"test_{module.stem}*.py"))
    if not found and rel.parent != Path("bot"):  # a subpackage's module, tested with its package
        found = list((ROOT / "tests" / rel.parent.parent).glob(f"test_{rel.parent.name}*.py"))
    return found


def test_every_module_of_the_bot_has_its_test_module():
    modules = [
        p
        for p in sorted((ROOT / "bot").rglob("*.py"))
        if p.name != "__init__.py" and "migrations" not in p.relative_to(ROOT).parts
    ]
    untested = [
        str(p.relative_to(ROOT)) for p in modules if not _own_test(p) and str(p.relative_to(ROOT)) not in TESTED_IN
    ]
    assert untested == [], "give each its tests/bot/<package>/test_<module>.py, or name in TESTED_IN what covers it"
    # The list says what is true: each module named is still there, without a test module of its
    # own, and the test named for it exists.
    named = {ROOT / m for m in TESTED_IN}
    assert [str(m.relative_to(ROOT)) for m in named if not m.exists() or _own_test(m)] == []
    assert [t for t in TESTED_IN.values() if not (ROOT / t).exists()] == []
