"""`connect` and `disconnect`: a backlink data provider's key for this workspace.

`connect` alone says which provider is connected (the key shown only as its last 4 characters)
and how much of the month's lookup budget is used; `connect dataforseo LOGIN:PASSWORD` checks the
key with one cheap call and keeps it, sealed; `disconnect` forgets it. Changing the key takes
someone who manages the workspace (`Request.manages`).
"""

from __future__ import annotations

from bot.conversation import views
from bot.core.feature import Plugs, Request
from bot.core.replies import Reply
from bot.lookups.provider import LookupFailed, OutOfCredit, RefusedKey
from bot.lookups.service import Lookups


class Connections:
    def __init__(self, *, lookups: Lookups):
        self.lookups = lookups

    def plugs(self) -> Plugs:
        return Plugs(commands={"connect": self._connect, "disconnect": self._disconnect})

    async def _connect(self, request: Request) -> list[Reply]:
        words = request.argument.split()
        if not words:
            return [await self._status(request)]
        if not request.manages:
            return [views.info("connect.not_allowed", platform=request.channel.platform)]
        if len(words) != 2:
            return [views.info("connect.usage", providers=list(self.lookups.providers))]
        name, key = words[0].lower(), words[1]
        try:
            connection = await self.lookups.connect(request.channel, request.user, name, key)
        except ValueError as wrong:
            return [views.info("connect.refused", reason=str(wrong))]
        except RefusedKey:
            return [views.info("connect.refused", reason=f"{name} refused that key; check it and try again")]
        except OutOfCredit as empty:
            return [views.info("connect.refused", reason=f"the account has no credit or plan for this ({empty})")]
        except LookupFailed as failed:
            return [views.info("connect.refused", reason=f"the key could not be checked now ({failed})")]
        return [views.info("connect.done", provider=connection.label, last4=connection.last4)]

    async def _disconnect(self, request: Request) -> list[Reply]:
        if not request.manages:
            return [views.info("connect.not_allowed", platform=request.channel.platform)]
        if not await self.lookups.disconnect(request.channel):
            return [views.info("connect.none_to_remove")]
        fallback = await self.lookups.connected(request.channel)  # the deployment's, if it has one
        return [views.info("connect.removed", fallback=fallback.label if fallback else "")]

    async def _status(self, request: Request) -> Reply:
        connection = await self.lookups.connected(request.channel)
        if connection is None:
            return views.info("connect.none", providers=list(self.lookups.providers))
        used = await self.lookups.used(request.channel)
        return views.info(
            "connect.status",
            provider=connection.label,
            last4=connection.last4,
            own=connection.own,
            used=used,
            budget=self.lookups.budget,
        )
