"""Looked-up figures in a plan, through the real engine, store and lookups service.

The provider here is a stand-in at the provider interface (bot/lookups/provider.py) that counts
its calls; the real HTTP clients are tested against stand-ins of each API in tests/providers/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from counting_provider import KEY, CountingProvider
from support import TYPED_ANSWERS, MemoryChat, rows

from bot.core.events import ChannelKey, Invoked, Said, Submitted
from bot.engine import Engine
from bot.lookups.provider import LookupFailed, SiteFigures
from bot.lookups.service import Lookups
from bot.monthly.reminders import ReminderLoop
from bot.storage.secrets import Sealer
from bot.storage.store import Store

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
HERE = ChannelKey("console", "local", "general")
BROKEN: set[str] = set()  # domains whose history call fails
TOKEN_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyMTI="  # 32 bytes, URL-safe base64


class Clock:
    now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def setup(db_path, knowledge, clock):
    store = await Store.open(f"sqlite:///{db_path}", clock=clock)
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
    assert "Not connected: 'acme' is not a provider" in await say(engine, "connect acme a:b")
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
    assert "6/15  How many new referring domains" in out and "Enter keeps 19" in out
    out = await say(engine, "")  # Enter: the looked-up figure is the answer
    assert "7/15" in out and "Enter keeps 15" in out  # lost over the last 12 months, offered next
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
    assert "2/15  What kind of site is it?" in out  # and the plan goes on: the questions are asked


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


class Recording:
    platform = "console"

    def __init__(self):
        self.sent = []

    async def send(self, channel, reply) -> None:
        self.sent.append((channel, reply))


async def test_the_check_in_measures_last_month_beside_what_was_logged_and_suggests_reclaiming(setup, clock):
    make, calls, _ = setup
    engine = make(default=("dataforseo", KEY))
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()  # typed figures, site example.com
    await say(engine, "log 3")
    calls.clear()
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)  # the 1st, past 09:00: the check-in is due
    platform = Recording()
    report = await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    assert report.sent == 1
    ((channel, reply),) = platform.sent
    said = "\n".join(chat.renderer.text(b.text) for b in reply.blocks if hasattr(b, "text"))
    assert "Measured by DataForSEO, 1 Dec 2026: 9 new referring domains and 5 lost in November 2026" in said
    assert "(you logged 3; the count includes links you earned)" in said
    assert "5 referring domains lost in November 2026: win the cheapest back first" in said
    assert "Expect to win back about 1." in said
    assert calls == [("history", "example.com", "2025-12")]  # one lookup for the month, none for the plan


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
        await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
    finally:
        BROKEN.clear()
    measured = {channel.channel: "reminder.measured" in str(reply) for channel, reply in platform.sent}
    assert measured == {"a": True, "b": False}
    assert rows(db_path, "SELECT used FROM lookup_budget WHERE month = '2026-12'") == [(1,)]  # the failure refunded
    assert rows(db_path, "SELECT domain FROM lookups WHERE period = '2026-12'") == [("example.com",)]
