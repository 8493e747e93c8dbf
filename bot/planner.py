"""The monthly target: a pure, synchronous function of the answers and the knowledge.

No I/O, no clock, no randomness: the same answers always give the same plan. Three paces are
weighed, all in net new referring domains a month:

- need: the gap to the competitors' median spread over the horizon (or, once level with them,
  a maintenance pace so a lead is kept);
- safe pace: the fastest growth that still looks natural for this site (its recent pace, the size
  of its profile, its authority band; capped while a new site builds its foundation);
- capacity: what the hours and chosen strategies can build, plus what the content earns alone,
  limited so that no single source brings more than its share.

The smallest sets the top of the range (`binding`); the plan records every figure it used so the
user can see why the target is what it is.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

from bot.checklist import Facts, tailor
from bot.knowledge import Knowledge

Binding = Literal["gap", "safe_pace", "capacity"]
EARNED = "earned"  # the split's name for links the content earns without outreach


class Range(BaseModel):
    low: int
    high: int


class Need(BaseModel):
    kind: Literal["gap", "maintenance"]
    current: int
    competitors_median: float
    gap: int
    horizon_months: int
    gap_pace: float  # net new referring domains a month that close the gap in time
    maintenance_pace: float
    pace: int  # the larger of the two, rounded up


class SafePace(BaseModel):
    pace: int
    basis: str  # which guide set it: floor, profile_size, recent_pace, authority or foundation
    guides: dict[str, float]
    new_site: bool


class Capacity(BaseModel):
    net: float  # after expected link loss
    gross: float  # what the hours and content build before any loss, diversified
    undiversified: float  # the plain sum of the sources, before the cap on any one source
    hours_per_month: float
    sources: dict[str, float]  # gross links a month per strategy, plus `earned`
    counted: dict[str, float]  # the same, each capped at its share of the diversified total


class Plan(BaseModel):
    site: str
    target: Range  # net new referring domains a month
    build: Range  # what to build a month so that the target survives expected link loss
    binding: Binding
    need: Need
    safe_pace: SafePace
    capacity: Capacity
    months_to_parity: int | None
    split: dict[str, int]  # strategy id (or `earned`) → net new referring domains a month
    quality_bar: list[str]
    checklist: list[str]
    figures: list[str]  # ids of the knowledge parameters this plan used
    answers: dict[str, Any]


def plan(answers: Mapping[str, Any], knowledge: Knowledge) -> Plan:
    used: list[str] = []

    def param(name: str) -> Any:
        if name not in used:
            used.append(name)
        return knowledge.parameters[name].value

    loss = param("annual_link_loss")
    need = _need(answers, param)
    safe = _safe_pace(answers, param)
    capacity = _capacity(answers, knowledge, param, loss)

    # Ties go to the earlier name: if you need 10 and can build 10, the gap is what sets it.
    candidates: list[tuple[Binding, int]] = [
        ("gap", need.pace),
        ("safe_pace", safe.pace),
        ("capacity", _round(capacity.net)),
    ]
    binding, top = min(candidates, key=lambda c: c[1])
    # At least one good link a month, whatever binds: the seed's "a few high-quality backlinks".
    high = max(1, top)
    low = max(1, _round(high * param("target_low_share")))
    months_to_parity = math.ceil(need.gap / high) if need.gap else 0
    build = Range(low=math.ceil(low / (1 - loss)), high=math.ceil(high / (1 - loss)))

    split = _split(high, capacity.counted, param("max_source_share"))
    facts = Facts(answers=answers, new_site=safe.new_site, binding=binding)
    return Plan(
        site=answers["site"],
        target=Range(low=low, high=high),
        build=build,
        binding=binding,
        need=need,
        safe_pace=safe,
        capacity=capacity,
        months_to_parity=months_to_parity,
        split=split,
        quality_bar=[item.id for item in knowledge.quality_bar],
        checklist=tailor(knowledge.checklist, facts),
        figures=used,
        answers=dict(answers),
    )


def _round(value: float) -> int:
    """Half up, not Python's half-to-even, so 2.5 links reads as 3 everywhere."""
    return math.floor(value + 0.5)


def _need(answers: Mapping[str, Any], param) -> Need:
    current = answers["referring_domains"]
    median = statistics.median(c["referring_domains"] for c in answers["competitors"])
    gap = max(0, math.ceil(median - current))
    horizon = answers["horizon_months"]
    gap_pace = gap / horizon
    maintenance = max(param("maintenance_floor"), param("maintenance_share") * current)
    kind = "gap" if gap_pace >= maintenance else "maintenance"
    return Need(
        kind=kind,
        current=current,
        competitors_median=median,
        gap=gap,
        horizon_months=horizon,
        gap_pace=round(gap_pace, 2),
        maintenance_pace=round(maintenance, 2),
        pace=math.ceil(max(gap_pace, maintenance)),
    )


