"""Serving an aiohttp application on 127.0.0.1 and a free port, as production serves it (web.AppRunner
and TCPSite): the bot's own web app, the platform stand-ins, a benchmark's floor."""

from __future__ import annotations

from typing import Any

from aiohttp import web


async def listen(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """The started runner (``await runner.cleanup()`` stops it) and the port it listens on."""
    runner = web.AppRunner(app, access_log=None, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]
