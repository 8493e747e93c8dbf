"""The monthly target: a pure, synchronous function of the answers and the knowledge.

No I/O, no clock, no randomness: the same answers always give the same plan. All figures are new
referring domains a month as the tools count them ("new"); the profile keeps what survives link
loss. The plan is put together the way a link builder would:

1. Momentum first: what the site already gains without new effort (its recent pace, or what its
   content earns) is kept, never cut - natural links need no cap.
2. Three limits on what to build on top: the gap to the competitors' median, which grows over the
   horizon (need); the fastest growth that looks natural (safe pace); what the hours build with
   the chosen strategies, cheapest first and diversified (capacity). The smallest binds.
3. When the target does not close the gap in the horizon: levers in numbers (the hours that would,
   the horizon the current hours reach, the one action that moves the number most), and a plan at
   page level when the domain-level goal is out of reach.

The plan records every figure it used, so the user can see why the target is what it is.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from bot.core.plan import (  # noqa: F401 - re-exported: the plan's shape, importable from here as before
    EARNED,
    MOMENTUM,
    MONTHS_IN,
    Binding,
    Capacity,
    Levers,
    Momentum,
    Need,
    PageLevel,
    Period,
    Plan,
    Range,
    Reclaim,
    SafePace,
)
from bot.planning import capacity as capacity_model
from bot.planning.checklist import Facts, tailor
from bot.planning.knowledge import Knowledge
from bot.planning.pace import Course, SafeGuides, authority_guide, months_to_reach, projected_path


def stored(plan_json: Mapping[str, Any], answers: Mapping[str, Any], knowledge: Knowledge) -> Plan:
    """A stored plan; one stored by an older version of the planner is worked out again from its
    answers (the planner is pure, so the same answers give today's reading of the same plan)."""
    try:
        return Plan.model_validate(plan_json)
    except ValidationError:
        return plan(answers, knowledge)


def plan(answers: Mapping[str, Any], knowledge: Knowledge) -> Plan:
    used: dict[str, None] = {}  # the parameters read, in order
    parameters = knowledge.parameters

    def param(name: str) -> Any:
        used[name] = None
        return parameters[name].value

    keep = 1 - param("annual_link_loss")
    momentum = _momentum(answers, param)
    need = _need(answers, param, keep)
    guides = _safe_guides(answers, momentum, param)
    current, age = answers["referring_domains"], answers["site_age_months"]
    safe = _safe_pace(guides, current, age)
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), momentum.natural)
    sources = capacity_model.best_first(_sources(answers, knowledge, param, momentum.natural))
    hours = answers["hours_per_month"]
    built = capacity_model.most_built(sources, hours, rule)

    natural = momentum.natural
    foundation = param("foundation_links") if safe.new_site else 0.0
    binding, to_build = _what_to_build(need.pace, safe.pace, built, natural, foundation)
    share = param("target_low_share")
    target = express(natural + share * to_build, natural + to_build)
    build = express(share * to_build, to_build)
    at_capacity = capacity_model.allocate(sources, built, rule) or {}

    course = _course(answers, need, natural, built, keep)
    months_to_parity = months_to_reach(course, guides, param("projection_months"))
    # The rivals' growth, when assumed, decides many verdicts: say how much (at half that growth).
    sensitive = need.kind == "gap" and need.growth_known < len(answers["competitors"])
    at_half = None
    if sensitive:
        slower = _need(answers, param, keep, growth_factor=0.5)
        at_half = months_to_reach(_course(answers, slower, natural, built, keep), guides, param("projection_months"))

    levers = None
    if need.kind == "gap" and (months_to_parity is None or months_to_parity > need.horizon_months):
        top = natural + to_build
        levers = _levers(answers, knowledge, param, need, safe, momentum, sources, rule, course, guides, top)
    page_level = None
    far = need.competitors_median > param("page_level_ratio") * max(need.current, 1)
    if answers.get("ranking_pages") or (need.kind == "gap" and (months_to_parity is None or far)):
        # Ahead, the hours beyond keeping the lead may go to the page; behind, what is built.
        pointed = built if need.kind == "ahead" else to_build
        pointable = [s for s in sources if knowledge.strategies[s.id].pointable]
        page_level = _page_level(answers, param, keep, need.horizon_months, pointed, sources, pointable, rule)
    lost = answers.get("lost_referring_domains") or 0
    reclaim = None
    if lost and answers.get("lost_on_purpose") == "yes":
        # A clean-up: the links were removed or disavowed for a reason; asking for them back undoes it.
        reclaim = Reclaim(lost=lost, expected=0, on_purpose=True)
    elif lost:
        reclaim = Reclaim(lost=lost, expected=math.floor(lost * param("reclaim_share")))
    chosen = answers["strategies"]
    second = _second_source(answers, knowledge) if len(chosen) == 1 else None

    split, hours_split = _split(target, momentum, to_build, sources, rule)
    facts = Facts(
        answers=answers,
        new_site=safe.new_site,
        binding=binding,
        spike=momentum.spike,
        reclaim=reclaim is not None and not reclaim.on_purpose,
        cleaned_up=reclaim is not None and reclaim.on_purpose,
        single_strategy=len(chosen) == 1,
        asset_led=any(knowledge.strategies[s].needs_asset for s in chosen),
    )
    return Plan(
        site=answers["site"],
        site_kind=answers.get("site_kind"),
        target=target,
        build=build,
        momentum=momentum,
        binding=binding,
        need=need,
        safe_pace=safe,
        capacity=Capacity(
            hours_per_month=hours,
            built=round(built, 2),
            per_hour={s.id: round(s.per_hour, 4) for s in sources},
            allocation={k: round(v, 2) for k, v in at_capacity.items()},
        ),
        months_to_parity=months_to_parity,
        parity_at_half_growth=at_half,
        growth_sensitive=sensitive,
        levers=levers,
        page_level=page_level,
        reclaim=reclaim,
        split=split,
        hours_split=hours_split,
        unused=[s for s in chosen if at_capacity.get(s, 0) <= 0 and built > 0],
        second_source=second,
        quality_bar=[item.id for item in knowledge.quality_bar],
        checklist=tailor(knowledge.checklist, facts),
        figures=list(used),
        answers=dict(answers),
    )


