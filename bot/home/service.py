"""The Home capability: a person's page (built on request, kept current after changes) and their
one welcome.

It answers two events that are no command: `Opened` (the page, and the welcome on a first visit)
and `Installed` (the welcome to the installer). Who used the bot in which channel is recorded with
one upsert per command, and only on platforms whose adapter publishes pages (`serve`): nothing is
kept about people where no page shows it.

After a change in a channel (a plan, a log, a check-in: the capabilities' `changes`) the pages of
those who opened theirs and use that channel are published again, in the background, through the
platform's `Pages` (as the reminder loop hands check-ins to a Notifier): off the request's path,
a bounded number at once, failures logged and never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from cachetools import TTLCache

from bot.core.events import ChannelKey, Installed, Opened
from bot.core.feature import Plugs
from bot.core.replies import Reply
from bot.home import page as pages
from bot.home.store import HomeStore, Person
from bot.lookups.failures import UnreadableKey
from bot.lookups.service import Lookups
from bot.monthly.summary import ChannelSummary
from bot.storage.store import Store

log = logging.getLogger(__name__)

# A (channel, user) recorded within this long is not written again by this process: a busy channel
# costs one upsert an hour per person, not one a command (the page orders channels by it).
USED_CACHE_SECONDS = 3600
USED_CACHE_SIZE = 10_000
PUBLISHING_AT_ONCE = 4  # pages being built and published at once, in the background
MOST_WAITING = 1000  # channels waiting for their pages to be published again; past it, one is dropped


class Pages(Protocol):
    """How an adapter shows a person their page (Slack: views.publish on the App Home)."""

    platform: str

    async def publish(self, person: Person, page: Reply) -> None: ...


class Summaries(Protocol):
    """Each channel's plan at a glance (the monthly capability, `bot.monthly.commands.Monthly`)."""

    async def summaries(self, channel_ids: Sequence[int]) -> Mapping[int, ChannelSummary]: ...


class Home:
    def __init__(self, *, store: Store, summaries: Summaries, lookups: Lookups):
        self.store = store
        self.summaries = summaries
        self.lookups = lookups
        self.pages: dict[str, Pages] = {}
        self._used: TTLCache[tuple[ChannelKey, str], bool] = TTLCache(USED_CACHE_SIZE, USED_CACHE_SECONDS)
        self._waiting: set[ChannelKey] = set()  # changed, page not yet being rebuilt
        self._tasks: set[asyncio.Task] = set()
        self._looking: asyncio.Task | None = None  # finds whose pages list the channels waiting
        self._slots = asyncio.Semaphore(PUBLISHING_AT_ONCE)

    def plugs(self) -> Plugs:
        return Plugs(events={Opened: self._opened, Installed: self._installed})

    def serve(self, publisher: Pages) -> None:
        """Publish pages on this platform (an adapter, or a reminder notifier, hands itself in)."""
        self.pages[publisher.platform] = publisher

    # Who uses the bot where.

    async def used(self, channel: ChannelKey, user: str) -> None:
        if channel.platform not in self.pages or not user or (channel, user) in self._used:
            return
        await HomeStore.on(self.store).used(channel, user)
        self._used[(channel, user)] = True

    # The page.

    async def page(self, person: Person) -> Reply:
        used, total = await HomeStore.on(self.store).channels_of(person, pages.MOST_CHANNELS)
        summaries = await self.summaries.summaries([u.channel_id for u in used])
        try:
            connection = await self.lookups.connected(ChannelKey(person.platform, person.workspace, ""))
        except UnreadableKey as unreadable:  # connected, but BACKLINKS_TOKEN_KEY no longer opens it
            provider = pages.Provider(unreadable.label, unreadable.last4, own=True, readable=False)
        else:
            provider = pages.Provider(connection.label, connection.last4, connection.own) if connection else None
        listed = [(u.channel, summaries.get(u.channel_id)) for u in used]
        return pages.page(listed, total=total, provider=provider, providers=bool(self.lookups.providers))

    async def _opened(self, event: Opened) -> list[Reply]:
        person = _person(event.channel, event.user)
        await HomeStore.on(self.store).opened(person)
        replies = [await self.page(person)]
        if await HomeStore.on(self.store).claim_welcome(person):
            replies.append(pages.welcome())
        return replies

    async def _installed(self, event: Installed) -> list[Reply]:
        claimed = await HomeStore.on(self.store).claim_welcome(_person(event.channel, event.user))
        return [pages.welcome()] if claimed else []

    async def not_welcomed(self, channel: ChannelKey, user: str) -> None:
        """The welcome could not be delivered: the person's next visit (or install) tries again."""
        await HomeStore.on(self.store).release_welcome(_person(channel, user))

    # Kept current.

    def changed(self, channels: Iterable[ChannelKey]) -> None:
        """Publish again, in the background, the pages that list these channels."""
        for channel in channels:
            if channel.platform not in self.pages or channel in self._waiting:
                continue  # no pages on that platform here; or a rebuild not started yet covers it
            if len(self._waiting) >= MOST_WAITING:
                log.warning("too many pages waiting to be published again; %s's wait for the next change", channel)
                continue
            self._waiting.add(channel)
        if self._waiting and (self._looking is None or self._looking.done()):
            self._looking = self._start(self._look())

    def _start(self, work) -> asyncio.Task:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _look(self) -> None:
        """Whose pages list the channels waiting: one query for all that changed meanwhile (in a flood
        of plan forms, one a batch, not one a plan); then each channel's pages are published."""
        await asyncio.sleep(0)  # the changes of this same moment join the first look
        while self._waiting:
            batch, self._waiting = self._waiting, set()  # a change from now on needs a rebuild of its own
            try:
                showing = await HomeStore.on(self.store).homes_showing_any(list(batch))
            except Exception:
                log.exception("could not find the pages listing %s channel(s)", len(batch))
                continue
            for channel, people in showing.items():
                self._start(self._refresh(channel, people))

    async def _refresh(self, channel: ChannelKey, people: list[Person]) -> None:
        async with self._slots:
            for person in people:
                try:
                    await self.pages[channel.platform].publish(person, await self.page(person))
                except Exception:
                    log.exception("publishing the page of %s in %s failed", person.user, person.workspace)

    async def settle(self) -> None:
        """Wait for the pages being published again (a stop, a test)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _person(channel: ChannelKey, user: str) -> Person:
    return Person(channel.platform, channel.workspace, user)
