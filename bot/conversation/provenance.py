"""Where a plan's figures came from: the ones a backlink data provider measured and the user kept.

A lookup records, per question, the figure it offered and its source ({"provider": "DataForSEO",
"day": "2026-11-30", "value": 1240, "site": "example.com"}; for the competitors, the entries it
filled in). Whether the user kept it is decided by comparing with the answer, whatever the path
(Enter, the same value typed, a form left as filled, `back`): a figure typed differently is the
user's own and names no provider. The kept sources are stored with the plan's answers (under
`SOURCES`, which no question is called), so they stay true of a plan the check-ins adapt: an answer
changed since no longer matches its source and is no longer named. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.moments import DateName
from bot.core.replies import Text, text

SOURCES = "sources"  # the key of the stored answers that holds the kept sources
SITE_FIGURES = ("referring_domains", "authority", "recent_monthly_rd", "lost_referring_domains", "followed_share")
COMPETITORS = "competitors"
# Assumption: figures more than twice apart disagree "wildly" (a provider counting another index,
# a typo, an export of another site); closer ones are the usual spread between providers' indexes.
WILD_FACTOR = 2


def source(provider: str, day: dt.date, value: Any, **about: Any) -> dict[str, Any]:
    """A looked-up figure and where it came from, as a draft keeps it (JSON-ready)."""
    return {"provider": provider, "day": day.isoformat(), "value": value, **about}


def competitor_entries(figures: Mapping[str, Any], paces: Mapping[str, int | None]) -> list[dict[str, Any]]:
    """The competitors' answer entries a lookup filled in, as the competitors question reads them
    (`rival.com=3100+40` → {"domain": "rival.com", "referring_domains": 3100, "monthly_new": 40})."""
    entries = []
    for domain, found in figures.items():
        if found is None:
            continue
        entry: dict[str, Any] = {"domain": domain, "referring_domains": found.referring_domains}
        if paces.get(domain) is not None:
            entry["monthly_new"] = paces[domain]
        entries.append(entry)
    return entries


def with_competitors(sources: Mapping[str, Any], looked: Mapping[str, Any]) -> dict[str, Any]:
    """The sources with a competitors' lookup added: one the same day from the same provider adds
    to the entries known so far (a domain looked up again replaces its entry); else it replaces them."""
    earlier = sources.get(COMPETITORS)
    if earlier and (earlier["provider"], earlier["day"]) == (looked["provider"], looked["day"]):
        again = {e["domain"] for e in looked["value"]}
        looked = {**looked, "value": [e for e in earlier["value"] if e["domain"] not in again] + looked["value"]}
    return {**sources, COMPETITORS: looked}


def kept(sources: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The sources still true of these answers: a site figure whose answer is the looked-up value
    for the same site; the competitors whose entries are the looked-up ones."""
    if not isinstance(sources, Mapping):
        return {}
    found: dict[str, Any] = {}
    for question_id, looked in sources.items():
        if not isinstance(looked, Mapping) or answers.get(question_id) is None:
            continue
        if question_id == COMPETITORS:
            measured = [c for c in answers[question_id] if c.get("domain") and c in looked.get("value", ())]
            if measured:
                found[question_id] = {**looked, "value": measured}
        elif answers[question_id] == looked.get("value") and looked.get("site") == answers.get("site"):
            found[question_id] = dict(looked)
    return found


def offered_against(sources: Mapping[str, Any], question_id: str, site: Any, had: Any) -> dict[str, Any] | None:
    """The looked-up figure of this site a figure the user had disagrees wildly with, if any."""
    looked = sources.get(question_id)
    if question_id not in SITE_FIGURES or not looked or looked.get("site") != site:
        return None
    return looked if wildly_apart(had, looked.get("value")) else None


def wildly_apart(a: Any, b: Any) -> bool:
    """More than `WILD_FACTOR` times apart (0 against anything above 0 is)."""
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
        return False
    low, high = sorted((a, b))
    return high > WILD_FACTOR * low


def day_shown(day: str) -> DateName:
    """ "2026-11-30" as replies show a day: "30 Nov 2026" (in the reader's language)."""
    return DateName(day)


def named(looked: Mapping[str, Any]) -> Text:
    """Where one figure came from, as replies show it: "DataForSEO, 30 Nov 2026"."""
    return text("lookup.source", provider=looked["provider"], day=day_shown(looked["day"]))


def by_source(sources: Mapping[str, Any], order: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    """The kept sources' question ids grouped by (provider, day), in the questionnaire's order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for question_id in order:
        if question_id in sources:
            looked = sources[question_id]
            groups.setdefault((looked["provider"], looked["day"]), []).append(question_id)
    return groups
