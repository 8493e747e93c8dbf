"""What each call to DataForSEO sends: the domain as a target, and the documented options of each
endpoint (each page cited on its builder). Nothing about the user or the workspace is sent."""

from __future__ import annotations

import re
from typing import Any

BULK_LIMIT = 1000  # targets per bulk call (bulk_referring_domains and bulk_ranks pages: "up to 1000")
LIST_LIMIT = 1000  # referring domains per call (referring_domains page: limit "maximum value: 1000")

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def target(domain: str) -> str | None:
    """The domain as DataForSEO wants a target ("without https:// and www."), or None if it is none."""
    name = domain.strip().lower().rstrip(".").removeprefix("www.")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return name if _DOMAIN.match(name) else None


def chunks(targets: list[str]) -> list[list[str]]:
    """The targets in bulk calls of at most BULK_LIMIT each."""
    return [targets[start : start + BULK_LIMIT] for start in range(0, len(targets), BULK_LIMIT)]


def summary(target: str) -> list[dict[str, Any]]:
    """POST backlinks/summary/live, https://docs.dataforseo.com/v3/backlinks/summary/live/.
    Sent: ``target``; ``include_subdomains: true`` and ``backlinks_status_type: "live"`` (the
    documented defaults, said outright: the whole domain, the links found at the last check);
    ``rank_scale: "one_hundred"`` (DataForSEO's own 0-100 scale, see answers.py)."""
    return [
        {"target": target, "include_subdomains": True, "backlinks_status_type": "live", "rank_scale": "one_hundred"}
    ]


def bulk_referring_domains(targets: list[str]) -> list[dict[str, Any]]:
    """POST backlinks/bulk_referring_domains/live (``targets``; "if you indicate a domain as a
    target, you will get result for the root domain (domain with all of its subdomains)",
    https://docs.dataforseo.com/v3/backlinks/bulk_referring_domains/live/). It has no rank, hence
    bulk_ranks beside it."""
    return [{"targets": targets}]


def bulk_ranks(targets: list[str]) -> list[dict[str, Any]]:
    """POST backlinks/bulk_ranks/live (``targets``, ``rank_scale``),
    https://docs.dataforseo.com/v3/backlinks/bulk_ranks/live/."""
    return [{"targets": targets, "rank_scale": "one_hundred"}]


def history(target: str, since: str) -> list[dict[str, Any]]:
    """POST backlinks/history/live, https://docs.dataforseo.com/v3/backlinks/history/live/:
    fields ``target`` ("domain ... without https:// and www.") and ``date_from`` ("yyyy-mm-dd",
    "minimum value 2019-01-01"); ``date_to`` defaults to today."""
    return [{"target": target, "date_from": max(f"{since}-01", "2019-01-01")}]


def month_domains(target: str, month: str) -> list[dict[str, Any]]:
    """POST backlinks/referring_domains/live,
    https://docs.dataforseo.com/v3/backlinks/referring_domains/live/: one call for the referring
    domains first seen in `month` and those lost in it. Sent: ``target``;
    ``backlinks_status_type: "all"`` ("all backlinks will be returned and counted", lost ones
    included; the default "live" would hide the lost); ``filters`` on ``first_seen`` and
    ``lost_date`` ("yyyy-mm-dd hh-mm-ss +00:00", up to 8 conditions joined by and/or, nested);
    ``order_by: ["rank,desc"]`` so the most valuable come first; ``limit`` at its documented
    maximum, 1000."""
    year, number = map(int, month.split("-"))
    start = f"{month}-01 00:00:00 +00:00"
    end = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01 00:00:00 +00:00"
    in_month = [[["first_seen", ">=", start], "and", ["first_seen", "<", end]]]
    lost_in_month = [[["lost_date", ">=", start], "and", ["lost_date", "<", end]]]
    body = {
        "target": target,
        "backlinks_status_type": "all",
        "filters": [*in_month, "or", *lost_in_month],
        "order_by": ["rank,desc"],
        "limit": LIST_LIMIT,
    }
    return [body]


def is_month(text: str) -> bool:
    """A month as the Provider interface takes one: 2026-06."""
    return _MONTH.fullmatch(text) is not None
