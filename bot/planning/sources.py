"""Where the links come from: the chosen strategies as sources of links an hour (bot/planning/capacity.py),
the strategies that suit this kind of site next, and which of the three limits sets what to build."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bot.core.plan import Binding
from bot.planning import capacity as capacity_model
from bot.planning.capacity import Source
from bot.planning.knowledge import Knowledge


def strategy_sources(answers: Mapping[str, Any], knowledge: Knowledge, param, natural: float) -> list[Source]:
    quality, assets = answers["content_quality"], answers["linkable_assets"]
    factor = param("content_quality_factor")[quality]
    found = []
    for strategy_id in answers["strategies"]:
        strategy = knowledge.strategies[strategy_id]
        yield_factor = factor
        if strategy.needs_asset and assets == 0:
            yield_factor *= param("no_asset_yield_factor")
        per_hour = yield_factor / strategy.hours_per_link.value
        found.append(capacity_model.Source(strategy_id, per_hour, strategy.limit(natural)))
    return found


def kind_sources(answers: Mapping[str, Any], knowledge: Knowledge) -> list[str]:
    """The strategies that suit this kind of site, best first, that the answers don't use yet: the
    kind's own order, then any other strategy suggested to every kind."""
    kind_id = answers.get("site_kind") or "other"
    kind = knowledge.site_kinds.get(kind_id) or knowledge.site_kinds.get("other")
    order = list(kind.second_sources if kind else ())
    order += [
        s for s, strategy in knowledge.strategies.items() if not strategy.suggest_for or kind_id in strategy.suggest_for
    ]
    return [s for s in dict.fromkeys(order) if s not in answers["strategies"]]


def second_source(answers: Mapping[str, Any], knowledge: Knowledge) -> str | None:
    return next(iter(kind_sources(answers, knowledge)), None)


def what_to_build(
    need: float, safe: int, built: float, natural: float, foundation: float = 0.0
) -> tuple[Binding, float]:
    """What to build a month on top of the site's own pace, and which limit set it. Ties go to the
    earlier name: if you need 10 and can build 10, the gap is what sets it. `foundation`: a new
    site's foundation links, built whatever the gap needs (a launch month's pace must not crowd
    them out); then the safe pace, which holds them, is what sets it."""
    room = max(0.0, safe - natural)
    foundation = min(foundation, room)
    gap = max(0.0, need - natural)
    if foundation > gap:
        limits: list[tuple[Binding, float]] = [("safe_pace", foundation), ("capacity", built)]
        return min(limits, key=lambda item: item[1])
    limits = [("gap", gap), ("safe_pace", room), ("capacity", built)]
    binding, to_build = min(limits, key=lambda item: item[1])
    if binding == "gap" and to_build > 0:
        # What closing the gap takes is a whole link more, not less, when the other limits allow it.
        whole = math.ceil(natural + to_build - 1e-9) - natural
        to_build = min(whole, *(value for name, value in limits if name != "gap"))
    return binding, to_build
