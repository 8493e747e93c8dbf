"""The safe pace and the month-by-month projection to parity: pure functions of plain numbers.

The safe pace is the fastest growth that still looks natural for a site. Google publishes no such
figure, so it is built from guides that each say so: a floor, a share of the profile, a multiple of
the site's own recent pace, and the vendor heuristic by authority, joined smoothly so that one
point of authority never makes the pace jump. A new site builds its foundation: a handful of strong
links a month on top of what it gains on its own, whatever its (tiny) profile says.

The projection follows a plan month by month: the profile grows by what survives link loss, the
safe pace grows with the profile (and the foundation cap lifts as the site ages), the competitors
grow too. It answers "when do I reach them?" instead of dividing today's gap by today's pace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def authority_guide(authority: float, points: Sequence[tuple[float, float]]) -> float:
    """The vendor's typical monthly pace at `authority`: log-linear between the points, flat past
    the last one. Continuous, so DR 50 and 51 get nearly the same guide."""
    if authority <= points[0][0]:
        return points[0][1]
    for (a0, p0), (a1, p1) in zip(points, points[1:], strict=False):
        if authority == a1:
            return p1
        if authority < a1:
            share = (authority - a0) / (a1 - a0)
            return math.exp(math.log(p0) + share * (math.log(p1) - math.log(p0)))
    return points[-1][1]


@dataclass(frozen=True, slots=True)
class SafeGuides:
    """What the safe pace is made of, fixed for one plan; the profile and age vary over time."""

    floor: float
    profile_share: float
    recent_multiple: float
    recent: float | None  # the site's recent monthly pace, if known (and not a spike)
    authority: float | None  # the authority guide before the profile bound
    authority_share: float  # the authority guide never exceeds this share of the profile
    new_site_months: int
    foundation: float  # foundation links a new site builds a month, on top of its own pace
    natural: float = 0.0  # what the site gains a month on its own (its baseline)

    def guides(self, profile: float) -> dict[str, float]:
        found = {"floor": self.floor, "profile_size": self.profile_share * profile}
        if self.recent is not None:
            found["recent_pace"] = self.recent_multiple * self.recent
        if self.authority is not None:
            found["authority"] = min(self.authority, self.authority_share * profile)
        return found

    def pace(self, profile: float, age_months: float, recent: float = 0.0) -> float:
        """`recent`: a pace the site has kept since (following the plan), if above the answered one."""
        pace = max(self.floor, self.profile_share * profile, self.recent_multiple * max(self.recent or 0.0, recent))
        if self.authority is not None:
            pace = max(pace, min(self.authority, self.authority_share * profile))
        if age_months < self.new_site_months:
            # Foundation links come on top of the site's own pace (a launch raises it), and are never
            # crowded out by it: a profile of none still gets its handful a month.
            pace = min(max(pace, self.foundation), self.natural + self.foundation)
        return pace


@dataclass(frozen=True, slots=True)
class Course:
    """A plan followed month by month."""

    profile: float  # referring domains now
    age_months: float
    natural: float  # new a month without building
    built: float  # the most the hours build a month
    keep: float  # share of new links that survive (1 - link loss)
    target_now: float  # competitors' median now
    target_growth: float  # what the median gains a month (net)
    need_by: int | None = None  # the plan's horizon: until then, build only what the gap needs
    need_floor: float = 0.0  # the least the plan asks for a month while the gap is open


def months_to_reach(course: Course, safe: SafeGuides, limit: int) -> int | None:
    """Months until the profile reaches the moving median, following the plan; None past `limit`."""
    if course.profile >= course.target_now:
        return 0
    path = projected_path(course, safe, limit)
    reached = bool(path) and path[-1] >= course.target_now + course.target_growth * len(path) - 1e-9
    return len(path) if reached else None


def projected_path(course: Course, safe: SafeGuides, limit: int) -> list[float]:
    """The profile at the end of each month following the plan, until it reaches the moving median
    (that month included) or `limit` months; empty when it is out of reach from the first month or
    already there. `months_to_reach` counts this path; a chart draws it."""
    profile = course.profile
    if profile >= course.target_now:
        return []
    most = (course.natural + course.built) * course.keep  # the fastest the profile can grow a month
    if most <= course.target_growth or profile + (most - course.target_growth) * limit < course.target_now:
        return []  # out of reach even at full capacity from the first month
    at_horizon = course.target_now + course.target_growth * (course.need_by or 0)
    # The site's history: the recent pace answered (an average of about three months), then each
    # month of the plan. The safe pace follows its average, so it ramps up as the plan is kept -
    # linearly, not doubling every month.
    history, months_known = (3 * safe.recent, 3) if safe.recent is not None else (0.0, 0)
    natural, capacity, keep, need_by = course.natural, course.built, course.keep, course.need_by
    path: list[float] = []
    for month in range(1, limit + 1):
        average = history / months_known if months_known else 0.0
        pace = safe.pace(profile, course.age_months + month - 1, average)
        built = min(capacity, math.floor(pace) - natural)
        if need_by is not None and month <= need_by:
            # Until the horizon the plan asks for what closes the gap by then, not more.
            need = (at_horizon - profile) / (need_by - month + 1) / keep
            if course.need_floor > need:
                need = course.need_floor
            if need - natural < built:
                built = need - natural
        if built < 0:
            built = 0.0
        history += natural + built
        months_known += 1
        profile += (natural + built) * keep
        path.append(profile)
        if profile >= course.target_now + course.target_growth * month - 1e-9:
            break
    return path
