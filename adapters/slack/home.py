"""Publishing a person's page on the App Home (views.publish), outside any request of theirs: after
a change in a channel they use, from the web process (the adapter) or the worker (check-ins)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackRenderer
from bot.core.replies import Reply
from bot.home.store import Person

ClientFor = Callable[[str], Awaitable[AsyncWebClient | None]]  # a workspace's client; None: uninstalled


class SlackPages:
    platform = "slack"

    def __init__(self, *, renderer: SlackRenderer, client_for: ClientFor):
        self.renderer = renderer
        self.client_for = client_for

    async def publish(self, person: Person, page: Reply) -> None:
        client = await self.client_for(person.workspace)
        if client is None:
            return  # the app was uninstalled there: no page to keep current
        await client.views_publish(user_id=person.user, view=self.renderer.home(page))
