"""`backlinks links check`: fetch the logged links again to see that they still link."""

from __future__ import annotations

from functools import partial

import click

from bot.app.cli.common import database_option, on_engine


@click.group("links")
def links_group() -> None:
    """The links people logged, fetched again to see that they still link."""


@links_group.command("check")
@database_option
@click.option("--most", type=click.IntRange(min=1), default=None, help="Check at most this many links.")
@click.option(
    "--allow-private", is_flag=True, help="Also fetch pages on private or loopback addresses (a test network)."
)
def links_check(database: str | None, most: int | None, allow_private: bool) -> None:
    """Fetch every logged link not checked in the last 25 days: is the page up, does it still link
    to the site, is the link followed? What is found is stored for the check-ins and `show`. A
    serving worker does this every BACKLINKS_LINK_CHECK_EVERY seconds (an hour); this runs it once, now."""
    from bot.links.checker import LinkChecker
    from bot.links.service import check_due
    from bot.links.store import LinkStore

    async def check(engine, settings):
        checker = partial(LinkChecker, allow_private=allow_private or settings.link_check_private)
        return await check_due(LinkStore.on(engine.store), checker, now=engine.store.clock(), most=most)

    report = on_engine(database, "check", check)
    states = ", ".join(f"{report.states[s]} {s.replace('_', ' ')}" for s in sorted(report.states)) or "none due"
    click.echo(f"Checked {report.checked} link(s): {states}.")
