"""`backlinks lookups status`: what the bot's own data provider key has spent, and the keys
connected in workspaces that can't be opened."""

from __future__ import annotations

import click

from bot.app.cli.common import database_option, on_engine


@click.group("lookups")
def lookups_group() -> None:
    """Backlink data lookups (DataForSEO, Moz): what the bot's own key has spent, keys that can't be opened."""


@lookups_group.command("status")
@database_option
def lookups_status(database: str | None) -> None:
    """This month's lookups on BACKLINKS_PROVIDER_KEY, every workspace's together, against
    BACKLINKS_PROVIDER_KEY_MONTHLY_CAP; and the keys connected in workspaces that BACKLINKS_TOKEN_KEY
    does not open (never a key, nor part of one)."""
    from bot.lookups.store import LookupStore

    async def status(engine, settings):
        service = engine.lookups
        keys = await LookupStore.on(engine.store).keys()
        return (
            await service.shared_usage(),
            len(keys),
            await service.unreadable(),
            service.label(settings.provider or ""),
        )

    usage, connected, unreadable, label = on_engine(database, "read", status)
    if usage is None:
        click.echo("No BACKLINKS_PROVIDER_KEY is set: only keys connected in workspaces look figures up.")
    else:
        click.echo(
            f"BACKLINKS_PROVIDER_KEY ({label}), {usage.month}: {usage.used:,} of {usage.cap:,} lookups used, "
            "every workspace together (the cap is BACKLINKS_PROVIDER_KEY_MONTHLY_CAP)."
        )
        if usage.used >= usage.cap:
            click.echo("The cap is reached: plans on this key ask for the figures until next month.")
    click.echo(f"Keys connected in workspaces: {connected}.")
    if unreadable:
        why = "BACKLINKS_TOKEN_KEY is not set" if unreadable[0][1].missing else "BACKLINKS_TOKEN_KEY does not open them"
        names = ", ".join(f"{where[0]} {where[1]} ({error.label}, ending {error.last4})" for where, error in unreadable)
        click.echo(
            f"{len(unreadable)} of them can't be opened ({why}): {names}. Set the old BACKLINKS_TOKEN_KEY back "
            "(to move to a new key: NEW,OLD), or have each workspace connect its key again."
        )
