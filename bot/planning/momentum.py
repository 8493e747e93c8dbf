"""Momentum: what a site gains a month without building - its recent pace (unless a spike) or
what its content earns - kept, never cut. A function of the answers and the parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bot.core.plan import Momentum


def site_momentum(answers: Mapping[str, Any], param) -> Momentum:
    natural, basis, spike, earned = natural_pace(answers, param)
    recent = answers.get("recent_monthly_rd")
    return Momentum(recent=recent, spike=spike, earned=round(earned, 2), natural=natural, basis=basis)


def natural_pace(answers: Mapping[str, Any], param) -> tuple[float, str, bool, float]:
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
