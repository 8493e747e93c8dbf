"""Looked-up figures in a plan, through the real engine, store and lookups service.

The provider here is a stand-in at the provider interface (bot/lookups/provider.py) that counts
its calls; the real HTTP clients are tested against stand-ins of each API in tests/providers/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time

import pytest
from counting_provider import KEY, CountingProvider
from support import TYPED_ANSWERS, Clock, MemoryChat, Recording, rows

from bot.core.events import ChannelKey, Invoked, Said, Submitted
from bot.engine import Engine
from bot.lookups.provider import LOOKUP_TIMEOUT, LookupFailed, MonthChange, SiteFigures
from bot.lookups.service import Lookups
from bot.monthly.reminders import ReminderLoop
from bot.storage.secrets import Sealer
from bot.storage.store import Store

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
HERE = ChannelKey("console", "local", "general")
BROKEN: set[str] = set()  # domains whose history call fails
TOKEN_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyMTI="  # 32 bytes, URL-safe base64


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
async def setup(migrated_db, knowledge, clock):
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    calls: list = []
    fail: list = []

    def make(budget: int = 200, default=None):
        lookups = Lookups(
            store=store,
            clients=lambda name, key: CountingProvider(key, calls, fail, BROKEN),
            providers=("dataforseo", "moz"),
            budget=budget,
            default=default,
            sealer=Sealer(TOKEN_KEY),
        )
        return Engine(knowledge=knowledge, store=store, lookups=lookups)

    yield make, calls, fail
    await store.close()


async def say(engine: Engine, text: str, *, manages: bool = True) -> str:
    chat = MemoryChat(engine, HERE, "alice")
    replies = await engine.handle(Said(HERE, "alice", text, manages=manages))
    from adapters.console.chat import render

    return "\n\n".join(render(r, chat.renderer) for r in replies)


async def test_connect_checks_the_key_keeps_it_sealed_and_shows_only_its_last_4(setup, db_path):
    make, calls, _ = setup
    engine = make()
    assert "No backlink data provider is connected here" in await say(engine, "connect")
    refused = await say(engine, "connect dataforseo someone:wrong")
    assert "Not connected: dataforseo refused that key" in refused
    assert rows(db_path, "SELECT count(*) FROM provider_keys") == [(0,)]
    done = await say(engine, f"connect dataforseo {KEY}")
    assert "Connected DataForSEO (key ending 9a7f)" in done
    assert KEY not in done
    ((secret, last4),) = rows(db_path, "SELECT secret, last4 FROM provider_keys")
    assert last4 == "9a7f" and secret.startswith("fernet:") and KEY not in secret
    assert Sealer(TOKEN_KEY).open(secret) == KEY
    status = await say(engine, "connect")
    assert "Connected: DataForSEO (key ending 9a7f)" in status and "0 of 200 lookups used this month" in status
    assert calls == [("check",), ("check",)]  # one cheap call per key tried, none for the status
    assert "Disconnected." in await say(engine, "disconnect")
    assert rows(db_path, "SELECT count(*) FROM provider_keys") == [(0,)]


async def test_only_someone_who_manages_the_workspace_changes_the_key(setup, db_path):
    make, calls, _ = setup
    engine = make()
    said = await say(engine, f"connect dataforseo {KEY}", manages=False)
    assert "BACKLINKS_PROVIDER_KEY" in said and calls == []
    assert rows(db_path, "SELECT count(*) FROM provider_keys") == [(0,)]
    assert "Not connected: “acme” is not a provider" in await say(engine, "connect acme a:b")
    assert "Not connected: a DataForSEO key is LOGIN:PASSWORD" in await say(engine, "connect dataforseo nocolon")


async def test_a_plan_offers_the_sites_looked_up_figures_and_typed_numbers_win(setup, db_path):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    out = await say(engine, "plan site=example.com rd=900")
    assert "Looked up example.com (DataForSEO, 30 Nov 2026)" in out
    # 30, 12, 15 new in the last three complete months (November is not over): 19 a month; lost 15.
    assert "new referring domains a month 19" in out and "referring domains lost 15" in out
    assert "1,240" not in out  # typed rd=900 wins over the looked-up 1,240
    assert "authority" not in out.split("Looked up")[1].split("\n")[0]  # a DataForSEO rank is no DR/DA
    answers = [("site_kind", "saas"), ("authority", "35"), ("site_age_months", "30")]
    for _, typed in answers:
        out = await say(engine, typed)
    assert "6/17  How many new referring domains" in out and "Enter keeps 19" in out
    out = await say(engine, "")  # Enter: the looked-up figure is the answer
    assert "7/17" in out and "Enter keeps 15" in out  # lost over the last 12 months, offered next
    stored = await engine.store.load_session(HERE, "alice")
    assert stored.draft["answers"]["recent_monthly_rd"] == 19
    assert stored.draft["answers"]["referring_domains"] == 900


async def test_competitors_as_domains_get_their_counts_and_pace_in_one_call_then_from_the_cache(setup):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    out = await say(engine, "plan competitors=rival.com, other.net, unknown.io")
    assert "Competitors looked up (DataForSEO, 30 Nov 2026): rival.com=3100+40, other.net=2200, unknown.io" in out
    assert "DataForSEO doesn't know unknown.io: give each a count" in out
    assert [c for c in calls if c[0] == "sites"] == [("sites", ("rival.com", "other.net", "unknown.io"))]
    calls.clear()
    await say(engine, "cancel")
    await say(engine, "plan competitors=rival.com 3000, other.net")  # the same day: no paid call
    assert calls == []


async def test_the_budget_stops_paid_calls_and_the_questions_are_simply_asked(setup, db_path):
    make, calls, _ = setup
    engine = make(budget=2, default=("dataforseo", KEY))
    out = await say(engine, "plan competitors=rival.com, other.net, third.org")
    assert "Couldn't look the figures up (this month's 2 lookups are spent); please type them." in out
    assert calls == [] and rows(db_path, "SELECT used FROM lookup_budget") == [(0,)]
    out = await say(engine, "plan site=example.com")  # 1 site + 1 history fit in 2
    assert "Looked up example.com" in out
    assert rows(db_path, "SELECT used FROM lookup_budget") == [(2,)]


async def test_a_provider_failing_never_blocks_the_plan(setup):
    make, calls, fail = setup
    engine = make(default=("dataforseo", KEY))
    fail.append(LookupFailed("DataForSEO did not answer within 10 seconds"))
    out = await say(engine, "plan site=example.com")
    assert "Couldn't look the figures up (DataForSEO did not answer within 10 seconds); please type them." in out
    assert "2/17  What kind of site is it?" in out  # and the plan goes on: the questions are asked


async def test_figures_of_a_site_are_cached_per_day(setup, db_path):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    await say(engine, "plan site=example.com")
    await say(engine, "cancel")
    await say(engine, "plan site=example.com")
    assert [c[0] for c in calls] == ["sites", "history"]
    assert rows(db_path, "SELECT provider, domain, kind, period FROM lookups ORDER BY kind") == [
        ("dataforseo", "example.com", "history", "2026-11"),
        ("dataforseo", "example.com", "site", "2026-11-30"),
    ]


async def test_where_there_are_forms_connect_is_a_form_for_who_manages_and_the_status_for_others(setup, db_path):
    make, calls, _ = setup
    engine = make()
    discord = ChannelKey("discord", "G1", "C1")
    renderer = MemoryChat(engine, discord, "U1").renderer

    (form,) = await engine.handle(Invoked(discord, "U1", "connect", manages=True))
    assert form.kind == "form" and form.private and form.form.name == "connect"
    assert form.form.question_ids == ("connect_provider", "connect_key") and form.form.values == {}
    (status,) = await engine.handle(Invoked(discord, "U2", "connect"))
    said = [renderer.text(block.text) for block in status.blocks]
    assert status.form is None and status.private
    assert said[0].startswith("No backlink data provider is connected here") and "private form" in said[0]
    assert said[1].startswith("Only members who can manage this server (Manage Server)")

    values = {"connect_provider": "DataForSEO", "connect_key": KEY}
    (refused,) = await engine.handle(Submitted(discord, "U2", values, form="connect"))
    assert renderer.text(refused.blocks[0].text).startswith("Only members who can manage this server")
    assert calls == [] and rows(db_path, "SELECT count(*) FROM provider_keys") == [(0,)]
    (done,) = await engine.handle(Submitted(discord, "U1", values, form="connect", manages=True))
    assert renderer.text(done.blocks[0].text).startswith("Connected DataForSEO (key ending 9a7f). Plans now look up")
    assert done.private and KEY not in repr(done)
    assert rows(db_path, "SELECT provider, last4, added_by FROM provider_keys") == [("dataforseo", "9a7f", "U1")]
    (again,) = await engine.handle(Invoked(discord, "U1", "connect", manages=True))
    assert again.form.values == {"connect_provider": "dataforseo"}, "the provider connected here; never the key"

    # A submission the adapter could not check is read like any answer; a key is never quoted back.
    (bad,) = await engine.handle(
        Submitted(discord, "U1", {"connect_provider": "x", "connect_key": "a b"}, form="connect", manages=True)
    )
    reason = renderer.text(bad.blocks[0].text)
    assert (
        reason.startswith("Not connected: “x” is not a choice I know") and "no spaces" in reason and "a b" not in reason
    )


def test_the_connect_form_offers_every_provider_and_keeps_keys_secret(knowledge):
    import providers

    form = knowledge.form("connect")
    provider, key = form.questions
    assert [option for option, _ in provider.kind.options] == list(providers.CLIENTS)
    assert key.kind_name == "secret" and key.show(KEY) == "…9a7f"
    assert knowledge.form_of_section("connect") == "connect"


def test_site_figures_round_trip_through_json():
    figures = SiteFigures("example.com", 10, authority=5)
    assert SiteFigures(**dataclasses.asdict(figures)) == figures


async def test_a_form_platform_shows_the_plan_form_filled_with_the_looked_up_figures(setup):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    slack = ChannelKey("slack", "T1", "C1")
    (reply,) = await engine.handle(Invoked(slack, "U1", "plan", "site=example.com competitors=rival.com, 380"))
    assert reply.kind == "form"
    values = reply.form.values
    assert values["site"] == "example.com" and values["referring_domains"] == "1240"
    assert values["recent_monthly_rd"] == "19" and values["lost_referring_domains"] == "15"
    assert values["competitors"] == "rival.com=3100+40, 380"
    renderer = MemoryChat(engine, slack, "U1").renderer
    said = [renderer.text(block.text) for block in reply.blocks]
    competitors = "rival.com=3100+40, 380 (domain=referring domains+new a month)"
    assert said[0] == f"Competitors looked up (DataForSEO, 30 Nov 2026): {competitors}."
    assert said[1].startswith("Looked up example.com (DataForSEO, 30 Nov 2026): referring domains 1240,")


def _said(chat: MemoryChat, reply) -> str:
    return "\n".join(chat.renderer.text(b.text) for b in reply.blocks if hasattr(b, "text"))


async def test_the_check_in_measures_last_month_against_the_plan_and_names_the_lost_domains_to_reclaim(
    setup, clock, db_path
):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()  # typed figures, site example.com, made on 30 November
    await say(engine, "log 3")
    calls.clear()
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # the 1st, past 09:00: the check-in is due
    platform = Recording()
    report = await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    assert report.sent == 1
    ((channel, reply),) = platform.sent
    said = _said(chat, reply)
    assert (
        "Measured by DataForSEO, 1 Dec 2026: 9 new referring domains and 5 lost in November 2026, net +4. "
        "The plan expects about 9 new a month, your links and what the site gains on its own together - on pace "
        "(you logged 3)."
    ) in said
    assert (
        "5 referring domains lost in November 2026: win the cheapest back first - redirect dead pages that had "
        "links, ask sites that removed one, starting with the highest-ranked: gone-news.com, closed-forum.net, "
        "old-dir.org, spam-farm.biz and moved.net. Expect to win back about 1."
    ) in said
    # One lookup for the month's counts and, as 5 were lost, one for their names; none for the plan.
    assert calls == [("history", "example.com", "2025-12"), ("month_domains", "example.com", "2026-11")]
    # `show` puts the measured month beside what was logged, from the check-in's lookup: no call.
    calls.clear()
    shown = await say(engine, "show")
    assert (
        "November 2026: 3 / about 3 (not scored: the plan came with 1 of its 30 days left) · measured 9 new, 5 lost"
        in shown
    )
    assert calls == []
    # The plan was made with 1 of November's 30 days left: its answers already held the month's
    # growth but a thirtieth of +4, so the adapted profile stays at 140.
    [(answers,)] = rows(db_path, "SELECT answers FROM plans WHERE created_by = 'reminder'")
    assert json.loads(answers)["referring_domains"] == 140


async def test_after_a_clean_up_the_check_in_does_not_ask_the_lost_domains_back(setup, clock):
    """A plan whose lost links were removed or disavowed on purpose: the measured losses are said,
    never advised to be won back - and no lookup is paid for their names."""
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    chat = MemoryChat(engine, HERE, "alice")
    cleaned = [(q, "yes" if q == "lost_on_purpose" else typed) for q, typed in TYPED_ANSWERS]
    await chat.answer_all(cleaned)
    calls.clear()
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    platform = Recording()
    await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    ((_, reply),) = platform.sent
    said = _said(chat, reply)
    assert "9 new referring domains and 5 lost in November 2026, net +4." in said
    assert "win the cheapest back" not in said and "Expect to win back" not in said
    assert calls == [("history", "example.com", "2025-12")]


async def test_logged_links_are_matched_against_the_measured_new_domains_and_the_profile_grows_by_the_net(
    setup, clock, db_path
):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    clock.now = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)  # a whole November to build in
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()
    await say(engine, "log https://bakers-guild.org/members https://citylist.net/bakeries https://slowcrawl.com/p/1")
    calls.clear()
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    platform = Recording()
    await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    ((_, reply),) = platform.sent
    said = _said(chat, reply)
    assert "9 new referring domains and 5 lost in November 2026, net +4." in said
    assert "(you logged" not in said  # the names say more than the count
    # news.bakers-guild.org, as the provider names it, is the bakers-guild.org that was logged.
    assert "Found among them: bakers-guild.org and citylist.net. Not yet: slowcrawl.com - a new link can take" in said
    assert "This month's target:" in said and "updated from what DataForSEO measured" in said
    # November was measured whole: the profile grew by its net, not by the 3 logged.
    [(answers,)] = rows(db_path, "SELECT answers FROM plans WHERE created_by = 'reminder'")
    assert json.loads(answers)["referring_domains"] == 140 + 4
    # A second check-in of the month (another channel, the same site) pays for nothing more.
    other = MemoryChat(engine, ChannelKey("console", "local", "second"), "bob")
    clock.now = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
    await other.answer_all()
    await other.say("log https://citylist.net/other")
    clock.now = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
    calls.clear()
    await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    assert calls == []
    assert "Found among them: citylist.net." in _said(other, platform.sent[-1][1])


async def test_a_check_in_without_loss_or_logged_domains_asks_for_no_names(setup, clock):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    CountingProvider.months["quiet.org"] = [MonthChange("2026-11", 6, 1)]
    try:
        chat = MemoryChat(engine, HERE, "alice")
        await chat.answer_all([("site", "quiet.org"), *TYPED_ANSWERS[1:]])
        await say(engine, "log 2")
        calls.clear()
        clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        platform = Recording()
        await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    finally:
        del CountingProvider.months["quiet.org"]
    said = _said(chat, platform.sent[0][1])
    assert "6 new referring domains and 1 lost in November 2026, net +5." in said
    assert "lost in November 2026: win the cheapest back" not in said
    assert calls == [("history", "quiet.org", "2025-12")]


async def test_a_check_in_goes_out_without_measurement_when_the_provider_fails(setup, clock):
    make, calls, fail = setup
    engine = make(default=("dataforseo", KEY))
    await MemoryChat(engine, HERE, "alice").answer_all()
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    fail.append(LookupFailed("DataForSEO answered 500"))
    platform = Recording()
    report = await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    assert report.sent == 1 and fail == []
    ((_, reply),) = platform.sent
    assert "Measured" not in str(reply)


async def test_in_a_check_in_fan_out_one_sites_failure_leaves_the_others_measured_and_costs_nothing(
    setup, clock, db_path
):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    for channel, site in (("a", "example.com"), ("b", "rival.com")):
        chat = MemoryChat(engine, ChannelKey("console", "local", channel), "alice")
        await chat.answer_all([("site", site), *TYPED_ANSWERS[1:]])
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    BROKEN.add("rival.com")
    try:
        platform = Recording()
        started = time.monotonic()
        await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
        # Nobody else is looking rival.com up: the check-ins don't wait the lookup timeout for it.
        assert time.monotonic() - started < LOOKUP_TIMEOUT / 2
    finally:
        BROKEN.clear()
    measured = {channel.channel: "reminder.measured" in str(reply) for channel, reply in platform.sent}
    assert measured == {"a": True, "b": False}
    # example.com's history and, as it lost 5, its lost domains' names: 2; rival.com's failure refunded.
    assert rows(db_path, "SELECT used FROM lookup_budget WHERE month = '2026-12'") == [(2,)]
    assert rows(db_path, "SELECT domain FROM lookups WHERE period = '2026-12'") == [("example.com",)]
