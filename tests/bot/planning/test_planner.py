"""The planner: properties over every valid set of answers, and a plan worked out by hand.

The table of realistic sites, judged as a link builder would, is in test_planner_sites.py; the
words every platform shows are checked in test_plan_reply_words.py.
"""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from planner_answers import STRATEGY_IDS, answer_sets, hours

from bot.planning import capacity
from bot.planning.knowledge import load
from bot.planning.pace import authority_guide
from bot.planning.planner import EARNED, MOMENTUM, MONTHS_IN, plan

KNOWLEDGE = load()
P = {name: parameter.value for name, parameter in KNOWLEDGE.parameters.items()}
KEEP = 1 - P["annual_link_loss"]

PROPERTY = settings(derandomize=True, max_examples=300, deadline=None)


def top(p) -> float:
    """The top of the target, a month (whatever period it is given in)."""
    return p.target.monthly()[1]


def low(p) -> float:
    return p.target.monthly()[0]


# --- properties ----------------------------------------------------------------------------------


@PROPERTY
@given(answers=answer_sets())
def test_the_same_answers_always_give_the_same_plan(answers):
    kept = copy.deepcopy(answers)
    first = plan(answers, KNOWLEDGE)
    assert answers == kept, "plan() must not change the answers it is given"
    second = plan(copy.deepcopy(answers), KNOWLEDGE)
    assert first == second
    assert first.model_dump() == second.model_dump()


@PROPERTY
@given(answers=answer_sets())
def test_nothing_is_negative_and_the_ranges_are_ordered(answers):
    p = plan(answers, KNOWLEDGE)
    for r in (p.target, p.build):
        assert 0 <= r.low <= r.high and r.per in MONTHS_IN
        # Never "1-1" or "0-1": below two a period, a longer period is used (a year may say "about 1").
        assert r.high == 0 or r.high >= 2 or r.per == "year"
    assert p.build.monthly()[1] <= top(p) + 1e-9
    assert p.months_to_parity is None or 0 <= p.months_to_parity <= P["projection_months"]
    assert all(v > 0 for v in p.split.values())
    numbers = [
        p.need.gap,
        p.need.gap_pace,
        p.need.maintenance_pace,
        p.need.pace,
        p.need.competitors_growth,
        p.safe_pace.pace,
        *p.safe_pace.guides.values(),
        p.capacity.built,
        *p.capacity.per_hour.values(),
        *p.capacity.allocation.values(),
        p.momentum.natural,
        p.momentum.earned,
    ]
    assert all(n >= 0 for n in numbers), numbers


@PROPERTY
@given(answers=answer_sets())
def test_never_below_the_sites_own_recent_pace_unless_it_is_a_spike(answers):
    p = plan(answers, KNOWLEDGE)
    recent = answers.get("recent_monthly_rd")
    if recent is None:
        return
    steady = max(P["recent_spike_share"] * answers["referring_domains"], P["safe_pace_floor"])
    spike = recent > steady
    assert p.momentum.spike == spike
    if spike:
        assert "check_spike" in p.checklist, "an unsafe pace is said to be one, and why"
        # The plan keeps the highest pace it reads as steady (the pre-spike baseline), never less.
        assert p.momentum.natural == steady and low(p) >= math.floor(steady)
    else:
        assert low(p) >= recent and top(p) >= recent, (p.target, recent)


@PROPERTY
@given(answers=answer_sets())
def test_nothing_above_the_figure_that_binds(answers):
    p = plan(answers, KNOWLEDGE)
    natural = p.momentum.natural
    built = p.build.monthly()[1]
    # What you build is never above any of the three limits (the gap's is rounded up to a whole link;
    # the plan shows capacity to the hundredth, so 1 a quarter = 0.333 a month may meet a shown 0.33).
    assert built <= p.capacity.built + 0.005 + 1e-6
    assert built <= max(0.0, p.safe_pace.pace - natural) + 1e-6
    # A new site's foundation links are built whatever the gap needs (within the safe pace).
    gap = max(0.0, math.ceil(p.need.pace) - natural)
    if p.safe_pace.new_site:
        gap = max(gap, min(P["foundation_links"], p.safe_pace.pace - natural))
    assert built <= gap + 1e-6
    # The top is the site's own pace plus what it may build, rounded down.
    limit = min(p.capacity.built + 0.005, max(0.0, p.safe_pace.pace - natural), gap)
    assert top(p) <= natural + limit + 1e-6


