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
from collections.abc import Mapping
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
from bot.planning.competitors import course_for, need_for
from bot.planning.knowledge import Knowledge
from bot.planning.levers import levers_for, page_level_for
from bot.planning.momentum import site_momentum
from bot.planning.pace import months_to_reach, projected_path
from bot.planning.safety import safe_guides_for, safe_pace_for
from bot.planning.sources import second_source, strategy_sources, what_to_build


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
    momentum = site_momentum(answers, param)
    need = need_for(answers, param, keep)
    guides = safe_guides_for(answers, momentum, param)
    current, age = answers["referring_domains"], answers["site_age_months"]
    safe = safe_pace_for(guides, current, age)
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), momentum.natural)
    sources = capacity_model.best_first(strategy_sources(answers, knowledge, param, momentum.natural))
    hours = answers["hours_per_month"]
    built = capacity_model.most_built(sources, hours, rule)

    natural = momentum.natural
    foundation = param("foundation_links") if safe.new_site else 0.0
    binding, to_build = what_to_build(need.pace, safe.pace, built, natural, foundation)
    share = param("target_low_share")
    target = express(natural + share * to_build, natural + to_build)
    build = express(share * to_build, to_build)
    at_capacity = capacity_model.allocate(sources, built, rule) or {}

    course = course_for(answers, need, natural, built, keep)
    months_to_parity = months_to_reach(course, guides, param("projection_months"))
    # The rivals' growth, when assumed, decides many verdicts: say how much (at half that growth).
    sensitive = need.kind == "gap" and need.growth_known < len(answers["competitors"])
    at_half = None
    if sensitive:
        slower = need_for(answers, param, keep, growth_factor=0.5)
        at_half = months_to_reach(course_for(answers, slower, natural, built, keep), guides, param("projection_months"))

    levers = None
    if need.kind == "gap" and (months_to_parity is None or months_to_parity > need.horizon_months):
        top = natural + to_build
        levers = levers_for(answers, knowledge, param, need, safe, momentum, sources, rule, course, guides, top)
    page_level = None
    far = need.competitors_median > param("page_level_ratio") * max(need.current, 1)
    if answers.get("ranking_pages") or (need.kind == "gap" and (months_to_parity is None or far)):
        # Ahead, the hours beyond keeping the lead may go to the page; behind, what is built.
        pointed = built if need.kind == "ahead" else to_build
        pointable = [s for s in sources if knowledge.strategies[s.id].pointable]
        page_level = page_level_for(answers, param, keep, need.horizon_months, pointed, sources, pointable, rule)
    lost = answers.get("lost_referring_domains") or 0
    reclaim = None
    if lost and cleaning_up(answers):
        reclaim = Reclaim(lost=lost, expected=0, on_purpose=True)
    elif lost:
        reclaim = Reclaim(lost=lost, expected=math.floor(lost * param("reclaim_share")))
    chosen = answers["strategies"]
    second = second_source(answers, knowledge) if len(chosen) == 1 else None

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
    momentum = site_momentum(answers, param)
    need = need_for(answers, param, keep)
    guides = safe_guides_for(answers, momentum, param)
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), momentum.natural)
    sources = capacity_model.best_first(strategy_sources(answers, knowledge, param, momentum.natural))
    built = capacity_model.most_built(sources, answers["hours_per_month"], rule)
    course = course_for(answers, need, momentum.natural, built, keep)
    return projected_path(course, guides, param("projection_months"))


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


def cleaning_up(answers: Mapping[str, Any]) -> bool:
    """The site removed or disavowed links on purpose (a penalty clean-up): what it lost is not to
    be asked back - asking undoes the clean-up - by the plan or by a later check-in."""
    return answers.get("lost_on_purpose") == "yes"
