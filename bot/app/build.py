"""The engine as every entry point gets it: `console`, `serve`, `reminders run-once`, `chart`.

Built in one place so that a capability cannot be present in one entry point and missing in
another (`reminders run-once` once built its engine without the provider's lookups, and its
check-ins said nothing of what the provider measured while `serve`'s did).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable

from bot.app.lookups import lookups_for
from bot.core.settings import Settings
from bot.engine import Engine
from bot.intake import Intake
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store, utc_now


def engine_for(store: Store, settings: Settings) -> Engine:
    """The engine over an open store, with everything the settings configure."""
    return Engine(
        knowledge=knowledge_module.default(),
        store=store,
        import_max_bytes=settings.import_max_bytes,
        intake=Intake(
            store,
            workers=settings.intake_workers,
            backlog_seconds=settings.intake_backlog_seconds,
            lease=settings.inbox_lease_seconds,
        ),
        lookups=lookups_for(store, settings),
    )


@contextlib.asynccontextmanager
async def running(
    settings: Settings, url: str | None = None, *, clock: Callable[[], dt.datetime] = utc_now
) -> AsyncIterator[Engine]:
    """The store opened (`url`, else the settings' database) and the engine over it; the store is
    closed on the way out."""
    store = await Store.open(url or settings.database_url, clock=clock, pool_size=settings.db_pool_size)
    try:
        yield engine_for(store, settings)
    finally:
        await store.close()
