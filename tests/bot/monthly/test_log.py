"""Logging that protects the plan, on SQLite and PostgreSQL: undo, corrections, a confirmation far
above the plan, your own site, months out of range, and which months are scored."""

from __future__ import annotations

import datetime as dt

import pytest
from support import TYPED_ANSWERS, Clock, MemoryChat

from bot.core.events import ChannelKey, Pressed
from bot.core.replies import Buttons
from bot.engine import Engine
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge
from bot.storage.store import Store

UTC = dt.UTC
HERE = ChannelKey("memory", "team-1", "general")


class Recording:
    platform = "memory"

    def __init__(self):
        self.sent = []

    async def send(self, channel, reply) -> None:
        self.sent.append(reply)


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 11, 5, 12, 0, tzinfo=UTC))  # early in the month: November is scored


@pytest.fixture
async def store(store_url, clock):
    store = await Store.open(store_url, clock=clock)
    yield store
    await store.close()


@pytest.fixture
def engine(store):
    return Engine(knowledge=knowledge.default(), store=store)


async def planned(engine, channel=HERE, user="alice") -> MemoryChat:
    chat = MemoryChat(engine, channel, user)
    await chat.answer_all(TYPED_ANSWERS)
    return chat


async def stored(store: Store, channel=HERE) -> dict[str, int]:
    return dict((await ProgressStore.on(store).by_month(channel)).logged)


async def check_in(engine, clock, when: dt.datetime) -> str:
    from adapters.console.chat import render
    from bot.conversation.rendering import PLAIN, Renderer

    clock.now = when
    platform = Recording()
    await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    [reply] = platform.sent
    return render(reply, Renderer(knowledge.default(), PLAIN))


def progress_line(shown: str, month: str) -> str:
    return next(line for line in shown.splitlines() if line.strip().startswith(f"- {month}:"))


# Words in a log line (issue 27).


async def test_a_log_line_in_words_keeps_the_count_and_the_words_as_a_note(engine, store):
    chat = await planned(engine)
    said = await chat.say("log 2 citations yell.com and a local paper")
    # Two links in all, one of them yell.com: the count is the whole when words say what it is.
    assert "Logged for November 2026: 1 new referring domain (yell.com) and 1 link by count." in said
    assert "Noted with it: “citations and a local paper”." in said
    assert await stored(store) == {"2026-11": 2}
    said = await chat.say("log two guest posts")  # a number in words
    assert "1 link" not in said and "2 links by count" in said and "“guest posts”" in said
    assert await stored(store) == {"2026-11": 4}
    async with store.reader.connect() as connection:
        notes = (await connection.exec_driver_sql("SELECT note FROM progress ORDER BY id")).scalars().all()
    assert notes == ["citations and a local paper", "citations and a local paper", "guest posts"]
    # Words alone log nothing: the line is refused with what a log line holds.
    assert "“citations” is not a link, a count or a month." in await chat.say("log citations")
    assert await stored(store) == {"2026-11": 4}


async def test_a_count_is_read_as_typed_and_an_emoji_beside_it_loses_nothing(engine, store):
    chat = await planned(engine)
    said = await chat.say("log 2 from a guest post 🎉")  # refused as “🎉” is not a link, before
    assert "2 links by count" in said and await stored(store) == {"2026-11": 2}
    said = await chat.say("log 3,5")  # logged as 3 + 5 = 8 before
    assert "“3,5” is not a whole number of links" in said and await stored(store) == {"2026-11": 2}
    said = await chat.say("log 1,200")  # "201 links … far above your plan" before
    assert "1,200 links in one month is far beyond any plan here" in said and "201" not in said
    said = await chat.say("log https://a.news.net/x, https://b.craft.org/y")  # a comma still parts links
    assert "2 new referring domains (news.net, craft.org)" in said and await stored(store) == {"2026-11": 4}


async def test_a_note_keeps_what_the_words_say_not_the_words_around_the_links(engine, store):
    chat = await planned(engine)
    said = await chat.say("log 2 guest posts on foodblog.com and bakingnews.org")
    assert "Noted with it: “guest posts”." in said  # not “guest posts on and”
    assert await stored(store) == {"2026-11": 2}
    said = await chat.say("log 3 new links")  # words that only repeat the count: no note
    assert "Noted with it" not in said and await stored(store) == {"2026-11": 5}
    said = await chat.say("log 2 links from news.example.org")  # words: the count is the whole
    assert "Noted with it" not in said and await stored(store) == {"2026-11": 7}
    said = await chat.say("log I got a link from craftmag.com and a mention on a local news site")
    assert "Noted with it: “a mention on a local news site”." in said  # not “a and a mention …”
    said = await chat.say("log got a link from shop.example.net")  # the article was the link's
    assert "Noted with it" not in said and await stored(store) == {"2026-11": 9}