def projected_profile(answers: Mapping[str, Any], knowledge: Knowledge) -> list[float]:
    """The referring domains at the end of each month from the plan's month on, following the plan
    for these answers until it reaches the competitors' median: the path `months_to_parity` counts
    (empty when the site is there already or it is out of reach)."""
    parameters = knowledge.parameters

    def param(name: str) -> Any:
        return parameters[name].value

    keep = 1 - param("annual_link_loss")
    momentum = _momentum(answers, param)
    need = _need(answers, param, keep)
    guides = _safe_guides(answers, momentum, param)
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), momentum.natural)
    sources = capacity_model.best_first(_sources(answers, knowledge, param, momentum.natural))
    built = capacity_model.most_built(sources, answers["hours_per_month"], rule)
    course = _course(answers, need, momentum.natural, built, keep)
    return projected_path(course, guides, param("projection_months"))


def _course(answers: Mapping[str, Any], need: Need, natural: float, built: float, keep: float) -> Course:
    return Course(
        profile=answers["referring_domains"],
        age_months=answers["site_age_months"],
        natural=natural,
        built=built,
        keep=keep,
        # The referring domains not compared (nofollow beyond the usual share) move the target
        # instead of the profile, so the safe pace still follows the whole profile.
        target_now=need.competitors_median + answers["referring_domains"] - need.current,
        target_growth=need.competitors_growth,
        need_by=need.horizon_months,
        need_floor=need.maintenance_pace,
    )


def _what_to_build(
    need: float, safe: int, built: float, natural: float, foundation: float = 0.0
) -> tuple[Binding, float]:
    """What to build a month on top of the site's own pace, and which limit set it. Ties go to the
    earlier name: if you need 10 and can build 10, the gap is what sets it. `foundation`: a new
    site's foundation links, built whatever the gap needs (a launch month's pace must not crowd
    them out); then the safe pace, which holds them, is what sets it."""
    room = max(0.0, safe - natural)
    foundation = min(foundation, room)
    gap = max(0.0, need - natural)
    if foundation > gap:
        limits: list[tuple[Binding, float]] = [("safe_pace", foundation), ("capacity", built)]
        return min(limits, key=lambda item: item[1])
    limits = [("gap", gap), ("safe_pace", room), ("capacity", built)]
    binding, to_build = min(limits, key=lambda item: item[1])
    if binding == "gap" and to_build > 0:
        # What closing the gap takes is a whole link more, not less, when the other limits allow it.
        whole = math.ceil(natural + to_build - 1e-9) - natural
        to_build = min(whole, *(value for name, value in limits if name != "gap"))
    return binding, to_build


def express(low: float, high: float) -> Range:
    """A monthly range as whole links, per month if the top is at least two, else per quarter, else
    per year (so a small plan never reads "1-1" or "0-1"). The top is rounded down, so it is never
    above the figure that sets it; equal ends mean "about that many"."""
    for per, months in MONTHS_IN.items():
        top = math.floor(high * months + 1e-9)
        if top >= 2 or (per == "year" and top >= 1):
            return Range(low=min(top, _round(low * months)), high=top, per=per)
    return Range(low=0, high=0, per="year")


