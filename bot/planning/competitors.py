"""The gap to the competitors: the referring domains compared (followed with followed), their
median and its growth over the horizon (`need`), and the course a plan follows to reach it."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Any

from bot.core.plan import Need
from bot.planning.pace import Course


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


def need_for(answers: Mapping[str, Any], param, keep: float, growth_factor: float = 1.0) -> Need:
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


def course_for(answers: Mapping[str, Any], need: Need, natural: float, built: float, keep: float) -> Course:
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
