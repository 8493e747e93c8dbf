"""`backlinks chart`: a channel's progress chart saved as a PNG."""

from __future__ import annotations

from pathlib import Path

import click

from bot.app.cli.common import database_option, database_url, read_settings, run_or_stop, stop


@click.command("chart")
@click.option("--channel", required=True, help="The channel whose progress to draw (a console channel's name).")
@click.option("--platform", default="console", show_default=True, help="console, slack or discord.")
@click.option("--workspace", default="local", show_default=True, help="The Slack team id or Discord server id.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@database_option
def chart_command(channel: str, platform: str, workspace: str, output: Path, database: str | None) -> None:
    """Save a channel's progress chart as a PNG (from two months of history) and print its path."""
    from bot.app.build import running
    from bot.core.events import ChannelKey

    settings = read_settings()
    url = database_url(database, settings)

    async def run() -> bytes | None:
        async with running(settings, url) as engine:
            image = await engine.monthly.chart(ChannelKey(platform, workspace, channel))
            return image.data if image else None

    found: list[bytes | None] = []
    run_or_stop(_collect(run(), found))
    if not found or found[0] is None:
        stop(f"No chart for {channel}: it needs a plan with two months of history.")
    try:
        output.write_bytes(found[0])
    except OSError as error:
        stop(f"Cannot write {output}: {error.strerror or error}")
    click.echo(str(output.resolve()))


async def _collect(work, into: list) -> None:
    into.append(await work)