def _round(value: float) -> int:
    """Half up, not Python's half-to-even, so 2.5 links reads as 3 everywhere."""
    return math.floor(value + 0.5)


def _momentum(answers: Mapping[str, Any], param) -> Momentum:
    natural, basis, spike, earned = _natural(answers, param)
    recent = answers.get("recent_monthly_rd")
    return Momentum(recent=recent, spike=spike, earned=round(earned, 2), natural=natural, basis=basis)


def _natural(answers: Mapping[str, Any], param) -> tuple[float, str, bool, float]:
    """What the site gains a month without building, where that comes from, whether the recent
    pace was a spike, and what the content earns (an estimate, never above a measured pace)."""
    estimate = _earned(answers, param)
    recent = answers.get("recent_monthly_rd")
    if recent is None:
        return estimate, ("earned" if estimate > 0 else "none"), False, estimate
    # Half the profile or more in a month is an event (a launch, press, or spam pointed at the
    # site), not a pace to plan on. The plan then keeps the highest pace it reads as steady - not
    # the estimate, which would make a faster report give a lower plan.
    steady = max(param("safe_pace_floor"), param("recent_spike_share") * answers["referring_domains"])
    if recent > steady:
        return float(steady), "recent", True, min(estimate, float(steady))
    # A measured pace already counts every link the content earned, so it wins over the estimate
    # (which is at most part of it): 2 a month measured is 2, whatever 300 posts "should" earn.
    return float(recent), "recent", False, min(estimate, float(recent))


def _earned(answers: Mapping[str, Any], param) -> float:
    """What the content earns a month on its own: an estimate, bounded by what the site is.
    A site few people link to yet, or a new one, is not found by the people who would link to it;
    the yield of a post falls as the volume grows (the tenth post of a month finds fewer readers
    than the first); and content alone never grows a profile faster than a small share of it."""
    profile = answers["referring_domains"]
    if profile < param("earned_min_profile") or answers["site_age_months"] < param("new_site_months"):
        return 0.0
    quality = answers["content_quality"]
    per_asset = param("earned_links_per_asset") * param("content_quality_factor")[quality]
    posts = _posts_at_full_yield(answers["posts_per_month"], param("earned_posts_full_yield"))
    estimate = posts * param("earned_links_per_post")[quality] + answers["linkable_assets"] * per_asset
    return min(estimate, param("earned_profile_share") * profile)


def _posts_at_full_yield(posts: float, full: float) -> float:
    """Posts a month counted at full yield: all of the first `full`, then fewer and fewer (each
    doubling of the volume adds `full` × ln 2). Continuous and rising, so more posts never earn less."""
    return posts if posts <= full else full * (1 + math.log(posts / full))


def _compared(answers: Mapping[str, Any], param) -> tuple[int, float | None]:
    """The referring domains to compare with the competitors', and the followed share if answered.
    Nofollow links pass little ranking credit, so followed are compared with followed: a profile
    less followed than usual counts as the followed-equivalent count (competitors' profiles are
    taken at the usual share); a more followed one is not counted above its size."""
    current = answers["referring_domains"]
    share = answers.get("followed_share")
    if share is None:
        return current, None
    followed = share / 100
    typical = param("typical_followed_share")
    return (math.floor(current * followed / typical) if followed < typical else current), followed


def _need(answers: Mapping[str, Any], param, keep: float, growth_factor: float = 1.0) -> Need:
    current, followed = _compared(answers, param)
    competitors = answers["competitors"]
    counts = [c["referring_domains"] for c in competitors]
    median = statistics.median(counts)
    share = param("competitor_growth_share") * growth_factor
    # Each competitor grows by its own pace when it is known (what survives link loss), else by a share.
    growths = [
        c["monthly_new"] * keep if c.get("monthly_new") is not None else share * c["referring_domains"]
        for c in competitors
    ]
    growth = statistics.median(growths)
    horizon = answers["horizon_months"]
    at_horizon = median + growth * horizon
    gap_pace = max(0.0, (at_horizon - current) / horizon / keep)
    maintenance = max(param("maintenance_floor"), growth / keep)
    return Need(
        kind="gap" if current < median else "ahead",
        current=current,
        answered=answers["referring_domains"] if current != answers["referring_domains"] else None,
        followed_share=followed,
        competitors_median=median,
        competitors_growth=round(growth, 2),
        growth_known=sum(1 for c in competitors if c.get("monthly_new") is not None),
        spread=round(max(counts) / max(1, min(counts)), 1),
        median_at_horizon=round(at_horizon, 1),
        gap=max(0, math.ceil(median - current)),
        horizon_months=horizon,
        gap_pace=round(gap_pace, 2),
        maintenance_pace=round(maintenance, 2),
        pace=round(max(gap_pace, maintenance), 2),
    )


