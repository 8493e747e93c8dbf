"""The languages channels chose (channels.language): few rows, read whole."""

from __future__ import annotations

import sqlalchemy as sa

from bot.core.events import ChannelKey
from bot.storage.db import StorePart
from bot.storage.schema import channels


class LanguageStore(StorePart):
    async def chosen(self) -> dict[ChannelKey, tuple[int, str]]:
        """Every channel that chose a language: its id and the language."""
        query = sa.select(
            channels.c.id, channels.c.platform, channels.c.workspace, channels.c.channel, channels.c.language
        )
        query = query.where(channels.c.language.is_not(None))
        async with self.store.reader.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {ChannelKey(r.platform, r.workspace, r.channel): (r.id, r.language) for r in rows}

    async def choose(self, key: ChannelKey, language: str | None) -> int:
        """Set (None: clear) the channel's language; its id."""
        async with self.store.engine.begin() as connection:
            channel_id = await self.store._channel_id(connection, key, create=True)
            await connection.execute(sa.update(channels).where(channels.c.id == channel_id).values(language=language))
        return channel_id
