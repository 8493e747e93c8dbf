"""/healthz and /metrics, for every serving process: the web one adds them beside Slack's routes
(adapters/slack/server.py); a process without an HTTP server of its own (a worker, a web process
with no Slack over HTTP) serves only these two on PORT (`serve_status`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.core.settings import Settings
from bot.lookups.service import Lookups
from bot.storage.schema import inbox
from bot.storage.store import Store

log = logging.getLogger(__name__)


def healthz(store: Store, lookups: Lookups | None = None):
    """200 when the database answers, 503 otherwise; with the deployment's own provider key, also
    this month's lookups on it, every workspace's together, against its cap (for the operator's
    monitoring: the figure that grows the bill)."""

    async def page(_request: web.Request) -> web.Response:
        ok = await store.ping()
        body: dict = {"ok": ok, "database": "ok" if ok else "unreachable"}
        if ok and lookups is not None and (usage := await lookups.shared_usage()) is not None:
            body["provider_key_lookups"] = {"month": usage.month, "used": usage.used, "cap": usage.cap}
        return web.json_response(body, status=200 if ok else 503)

    return page


def metrics_page(store: Store, lookups: Lookups | None = None):
    """The Prometheus text format: this process's counters, and the shared state read now."""

    async def page(_request: web.Request) -> web.Response:
        try:
            await SHARED.read(store, lookups)
        except Exception:  # the counters are still worth having when the database is away
            log.warning("/metrics: the database could not be read for the inbox and budget gauges", exc_info=True)
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return page


class SharedState(Collector):
    """Gauges of what every process shares, read from the database at each scrape (`read`): the
    inbox, and the deployment key's lookups (absent without BACKLINKS_PROVIDER_KEY, rather than a
    misleading 0 left)."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[str, float]] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, (documentation, value) in self.values.items():
            yield GaugeMetricFamily(name, documentation, value=value)

    async def read(self, store: Store, lookups: Lookups | None) -> None:
        self.values = {}
        waiting = sa.select(sa.func.count(), sa.func.min(inbox.c.received_at)).where(inbox.c.done_at.is_(None))
        async with store.reader.connect() as connection:
            depth, oldest = (await connection.execute(waiting)).one()
        if oldest is not None and oldest.tzinfo is None:  # SQLite keeps no zone: the store writes UTC
            oldest = oldest.replace(tzinfo=dt.UTC)
        age = max(0.0, (store.clock() - oldest).total_seconds()) if oldest else 0.0
        values = {
            "backlinks_inbox_depth": ("Form submissions stored and not yet done, every process's.", depth),
            "backlinks_inbox_oldest_seconds": ("Age of the oldest submission not yet done (0: none).", age),
        }
        usage = await lookups.shared_usage() if lookups is not None else None
        if usage is not None:
            values["backlinks_provider_key_lookups_used"] = (
                "This month's lookups on BACKLINKS_PROVIDER_KEY.",
                usage.used,
            )
            if usage.cap is not None:
                left = max(0, usage.cap - usage.used)
                values["backlinks_provider_key_lookups_left"] = ("Lookups left this month under its cap.", left)
        self.values = values


SHARED = SharedState()
REGISTRY.register(SHARED)


def add_status_routes(app: web.Application, store: Store, lookups: Lookups | None = None) -> None:
    app.router.add_get("/healthz", healthz(store, lookups))
    app.router.add_get("/metrics", metrics_page(store, lookups))


async def serve_status(store: Store, settings: Settings, lookups: Lookups | None = None) -> None:
    """Only /healthz and /metrics on PORT, until cancelled."""
    app = web.Application()
    add_status_routes(app, store, lookups)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info("/healthz and /metrics on %s:%s", settings.host, settings.port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