def _safe_guides(answers: Mapping[str, Any], momentum: Momentum, param) -> SafeGuides:
    recent = momentum.natural if momentum.spike else momentum.recent  # a spike: its steady part
    authority = answers.get("authority")
    points = [(p["authority"], p["pace"]) for p in param("authority_guide")]
    return SafeGuides(
        floor=param("safe_pace_floor"),
        profile_share=param("profile_growth_share"),
        recent_multiple=param("recent_pace_multiple"),
        recent=recent,
        authority=authority_guide(authority, points) if authority is not None else None,
        authority_share=param("authority_profile_share"),
        new_site_months=param("new_site_months"),
        foundation=param("foundation_links"),
        natural=momentum.natural,
    )


def _safe_pace(guides: SafeGuides, profile: int, age: int) -> SafePace:
    found = guides.guides(profile)
    basis = max(found, key=lambda name: found[name])
    new_site = age < guides.new_site_months
    pace = guides.pace(profile, age)
    if new_site and abs(pace - found[basis]) > 1e-9:
        basis = "foundation"
    return SafePace(
        pace=math.floor(pace + 1e-9),
        basis=basis,
        guides={k: round(v, 2) for k, v in found.items()},
        new_site=new_site,
    )


def _sources(answers: Mapping[str, Any], knowledge: Knowledge, param, natural: float) -> list[capacity_model.Source]:
    quality, assets = answers["content_quality"], answers["linkable_assets"]
    factor = param("content_quality_factor")[quality]
    found = []
    for strategy_id in answers["strategies"]:
        strategy = knowledge.strategies[strategy_id]
        yield_factor = factor
        if strategy.needs_asset and assets == 0:
            yield_factor *= param("no_asset_yield_factor")
        per_hour = yield_factor / strategy.hours_per_link.value
        found.append(capacity_model.Source(strategy_id, per_hour, strategy.limit(natural)))
    return found


def _kind_sources(answers: Mapping[str, Any], knowledge: Knowledge) -> list[str]:
    """The strategies that suit this kind of site, best first, that the answers don't use yet: the
    kind's own order, then any other strategy suggested to every kind."""
    kind_id = answers.get("site_kind") or "other"
    kind = knowledge.site_kinds.get(kind_id) or knowledge.site_kinds.get("other")
    order = list(kind.second_sources if kind else ())
    order += [
        s for s, strategy in knowledge.strategies.items() if not strategy.suggest_for or kind_id in strategy.suggest_for
    ]
    return [s for s in dict.fromkeys(order) if s not in answers["strategies"]]


def _second_source(answers: Mapping[str, Any], knowledge: Knowledge) -> str | None:
    return next(iter(_kind_sources(answers, knowledge)), None)


def _levers(answers, knowledge, param, need, safe, momentum, sources, rule, course, guides, top) -> Levers:
    needed = need.pace
    to_build = max(0.0, needed - momentum.natural)
    hours = capacity_model.hours_for(sources, to_build, rule)
    param("most_link_builders")  # the reply turns hours past this many people into "out of reach"
    adding: list[str] = []
    if hours is None:
        # The chosen strategies can't bring that many a month (their limits, or no one source may
        # bring more than its share): say which ones for this kind of site would, and the hours.
        wider = {**answers, "strategies": [*answers["strategies"], *_kind_sources(answers, knowledge)]}
        more = capacity_model.best_first(_sources(wider, knowledge, param, momentum.natural))
        allocation = capacity_model.allocate(more, to_build, rule)
        if allocation is not None:
            hours = capacity_model.hours_for(more, to_build, rule)
            adding = [s for s in wider["strategies"] if s not in answers["strategies"] and allocation.get(s, 0) > 0]
    # How soon the safe pace alone would get there, were hours no limit. It stands in the way only
    # if even that misses the horizon (the safe pace grows with the profile, month by month).
    unlimited = None
    if safe.pace < needed:
        unlimited = months_to_reach(replace(course, built=math.inf), guides, param("projection_months"))
    safe_limited = safe.pace < needed and (unlimited is None or unlimited > need.horizon_months)
    # The one change that raises the target most, besides hours (those are given in numbers above).
    candidates: dict[str, dict[str, Any]] = {}
    if answers["linkable_assets"] == 0 and any(knowledge.strategies[s].needs_asset for s in answers["strategies"]):
        candidates["asset"] = {"linkable_assets": 1}
    if answers["content_quality"] < 5:
        candidates["quality"] = {"content_quality": answers["content_quality"] + 1}
    second = _second_source(answers, knowledge)
    if second is not None:
        candidates[f"strategy:{second}"] = {"strategies": [*answers["strategies"], second]}
    best, gain = None, 0.0
    for name, change in candidates.items():
        # Never past the safe pace the plan has just stated (a change of content may raise what the
        # site earns on its own, but the advice is about what the plan can count on).
        raised = min(_top_with(answers | change, knowledge, param, need, safe.pace), max(safe.pace, top)) - top
        if raised > gain + 1e-9:
            best, gain = name, raised
    return Levers(
        needed=round(needed, 2),
        hours_to_close=round(hours, 1) if hours is not None else None,
        adding=adding,
        safe_limited=safe_limited,
        months_at_safe_pace=unlimited,
        action=best if gain >= 0.5 else None,
        action_gain=round(gain, 2),
    )


