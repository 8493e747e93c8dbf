"""The README's commands work as written after the quick start, and list every sub-command.

After `python3 dev.py console` the bot lives in .venv and `backlinks` is not on the PATH, so every
command a reader is told to run goes through dev.py (or .venv's own paths), and each one names a
real `backlinks` command and real options.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
import yaml

import dev
from bot.app.cli import main as backlinks

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SUB_COMMANDS = {"plan", "show", "why", "log", "remind", "language", "import", "export", "connect", "disconnect"}
SUB_COMMANDS |= {"forget", "help"}

# Where a command starts inside a code snippet (not `/backlinks plan`, not `backlinks-bot[...]`).
COMMAND = re.compile(r"(?:^|(?<=[\s:]))(python3 dev\.py|\.venv/bin/backlinks|backlinks)[ \t]+([a-z][^\n#`]*)")


def code_snippets(markdown: str) -> list[str]:
    """Fenced blocks (each line) and inline code spans."""
    fenced = re.findall(r"^ *```[a-z]*\n(.*?)^ *```", markdown, flags=re.S | re.M)
    outside = re.sub(r"^ *```[a-z]*\n.*?^ *```", "", markdown, flags=re.S | re.M)
    return [line.strip() for block in fenced for line in block.splitlines()] + re.findall(r"`([^`\n]+)`", outside)


def readme_commands() -> list[tuple[str, list[str]]]:
    """(how it is started, the words after it) for every command the README shows."""
    found = []
    for snippet in code_snippets(README):
        for start, rest in COMMAND.findall(snippet):
            found.append((start, shlex.split(rest.replace("…", "ARGS"))))  # a placeholder, like PATH
    return found


def as_backlinks_words(start: str, words: list[str]) -> list[str] | None:
    """The `backlinks` arguments a README command runs (None for `dev.py test`, which runs pytest)."""
    if start != "python3 dev.py":
        return words
    name, args = words[0], words[1:]
    assert name in dev.EXTRAS, f"`python3 dev.py {name}` is not a dev.py command ({', '.join(dev.EXTRAS)})"
    command = dev.command_for(name, args)
    if name == "test":
        return None
    assert command[0] == str(dev.BACKLINKS)
    return command[1:]


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """Walk the real CLI's groups along the words; every option given must exist on the command."""
    command, path = backlinks, []
    for word in words:
        if not isinstance(command, click.Group) or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        sub = command.get_command(click.Context(command), word)
        assert sub is not None, f"`backlinks {' '.join([*path, word])}` is not a command"
        command, path = sub, [*path, word]
    rest = words[len(path) :]
    assert rest or not isinstance(command, click.Group), f"`backlinks {' '.join(path)}` needs a sub-command"
    options = {name for param in command.params for name in param.opts}
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"`backlinks {' '.join(path)}` has no option {word}"
    return command, path


def test_the_readme_shows_commands_of_every_kind():
    starts = {start for start, _ in readme_commands()}
    assert {"python3 dev.py", "backlinks"} <= starts
    assert len(readme_commands()) > 20


@pytest.mark.parametrize(("start", "words"), readme_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_every_command_in_the_readme_is_a_real_command_with_real_options(start, words):
    if (args := as_backlinks_words(start, words)) is not None:
        resolve(args)


def shell_lines(markdown: str) -> list[str]:
    blocks = re.findall(r"^ *```sh\n(.*?)^ *```", markdown, flags=re.S | re.M)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_every_shell_line_runs_in_a_fresh_checkout_after_the_quick_start():
    """No bare `backlinks` (not on the PATH) and no bare `pip` (it installs wherever it points)."""
    lines = shell_lines(README)
    assert len(lines) >= 8
    for line in lines:
        program = re.sub(r"^(?:[A-Z_]+=\S+\s+)*", "", line)  # past VAR=value assignments
        assert program.startswith(("python3 dev.py ", ".venv/bin/python ")), line


def test_dev_py_serve_installs_every_platform_and_test_installs_everything():
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    assert dev.EXTRAS["serve"] == dev.EXTRAS["backlinks"] == extras - {"test"}
    assert dev.EXTRAS["test"] == extras
    assert dev.command_for("serve", ["--role", "web"]) == [str(dev.BACKLINKS), "serve", "--role", "web"]


def command_table(section: str) -> set[str]:
    text = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `/backlinks (\w+)", text, flags=re.M))


async def test_both_command_tables_and_the_manifests_list_every_sub_command(tmp_path):
    from adapters.discord.client import BacklinksClient
    from bot.core.settings import Settings
    from bot.engine import Engine
    from bot.planning import knowledge
    from bot.storage.store import Store

    store = await Store.open(f"sqlite:///{tmp_path}/bot.db")
    try:
        engine = Engine(knowledge=knowledge.default(), store=store)
        client = BacklinksClient(engine=engine, settings=Settings(_env_file=None, discord_token="x"))
        discord_commands = {command.name for command in client.tree.get_command("backlinks").commands}
    finally:
        await store.close()
    assert discord_commands == SUB_COMMANDS and set(engine.commands) >= SUB_COMMANDS
    assert command_table("Slack") == SUB_COMMANDS
    assert command_table("Discord") == SUB_COMMANDS
    for manifest in ROOT.glob("adapters/slack/manifest.*.yaml"):
        [command] = yaml.safe_load(manifest.read_text())["features"]["slash_commands"]
        assert set(command["usage_hint"].split(" | ")) == SUB_COMMANDS, manifest.name
