"""The `backlinks` command line: the `main` group (pyproject.toml's entry point,
`bot.app.cli:main`) and its commands, one module a noun. Each command imports what it needs when it
runs, so `backlinks --help` and `backlinks console` start quickly on a plain install."""

from __future__ import annotations

import click

from bot.app.cli.backup import export_command, restore_command
from bot.app.cli.charts import chart_command
from bot.app.cli.chat import console, plan_command
from bot.app.cli.db import db
from bot.app.cli.imports import import_command
from bot.app.cli.links import links_group
from bot.app.cli.lookups import lookups_group
from bot.app.cli.reminders import reminders
from bot.app.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Backlinks bot: how many backlinks to build each month, and keeping at it."""


# In the order `backlinks --help` has always listed them (click sorts them by name anyway).
for command in (
    console,
    plan_command,
    import_command,
    chart_command,
    serve,
    reminders,
    lookups_group,
    links_group,
    export_command,
    restore_command,
    db,
):
    main.add_command(command)
