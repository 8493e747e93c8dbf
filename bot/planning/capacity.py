"""What the hours build: new referring domains a month from the strategies you work on. Pure.

The hours go where they bring the most links - the cheapest strategy per link first - under one
rule from the seed ("avoid overreliance on a single source"): no strategy brings more than
`max_share` of the month's new referring domains (natural ones included), or `allowance` links a
month, whichever is more. A strategy may also have a monthly limit (there are only so many
directories worth a citation).

Why this shape: every allocation that was possible stays possible when a strategy is added, hours
are added, or the site's natural links grow (they raise the cap) - so none of those can ever lower
what the plan counts on. Splitting the hours evenly, as a first version did, let a slow strategy
drag the total down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    per_hour: float  # new referring domains a month for each hour a month
    limit: float = math.inf  # most links a month, however many hours


@dataclass(frozen=True, slots=True)
class Rule:
    """No source above `max_share` of all new links of the month, or above `allowance` links."""

    max_share: float
    allowance: float
    natural: float  # what the site gains without building: counts in the month's total

    def cap(self, built: float) -> float:
        return max(self.max_share * (self.natural + built), self.allowance)


def best_first(sources: Sequence[Source]) -> list[Source]:
    """Cheapest per link first; ties keep the given order."""
    return sorted((s for s in sources if s.per_hour > 0), key=lambda s: -s.per_hour)


def allocate(sources: Sequence[Source], built: float, rule: Rule) -> dict[str, float] | None:
    """Links a month per source that make `built` in the fewest hours (None: the rule forbids it).

    `sources` must be best first. Filling the cheapest sources up to the cap is optimal because the
    cap is the same for every source. Sources that cost the same hours a link share evenly: which
    one was named first is no reason to give it more."""
    cap = rule.cap(built)
    left, out = built, {}
    for group in _ties(sources):
        if left <= 1e-9:
            break
        shares = _even(group, left, cap)
        out.update(shares)
        left -= sum(shares.values())
    return out if left <= 1e-9 * max(1.0, built) else None


def _ties(sources: Sequence[Source]) -> list[list[Source]]:
    """Consecutive sources (best first) that cost the same per link, grouped."""
    groups: list[list[Source]] = []
    for source in sources:
        if groups and math.isclose(groups[-1][0].per_hour, source.per_hour, rel_tol=1e-9):
            groups[-1].append(source)
        else:
            groups.append([source])
    return groups


def _even(group: Sequence[Source], amount: float, cap: float) -> dict[str, float]:
    """`amount` links shared as evenly as each source's bound (the cap, its own limit) allows."""
    out: dict[str, float] = {}
    left = amount
    ordered = sorted(group, key=lambda s: min(cap, s.limit))
    for i, source in enumerate(ordered):
        take = min(cap, source.limit, left / (len(ordered) - i))
        out[source.id] = take
        left -= take
    return {s.id: out[s.id] for s in group}  # in the given order


def hours_for(sources: Sequence[Source], built: float, rule: Rule) -> float | None:
    """Hours a month that build `built` links a month (None: not possible under the rule)."""
    allocation = allocate(sources, built, rule)
    if allocation is None:
        return None
    per_hour = {s.id: s.per_hour for s in sources}
    return sum(links / per_hour[name] for name, links in allocation.items())


def most_built(sources: Sequence[Source], hours: float, rule: Rule) -> float:
    """The most links a month `hours` build under the rule (sources best first).

    While the cap is the fixed allowance, that is the greedy fill with that cap. Past it the cap is
    c = max_share × (natural + X), so X = c / max_share - natural, and the answer is the largest c
    at which the hours still build that much: the root of ψ(c) = built(c) - (c / max_share -
    natural). built(c) is concave and piecewise linear in c (raising the cap moves hours to ever
    less cheaper sources), so Newton's method from the right lands on the root in a few steps."""
    if hours <= 0 or not sources:
        return 0.0
    table = tuple((s.per_hour, s.limit) for s in sources)
    share, natural = rule.max_share, rule.natural
    fixed, _ = _greedy(table, hours, rule.allowance)
    if share * (natural + fixed) < rule.allowance:
        return fixed
    most = sum(min(limit, hours * per_hour) for per_hour, limit in table)
    cap = share * (natural + most)  # ψ(cap) <= 0: nothing builds more than `most`
    for _ in range(4 * len(table) + 8):
        built, slope = _greedy(table, hours, cap)
        gap = built - (cap / share - natural)
        if gap >= -1e-9 * max(1.0, built):
            return min(built, cap / share - natural) if gap < 0 else cap / share - natural
        step = slope - 1 / share  # < 0 right of the root, where ψ decreases
        if step >= 0:
            break
        cap -= gap / step
    return _bisect(table, hours, rule)


def _greedy(table: tuple[tuple[float, float], ...], hours: float, cap: float) -> tuple[float, float]:
    """Links `hours` build with every source capped at `cap` (cheapest first), and the left
    derivative of that in the cap: each capped source takes a little more from the last one paid."""
    built, left, capped = 0.0, hours, []
    for per_hour, limit in table:
        take = min(cap, limit)
        cost = take / per_hour
        if cost >= left:  # the hours run out here
            return built + left * per_hour, sum(1 - per_hour / y for y in capped)
        built += take
        left -= cost
        if cap <= limit:
            capped.append(per_hour)
    return built, float(len(capped))


def _bisect(table: tuple[tuple[float, float], ...], hours: float, rule: Rule) -> float:
    """The same answer by bisection: a fallback that never fails (and a check in the tests)."""
    low, high = 0.0, sum(min(limit, hours * per_hour) for per_hour, limit in table)
    for _ in range(60):
        middle = (low + high) / 2
        if _hours_needed(table, middle, rule) <= hours * (1 + 1e-12):
            low = middle
        else:
            high = middle
    return low


def _hours_needed(table: tuple[tuple[float, float], ...], built: float, rule: Rule) -> float:
    """`hours_for` without building the allocation; inf if the rule forbids `built`."""
    cap = max(rule.max_share * (rule.natural + built), rule.allowance)
    left, hours = built, 0.0
    for per_hour, limit in table:
        if left <= 1e-9:
            return hours
        take = min(left, cap, limit)
        hours += take / per_hour
        left -= take
    return hours if left <= 1e-9 * max(1.0, built) else math.inf
