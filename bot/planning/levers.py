"""When the target does not close the gap in the horizon: the levers in numbers (the hours that
would, the horizon the hours reach, the one change that moves the target most), and the plan at
page level when the domain-level goal is out of reach."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.core.plan import Levers, Need, PageLevel
from bot.planning import capacity as capacity_model
from bot.planning.knowledge import Knowledge
from bot.planning.momentum import natural_pace
from bot.planning.pace import months_to_reach
from bot.planning.sources import kind_sources, second_source, strategy_sources, what_to_build


def levers_for(answers, knowledge, param, need, safe, momentum, sources, rule, course, guides, top) -> Levers:
    needed = need.pace
    to_build = max(0.0, needed - momentum.natural)
    hours = capacity_model.hours_for(sources, to_build, rule)
    param("most_link_builders")  # the reply turns hours past this many people into "out of reach"
    adding: list[str] = []
    if hours is None:
        # The chosen strategies can't bring that many a month (their limits, or no one source may
        # bring more than its share): say which ones for this kind of site would, and the hours.
        wider = {**answers, "strategies": [*answers["strategies"], *kind_sources(answers, knowledge)]}
        more = capacity_model.best_first(strategy_sources(wider, knowledge, param, momentum.natural))
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
    second = second_source(answers, knowledge)
    if second is not None:
        candidates[f"strategy:{second}"] = {"strategies": [*answers["strategies"], second]}
    best, gain = None, 0.0
    for name, change in candidates.items():
        # Never past the safe pace the plan has just stated (a change of content may raise what the
        # site earns on its own, but the advice is about what the plan can count on).
        raised = min(top_with(answers | change, knowledge, param, need, safe.pace), max(safe.pace, top)) - top
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


def top_with(answers: Mapping[str, Any], knowledge: Knowledge, param, need: Need, safe: int) -> float:
    """The top of the target for changed answers (content, strategies), the rest unchanged."""
    natural = natural_pace(answers, param)[0]
    rule = capacity_model.Rule(param("max_source_share"), param("single_source_allowance"), natural)
    sources = capacity_model.best_first(strategy_sources(answers, knowledge, param, natural))
    built = capacity_model.most_built(sources, answers["hours_per_month"], rule)
    new_site = answers["site_age_months"] < param("new_site_months")
    return natural + what_to_build(need.pace, safe, built, natural, param("foundation_links") if new_site else 0.0)[1]


def page_level_for(
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
