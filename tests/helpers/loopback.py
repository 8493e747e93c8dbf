"""Serving an aiohttp application on 127.0.0.1 and a free port, as production serves it (web.AppRunner
and TCPSite): the bot's own web app, the platform stand-ins, a benchmark's floor."""

from __future__ import annotations

import socket
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver


async def listen(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """The started runner (``await runner.cleanup()`` stops it) and the port it listens on."""
    runner = web.AppRunner(app, access_log=None, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


class Loopback(AbstractResolver):
    """Every host name on 127.0.0.1, as /etc/hosts would: pages of many named sites (yell.com,
    site42.test) served by one `listen`ed app, for the link checker's tests and benchmark."""

    async def resolve(self, host, port=0, family=socket.AF_INET):
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": family, "proto": 0, "flags": 0}]

    async def close(self):
        pass
