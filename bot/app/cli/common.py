"""What every `backlinks` command shares: reading the settings, running a coroutine, stopping
with one clear line (never a traceback), and the login name of whoever typed the command."""

from __future__ import annotations

import asyncio
import getpass
import sys

import click

# Each command imports what it needs when it runs, so `backlinks --help` starts instantly: this
# module imports nothing of the bot at the top either.


def run_or_stop(work, runner=asyncio.run) -> None:
    """asyncio.run (or another runner), with a database that can't be opened reported in one clear line."""
    from bot.storage.store import StoreError

    try:
        runner(work)
    except StoreError as error:
        stop(f"Cannot start: {error}")


def read_settings():
    """The settings, or a clear stop naming each wrong variable (never its value: it may be a secret)."""
    from pydantic import ValidationError

    from bot.core.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "a setting"
            problems.append(f"{variables(Settings).get(name, name)}: {item['msg']}")
        fail(problems, heading="Cannot start: a setting in the environment (or .env) is wrong:")


def database_url(database: str | None, settings=None) -> str:
    """The database a command works on: its --database, else the settings' (read only when needed)."""
    from bot.core.settings import database_url_for

    if database:
        return database_url_for(database)
    return (settings if settings is not None else read_settings()).database_url


def on_engine(database: str | None, doing: str, work):
    """What `work(engine, settings)` (a coroutine function) returns, run on the engine every entry
    point builds (bot/app/build.py) over `--database` or the settings' database; a driver missing
    for it, or a database that can't be opened, stops with one line ("Cannot {doing}: …")."""
    from bot.app.build import running
    from bot.app.serve import missing_database_driver

    settings = read_settings()
    url = database_url(database, settings)
    if problem := missing_database_driver(url):
        stop(f"Cannot {doing}: {problem}")
    found: list = []

    async def run() -> None:
        async with running(settings, url) as engine:
            found.append(await work(engine, settings))

    run_or_stop(run())
    return found[0]


def variables(settings_type) -> dict[str, str]:
    """Each setting's environment variables as a user sets them (`BACKLINKS_PORT or PORT`), by the
    names pydantic reports: the field's name or its first alias."""
    from pydantic import AliasChoices

    names = {}
    for field, info in settings_type.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or f"BACKLINKS_{field.upper()}"]
        names[field] = names[str(choices[0])] = " or ".join(str(c) for c in choices)
    return names


def fail(problems: list[str], heading: str = "The answers have problems:") -> None:
    from adapters.console.output import printable  # a problem may quote a file's text

    click.echo(heading, err=True)
    for problem in problems:
        click.echo(printable(f"  - {problem}"), err=True)
    sys.exit(1)


def stop(line: str) -> None:
    """Stop with one line on stderr: what is wrong and what to do, no traceback."""
    click.echo(line, err=True)
    sys.exit(1)


def login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


# The --database option most commands take, written once.
database_option = click.option(
    "--database", "database", metavar="PATH|URL", help="SQLite file or database URL (default: as `console`)."
)
