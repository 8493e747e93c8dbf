"""The plan's shape: what the planner (bot.planning.planner) works out, and what is stored, carried by
replies, shown and reported. It lives in the core because every room speaks it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

Binding = Literal["gap", "safe_pace", "capacity"]
Period = Literal["month", "quarter", "year"]
EARNED = "earned"  # the split's name for links the content earns without outreach
MOMENTUM = "momentum"  # the split's name for the site's own recent pace
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


class Range(BaseModel):
    low: int
    high: int
    per: Period = "month"  # below about one a month, a range is given per quarter or per year

    def monthly(self) -> tuple[float, float]:
        months = MONTHS_IN[self.per]
        return self.low / months, self.high / months


class Momentum(BaseModel):
    recent: int | None  # the recent monthly pace as answered
    spike: bool  # that pace is above the whole profile: read as a spike, not planned on
    earned: float  # what the content earns on its own a month (an estimate)
    natural: float  # new a month without building: the recent pace, or the estimate if larger
    basis: Literal["recent", "earned", "none"]


class Need(BaseModel):
    kind: Literal["gap", "ahead"]  # behind the competitors' median today, or at/above it
    current: int  # the referring domains compared with the competitors' (followed-equivalent)
    answered: int | None = None  # the referring domains answered, when fewer of them are followed
    followed_share: float | None = None  # share of the profile that is followed, when answered
    competitors_median: float
    competitors_growth: float  # net referring domains a month the median gains
    growth_known: int  # how many competitors' own paces were given (the rest grow by a share)
    spread: float = 1.0  # the largest competitor's referring domains over the smallest's
    median_at_horizon: float
    gap: int  # today's
    horizon_months: int
    gap_pace: float  # new a month that reach the median as it will be at the horizon (0 if ahead)
    maintenance_pace: float  # new a month that keep up with the competitors' growth
    pace: float  # the larger


class SafePace(BaseModel):
    pace: int
    basis: str  # which guide set it: floor, profile_size, recent_pace, authority or foundation
    guides: dict[str, float]
    new_site: bool


class Capacity(BaseModel):
    hours_per_month: float
    built: float  # the most the hours build a month, cheapest strategies first, diversified
    per_hour: dict[str, float]  # links a month per hour, by strategy
    allocation: dict[str, float]  # links a month per strategy at `built`


class Levers(BaseModel):
    """What would close the gap in the horizon, when the target does not."""

    needed: float  # new a month the gap needs
    hours_to_close: float | None  # hours a month that would build it (None: no strategies can)
    adding: list[str] = []  # strategies it takes on top of yours (yours alone can't bring that many)
    safe_limited: bool  # the safe pace is below what the gap needs: hours alone won't close it in time
    months_at_safe_pace: int | None  # months to parity building at the safe pace (hours no limit)
    action: str | None  # the one change that raises the target most: asset, quality, strategy:<id>
    action_gain: float  # new a month it adds


class PageLevel(BaseModel):
    """A target for the page that should rank, when the domain-level goal is out of reach."""

    median: float | None  # the ranking pages' median referring domains (None: not given)
    typical: float  # the median top-10 page, all keywords (shown when `median` is unknown)
    pace: float  # new a month to point at the page so it reaches them in the horizon
    point: float  # of what you build a month, how many to point at the page
    months: int | None  # months for the page to reach them at `point`
    hours: float | None = None  # hours a month that build `pace` (None: the strategies can't)


class Reclaim(BaseModel):
    lost: int
    expected: int  # referring domains a reclamation round should win back
    on_purpose: bool = False  # removed or disavowed on purpose (a clean-up): keep them out, win none back


class Plan(BaseModel):
    site: str
    site_kind: str | None = None
    target: Range  # new referring domains a month in all: momentum, earned and built
    build: Range  # of those, what to build yourself
    momentum: Momentum
    binding: Binding  # what limits what you build
    need: Need
    safe_pace: SafePace
    capacity: Capacity
    months_to_parity: int | None  # following the plan month by month; None: beyond the projection
    # The same, were the competitors whose pace is assumed to grow half as fast (None: beyond the
    # projection); only when a verdict behind rests on that assumption.
    parity_at_half_growth: int | None = None
    growth_sensitive: bool = False  # parity_at_half_growth was worked out
    levers: Levers | None
    page_level: PageLevel | None
    reclaim: Reclaim | None
    split: dict[str, int]  # source → new referring domains per `target.per`; sums to target.high
    hours_split: dict[str, float]  # strategy → hours a month
    unused: list[str]  # chosen strategies the hours are better spent without
    second_source: str | None  # with one strategy: the best one to add for this kind of site
    quality_bar: list[str]
    checklist: list[str]
    figures: list[str]  # ids of the knowledge parameters this plan used
    answers: dict[str, Any]
