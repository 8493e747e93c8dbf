"""Logged links checked and stored: a plan, links logged the way people log them, the due ones
fetched from a real local HTTP server (their names resolved to it), what was found stored per
link and read back per channel — on SQLite and on PostgreSQL; undone links and other channels
untouched; a second run checks nothing until the links are due again."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import web
from loopback import Loopback, listen
from support import MemoryChat

from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.links.checker import LinkChecker
from bot.links.service import RECHECK_DAYS, check_due
from bot.links.store import LinkStore

PAGES = {
    "/thanks": '<a href="https://example.com/">Example</a>',
    "/comment": '<a rel="ugc nofollow" href="https://example.com/">me</a>',
    "/old": "<p>nothing</p>",
}


@pytest.fixture
async def port():
    app = web.Application()
    for path, body in PAGES.items():
        app.router.add_get(path, lambda r, body=body: web.Response(text=body, content_type="text/html"))
    app.router.add_get("/gone", lambda r: web.Response(status=404))
    runner, port = await listen(app)
    yield port
    await runner.cleanup()


def checker() -> LinkChecker:
    return LinkChecker(resolver=Loopback(), per_host_interval=0.0, timeout=2.0)


async def test_logged_links_are_checked_and_their_states_kept_per_channel(any_store, knowledge, port):
    engine = Engine(knowledge=knowledge, store=any_store)
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    other = MemoryChat(engine, ChannelKey("memory", "team-2", "general"), "bob")
    await chat.answer_all()
    await other.answer_all()
    said = await chat.say(
        f"log http://yell.com:{port}/thanks http://blog.localpaper.co.uk:{port}/comment "
        f"http://directory.org:{port}/gone, 2"
    )
    assert "3 new referring domains" in said or "Logged" in said, said
    await chat.say(f"log http://oldfriend.net:{port}/old")
    await chat.say("log undo")  # taken back: never checked
    await other.say(f"log http://theirs.io:{port}/old")

    links = LinkStore.on(any_store)
    now = any_store.clock()
    report = await check_due(links, checker, now=now)
    assert report.checked == 4 and report.states == {"live": 1, "not_followed": 1, "lost": 2}

    mine = {c.domain: (c.state, c.detail) for c in await links.of_channel(chat.channel)}
    assert mine == {
        "yell.com": ("live", ""),
        "localpaper.co.uk": ("not_followed", "nofollow/ugc"),
        "directory.org": ("lost", "404"),
    }
    theirs = {c.domain: (c.state, c.detail) for c in await links.of_channel(other.channel)}
    assert theirs == {"theirs.io": ("lost", "link removed")}  # their page links to nobody's example.com

    # Checked now: nothing is due until RECHECK_DAYS have passed.
    assert (await check_due(links, checker, now=now)).checked == 0
    later = now + dt.timedelta(days=RECHECK_DAYS + 1)
    assert (await check_due(links, checker, now=later, most=2)).checked == 2


def test_the_check_in_and_show_say_what_the_checks_found(knowledge):
    from bot.conversation.rendering import PLAIN, Renderer
    from bot.links.store import CheckedLink
    from bot.links.summary import checked, lost, states

    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    links = [CheckedLink(f"site{n}.com", f"https://site{n}.com/", "live", "", at) for n in range(10)] + [
        CheckedLink("yell.com", "https://yell.com/x", "lost", "404", at),
        CheckedLink("localpaper.co.uk", "https://localpaper.co.uk/y", "not_followed", "nofollow", at),
        CheckedLink("slow.org", "https://slow.org/z", "unchecked", "timeout", at),
    ]
    render = Renderer(knowledge, PLAIN).text
    assert (
        render(checked(links[9:12]))
        == "1 of 3 links you logged are live; lost: yell.com (404), localpaper.co.uk (now nofollow)."
    )
    assert render(checked(links)) == (
        "10 of 13 links you logged are live; lost: yell.com (404), localpaper.co.uk (now nofollow); "
        "1 could not be checked this time."
    )
    assert render(checked(links[:1])) == "1 of 1 link you logged is live."
    assert checked([]) is None and states([]) is None
    assert [link.domain for link in lost(links)] == ["yell.com", "localpaper.co.uk"]
    assert render(states(links[9:])) == (
        "Links checked: site9.com live · yell.com lost (404) · localpaper.co.uk now nofollow · "
        "slow.org not checked (timeout)."
    )


async def test_a_serving_worker_checks_the_due_links_by_itself(store, knowledge, port, caplog):
    import asyncio
    import logging

    from bot.links.service import run_forever

    chat = MemoryChat(Engine(knowledge=knowledge, store=store), ChannelKey("memory", "team-1", "general"), "alice")
    await chat.answer_all()
    await chat.say(f"log http://yell.com:{port}/thanks")
    caplog.set_level(logging.INFO, logger="bot.links.service")
    links = LinkStore.on(store)
    loop = asyncio.ensure_future(run_forever(links, checker, every=0.05, clock=store.clock))
    try:
        for _ in range(100):
            if await links.of_channel(chat.channel):
                break
            await asyncio.sleep(0.05)
    finally:
        loop.cancel()
    assert [(c.domain, c.state) for c in await links.of_channel(chat.channel)] == [("yell.com", "live")]
    assert "checked 1 logged link(s): 1 live" in caplog.text


async def test_the_check_in_and_show_tell_what_became_of_the_logged_links(migrated_db, knowledge, port):
    """Links logged in November, checked before December's check-in: the check-in says how many
    are live, names the lost ones and asks for them back; `show` gives each link's state."""
    from support import Clock

    from adapters.console.chat import render
    from bot.conversation.rendering import PLAIN, Renderer
    from bot.monthly.reminders import ReminderLoop
    from bot.storage.store import Store

    clock = Clock(dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        chat = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
        await chat.answer_all()
        await chat.say(
            f"log http://yell.com:{port}/thanks http://blog.localpaper.co.uk:{port}/comment "
            f"http://directory.org:{port}/gone"
        )
        clock.now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
        assert (await check_due(LinkStore.on(store), checker, now=clock.now)).checked == 3

        class Recording:
            platform = "memory"
            sent: list = []

            async def send(self, channel, reply):
                self.sent.append(reply)

        notifier = Recording()
        clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        assert (await ReminderLoop(checkins=engine.monthly, notifiers=[notifier], clock=clock).run_once()).sent == 1
        said = render(notifier.sent[0], Renderer(knowledge, PLAIN))
        lost = "lost: localpaper.co.uk (now nofollow/ugc), directory.org (404)."
        assert f"1 of 3 links you logged are live; {lost}" in said
        assert "Ask localpaper.co.uk and directory.org to put your link back or make it followed" in said

        shown = await chat.say("show")
        assert "Links checked: yell.com live · localpaper.co.uk now nofollow/ugc · directory.org lost (404)." in shown
    finally:
        await store.close()
