"""Which checklist items apply to a plan: named conditions over the answers and the plan.

knowledge/checklist.yaml says *what* to advise and names its conditions; this module says what
each condition means. An item naming a condition that is not here fails when knowledge loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Facts:
    answers: Mapping[str, Any]
    new_site: bool
    binding: str
    spike: bool = False  # the recent pace was read as a spike
    reclaim: bool = False  # the site lost referring domains worth reclaiming
    cleaned_up: bool = False  # it removed or disavowed referring domains on purpose
    single_strategy: bool = False
    asset_led: bool = False  # a chosen strategy pitches something worth linking to


class Item(Protocol):
    id: str
    when: tuple[str, ...]


def _uses(strategy: str) -> Callable[[Facts], bool]:
    return lambda facts: strategy in facts.answers["strategies"]


CONDITIONS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda facts: True,
    "new_site": lambda facts: facts.new_site,
    "no_linkable_assets": lambda facts: facts.answers["linkable_assets"] == 0,
    "asset_led": lambda facts: facts.asset_led,
    "weak_content": lambda facts: facts.answers["content_quality"] <= 2,
    "no_new_content": lambda facts: facts.answers["posts_per_month"] == 0,
    "pace_capped": lambda facts: facts.binding == "safe_pace",
    "local": lambda facts: facts.answers.get("site_kind") == "local",
    "recent_spike": lambda facts: facts.spike,
    "lost_links": lambda facts: facts.reclaim,
    "cleaned_up": lambda facts: facts.cleaned_up,
    "mostly_nofollow": lambda facts: (facts.answers.get("followed_share") or 100) < 50,
    "single_strategy": lambda facts: facts.single_strategy,
    "no_hours": lambda facts: facts.answers["hours_per_month"] == 0,
    "not_using_unlinked_mentions": lambda facts: "unlinked_mentions" not in facts.answers["strategies"],
    "uses_local_community": _uses("local_community"),
    "uses_local_citations": _uses("local_citations"),
    "uses_guest_posting": _uses("guest_posting"),
    "uses_digital_pr": _uses("digital_pr"),
    "uses_journalist_requests": _uses("journalist_requests"),
    "uses_partnerships": _uses("partnerships"),
    "uses_resource_pages": _uses("resource_pages"),
}


def tailor(items: Iterable[Item], facts: Facts) -> list[str]:
    """Ids of the items whose conditions all hold, in the knowledge file's order."""
    return [item.id for item in items if all(CONDITIONS[name](facts) for name in item.when)]
