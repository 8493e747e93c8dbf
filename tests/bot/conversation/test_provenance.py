"""Which figures of a plan a provider measured, when: kept through planning, stored with the plan,
named by `show` and `why` (issue 15, item 4); and a looked-up figure wildly apart from the user's
own shown beside it, never put in its place.

Through the real engine and a real SQLite store, with a provider stand-in at the provider interface
that counts its calls (as in tests/bot/lookups/test_service.py).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import export_fixtures as F
import pytest
from counting_provider import KEY, CountingProvider
from support import TYPED_ANSWERS, MemoryChat, rows

from bot.conversation.questionnaire import Draft
from bot.core.events import ChannelKey, Invoked, Said, Submitted
from bot.engine import Engine
from bot.lookups.service import Lookups
from bot.storage.store import Store

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
HERE = ChannelKey("console", "local", "general")
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MEASURED_ON = "(DataForSEO, 30 Nov 2026)"


@pytest.fixture
async def engine(migrated_db, knowledge):
    store = await Store.open(f"sqlite:///{migrated_db}", clock=lambda: NOW)
    lookups = Lookups(
        store=store,
        clients=lambda name, key: CountingProvider(),
        providers=("dataforseo",),
        default=("dataforseo", KEY),
    )
    yield Engine(knowledge=knowledge, store=store, lookups=lookups)
    await store.close()


# After `plan site=example.com competitors=...`: the remaining questions, "" for Enter.
REST = [
    ("site_kind", "saas"),
    ("authority", "35"),  # a DataForSEO rank is no DR or DA: never offered
    ("referring_domains", ""),  # Enter: the looked-up 1240
    ("site_age_months", "30"),
    ("recent_monthly_rd", ""),  # Enter: 19
    ("lost_referring_domains", "15"),  # the looked-up figure, typed: still DataForSEO's
    ("lost_on_purpose", "no"),
    ("followed_share", "skip"),  # this provider gives no nofollow count
    ("horizon_months", "12"),
    ("ranking_pages", "45"),
    ("linkable_assets", "1"),
    ("posts_per_month", "4"),
    ("content_quality", "4"),
    ("strategies", "guest posting, outreach"),
    ("hours_per_month", "20"),
]


async def plan(chat: MemoryChat, command: str, answers=REST) -> str:
    out = await chat.say(command)
    for _, typed in answers:
        out = await chat.say(typed)
    return out


def answer_line(why: str, start: str) -> str:
    return next(line for line in why.splitlines() if line.strip().startswith(f"- {start}"))


async def test_a_plan_names_the_looked_up_figures_it_kept_in_show_and_why(engine, db_path):
    chat = MemoryChat(engine, HERE, "alice")
    made = await plan(chat, "plan site=example.com competitors=rival.com, other.net")
    line = (
        "Measured by DataForSEO on 30 Nov 2026: referring domains, new referring domains a month, "
        "referring domains lost and the competitors' counts."
    )
    assert "Backlink plan for example.com" in made and line in made
    shown = await chat.say("show")
    assert line in shown and shown.index(line) < shown.index("Stored Mon 30 Nov 2026, 12:00 (UTC) by alice")
    why = await chat.say("why")
    assert answer_line(why, "Referring domains now") == f"  - Referring domains now: 1240 {MEASURED_ON}"
    assert (
        answer_line(why, "New referring domains a month")
        == f"  - New referring domains a month lately: 19 {MEASURED_ON}"
    )
    assert answer_line(why, "Referring domains lost") == f"  - Referring domains lost lately: 15 {MEASURED_ON}"
    competitors = answer_line(why, "Competitors")
    assert competitors == f"  - Competitors' referring domains: rival.com=3100+40, other.net=2200 {MEASURED_ON}"
    assert answer_line(why, "Authority") == "  - Authority score (DR or DA, 0-100): 35"  # typed: no source
    ((stored,),) = rows(db_path, "SELECT answers FROM plans")
    sources = json.loads(stored)["sources"]
    assert sources["referring_domains"] == {
        "provider": "DataForSEO",
        "day": "2026-11-30",
        "value": 1240,
        "site": "example.com",
    }
    assert sorted(sources) == ["competitors", "lost_referring_domains", "recent_monthly_rd", "referring_domains"]


async def test_a_figure_typed_over_names_no_provider(engine):
    chat = MemoryChat(engine, HERE, "alice")
    typed_over = dict(REST, referring_domains="1300", recent_monthly_rd="20")  # close, but the user's own
    made = await plan(chat, "plan site=example.com competitors=rival.com, other.net=2500", list(typed_over.items()))
    line = "Measured by DataForSEO on 30 Nov 2026: referring domains lost and the counts of rival.com."
    assert line in made
    assert line in await chat.say("show")
    why = await chat.say("why")
    assert answer_line(why, "Referring domains now") == "  - Referring domains now: 1300"
    assert answer_line(why, "New referring domains a month") == "  - New referring domains a month lately: 20"
    competitors = answer_line(why, "Competitors")
    assert (
        competitors
        == "  - Competitors' referring domains: rival.com=3100+40, other.net=2500 (rival.com: DataForSEO, 30 Nov 2026)"
    )


async def test_a_plan_of_typed_figures_names_no_provider(engine):
    chat = MemoryChat(engine, HERE, "alice")
    made = await chat.answer_all()  # site example.com looked up, every figure typed differently
    assert "Backlink plan for example.com" in made and "Measured" not in made
    assert "Measured" not in await chat.say("show")
    assert "DataForSEO" not in await chat.say("why")


async def test_a_plan_adapted_by_a_check_in_no_longer_names_a_figure_it_changed(engine, db_path):
    chat = MemoryChat(engine, HERE, "alice")
    await plan(chat, "plan site=example.com competitors=rival.com, other.net")
    ((channel_id, answers, plan_json),) = rows(db_path, "SELECT channel_id, answers, plan FROM plans")
    adapted = json.loads(answers) | {"referring_domains": 1250}  # as a check-in adapts it: 10 logged
    await engine.store.add_plans([(channel_id, adapted, json.loads(plan_json))], created_by="reminder")
    shown = await chat.say("show")
    # referring domains now 1,250: no longer the 1,240 DataForSEO measured
    line = (
        "Measured by DataForSEO on 30 Nov 2026: new referring domains a month, referring domains lost "
        "and the competitors' counts."
    )
    assert line in shown


@pytest.mark.parametrize("old", sorted(FIXTURES.glob("made_by_main_*.sqlite")), ids=lambda p: p.stem)
async def test_plans_stored_before_sources_still_show_and_why(old, tmp_path, knowledge):
    path = tmp_path / old.name
    shutil.copyfile(old, path)
    store = await Store.open(f"sqlite:///{path}", clock=lambda: NOW)
    try:
        chat = MemoryChat(Engine(knowledge=knowledge, store=store), ChannelKey("console", "local", "console"), "alice")
        shown = await chat.say("show")
        assert "Target: about 9 new referring domains a month" in shown and "Measured" not in shown
        why = await chat.say("why")
        assert "Referring domains now: 140" in why and "DataForSEO" not in why
    finally:
        await store.close()


async def test_a_plan_stored_before_momentum_still_shows_and_why(engine):
    stored = json.loads((FIXTURES.parent / "helpers" / "plan_stored_before_momentum.json").read_text())
    await engine.store.save_plan(HERE, "alice", stored["answers"], stored["plan"], expected=None)
    chat = MemoryChat(engine, HERE, "alice")
    shown = await chat.say("show")
    assert "Backlink plan for example.com" in shown and "Measured" not in shown
    assert "Momentum (new a month without building)" in await chat.say("why")


def test_a_draft_keeps_its_sources_and_one_stored_before_them_loads():
    sources = {"referring_domains": {"provider": "DataForSEO", "day": "2026-11-30", "value": 1240, "site": "a.com"}}
    draft = Draft({"site": "a.com"}, order=("site",), sources=sources)
    assert Draft.from_json(json.loads(json.dumps(draft.to_json()))) == draft
    old = {"answers": {"site": "a.com"}, "skipped": [], "order": ["site"], "suggested": {"authority": 30}}
    assert Draft.from_json(old).sources == {}
    assert "sources" not in Draft().to_json()


# Wild disagreements: shown side by side, the user's figure stays the default.

SIDE_BY_SIDE = (
    "Referring domains: DataForSEO says 1240 (30 Nov 2026), you had 140. More than 2 times apart "
    "(assumption: providers' indexes rarely differ by more), so yours stays the default"
)


async def test_a_typed_figure_wildly_apart_from_the_lookup_is_asked_again_with_both_and_stays(engine):
    chat = MemoryChat(engine, HERE, "alice")
    out = await chat.say("plan site=example.com rd=140 competitors=rival.com, other.net")
    assert f"{SIDE_BY_SIDE}; type 1240 instead to use DataForSEO's." in out
    assert "Taken from your command: site and competitors." in out  # rd is asked again, to confirm
    # 30% apart is an ordinary difference between indexes: what was typed stays, unasked.
    assert "Looked up example.com (DataForSEO, 30 Nov 2026): new referring domains a month 19" in out
    for typed in ("saas", "35"):
        out = await chat.say(typed)
    assert "4/17  How many referring domains link to it now?" in out
    assert f"{SIDE_BY_SIDE}: press Enter to keep 140, or type 1240 to use DataForSEO's." in out
    assert "Enter keeps 140" in out
    out = await chat.say("")  # Enter: the user's 140
    stored = await engine.store.load_session(HERE, "alice")
    assert stored.draft["answers"]["referring_domains"] == 140
    rest = [(q, a) for q, a in REST if q not in ("site_kind", "authority", "referring_domains")]
    for _, typed in rest:
        out = await chat.say(typed)
    line = (
        "Measured by DataForSEO on 30 Nov 2026: new referring domains a month, referring domains lost "
        "and the competitors' counts."
    )
    assert line in out
    assert answer_line(await chat.say("why"), "Referring domains now") == "  - Referring domains now: 140"


async def test_the_provider_figure_is_taken_when_typed_after_the_side_by_side(engine):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.say("plan site=example.com rd=140 competitors=rival.com, other.net")
    for typed in ("saas", "35"):
        await chat.say(typed)
    out = await chat.say("1240")  # DataForSEO's, typed: named as DataForSEO's
    assert "5/17" in out
    rest = [(q, a) for q, a in REST if q not in ("site_kind", "authority", "referring_domains")]
    for _, typed in rest:
        out = await chat.say(typed)
    assert "Measured by DataForSEO on 30 Nov 2026: referring domains, new referring domains a month" in out


async def test_the_last_plans_figures_stay_the_defaults_beside_wildly_different_lookups(engine):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all()  # rd 140, recent 6, lost 12, typed
    out = await chat.say("plan")
    out = await chat.say("")  # Enter: example.com again, looked up again (from the cache)
    assert "Looked up example.com (DataForSEO, 30 Nov 2026): referring domains lost 15." in out  # 12 → 15: close
    assert f"{SIDE_BY_SIDE}; type 1240 instead" in out
    assert "New referring domains a month: DataForSEO says 19 (30 Nov 2026), you had 6." in out
    for _ in range(2):
        out = await chat.say("")
    assert "Enter keeps 140" in out and f"{SIDE_BY_SIDE}: press Enter to keep 140" in out
    for _ in range(2):
        out = await chat.say("")
    assert "Enter keeps 6" in out and "you had 6" in out
    out = await chat.say("")
    assert "Enter keeps 15" in out  # the close one: the provider's figure offered
    for _ in TYPED_ANSWERS[6:]:
        out = await chat.say("")
    assert "Measured by DataForSEO on 30 Nov 2026: referring domains lost." in out


async def test_a_form_keeps_the_typed_figure_and_says_the_provider_differs(engine):
    slack = ChannelKey("slack", "T1", "C1")
    (reply,) = await engine.handle(Invoked(slack, "U1", "plan", "site=example.com rd=140"))
    assert reply.kind == "form" and reply.form.values["referring_domains"] == "140"
    assert reply.form.values["recent_monthly_rd"] == "19"
    renderer = MemoryChat(engine, slack, "U1").renderer
    said = [renderer.text(block.text) for block in reply.blocks]
    assert said[1] == (
        "Referring domains: DataForSEO says 1240 (30 Nov 2026), you had 140. More than 2 times apart "
        "(assumption: providers' indexes rarely differ by more), so yours stays the default; type 1240 "
        "instead to use DataForSEO's."
    )
    values = {**dict(TYPED_ANSWERS), **reply.form.values}  # the form sent back as filled, the rest typed
    (plan_reply, *_) = await engine.handle(Submitted(slack, "U1", values))
    text = "\n".join(renderer.text(b.text) for b in plan_reply.blocks if hasattr(b, "text"))
    assert "Measured by DataForSEO on 30 Nov 2026: new referring domains a month and referring domains lost." in text


async def test_an_imported_figure_wildly_apart_stays_the_default_beside_the_lookup(engine, tmp_path):
    chat = MemoryChat(engine, HERE, "alice")
    links = [F.Link(f"https://site{n}.example{n}.org/p", "Example", dt.date(2026, 10, 2)) for n in range(6)]
    path = F.ahrefs_backlinks(links, tmp_path / "mine.csv")
    imported = await chat._send(Said(HERE, "alice", "import", file=str(path)))
    assert "Suggested for your plan: referring domains: 6;" in imported
    out = await chat.say("plan site=example.com")
    assert "Referring domains: DataForSEO says 1240 (30 Nov 2026), you had 6. More than 2 times apart" in out
    for typed in ("saas", "35"):
        out = await chat.say(typed)
    assert "Enter keeps 6" in out and "press Enter to keep 6, or type 1240 to use DataForSEO's" in out
