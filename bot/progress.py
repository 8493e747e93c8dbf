"""Progress against the plan, month by month, and adapting the target: pure functions.

A month's progress is the new referring domains logged for it - the links you built - and it is
measured against what the plan asked you to build (its `build` range; the site's own pace comes on
top of it without logging). Its target is the plan that was in force when the month ended. When a
month closes, the plan is re-run with what actually happened: the profile has grown by what was
logged and the horizon is shorter by the months gone by. The recent pace answered stays: it is the
site's own momentum, which logged links (built ones) are no evidence of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.planner import MONTHS_IN
from bot.schedule import add_months

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class PlanVersion:
    created_at: dt.datetime
    month: str  # the channel's month it was made in
    target: Mapping[str, Any]  # what to build: {low, high, per} as the plan stored it
    safe_pace: int
    binding: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MonthProgress:
    month: str
    logged: int
    target: Mapping[str, Any]  # what the plan asked to build: {low, high, per}
    quality_checked: int = 0
    quality_passed: int = 0

    @property
    def on_target(self) -> bool:
        # A range may be given per quarter or year (below two a month); plans stored before ranges
        # had a period are per month, which is Range's default.
        return self.logged >= self.target["low"] / MONTHS_IN[self.target.get("per", "month")] - 1e-9


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


def history(
    logged: Mapping[str, int],
    quality: Mapping[str, tuple[int, int]],
    plans: Sequence[PlanVersion],
    until: str,
) -> list[MonthProgress]:
    """Every month from the first plan to `until`, logged against its target (0 if nothing logged)."""
    if not plans:
        return []
    first = min(p.month for p in plans)
    rows = []
    for month in months_between(first, until):
        plan = target_for(month, plans)
        checked, passed = quality.get(month, (0, 0))
        rows.append(MonthProgress(month, logged.get(month, 0), plan.target, checked, passed))
    return rows


def streak(closed: Sequence[MonthProgress]) -> int:
    """Closed months on target in a row, counting back from the latest."""
    count = 0
    for month in reversed(closed):
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


def adapted_answers(plan: PlanVersion, closed: Sequence[MonthProgress]) -> dict[str, Any]:
    """The plan's answers updated with what the closed months since it actually brought."""
    since = [m for m in closed if m.month >= plan.month]
    answers = dict(plan.answers)
    if not any(m.logged for m in since):  # nothing logged is not evidence of a pace: keep the plan
        return answers
    answers["referring_domains"] = plan.answers["referring_domains"] + sum(m.logged for m in since)
    answers["horizon_months"] = max(1, plan.answers["horizon_months"] - len(since))
    answers["site_age_months"] = plan.answers["site_age_months"] + len(since)
    return answers


@dataclass(frozen=True, slots=True)
class Advice:
    behind: bool  # the last two closed months below target
    spike: bool  # the last closed month far above the safe pace


def advice(closed: Sequence[MonthProgress], safe_pace: int, spike_factor: float) -> Advice:
    behind = len(closed) >= 2 and not closed[-1].on_target and not closed[-2].on_target
    spike = bool(closed) and closed[-1].logged > spike_factor * safe_pace
    return Advice(behind=behind, spike=spike)