def _safe_pace(answers: Mapping[str, Any], param) -> SafePace:
    guides: dict[str, float] = {
        "floor": param("safe_pace_floor"),
        "profile_size": param("profile_growth_share") * answers["referring_domains"],
    }
    recent = answers.get("recent_monthly_rd")
    if recent is not None:
        guides["recent_pace"] = param("recent_pace_multiple") * recent
    authority = answers.get("authority")
    if authority is not None:
        band = next(b for b in param("authority_bands") if authority <= b["up_to"])
        guides["authority"] = band["low"]
    basis = max(guides, key=lambda name: guides[name])
    pace = guides[basis]
    new_site = answers["site_age_months"] < param("new_site_months")
    if new_site:
        # A new site that already earns more than the cap keeps its own pace.
        cap = max(param("foundation_pace_cap"), recent or 0)
        if pace > cap:
            pace, basis = cap, "foundation"
    return SafePace(
        pace=math.floor(pace),
        basis=basis,
        guides={k: round(v, 2) for k, v in guides.items()},
        new_site=new_site,
    )


def _capacity(answers: Mapping[str, Any], knowledge: Knowledge, param, loss: float) -> Capacity:
    quality = answers["content_quality"]
    quality_factor = param("content_quality_factor")[quality]
    assets = answers["linkable_assets"]
    chosen = answers["strategies"]
    hours = answers["hours_per_month"]
    sources: dict[str, float] = {}
    for strategy_id in chosen:
        strategy = knowledge.strategies[strategy_id]
        factor = quality_factor
        if strategy.needs_asset and assets == 0:
            factor *= param("no_asset_yield_factor")
        # Hours are split evenly: the plan does not guess which strategy suits you best.
        sources[strategy_id] = hours / len(chosen) / strategy.hours_per_link.value * factor
    earned = answers["posts_per_month"] * param("earned_links_per_post")[quality]
    earned += assets * param("earned_links_per_asset") * quality_factor
    if earned > 0:
        sources[EARNED] = earned
    max_share = param("max_source_share")
    gross = _diversified_total(list(sources.values()), max_share)
    # What each source contributes once none brings more than its share of the whole.
    counted = {k: min(v, max_share * gross) if len(sources) > 1 else v for k, v in sources.items()}
    return Capacity(
        net=round(gross * (1 - loss), 2),
        gross=round(gross, 2),
        undiversified=round(sum(sources.values()), 2),
        hours_per_month=hours,
        sources={k: round(v, 2) for k, v in sources.items()},
        counted={k: round(v, 4) for k, v in counted.items()},
    )


def _diversified_total(capacities: list[float], max_share: float) -> float:
    """The largest monthly total T in which no source brings more than max_share × T.

    Solves T = Σ min(cᵢ, max_share·T) by capping the largest sources one by one (water-filling).
    With a single source nothing can be diversified, so its own capacity is used as is.
    """
    if len(capacities) < 2:
        return sum(capacities)
    remaining = sorted(capacities, reverse=True)
    capped = 0
    while remaining:
        total = sum(remaining) / (1 - max_share * capped) if max_share * capped < 1 else 0.0
        if remaining[0] <= max_share * total:
            return total
        remaining.pop(0)
        capped += 1
    return 0.0


def _split(total: int, weights: Mapping[str, float], max_share: float) -> dict[str, int]:
    """Share `total` whole links across the sources in proportion to their weights.

    The weights come from `_capacity` already capped at `max_share` of the whole, so the exact
    shares respect the cap; whole links go to the largest remainders, within the cap (rounded up
    to a whole link) while any source still has room, so no source gets more than its exact share
    rounded up and a source that earns a tenth of a link is not handed a whole one.
    """
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {}
    shares = {name: total * w / weight_sum for name, w in weights.items() if w > 0}
    counts = {name: math.floor(share) for name, share in shares.items()}
    # Whole links can't always split exactly: with 3 links and two sources one brings 2.
    cap = max(1, math.ceil(max_share * total))
    by_remainder = sorted(shares, key=lambda n: (counts[n] - shares[n], n))
    left = total - sum(counts.values())
    for name in by_remainder + by_remainder:
        if left == 0:
            break
        if counts[name] < cap or all(counts[n] >= cap for n in shares):
            counts[name] += 1
            left -= 1
    return {n: c for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c > 0}
