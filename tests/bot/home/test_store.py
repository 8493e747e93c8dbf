"""Who used the bot where, who opened their Home, who was welcomed: on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.events import ChannelKey, Installed, Invoked, Opened
from bot.core.replies import Reply
from bot.engine import Engine
from bot.home.store import HomeStore, Person

T1_ALICE = Person("slack", "T1", "alice")


def key(channel: str, workspace: str = "T1") -> ChannelKey:
    return ChannelKey("slack", workspace, channel)


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


async def test_a_persons_channels_are_theirs_in_their_workspace_most_recent_first(any_store):
    any_store.clock = Clock()
    homes = HomeStore.on(any_store)
    await homes.used(key("C1"), "alice")
    await homes.used(key("C2"), "alice")
    await homes.used(key("C3"), "bob")  # another person
    await homes.used(key("C4", "T2"), "alice")  # another workspace
    await homes.used(ChannelKey("discord", "T1", "C5"), "alice")  # another platform, same ids
    await homes.used(key("C1"), "alice")  # used again: first now

    used, total = await homes.channels_of(T1_ALICE, 10)
    assert [u.channel.channel for u in used] == ["C1", "C2"] and total == 2
    assert all(u.channel.workspace == "T1" and u.channel.platform == "slack" for u in used)
    first, total = await homes.channels_of(T1_ALICE, 1)
    assert [u.channel.channel for u in first] == ["C1"] and total == 2


async def test_only_those_who_opened_their_home_are_kept_current(any_store):
    homes = HomeStore.on(any_store)
    for user in ("alice", "bob", "carol"):
        await homes.used(key("C1"), user)
    await homes.used(key("C1", "T2"), "dave")
    assert await homes.homes_showing(key("C1")) == []
    await homes.opened(T1_ALICE)
    await homes.opened(Person("slack", "T2", "bob"))  # bob opened his Home in another workspace only
    await homes.opened(Person("slack", "T1", "erin"))  # erin never used C1
    assert await homes.homes_showing(key("C1")) == [T1_ALICE]
    await homes.opened(T1_ALICE)  # again: still once
    assert await homes.homes_showing(key("C1")) == [T1_ALICE]
    # Several channels in one query (a flood of plans): each with its own pages, none where none shows.
    await homes.used(key("C2"), "bob")
    await homes.opened(Person("slack", "T1", "bob"))
    await homes.opened(Person("slack", "T2", "dave"))
    showing = await homes.homes_showing_any([key("C1"), key("C2"), key("C1", "T2"), key("C3")])
    assert showing == {
        key("C1"): [T1_ALICE, Person("slack", "T1", "bob")],
        key("C2"): [Person("slack", "T1", "bob")],
        key("C1", "T2"): [Person("slack", "T2", "dave")],
    }


async def test_a_welcome_is_claimed_once_ever_even_by_racing_processes(any_store):
    homes = HomeStore.on(any_store)
    claims = await asyncio.gather(*(homes.claim_welcome(T1_ALICE) for _ in range(8)))
    assert sorted(claims) == [False] * 7 + [True]
    assert await homes.claim_welcome(T1_ALICE) is False
    assert await homes.claim_welcome(Person("slack", "T2", "alice")) is True  # another workspace: its own
    await homes.opened(T1_ALICE)  # opening the Home keeps the welcome as it was
    assert await homes.claim_welcome(T1_ALICE) is False
    await homes.release_welcome(T1_ALICE)  # it could not be sent
    assert await homes.claim_welcome(T1_ALICE) is True


async def test_the_engine_records_users_only_where_a_platform_shows_pages(knowledge, any_store):
    engine = Engine(knowledge=knowledge, store=any_store)
    await engine.handle(Invoked(key("C1"), "alice", "help"))
    assert (await HomeStore.on(any_store).channels_of(T1_ALICE, 10))[1] == 0, "no pages on Slack in this process"

    published: list[tuple[Person, Reply]] = []

    class Pages:
        platform = "slack"

        async def publish(self, person: Person, page: Reply) -> None:
            published.append((person, page))

    engine.home.serve(Pages())
    await engine.handle(Invoked(key("C1"), "alice", "help"))
    await engine.handle(Invoked(ChannelKey("memory", "T1", "C9"), "alice", "help"))
    used, _ = await HomeStore.on(any_store).channels_of(T1_ALICE, 10)
    assert [u.channel for u in used] == [key("C1")]

    replies = await engine.handle(Opened(key("D1"), "alice"))
    assert [r.kind for r in replies] == ["home", "info"]  # the page, and the welcome of a first visit
    assert [r.kind for r in await engine.handle(Opened(key("D1"), "alice"))] == ["home"]
    assert await engine.handle(Installed(key("alice"), "alice")) == []  # welcomed already

    await engine.handle(Invoked(key("C1"), "alice", "remind", "day=15"))  # no plan: nothing changed, yet asked
    await engine.home.settle()
    assert [p.user for p, _ in published] == ["alice"]
    await engine.handle(Invoked(key("C1"), "alice", "help"))
    await engine.home.settle()
    assert len(published) == 1