@PROPERTY
@given(answers=answer_sets(), extra=hours())
def test_not_lower_with_more_hours(answers, extra):
    more = {**answers, "hours_per_month": round(min(10_000, answers["hours_per_month"] + extra), 2)}
    before, after = plan(answers, KNOWLEDGE), plan(more, KNOWLEDGE)
    assert after.capacity.built >= before.capacity.built - 1e-6
    assert top(after) >= top(before)


@PROPERTY
@given(answers=answer_sets(), extra=st.integers(1, 10_000), pace=st.integers(0, 1_000))
def test_not_lower_when_the_competitors_are_bigger_or_move_faster(answers, extra, pace):
    grown = copy.deepcopy(answers)
    for competitor in grown["competitors"]:
        competitor["referring_domains"] += extra
        if "monthly_new" in competitor:
            competitor["monthly_new"] += pace
    assert top(plan(grown, KNOWLEDGE)) >= top(plan(answers, KNOWLEDGE))


@PROPERTY
@given(answers=answer_sets(), extra=st.integers(1, 1_000))
def test_not_lower_with_a_higher_recent_pace(answers, extra):
    # Monotone in the answered pace (an unanswered one is no pace: the estimate stands in for it).
    answered = {**answers, "recent_monthly_rd": answers.get("recent_monthly_rd", 0)}
    faster = {**answered, "recent_monthly_rd": answered["recent_monthly_rd"] + extra}
    # Across the spike line too: a spike keeps the highest steady pace, so it never lowers the plan.
    assert top(plan(faster, KNOWLEDGE)) >= top(plan(answered, KNOWLEDGE))


@PROPERTY
@given(answers=answer_sets())
def test_the_earned_estimate_is_never_above_the_answered_pace_or_the_profile(answers):
    p = plan(answers, KNOWLEDGE)
    assert p.momentum.earned <= P["earned_profile_share"] * answers["referring_domains"] + 0.01
    recent = answers.get("recent_monthly_rd")
    if recent is not None:
        assert p.momentum.earned <= recent
        if not p.momentum.spike:
            # A measured pace counts every link the content earned: it is what the plan starts from.
            assert (p.momentum.natural, p.momentum.basis) == (recent, "recent")
    if answers["referring_domains"] < P["earned_min_profile"] or answers["site_age_months"] < P["new_site_months"]:
        assert p.momentum.earned == 0, "a new or barely linked site earns about nothing on its own"


@PROPERTY
@given(answers=answer_sets(), assets=st.integers(1, 5), posts=st.integers(1, 20), better=st.integers(1, 4))
def test_not_lower_with_more_assets_posts_or_quality(answers, assets, posts, better):
    before = top(plan(answers, KNOWLEDGE))
    for change in (
        {"linkable_assets": answers["linkable_assets"] + assets},
        {"posts_per_month": answers["posts_per_month"] + posts},
        {"content_quality": min(5, answers["content_quality"] + better)},
    ):
        assert top(plan({**answers, **change}, KNOWLEDGE)) >= before, change


@PROPERTY
@given(answers=answer_sets(), extra=st.integers(1, 59))
def test_not_higher_with_a_longer_horizon(answers, extra):
    longer = {**answers, "horizon_months": min(60, answers["horizon_months"] + extra)}
    assert top(plan(longer, KNOWLEDGE)) <= top(plan(answers, KNOWLEDGE))


@PROPERTY
@given(answers=answer_sets(), added=st.sampled_from(STRATEGY_IDS))
def test_adding_a_strategy_with_the_same_hours_never_lowers_it(answers, added):
    assume(added not in answers["strategies"])
    more = {**answers, "strategies": [*answers["strategies"], added]}
    before, after = plan(answers, KNOWLEDGE), plan(more, KNOWLEDGE)
    assert after.capacity.built >= before.capacity.built - 1e-6
    assert top(after) >= top(before)