async def test_a_check_in_answered_in_a_sentence_is_logged(engine, store):
    chat = await planned(engine)
    said = await chat.say("I built 2 links this month")
    assert "Logged for November 2026: 2 links by count." in said
    assert "Logged for November 2026: 3 links by count." in await chat.say("got 3")
    assert "Logged for November 2026: 1 link by count." in await chat.say("log: 1")
    assert await stored(store) == {"2026-11": 6}
    assert "I didn't understand" in await chat.say("I built a shed")  # no count: not taken as a log
    assert await stored(store) == {"2026-11": 6}


# Undo and corrections.


async def test_log_undo_removes_the_last_entry_of_this_channel_and_says_which(engine, store):
    chat = await planned(engine)
    other = await planned(engine, ChannelKey("memory", "team-1", "elsewhere"), "bob")
    await chat.say("log 2")
    await chat.say("log https://news.example.org/story https://blog.other.net/post")
    await other.say("log 1")  # later, in another channel: not this channel's last entry
    undone = await chat.say("log undo")
    assert "Removed the last entry: example.org, other.net for November 2026, logged by alice on" in undone
    assert "Now: November 2026 2." in undone
    assert await stored(store) == {"2026-11": 2}
    assert "Removed the last entry: 2 links by count for November 2026" in await chat.say("log undo")
    assert await stored(store) == {}
    assert "Nothing has been logged here, so there is nothing to undo." in await chat.say("log undo")
    assert await stored(store, other.channel) == {"2026-11": 1}, "another channel's entries are its own"
    # An undone domain is no longer known: logged again, it counts.
    assert "1 new referring domain (example.org)" in await chat.say("log https://news.example.org/story")


async def test_a_month_is_set_to_a_total_and_the_correction_can_be_undone(engine, store, clock):
    chat = await planned(engine)
    clock.now = dt.datetime(2026, 12, 3, tzinfo=UTC)
    await chat.say("log november 5")
    await chat.say("log https://a.example.org/x november")
    corrected = await chat.say("log november = 3")
    assert "November 2026 is now 3 new referring domains (it was 6)" in corrected
    assert "Type log undo to take this back." in corrected
    assert await stored(store) == {"2026-11": 3}
    assert "- November 2026: 3 / " in await chat.say("show")
    assert "the correction of November 2026" in await chat.say("log undo")
    assert await stored(store) == {"2026-11": 6}
    assert "December 2026 is now 2 new referring domains (it was 0)" in await chat.say("log = 2")
    refused = await chat.say("log november = -1")
    assert "“-1” is not a number of links" in refused and await stored(store) == {"2026-11": 6, "2026-12": 2}


async def test_a_negative_count_is_refused_with_the_ways_to_take_links_back(engine, store):
    chat = await planned(engine)
    await chat.say("log 4")
    refused = await chat.say("log -2")
    assert "“-2”: a log only adds links" in refused and "log undo" in refused and "log november = 3" in refused
    assert await stored(store) == {"2026-11": 4}


# Far above the plan.


async def test_a_count_far_above_the_plan_asks_first_and_stores_only_once_confirmed(engine, store):
    chat = await planned(engine)
    asked = await chat.say("log 1000")
    assert "1,000 links for November 2026 is far above your plan" in asked
    assert "Nothing was stored. If it is right, type log 1000 yes to confirm." in asked
    assert await stored(store) == {}, "nothing stored before the confirmation"
    [button] = [b for block in chat.last[0].blocks if isinstance(block, Buttons) for b in block.buttons]
    assert (button.action, button.value) == ("confirm_log", "2026-11 1000")
    # The button (Slack, Discord) logs what it carries, for the month it was asked about.
    pressed = await chat._send(Pressed(chat.channel, chat.user, "confirm_log", button.value))
    assert "Logged for November 2026: 1,000 links by count" in pressed
    assert await stored(store) == {"2026-11": 1000}
    assert "Logged for November 2026: 2 links by count" in await chat.say("log 2"), "an ordinary count is not asked"


