"""Where the workspaces' Slack tokens are kept: slack_sdk's SQLAlchemy installation store, on our
database (tables from our migrations), with the tokens encrypted at rest when BACKLINKS_TOKEN_KEY
is set — so a copy of the database (a backup, a leaked dump) holds no usable token.

An encrypted value is stored as `fernet:<token>`; a value without the prefix was stored before a
key was set and is read as it is, until `backlinks db encrypt-tokens` seals it.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.settings import Settings
from bot.storage.secrets import PREFIX, TokenKeyError, cipher  # noqa: F401 - the one format of secrets at rest

log = logging.getLogger(__name__)

INSTALLATION_TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
BOT_TOKENS = ("bot_token", "bot_refresh_token")


def installation_store(settings: Settings, engine: AsyncEngine) -> AsyncSQLAlchemyInstallationStore:
    options: dict[str, Any] = {"client_id": settings.slack_client_id, "engine": engine}
    if settings.token_key is None:
        log.warning("BACKLINKS_TOKEN_KEY is not set: Slack workspace tokens are stored unencrypted (see README)")
        return AsyncSQLAlchemyInstallationStore(**options)
    return EncryptedInstallationStore(cipher(settings.token_key.get_secret_value()), **options)


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """Seals tokens on the way in and opens them on the way out; the rest is slack_sdk's."""

    def __init__(self, fernet: MultiFernet, **options: Any):
        super().__init__(**options)
        self.fernet = fernet

    async def async_save(self, installation: Installation) -> None:
        # slack_sdk saves the bot row from this copy too (already sealed: not sealed twice).
        await super().async_save(self._sealed(installation, INSTALLATION_TOKENS))

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._sealed(bot, BOT_TOKENS))

    async def async_find_bot(self, **where: Any) -> Bot | None:
        return self._opened(await super().async_find_bot(**where), BOT_TOKENS)

    async def async_find_installation(self, **where: Any) -> Installation | None:
        return self._opened(await super().async_find_installation(**where), INSTALLATION_TOKENS)

    def seal(self, value: str | None) -> str | None:
        if not value or value.startswith(PREFIX):
            return value
        return PREFIX + self.fernet.encrypt(value.encode()).decode()

    def open(self, value: str | None) -> str | None:
        if not value or not value.startswith(PREFIX):
            return value
        try:
            return self.fernet.decrypt(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise TokenKeyError(
                "a stored Slack token can't be decrypted with BACKLINKS_TOKEN_KEY: was the key replaced? "
                "Put the new key first and keep the old one after it (NEW,OLD)."
            ) from None

    def _sealed(self, entity, fields: tuple[str, ...]):
        sealed = copy.copy(entity)  # the caller's object keeps its plain tokens
        for name in fields:
            setattr(sealed, name, self.seal(getattr(entity, name)))
        return sealed

    def _opened(self, entity, fields: tuple[str, ...]):
        if entity is None:
            return None
        for name in fields:
            setattr(entity, name, self.open(getattr(entity, name)))
        return entity

    async def seal_stored(self) -> int:
        """Encrypt every stored token with the first key: ones saved before a key was set, and ones
        under an older key (rotation). Returns how many values changed; one transaction."""
        changed = 0
        async with self.engine.begin() as conn:
            for table, fields in ((self.installations, INSTALLATION_TOKENS), (self.bots, BOT_TOKENS)):
                columns = [table.c[name] for name in fields]
                for row in (await conn.execute(select(table.c.id, *columns))).all():
                    values = {}
                    for name, value in zip(fields, row[1:], strict=True):
                        if value and not value.startswith(PREFIX):
                            values[name] = self.seal(value)
                        elif value:
                            self.open(value)  # one no key opens stops the run; the transaction writes nothing
                            values[name] = PREFIX + self.fernet.rotate(value.removeprefix(PREFIX).encode()).decode()
                    if values:
                        await conn.execute(update(table).where(table.c.id == row[0]).values(**values))
                        changed += len(values)
        return changed