@PROPERTY
@given(answers=answer_sets(), lead=st.integers(0, 10_000))
def test_a_site_ahead_of_every_competitor(answers, lead):
    ahead = {**answers, "referring_domains": max(c["referring_domains"] for c in answers["competitors"]) + lead}
    ahead.pop("followed_share", None)  # ahead counting every referring domain (followed ones: see below)
    p = plan(ahead, KNOWLEDGE)
    assert (p.need.kind, p.need.gap, p.months_to_parity) == ("ahead", 0, 0)
    assert p.levers is None
    assert (p.page_level is None) == (not ahead.get("ranking_pages")), "a page target whenever pages were given"
    # Keeping the lead keeps up with the competitors' growth (what survives link loss, gained anew).
    assert p.need.pace >= p.need.competitors_growth / KEEP - 0.02  # (the growth is stored to cents)
    assert p.need.pace >= P["maintenance_floor"]


@PROPERTY
@given(answers=answer_sets())
def test_never_ahead_while_behind(answers):
    p = plan(answers, KNOWLEDGE)
    median = p.need.competitors_median
    # Followed compared with followed: a profile less followed than usual counts for less, never more.
    assert p.need.current <= answers["referring_domains"]
    if answers.get("followed_share") is None or answers["followed_share"] >= 100 * P["typical_followed_share"]:
        assert p.need.current == answers["referring_domains"]
    assert (p.need.kind == "ahead") == (p.need.current >= median)


@PROPERTY
@given(answers=answer_sets(), more=st.integers(1, 100))
def test_not_higher_with_a_larger_followed_share(answers, more):
    share = answers.get("followed_share", 0)
    followed = {**answers, "followed_share": min(100, share + more)}
    assert top(plan(followed, KNOWLEDGE)) <= top(plan({**answers, "followed_share": share}, KNOWLEDGE))


@PROPERTY
@given(answers=answer_sets())
def test_parity_within_the_projection_or_a_page_level_plan(answers):
    p = plan(answers, KNOWLEDGE)
    if p.need.kind == "ahead":
        assert p.months_to_parity == 0
    elif p.months_to_parity is None:
        assert p.page_level is not None, "a domain goal out of reach comes with a page-level plan"
        assert p.levers is not None
    if p.levers is not None:
        assert p.months_to_parity is None or p.months_to_parity > p.need.horizon_months
        assert p.levers.needed >= p.need.pace - 0.01
        if p.levers.action is not None:
            assert p.levers.action_gain >= 0.5
            if p.levers.action == "quality":
                assert answers["content_quality"] < 5, "no advice that cannot help"


@PROPERTY
@given(answers=answer_sets())
def test_the_built_sources_respect_the_diversification_rule(answers):
    p = plan(answers, KNOWLEDGE)
    natural = p.momentum.natural
    allocation = p.capacity.allocation
    cap = max(P["max_source_share"] * (natural + sum(allocation.values())), P["single_source_allowance"])
    for name, links in allocation.items():
        assert links <= cap + 0.02, (name, allocation)
        assert links <= KNOWLEDGE.strategies[name].limit(natural) + 0.02
    # The split in whole links: the site's own pace as the plan states it, the built sources each
    # within the rule once rounded (a few from one source are fine).
    months = MONTHS_IN[p.target.per]
    assert sum(p.split.values()) == p.target.high
    built = {name: n for name, n in p.split.items() if name not in (MOMENTUM, EARNED)}
    assert set(built) <= set(answers["strategies"])
    if len(built) >= 2:
        whole_cap = max(
            math.ceil(P["max_source_share"] * p.target.high), math.ceil(P["single_source_allowance"] * months)
        )
        assert max(built.values()) <= whole_cap, p.split
    # What is built is rounded down; the rest of the top is the site's own pace, as the plan states it
    # (its fraction may round up with what is built: 0.9 earned and 2.2 built make 1 and 2).
    own = p.split.get(MOMENTUM if p.momentum.basis == "recent" else EARNED, 0)
    assert math.floor(natural * months + 1e-9) <= own <= math.floor(natural * months + 1e-9) + 1


@PROPERTY
@given(answers=answer_sets())
def test_ties_between_strategies_at_the_same_cost_are_shared_evenly(answers):
    p = plan(answers, KNOWLEDGE)
    natural, allocation = p.momentum.natural, p.capacity.allocation
    for a in allocation:
        for b in allocation:
            if a < b and math.isclose(p.capacity.per_hour[a], p.capacity.per_hour[b], rel_tol=1e-3):
                # Equal, unless one of them is held by its own monthly limit.
                held = min(KNOWLEDGE.strategies[s].limit(natural) for s in (a, b))
                assert abs(allocation[a] - allocation[b]) <= 0.02 or min(allocation[a], allocation[b]) >= held - 0.02


