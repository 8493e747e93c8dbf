"""The reminder loop with an injected clock, a real SQLite file and a recording platform."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest
from support import TYPED_ANSWERS, Clock, MemoryChat, rows

from bot.conversation.rendering import span
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.reminders import ChannelGone, ReminderLoop, RetryLater
from bot.planning import knowledge
from bot.storage.store import Store

UTC = dt.UTC


class RecordingPlatform:
    """Stands in for a chat platform: records what would be posted, or fails as told."""

    platform = "memory"

    def __init__(self):
        self.sent: list[tuple[ChannelKey, object]] = []
        self.gone: set[str] = set()  # channels removed on the platform
        self.rate_limited: dict[str, float] = {}  # channel → Retry-After seconds, once
        self.delay = 0.0

    async def send(self, channel, reply) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if channel.channel in self.gone:
            raise ChannelGone("channel_not_found")
        if (seconds := self.rate_limited.pop(channel.channel, None)) is not None:
            raise RetryLater(seconds)
        self.sent.append((channel, reply))


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture
async def store(migrated_db, clock):
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    yield store
    await store.close()


@pytest.fixture
def engine(store):
    return Engine(knowledge=knowledge.default(), store=store)


async def planned(engine, channel="general", **answers) -> MemoryChat:
    chat = MemoryChat(engine, ChannelKey("memory", "team-1", channel), "alice")
    typed = dict(TYPED_ANSWERS) | answers
    await chat.answer_all(list(typed.items()))
    return chat


def loop_for(engine, platform, clock, **options) -> ReminderLoop:
    return ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock, **options)


def texts(reply) -> str:
    from adapters.console.chat import render
    from bot.conversation.rendering import PLAIN, Renderer

    return render(reply, Renderer(knowledge.default(), PLAIN))


async def test_a_first_plan_turns_on_a_reminder_for_the_first_of_next_month(engine, store, clock):
    await planned(engine)
    reminder = await ReminderStore.on(store).get(ChannelKey("memory", "team-1", "general"))
    assert reminder.settings.day == 1 and reminder.settings.timezone == "UTC"
    assert reminder.next_due_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_one_reminder_a_month_with_the_target_and_the_buttons(engine, clock, db_path):
    await planned(engine)
    platform = RecordingPlatform()
    loop = loop_for(engine, platform, clock)
    assert (await loop.run_once()).claimed == 0  # not due yet
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    report = await loop.run_once()
    assert (report.claimed, report.sent, report.late) == (1, 1, 0)
    [(channel, reply)] = platform.sent
    assert channel == ChannelKey("memory", "team-1", "general")
    text = texts(reply)
    assert "Monthly backlink check-in for example.com - December 2026" in text
    # The check-in asks for what to build; the site's own pace comes on top without logging.
    [(stored,)] = rows(db_path, "SELECT plan FROM plans")
    plan = json.loads(stored)
    build, target = span(plan["build"]), span(plan["target"])
    assert f"This month's target: {build} new referring domains to build a month ({target} a month" in text
    # The plan came on the 23rd: November is not judged, and the check-in says why.
    assert "November 2026: 0 logged - not scored: the plan was made with 8 of its 30 days left" in text
    assert "No streak yet" in text
    buttons = [b.action for block in reply.blocks if hasattr(block, "buttons") for b in block.buttons]
    assert buttons == ["log", "skip_month", "pause", "replan"]
    assert (await loop.run_once()).claimed == 0, "once a month"
    clock.now = dt.datetime(2026, 12, 20, tzinfo=UTC)
    assert (await loop.run_once()).claimed == 0
    assert rows(db_path, "SELECT month, status FROM reminder_sends") == [("2026-12", "sent")]
    clock.now = dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    assert (await loop.run_once()).sent == 1 and len(platform.sent) == 2


async def test_the_next_batch_is_composed_while_the_charts_of_the_one_before_are_drawn(engine, clock, monkeypatch):
    # The drawing processes draw one batch's charts while the loop claims and composes the next.
    from bot.core.replies import images
    from bot.monthly import chart

    for channel in ("one", "two"):
        await planned(engine, channel)
    asked: list[asyncio.Future[bytes]] = []
    said: list[str] = []

    def drawing(data, labels, *, background=False):
        future = asyncio.get_running_loop().create_future()
        asked.append(future)
        said.append(f"chart {len(asked)} asked")
        future.add_done_callback(lambda _, n=len(asked): said.append(f"chart {n} drawn"))
        if len(asked) == 2:  # the second batch is composed: both are drawn now
            for each in asked:
                each.done() or each.set_result(b"\x89PNG one chart")
        else:  # drawn in any case after a while (a loop that waits for it before going on)
            asyncio.get_running_loop().call_later(5, lambda: future.done() or future.set_result(b"\x89PNG late"))
        return future

    monkeypatch.setattr(chart, "drawing", drawing)
    platform = RecordingPlatform()
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    report = await loop_for(engine, platform, clock, batch=1).run_once()
    assert report.sent == 2 and said[:3] == ["chart 1 asked", "chart 2 asked", "chart 1 drawn"]
    assert [images(reply)[0].data for _, reply in platform.sent] == [b"\x89PNG one chart"] * 2


async def test_a_reminder_due_during_downtime_is_sent_once_and_says_it_is_late(engine, clock, store):
    await planned(engine)
    platform = RecordingPlatform()
    clock.now = dt.datetime(2027, 2, 10, 15, 0, tzinfo=UTC)  # down since November: Dec, Jan, Feb passed
    report = await loop_for(engine, platform, clock).run_once()
    assert (report.sent, report.late) == (1, 1)
    assert "Late: this was due Tue 1 Dec 2026, 09:00 (UTC)" in texts(platform.sent[0][1])
    reminder = await ReminderStore.on(store).get(ChannelKey("memory", "team-1", "general"))
    assert reminder.next_due_at == dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC), "no backlog of missed months"


async def test_the_31st_in_a_30_day_month(engine, clock, store):
    chat = await planned(engine)
    await chat.say("remind day=31 time=18:00 tz=Europe/Berlin")
    reminder = await ReminderStore.on(store).get(chat.channel)
    assert reminder.next_due_at == dt.datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 30 November, 18:00 CET
    platform = RecordingPlatform()
    clock.now = dt.datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    await loop_for(engine, platform, clock).run_once()
    assert len(platform.sent) == 1
    assert (await ReminderStore.on(store).get(chat.channel)).next_due_at == dt.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)


async def test_29_february(engine, clock, store):
    chat = await planned(engine)
    await chat.say("remind day=29")
    clock.now = dt.datetime(2027, 1, 29, 9, 0, tzinfo=UTC)
    await loop_for(engine, RecordingPlatform(), clock).run_once()
    assert (await ReminderStore.on(store).get(chat.channel)).next_due_at == dt.datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    clock.now = dt.datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    await loop_for(engine, RecordingPlatform(), clock).run_once()
    assert (await ReminderStore.on(store).get(chat.channel)).next_due_at == dt.datetime(2027, 3, 29, 9, 0, tzinfo=UTC)


async def test_across_a_dst_change_the_local_time_holds(engine, clock, store):
    chat = await planned(engine)
    await chat.say("remind day=1 time=09:00 tz=America/New_York")
    clock.now = dt.datetime(2027, 3, 1, 14, 0, tzinfo=UTC)  # 1 March 09:00 EST
    await loop_for(engine, RecordingPlatform(), clock).run_once()
    after = (await ReminderStore.on(store).get(chat.channel)).next_due_at
    assert after == dt.datetime(2027, 4, 1, 13, 0, tzinfo=UTC), "1 April 09:00 EDT"


async def test_two_loops_racing_send_each_reminder_once(engine, clock, db_path):
    for n in range(30):
        await planned(engine, channel=f"c{n}")
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    platform = RecordingPlatform()
    platform.delay = 0.001  # slow enough that the two loops overlap
    other_store = await Store.open(f"sqlite:///{db_path}", clock=clock)  # a second connection, as a second process
    try:
        other = Engine(knowledge=knowledge.default(), store=other_store)
        loops = [
            loop_for(engine, platform, clock, owner="a", batch=4),
            loop_for(other, platform, clock, owner="b", batch=4),
        ]
        reports = await asyncio.gather(*(loop.run_once() for loop in loops))
    finally:
        await other_store.close()
    sent = [channel.channel for channel, _ in platform.sent]
    assert sorted(sent) == sorted(f"c{n}" for n in range(30)), "every channel exactly once"
    assert all(r.sent > 0 for r in reports), "both loops did part of the work"
    assert rows(db_path, "SELECT count(*), count(DISTINCT channel_id) FROM reminder_sends WHERE status='sent'") == [
        (30, 30)
    ]


async def test_a_loop_that_died_mid_send_is_taken_over_when_its_lease_ends(engine, clock, store, db_path):
    chat = await planned(engine)
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    # The first process claims the row and records the send, then dies before posting.
    [claimed] = await ReminderStore.on(store).claim_due(
        clock.now, owner="dead", lease=dt.timedelta(minutes=10), limit=10, platforms=["memory"]
    )
    await ReminderStore.on(store).begin_sends([(claimed.channel_id, "2026-12", claimed.next_due_at)])
    platform = RecordingPlatform()
    assert (await loop_for(engine, platform, clock).run_once()).claimed == 0, "still leased"
    clock.now += dt.timedelta(minutes=11)
    report = await loop_for(engine, platform, clock).run_once()
    assert report.sent == 1 and [c for c, _ in platform.sent] == [chat.channel]
    assert rows(db_path, "SELECT month, status FROM reminder_sends") == [("2026-12", "sent")]


async def test_a_removed_channel_is_paused_and_told_next_time(engine, clock, store):
    chat = await planned(engine)
    platform = RecordingPlatform()
    platform.gone.add("general")
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    report = await loop_for(engine, platform, clock).run_once()
    assert report.paused == [chat.channel] and platform.sent == []
    clock.now = dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    assert (await loop_for(engine, platform, clock).run_once()).claimed == 0, "not retried forever"
    reply = await chat.say("show")
    assert "reminders in this channel were paused because the bot could not post here (channel_not_found)" in reply
    assert "were paused" not in await chat.say("show"), "said once"
    reply = await chat.say("remind on")
    assert "Saved." in reply
    platform.gone.clear()
    clock.now = dt.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    assert (await loop_for(engine, platform, clock).run_once()).sent == 1


async def test_a_rate_limit_is_retried_after_the_time_asked(engine, clock):
    await planned(engine)
    platform = RecordingPlatform()
    platform.rate_limited["general"] = 30
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert (await loop_for(engine, platform, clock).run_once()).retried == 1
    clock.now += dt.timedelta(seconds=29)
    assert (await loop_for(engine, platform, clock).run_once()).claimed == 0
    clock.now += dt.timedelta(seconds=1)
    assert (await loop_for(engine, platform, clock).run_once()).sent == 1


async def test_a_loop_only_takes_channels_of_platforms_it_can_post_to(engine, clock):
    await planned(engine)
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    class Elsewhere(RecordingPlatform):
        platform = "slack"

    assert (await loop_for(engine, Elsewhere(), clock).run_once()).claimed == 0


async def test_skip_and_pause_from_the_reminder(engine, clock, store):
    chat = await planned(engine)
    await chat.press("skip_month")
    assert (await ReminderStore.on(store).get(chat.channel)).next_due_at == dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    reply = await chat.press("pause")
    assert "Monthly reminders are off here." in reply
    assert (await ReminderStore.on(store).get(chat.channel)).next_due_at is None


async def test_a_closed_month_adapts_the_target_to_the_logged_pace(engine, clock, db_path):
    chat = await planned(engine, hours_per_month="200")  # safe pace binds: 30 a month
    clock.now = dt.datetime(2026, 11, 25, tzinfo=UTC)
    await chat.say("log 2")
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    platform = RecordingPlatform()
    await loop_for(engine, platform, clock).run_once()
    [(created_by, answers)] = rows(db_path, "SELECT created_by, answers FROM plans WHERE created_by = 'reminder'")
    adapted = json.loads(answers)
    assert adapted["referring_domains"] == 142 and adapted["horizon_months"] == 11
    # Logged links are links built: no evidence of the site's own pace, which stays as answered.
    assert adapted["recent_monthly_rd"] == 6
    assert "updated from what you logged" in texts(platform.sent[0][1])


async def test_two_months_behind_names_the_constraint_and_one_action(engine, clock):
    chat = await planned(engine)  # capacity binds (20 hours)
    platform = RecordingPlatform()
    for month in (12, 1):
        year = 2026 if month == 12 else 2027
        clock.now = dt.datetime(year, month, 1, 9, 0, tzinfo=UTC)
        await loop_for(engine, platform, clock).run_once()
    clock.now = dt.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    await loop_for(engine, platform, clock).run_once()
    text = texts(platform.sent[-1][1])
    assert "Behind for two months, and your time is what limits the target" in text
    assert "more hours a month would add two links" in text
    assert chat


async def check_in_after_two_empty_months(engine, clock, **answers) -> str:
    """Plan, log nothing through December and January: the February check-in, as text."""
    await planned(engine, **answers)
    platform = RecordingPlatform()
    for year, month in ((2026, 12), (2027, 1), (2027, 2)):
        clock.now = dt.datetime(year, month, 1, 9, 0, tzinfo=UTC)
        await loop_for(engine, platform, clock).run_once()
    return texts(platform.sent[-1][1])


async def test_behind_on_a_gap_suggests_a_horizon_the_plan_accepts(engine, clock):
    # Plenty of hours, a small gap: the gap sets the target. Behind twice, the check-in suggests a
    # longer horizon - never past the 60 months the plan question accepts.
    text = await check_in_after_two_empty_months(
        engine, clock, horizon_months="58", hours_per_month="500", competitors="400"
    )
    assert "the gap to your competitors sets the target. Give it a longer horizon (60 months)" in text
    assert all(int(n) <= 60 for n in re.findall(r"\((\d+) months\)", text))


async def test_behind_at_the_longest_horizon_names_hours_not_a_longer_horizon(engine, clock):
    text = await check_in_after_two_empty_months(
        engine, clock, horizon_months="60", hours_per_month="500", competitors="400"
    )
    assert "longer horizon" not in text and "Behind for two months: about" in text
    assert "more hours a month would add two links" in text and "your time is what limits" not in text


async def test_far_above_the_safe_pace_gets_a_caution(engine, clock):
    chat = await planned(engine)
    clock.now = dt.datetime(2026, 11, 28, tzinfo=UTC)
    await chat.say("log 90 yes")  # far above the plan: confirmed
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    platform = RecordingPlatform()
    await loop_for(engine, platform, clock).run_once()
    assert "Caution: 90 new referring domains last month is far above" in texts(platform.sent[0][1])


async def test_a_plan_stored_by_the_previous_planner_gets_its_check_in(engine, store, clock):
    """Old plans have ranges without a period and `build` as what survives link loss: the check-in
    reads them as monthly and measures logged links against their `build`."""
    from pathlib import Path

    from bot.monthly.schedule import ReminderSettings

    stored = json.loads(
        (Path(__file__).resolve().parents[2] / "helpers" / "plan_stored_before_momentum.json").read_text()
    )
    channel = ChannelKey("memory", "team-1", "general")
    due = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await store.save_plan(
        channel, "alice", stored["answers"], stored["plan"], first_reminder=(ReminderSettings().to_json(), due)
    )
    clock.now = due
    platform = RecordingPlatform()
    await loop_for(engine, platform, clock).run_once()
    text = texts(platform.sent[0][1])
    build, target = stored["plan"]["build"], stored["plan"]["target"]
    assert (
        f"This month's target: {build['low']}-{build['high']} new referring domains to build a month "
        f"({target['low']}-{target['high']} a month"
    ) in text


async def test_log_counts_sites_under_a_private_suffix_as_separate_domains(engine, db_path):
    chat = await planned(engine)
    reply = await chat.say("log https://bob.github.io/a https://carol.github.io/b https://www.example.co.uk/c")
    assert "3 new referring domains (bob.github.io, carol.github.io, example.co.uk)" in reply
    assert sorted(rows(db_path, "SELECT domain FROM progress")) == [
        ("bob.github.io",),
        ("carol.github.io",),
        ("example.co.uk",),
    ]


class StalledPlatform(RecordingPlatform):
    """A platform whose sends hang until let go (rate limits, a slow network)."""

    def __init__(self):
        super().__init__()
        self.started = asyncio.Event()
        self.go_on = asyncio.Event()

    async def send(self, channel, reply) -> None:
        self.started.set()
        await self.go_on.wait()
        await super().send(channel, reply)


async def test_a_loop_still_sending_past_its_lease_keeps_its_rows(engine, clock, store, db_path):
    """A batch that outlasts the lease (sends held up by the platform) is renewed while it runs: a
    second loop finds nothing to take, and each channel gets one check-in, not two."""
    await planned(engine)
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    slow = StalledPlatform()
    first = loop_for(engine, slow, clock, owner="first", renew_every=0.02)
    running = asyncio.create_task(first.run_once())
    await asyncio.wait_for(slow.started.wait(), 5)
    clock.now += dt.timedelta(minutes=11)  # past the 10 minutes' lease taken at 09:00
    await asyncio.sleep(0.2)  # a few renewals
    other = RecordingPlatform()
    assert (await loop_for(engine, other, clock, owner="second").run_once()).claimed == 0, "renewed, still held"
    slow.go_on.set()
    report = await asyncio.wait_for(running, 5)
    assert report.sent == 1 and len(slow.sent) == 1 and other.sent == []
    assert rows(db_path, "SELECT month, status FROM reminder_sends") == [("2026-12", "sent")]


async def test_a_run_at_a_fixed_moment_renews_its_lease_by_the_time_it_takes(engine, clock, store):
    """`reminders run-once` acts at one moment (its clock stands still): its leases are renewed by
    the time the run has taken, or a long run's rows would be free to another loop mid-send."""
    await planned(engine)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    clock.now = start
    slow = StalledPlatform()
    first = loop_for(engine, slow, lambda: start, owner="first", lease=dt.timedelta(seconds=1), renew_every=0.05)
    running = asyncio.create_task(first.run_once())
    await asyncio.wait_for(slow.started.wait(), 5)
    await asyncio.sleep(1.5)  # longer than the lease
    other = loop_for(engine, RecordingPlatform(), clock, owner="second")
    assert (await other.run_once(start + dt.timedelta(seconds=1.2))).claimed == 0, "renewed, still held"
    slow.go_on.set()
    assert (await asyncio.wait_for(running, 5)).sent == 1 and len(slow.sent) == 1
