"""`backlinks db`: database maintenance (migrations, sealing stored tokens and keys)."""

from __future__ import annotations

import click

from bot.app.cli.common import database_option, database_url, fail, read_settings, run_or_stop, stop


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@database_option
def upgrade(database: str | None) -> None:
    """Apply the schema migrations (they also run at every start; this is for release steps)."""
    from sqlalchemy.engine import make_url

    from bot.app.serve import missing_database_driver
    from bot.storage.store import Store

    url = database_url(database)
    if problem := missing_database_driver(url):
        stop(f"Cannot migrate: {problem}")

    async def run() -> None:
        store = await Store.open(url)
        await store.close()

    run_or_stop(run())
    click.echo(f"The database schema of {make_url(url).render_as_string(hide_password=True)} is up to date.")


@db.command("encrypt-tokens")
@database_option
def encrypt_tokens(database: str | None) -> None:
    """Encrypt the stored Slack workspace tokens and data provider keys with the first key of
    BACKLINKS_TOKEN_KEY: ones saved before a key was set, and ones under an older key (after a
    rotation), so the old key can be dropped."""
    from bot.storage.secrets import Sealer, TokenKeyError
    from bot.storage.store import Store

    settings = read_settings()
    if settings.token_key is None:
        fail(["set BACKLINKS_TOKEN_KEY first (the README says how to make a key)"], heading="Cannot encrypt:")
    try:
        from adapters.slack.installations import EncryptedInstallationStore, cipher
    except ImportError:  # no Slack here: the provider keys are all there is to seal
        slack = False
    else:
        slack = True
    url = database_url(database, settings)
    sealer = Sealer(settings.token_key.get_secret_value())
    changed = {"tokens": 0, "keys": 0}

    async def run() -> None:
        store = await Store.open(url)
        try:
            # A provider key no key opens stops the run before anything is written (the Slack
            # tokens are checked inside their own transaction).
            from bot.lookups.store import LookupStore

            for (platform, workspace), stored in await LookupStore.on(store).keys():
                try:
                    sealer.open(stored.secret)
                except TokenKeyError:
                    raise TokenKeyError(
                        f"the data provider key of {platform} {workspace} can't be decrypted with BACKLINKS_TOKEN_KEY: "
                        "was the key replaced? Put the new key first and keep the old one after it (NEW,OLD)."
                    ) from None
            if slack:
                fernet = cipher(settings.token_key.get_secret_value())
                client_id = settings.slack_client_id or ""
                tokens = EncryptedInstallationStore(fernet, client_id=client_id, engine=store.engine)
                changed["tokens"] = await tokens.seal_stored()
            changed["keys"] = await LookupStore.on(store).reseal_keys(sealer.reseal)
        finally:
            await store.close()

    try:
        run_or_stop(run())
    except TokenKeyError as error:
        fail([f"{error} Nothing was changed."], heading="Cannot encrypt:")
    tokens, keys = changed["tokens"], changed["keys"]
    if slack:
        click.echo(f"Encrypted {tokens} stored Slack token{'s' if tokens != 1 else ''} with the first key.")
    if keys or not slack:
        click.echo(f"Encrypted {keys} stored data provider key{'s' if keys != 1 else ''} with the first key.")