@PROPERTY
@given(answers=answer_sets())
def test_checklist_follows_the_answers(answers):
    p = plan(answers, KNOWLEDGE)
    assert "never_buy" in p.checklist
    assert ("foundation_first" in p.checklist) == (answers["site_age_months"] < P["new_site_months"])
    assert ("guest_post_cautions" in p.checklist) == ("guest_posting" in answers["strategies"])
    asset_led = any(KNOWLEDGE.strategies[s].needs_asset for s in answers["strategies"])
    assert ("build_an_asset" in p.checklist) == (answers["linkable_assets"] == 0 and asset_led)
    assert ("pace_evenly" in p.checklist) == (p.binding == "safe_pace")
    local = answers.get("site_kind") == "local"
    assert ("local_profile" in p.checklist) == local and ("local_links" in p.checklist) == local
    lost, on_purpose = bool(answers.get("lost_referring_domains")), answers.get("lost_on_purpose") == "yes"
    assert ("reclaim_lost" in p.checklist) == (lost and not on_purpose), "never reclaim what was removed on purpose"
    assert ("after_cleanup" in p.checklist) == (lost and on_purpose)
    assert ("second_source" in p.checklist) == (len(answers["strategies"]) == 1)
    assert ("earned_only" in p.checklist) == (answers["hours_per_month"] == 0)
    if len(answers["strategies"]) == 1:
        assert p.second_source is not None and p.second_source not in answers["strategies"]
    # In the knowledge file's order, each item once.
    order = [item.id for item in KNOWLEDGE.checklist]
    assert p.checklist == sorted(set(p.checklist), key=order.index)


@PROPERTY
@given(answers=answer_sets())
def test_a_new_site_builds_its_foundation_on_top_of_its_own_pace(answers):
    p = plan(answers, KNOWLEDGE)
    assert p.safe_pace.new_site == (answers["site_age_months"] < P["new_site_months"])
    if p.safe_pace.new_site:
        # Its foundation links come on top of what it gains on its own and are never crowded out by
        # it (a profile of none still gets them), but no more than them.
        foundation = P["foundation_links"]
        assert foundation <= p.safe_pace.pace <= p.momentum.natural + foundation
        assert p.build.monthly()[1] <= foundation + 1e-6


@PROPERTY
@given(authority=st.integers(0, 99), profile=st.integers(0, 100_000))
def test_the_safe_pace_is_continuous_in_authority_and_bounded_by_the_profile(authority, profile):
    points = [(p["authority"], p["pace"]) for p in P["authority_guide"]]
    here, next_point = authority_guide(authority, points), authority_guide(authority + 1, points)
    assert here <= next_point <= here * 1.1 + 1e-9, "one point of authority never jumps the guide"
    answers = {
        "site": "example.com",
        "authority": authority + 1,
        "referring_domains": profile,
        "site_age_months": 36,
        "competitors": [{"domain": None, "referring_domains": 1_000}],
        "horizon_months": 12,
        "linkable_assets": 0,
        "posts_per_month": 0,
        "content_quality": 3,
        "strategies": ["guest_posting"],
        "hours_per_month": 10,
    }
    p = plan(answers, KNOWLEDGE)
    assert p.safe_pace.guides["authority"] <= P["authority_profile_share"] * profile + 1e-9
    # A tiny profile is never "safe" at the vendor's pace for its score: authority 100 with 50 referring
    # domains is held to a quarter of them, not 100 a month.
    assert p.safe_pace.pace <= max(P["safe_pace_floor"], P["authority_profile_share"] * profile) + 1e-9


def test_the_safe_pace_has_no_jump_at_the_old_band_edges():
    points = [(p["authority"], p["pace"]) for p in P["authority_guide"]]
    for edge in (15, 30, 50):
        below, above = authority_guide(edge, points), authority_guide(edge + 1, points)
        assert above / below < 1.1, edge
    assert authority_guide(100, points) == authority_guide(50, points) == 100


# --- capacity: the allocation itself -------------------------------------------------------------