async def test_confirming_by_typing_yes(engine, store):
    chat = await planned(engine)
    assert "Logged for November 2026: 500 links by count" in await chat.say("log 500 yes")
    assert await stored(store) == {"2026-11": 500}


async def test_the_confirmation_limit_is_three_times_the_upper_target_and_never_below_the_safe_pace(engine, store):
    chat = await planned(engine)
    plan = (await store.current_plan(HERE)).plan
    limit = max(3 * plan["build"]["high"], plan["safe_pace"]["pace"])
    assert "Logged for November 2026" in await chat.say(f"log {limit}")
    assert "far above your plan" in await chat.say(f"log {limit + 1}")
    assert await stored(store) == {"2026-11": limit}


# Your own site; months out of range.


async def test_your_own_site_is_never_a_new_referring_domain(engine, store):
    chat = await planned(engine)  # site: example.com
    for line in ("log https://www.example.com/about", "log https://blog.example.com/post https://other.org/x"):
        refused = await chat.say(line)
        assert "example.com is your own site (the plan's site): links from it are not new referring domains" in refused
    assert await stored(store) == {}
    assert "1 new referring domain (other.org)" in await chat.say("log https://other.org/x")


async def test_months_before_the_plan_or_in_the_future_are_refused_with_the_reason(engine, store, clock):
    chat = await planned(engine)  # made in November 2026
    clock.now = dt.datetime(2026, 12, 10, tzinfo=UTC)
    before = await chat.say("log october 4")
    assert "October 2026 is before this channel's first plan (made in November 2026)" in before
    assert "Log a month from November 2026 on." in before
    assert "December 2025 is before this channel's first plan" in await chat.say("log 2025-12 4")
    assert "January 2027 has not started yet" in await chat.say("log 2027-01 2")
    assert "October 2026 is before this channel's first plan" in await chat.say("log october = 1")
    assert await stored(store) == {}
    assert "Logged for November 2026: 4 links by count" in await chat.say("log november 4")


# Which months are scored.


async def test_a_plan_made_with_little_of_its_month_left_is_not_scored_for_it(engine, store, clock):
    clock.now = dt.datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    chat = await planned(engine)
    shown = await chat.say("show")
    assert "(not scored: the plan came with 1 of its 30 days left)" in progress_line(shown, "November 2026")
    text = await check_in(engine, clock, dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert (
        "November 2026: 0 logged - not scored: the plan was made with 1 of its 30 days left, "
        "and a first month counts only when at least half of it is left."
    ) in text
    assert "against" not in text.split("November 2026:")[1].split("\n")[0], "no target to miss"


async def test_a_plan_made_early_is_scored_for_its_month(engine, store, clock):
    chat = await planned(engine)  # the 5th: 26 of 30 days left
    await chat.say("log 1")
    text = await check_in(engine, clock, dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert "November 2026: 1 logged against" in text and "not scored" not in text


async def test_a_skipped_month_is_not_scored(engine, store, clock):
    chat = await planned(engine)
    skipped = await chat.say("remind skip")
    assert "skipping December 2026 (November 2026 is not scored)" in skipped
    assert "(not scored: check-in skipped)" in progress_line(await chat.say("show"), "November 2026")
    text = await check_in(engine, clock, dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC))  # December's is skipped
    assert "December 2026: 0 logged against" in text
    assert "Behind for two months" not in text, "November was skipped: one month behind, not two"


async def test_two_empty_scored_months_are_still_behind(engine, store, clock):
    await planned(engine)
    await check_in(engine, clock, dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert "Behind for two months" in await check_in(engine, clock, dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC))


async def test_skip_this_month_on_a_check_in_leaves_that_month_unscored(engine, store, clock):
    chat = await planned(engine)
    await check_in(engine, clock, dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert "skipping January 2027 (December 2026 is not scored)" in await chat.press("skip_month")
    clock.now = dt.datetime(2027, 1, 15, tzinfo=UTC)
    assert "(not scored: check-in skipped)" in progress_line(await chat.say("show"), "December 2026")
    assert "not scored" not in progress_line(await chat.say("show"), "November 2026")


async def test_nofollow_links_are_counted_apart_in_show(engine, store):
    chat = await planned(engine)
    await chat.say("log https://a.example.org/x rel=nofollow")
    await chat.say("log https://b.example.net/y https://c.example.io/z")
    assert "- November 2026: 3 / " in (shown := await chat.say("show"))
    assert "· 1 of them nofollow" in progress_line(shown, "November 2026")
