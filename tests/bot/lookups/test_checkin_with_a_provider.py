"""A monthly check-in measured by the real DataForSEO client against a loopback stand-in of its API
(tests/helpers/dataforseo_standin.py): the real engine, store (a SQLite file) and reminder loop,
composed the way `backlinks serve` composes them (bot/app/lookups.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from support import TYPED_ANSWERS, Clock, MemoryChat, Recording, rows

from bot.app.lookups import lookups_for
from bot.core.events import ChannelKey
from bot.core.replies import images
from bot.core.settings import Settings
from bot.engine import Engine
from bot.monthly.reminders import ReminderLoop
from bot.storage.store import Store

HERE = ChannelKey("console", "local", "shop")
HISTORY, NAMES = "backlinks/history/live", "backlinks/referring_domains/live"


@pytest.fixture
async def measured(dataforseo, knowledge, migrated_db):
    """A plan for example-shop.com made on 2 Oct 2026 through the real engine, with the DataForSEO
    client composed as `serve` composes it (bot/app/lookups.py); October as the stand-in's index saw
    it: 3 new referring domains, 6 lost. The store's clock is the test's to move."""
    dataforseo.sites["example-shop.com"].months["2026-10"] = (3, 6, 164)
    clock = Clock(dt.datetime(2026, 10, 2, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    settings = Settings(provider="dataforseo", provider_key=dataforseo.key, provider_url=dataforseo.url)
    engine = Engine(knowledge=knowledge, store=store, lookups=lookups_for(store, settings))
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all([("site", "example-shop.com"), *TYPED_ANSWERS[1:]])
    yield engine, chat, clock
    await store.close()


async def test_a_check_in_measures_october_names_what_was_found_and_what_to_reclaim(measured, dataforseo, db_path):
    # Among the named ones, bakers-guild.org is new and gone-news.com and closed-forum.net were lost.
    engine, chat, clock = measured
    await chat.say("log https://bakers-guild.org/members https://nowhere-yet.com/post")
    dataforseo.calls.clear()
    clock.now = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    platform = Recording()
    report = await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    assert report.sent == 1
    said = "\n".join(chat.renderer.text(b.text) for b in platform.sent[0][1].blocks if hasattr(b, "text"))
    assert "Measured by DataForSEO, 1 Nov 2026: 3 new referring domains and 6 lost in October 2026, net -3." in said
    assert "Found among them: bakers-guild.org. Not yet: nowhere-yet.com - a new link can take weeks" in said
    assert "starting with the highest-ranked: gone-news.com and closed-forum.net." in said
    assert [c.path for c in dataforseo.calls] == [HISTORY, NAMES]  # one call each, both paid once
    [task] = dataforseo.calls[1].body
    assert task["target"] == "example-shop.com" and dataforseo.calls[1].code == 20000
    assert rows(db_path, "SELECT period, domain FROM lookups WHERE kind = 'domains'") == [
        ("2026-10", "example-shop.com")  # cached for the month: a second check-in pays nothing
    ]


async def test_the_check_ins_chart_shows_what_was_measured_beside_what_was_logged(measured, dataforseo):
    engine, chat, clock = measured
    await chat.say("log 2")
    clock.now = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    platform = Recording()
    assert (await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()).sent == 1
    [image] = images(platform.sent[0][1])
    alt = chat.renderer.text(image.alt)
    assert "October 2026 2 (to build" in alt  # what was logged
    measured = "Measured by DataForSEO, every new referring domain, built and earned, and those lost: "
    assert measured + "October 2026 3 new, 6 lost." in alt
    assert vermillion_pixels(image.data) > 100  # the measured line and its diamonds

    # `show` later that month draws the same months from the check-in's cached lookup: no call.
    dataforseo.calls.clear()
    clock.now = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)
    await chat.say("show")
    [image] = images(chat.last[0])
    assert measured + "October 2026 3 new, 6 lost." in chat.renderer.text(image.alt)
    assert vermillion_pixels(image.data) > 100
    assert dataforseo.calls == []


def vermillion_pixels(png: bytes) -> int:
    """How much of the picture is the measured series' colour (Okabe-Ito vermillion)."""
    import io

    from PIL import Image

    from bot.monthly import picture

    colour = tuple(int(picture.VERMILLION[i : i + 2], 16) for i in (1, 3, 5))
    return sum(n for n, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20) if c == colour)
