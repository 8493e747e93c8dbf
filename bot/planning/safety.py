"""The safe pace for a site: its guides read from the answers and the parameters (floor, share of
the profile, recent pace, authority, a new site's foundation), and the pace they give (bot/planning/pace.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bot.core.plan import Momentum, SafePace
from bot.planning.pace import SafeGuides, authority_guide


def safe_guides_for(answers: Mapping[str, Any], momentum: Momentum, param) -> SafeGuides:
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


def safe_pace_for(guides: SafeGuides, profile: int, age: int) -> SafePace:
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
