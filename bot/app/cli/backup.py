"""`backlinks export` and `backlinks restore`: a whole database (or one workspace) to one JSON
file and back."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app.cli.common import database_option, database_url, fail, run_or_stop, stop


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--workspace",
    metavar="PLATFORM:ID",
    help="Only this workspace's data, e.g. slack:T0123, discord:81234, console:local (default: everything).",
)
@database_option
def export_command(path: Path, workspace: str | None, database: str | None) -> None:
    """Write the plans, answers, history, progress, reminders and settings to one JSON file (keys
    and tokens stay sealed with BACKLINKS_TOKEN_KEY); `backlinks restore` loads it elsewhere."""
    from bot.app.serve import missing_database_driver
    from bot.storage import backup
    from bot.storage.store import Store

    url = database_url(database)
    scope = None
    if workspace is not None:
        platform, _, name = workspace.partition(":")
        if not platform or not name:
            fail([f"--workspace: “{workspace}” is not PLATFORM:ID, like slack:T0123"], heading="Cannot export:")
        scope = (platform, name)
    if problem := missing_database_driver(url):
        stop(f"Cannot export: {problem}")
    found: list = []

    async def run() -> None:
        store = await Store.open(url, migrate=False)
        try:
            found.append(await backup.export(store, scope))
        finally:
            await store.close()

    run_or_stop(run())
    document = found[0]
    try:
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as error:
        stop(f"Cannot write {path}: {error.strerror or error}")
    counts = {name: len(table["rows"]) for name, table in document["tables"].items()}
    click.echo(f"Exported {_rows(counts)} to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def restore_command(path: Path, database: str | None) -> None:
    """Load a file of `backlinks export` into a new, empty database (it is migrated first)."""
    from bot.app.serve import missing_database_driver
    from bot.storage import backup
    from bot.storage.store import Store

    url = database_url(database)
    if problem := missing_database_driver(url):
        stop(f"Cannot restore: {problem}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        stop(f"Cannot restore: {path} is not a readable export ({error})")
    restored: list = []
    try:
        backup.check(document)  # before a database is made for it
    except backup.BackupError as error:
        stop(f"Cannot restore: {error}. Nothing was changed.")

    async def run() -> None:
        store = await Store.open(url)
        try:
            restored.append(await backup.restore(store, document))
        finally:
            await store.close()

    try:
        run_or_stop(run())
    except backup.BackupError as error:
        stop(f"Cannot restore: {error}. Nothing was changed.")
    click.echo(f"Restored {_rows(restored[0])} from {path}.")


def _rows(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    shown = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    return f"{total} row{'s' if total != 1 else ''}" + (f" ({shown})" if shown else "")
