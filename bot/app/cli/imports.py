"""`backlinks import`: profile a backlink export file from the command line (stores nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app.cli.common import fail, read_settings


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="json", show_default=True)
def import_command(path: Path, output_format: str) -> None:
    """Profile a backlink export (Ahrefs, Semrush, Moz, Majestic, Search Console); stores nothing."""
    from bot.exports import ExportError, read_profile
    from bot.exports import formats as export_formats
    from bot.monthly.schedule import month_key
    from bot.planning import knowledge as knowledge_module
    from bot.storage.store import utc_now

    settings = read_settings()
    try:
        profile = read_profile(path, export_formats.default(), max_bytes=settings.import_max_bytes)
    except ExportError as error:
        from adapters.console.output import TERMINAL
        from bot.conversation.rendering import Renderer

        # Said again from its values in the terminal's dialect: a file's escape sequences go whole.
        said = Renderer(knowledge_module.default(), TERMINAL).render("import.refused", {"reason": error.reason})
        fail([said], heading="Cannot import:")
    summary = profile.summary(month_key(utc_now(), "UTC"))
    if output_format == "json":
        click.echo(json.dumps(summary, indent=2))
    else:  # the profile as the chat shows it
        from adapters.console.chat import render
        from adapters.console.output import TERMINAL, printable  # a value may quote the file
        from bot.conversation.rendering import Renderer
        from bot.core.replies import Reply
        from bot.exports.commands import intersect_blocks, profile_blocks

        blocks = intersect_blocks(profile) if profile.compared else profile_blocks(profile, summary)
        click.echo(printable(render(Reply("info", blocks), Renderer(knowledge_module.default(), TERMINAL))))