_sources = st.lists(
    st.builds(
        capacity.Source,
        id=st.sampled_from(list("abcdefgh")),
        per_hour=st.sampled_from([0.05, 0.125, 1 / 6, 0.2, 1 / 3, 0.5, 2 / 3]),
        limit=st.sampled_from([math.inf, math.inf, 3, 8, 20]),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda s: s.id,
)


@PROPERTY
@given(
    sources=_sources,
    hours=st.sampled_from([0.5, 5, 20, 60, 160, 1_000, 10_000]),
    natural=st.sampled_from([0, 0.5, 3, 40, 400]),
    allowance=st.sampled_from([0, 3]),
)
def test_the_most_built_is_exact_and_feasible(sources, hours, natural, allowance):
    rule = capacity.Rule(0.5, allowance, natural)
    ordered = capacity.best_first(sources)
    most = capacity.most_built(ordered, hours, rule)
    reference = capacity._bisect(tuple((s.per_hour, s.limit) for s in ordered), hours, rule)
    assert most == pytest.approx(reference, rel=1e-6, abs=1e-6)
    used = capacity.hours_for(ordered, most * (1 - 1e-9), rule)
    assert used is not None and used <= hours * (1 + 1e-6)


# --- a plan worked out by hand ---------------------------------------------------------------------


def test_a_local_florist_worked_by_hand():
    answers = {
        "site": "florist.example",
        "site_kind": "local",
        "authority": 12,
        "referring_domains": 35,
        "site_age_months": 36,
        "recent_monthly_rd": 1,
        "competitors": [{"domain": None, "referring_domains": n} for n in (60, 45, 80)],
        "horizon_months": 12,
        "linkable_assets": 0,
        "posts_per_month": 1,
        "content_quality": 3,
        "strategies": ["local_citations", "local_community"],
        "hours_per_month": 8,
    }
    p = plan(answers, KNOWLEDGE)
    # Momentum: recent 1 a month against 1 post x 0.1 earned: the recent pace, 1.
    assert (p.momentum.natural, p.momentum.basis) == (1, "recent")
    # Need: median 60, growing 1% a month = 0.6 (0.45, 0.6, 0.8 → median 0.6); at 12 months 67.2.
    # (67.2 - 35) / 12 / 0.74 = 3.626 new a month; keeping up 0.6 / 0.74 = 0.81 → the floor 2.
    assert p.need.competitors_median == 60 and p.need.competitors_growth == 0.6
    assert p.need.median_at_horizon == pytest.approx(67.2)
    assert p.need.gap_pace == pytest.approx(3.63) and p.need.maintenance_pace == 2
    # Safe pace: floor 3; profile 10% x 35 = 3.5; recent 2 x 1 = 2; authority 12 between (0, 3)
    # and (15, 10) on a log scale: 3 x (10/3)^(12/15) = 7.86, under a quarter of 35 = 8.75. → 7.
    assert p.safe_pace.guides["authority"] == pytest.approx(7.86, abs=0.01)
    assert (p.safe_pace.pace, p.safe_pace.basis) == (7, "authority")
    # Capacity: citations 1 / 1.5 h = 0.667 a hour, at most 4 a month; local associations 1 / 5 h =
    # 0.2 a hour. Cheapest first: 4 citations take 6 h; 2 h more build 0.4 → 4.4? No: the rule caps
    # each source at max(half of (1 + 4.4), 3) = 3 links, so 3 citations (4.5 h) and 3.5 h of
    # associations (0.7): 3.7 links a month.
    assert p.capacity.built == pytest.approx(3.7)
    assert p.capacity.allocation == {"local_citations": 3.0, "local_community": 0.7}
    # Limits on what to build: gap 3.63 - 1 = 2.63, safe 7 - 1 = 6, capacity 3.7: the gap binds.
    # What closing takes is rounded up to a whole link: 4 in all, so build 3.
    assert p.binding == "gap"
    assert (p.target.low, p.target.high, p.target.per) == (3, 4, "month")  # low: round(1 + 0.7 x 3)
    assert (p.build.low, p.build.high) == (2, 3)
    assert p.split == {"local_citations": 3, "momentum": 1}
    assert p.months_to_parity == 12 and p.levers is None and p.page_level is None
    assert p.unused == []
    assert {"local_profile", "local_links", "foundation_first"} & set(p.checklist) == {"local_profile", "local_links"}
