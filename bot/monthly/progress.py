"""Progress against the plan, month by month, and adapting the target: pure functions.

A month's progress is the new referring domains logged for it - the links you built - and it is
measured against what the plan asked you to build (its `build` range; the site's own pace comes on
top of it without logging). Its target is the plan that was in force when the month ended. When a
month closes, the plan is re-run with what actually happened: the profile has grown by what was
logged - or, where the data provider measured the month, by its new less its lost referring
domains - and the horizon is shorter by the months gone by. The recent pace answered stays: it is
the site's own momentum, which logged links (built ones) are no evidence of, and a measured month's
new domains mix the two.

Not every month is scored (judged on or off target): the month the first plan was made in only when
at least half of it was left, and no month whose check-in was skipped (`remind skip`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.lookups.provider import MonthChange
from bot.monthly.schedule import add_months
from bot.planning.planner import MONTHS_IN

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class PlanVersion:
    created_at: dt.datetime
    month: str  # the channel's month it was made in
    target: Mapping[str, Any]  # what to build: {low, high, per} as the plan stored it
    safe_pace: int
    binding: str
    answers: Mapping[str, Any]
    day: int = 1  # the day of its month it was made on, in the channel's time zone
    expected: Mapping[str, Any] | None = None  # new referring domains it expects in all: {low, high, per}


def days_in(month: str) -> int:
    year, number = (int(p) for p in month.split("-"))
    return calendar.monthrange(year, number)[1]


def days_left(plan: PlanVersion) -> int:
    """Days of its month left when the plan was made, that day included."""
    return days_in(plan.month) - plan.day + 1


def first_month_scored(plan: PlanVersion) -> bool:
    """Building a month's links takes the month: a plan made with less than half of it left is not
    judged on that month (made on the 30th, it would start with a month behind)."""
    return days_left(plan) * 2 >= days_in(plan.month)


@dataclass(frozen=True, slots=True)
class MonthProgress:
    month: str
    logged: int
    target: Mapping[str, Any]  # what the plan asked to build: {low, high, per}
    quality_checked: int = 0
    quality_passed: int = 0
    nofollow: int = 0  # of `logged`, the domains whose links are nofollow (or sponsored, ugc)
    unscored: str | None = None  # why the month is not judged: "short" (first month) or "skipped"
    days_left: int = 0  # for a short first month: the days left when the plan was made

    @property
    def scored(self) -> bool:
        return self.unscored is None

    @property
    def on_target(self) -> bool:
        # A range may be given per quarter or year (below two a month); plans stored before ranges
        # had a period are per month, which is Range's default.
        if not self.scored:
            return False
        return self.logged >= self.target["low"] / MONTHS_IN[self.target.get("per", "month")] - 1e-9


@dataclass(frozen=True, slots=True)
class Totals:
    """What a channel logged, per month: new referring domains, (checked, passed) quick checks,
    nofollow domains, and the months whose check-in was skipped."""

    logged: Mapping[str, int] = field(default_factory=dict)
    quality: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    nofollow: Mapping[str, int] = field(default_factory=dict)
    skipped: Collection[str] = frozenset()


def target_for(month: str, plans: Sequence[PlanVersion]) -> PlanVersion | None:
    """The plan in force at the end of `month`: the newest one made in that month or before."""
    made = [p for p in plans if p.month <= month]
    return max(made, key=lambda p: p.created_at) if made else None


def months_between(first: str, last: str) -> list[str]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def first_plan(plans: Sequence[PlanVersion]) -> PlanVersion:
    return min(plans, key=lambda p: p.created_at)


def history(totals: Totals, plans: Sequence[PlanVersion], until: str) -> list[MonthProgress]:
    """Every month from the first plan to `until`, logged against its target (0 if nothing logged)."""
    if not plans:
        return []
    first = first_plan(plans)
    rows = []
    for month in months_between(first.month, until):
        plan = target_for(month, plans)
        checked, passed = totals.quality.get(month, (0, 0))
        unscored, left = None, 0
        if month in totals.skipped:
            unscored = "skipped"
        elif month == first.month and not first_month_scored(first):
            unscored, left = "short", days_left(first)
        logged, nofollow = totals.logged.get(month, 0), totals.nofollow.get(month, 0)
        rows.append(MonthProgress(month, logged, plan.target, checked, passed, nofollow, unscored, left))
    return rows


def streak(closed: Sequence[MonthProgress]) -> int:
    """Scored closed months on target in a row, counting back from the latest (a month that is not
    scored neither breaks nor extends it)."""
    count = 0
    for month in reversed(closed):
        if not month.scored:
            continue
        if not month.on_target:
            break
        count += 1
    return count


def sparkline(values: Sequence[int]) -> str:
    if not values:
        return ""
    top = max(values)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1)))] for v in values)


def adapted_answers(
    plan: PlanVersion, closed: Sequence[MonthProgress], measured: Mapping[str, MonthChange] | None = None
) -> dict[str, Any]:
    """The plan's answers updated with what the closed months since it actually brought.

    A month the data provider measured grew the profile by its new referring domains less its lost
    ones: earned links and losses included, which is what the gap to the competitors runs on. Only
    the change is taken, not the provider's total, so a profile typed from another tool keeps its
    scale. A month without a measurement grew it by what was logged."""
    since = [m for m in closed if m.month >= plan.month]
    measured = measured or {}
    answers = dict(plan.answers)
    if not any(m.logged or m.month in measured for m in since):  # no evidence of a pace: keep the plan
        return answers
    grown = sum(_growth(m, measured.get(m.month), plan) for m in since)
    answers["referring_domains"] = max(0, plan.answers["referring_domains"] + round(grown))
    answers["horizon_months"] = max(1, plan.answers["horizon_months"] - len(since))
    answers["site_age_months"] = plan.answers["site_age_months"] + len(since)
    return answers


def _growth(month: MonthProgress, measured: MonthChange | None, plan: PlanVersion) -> float:
    if measured is None:
        return month.logged  # logged after the plan was made
    net = measured.new - measured.lost
    if month.month == plan.month:  # the plan's answers already hold what came before its day
        return net * days_left(plan) / days_in(plan.month)
    return net


@dataclass(frozen=True, slots=True)
class Advice:
    behind: bool  # the last two closed months below target
    spike: bool  # the last closed month far above the safe pace


def advice(closed: Sequence[MonthProgress], safe_pace: int, spike_factor: float) -> Advice:
    scored = [m for m in closed if m.scored]  # a skipped or short month is no sign of falling behind
    behind = len(scored) >= 2 and not scored[-1].on_target and not scored[-2].on_target
    spike = bool(closed) and closed[-1].logged > spike_factor * safe_pace
    return Advice(behind=behind, spike=spike)