def _top_with(answers: Mapping[str, Any], knowledge: Knowledge, param, need: Need, safe: int) -> float:
    """The top of the target for changed answers (content, strategies), the rest unchanged."""
    natural = _natural(answers, param)[0]
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), natural)
    sources = capacity_model.best_first(_sources(answers, knowledge, param, natural))
    built = capacity_model.most_built(sources, answers["hours_per_month"], rule)
    new_site = answers["site_age_months"] < param("new_site_months")
    return natural + _what_to_build(need.pace, safe, built, natural, param("foundation_links") if new_site else 0.0)[1]


def _page_level(
    answers: Mapping[str, Any], param, keep: float, horizon: int, to_build: float, sources, pointable, rule
) -> PageLevel:
    """The page that should rank: what it needs a month, and how much of what is built can be
    pointed at it - only links you place yourself (a guest post, a pitched study, a resource
    page); a mention, a partner's page or a journalist's article links where its author likes."""
    typical = param("typical_top10_page_rd")
    ranking = answers.get("ranking_pages")
    if not ranking:
        return PageLevel(median=None, typical=typical, pace=0, point=0, months=None)
    median = statistics.median(p["referring_domains"] for p in ranking)
    growth = param("page_growth_share") * median
    # Most pages have no referring domains, so the page that should rank is taken to start at none.
    pace = (median + growth * horizon) / horizon / keep
    at_page = capacity_model.allocate(sources, to_build, rule) or {}
    point = min(pace, sum(at_page.get(s.id, 0.0) for s in pointable))
    months = None
    if point > 0:
        page = 0.0
        for month in range(1, param("projection_months") + 1):
            page += point * keep
            if page >= median + growth * month - 1e-9:
                months = month
                break
    hours = capacity_model.hours_for(pointable, pace, rule)  # what pointing `pace` at the page takes
    return PageLevel(
        median=median, typical=typical, pace=round(pace, 2), point=round(point, 2), months=months, hours=hours
    )


def _split(
    target: Range, momentum: Momentum, to_build: float, sources, rule
) -> tuple[dict[str, int], dict[str, float]]:
    """The target's top in whole links per source, and the hours a month per strategy: what is
    built, rounded down, shared the way the hours go (cheapest first, within the rule); the rest
    is the site's own pace (or what its content earns). The parts add up to the top."""
    months = MONTHS_IN[target.per]
    whole = min(target.high, math.floor(to_build * months + 1e-9))
    shared = capacity_model.allocate(sources, whole / months, rule) or {}
    per_hour = {s.id: s.per_hour for s in sources}
    exact = {name: links * months for name, links in shared.items() if links > 0}
    counts = {name: math.floor(n + 1e-9) for name, n in exact.items()}
    for name in sorted(exact, key=lambda n: (counts[n] - exact[n], n))[: whole - sum(counts.values())]:
        counts[name] += 1
    own = target.high - whole
    if own > 0:
        counts[MOMENTUM if momentum.basis == "recent" else EARNED] = own
    # The site's own pace first (what the plan starts from), then the strategies, largest first.
    order = sorted(counts.items(), key=lambda kv: (kv[0] in per_hour, -kv[1], kv[0]))
    # The hours follow the whole links shown, so two strategies at the same cost never read as
    # "2 links, 9 hours" beside "1 link, 9 hours".
    hours = {name: round(n / months / per_hour[name], 1) for name, n in counts.items() if n > 0 and name in per_hour}
    return {n: c for n, c in order if c > 0}, hours
