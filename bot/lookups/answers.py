"""Looked-up figures as answers to the plan's questions (pure: no I/O, no clock).

They are offered as defaults to confirm, never taken silently; what the user typed always wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.conversation.validators.competitors import competitor_items
from bot.conversation.validators.domains import normalise_domain
from bot.lookups.provider import MonthChange, SiteFigures

RECENT_MONTHS = 3  # the question's own definition: new referring domains of the last 3 months, / 3
# Authority figures the authority question accepts (Ahrefs DR or Moz DA); a provider's own rank on
# another scale is shown beside the plan, never put in its place.
ACCEPTED_AUTHORITY = {"Domain Authority", "Domain Rating"}


def site_answers(
    figures: SiteFigures | None, months: Sequence[MonthChange] | None, this_month: str, authority_name: str
) -> dict[str, str]:
    """The site's own figures as answers (as text, like typed ones): referring domains, authority,
    the share of them that is followed, the recent monthly pace and the referring domains lost over
    the last year."""
    answers: dict[str, str] = {}
    if figures is not None:
        answers["referring_domains"] = str(figures.referring_domains)
        if figures.authority is not None and authority_name in ACCEPTED_AUTHORITY:
            answers["authority"] = str(figures.authority)
        if figures.nofollow_referring_domains is not None and figures.referring_domains > 0:
            # Nofollow-only referring domains, as the provider counts them: the rest are followed.
            nofollow = min(figures.nofollow_referring_domains, figures.referring_domains)
            answers["followed_share"] = str(round(100 * (1 - nofollow / figures.referring_domains)))
    closed = [m for m in months or () if m.month < this_month]  # this month is not over yet
    if pace := recent_pace(closed):
        answers["recent_monthly_rd"] = str(pace)
    if closed:
        answers["lost_referring_domains"] = str(sum(m.lost for m in closed))
    return answers


def recent_pace(closed: Sequence[MonthChange]) -> int | None:
    """New referring domains a month over the last complete months (None: no history)."""
    recent = list(closed)[-RECENT_MONTHS:]
    return round(sum(m.new for m in recent) / len(recent)) if recent else None


def bare_competitors(text: str) -> list[str]:
    """The competitors typed as a domain alone (`rival.com`), to look up; normalised."""
    found = []
    for item in competitor_items(text):
        if "=" not in item and (domain := normalise_domain(item)):
            found.append(domain)
    return found


def with_counts(
    text: str, figures: Mapping[str, SiteFigures | None], paces: Mapping[str, int | None]
) -> tuple[str, list[str]]:
    """The competitors' answer with each looked-up domain's count (and pace: `rival.com 420+12`);
    and the domains the provider does not know, left as typed (the question then asks for them)."""
    items, unknown = [], []
    for item in competitor_items(text):
        domain = normalise_domain(item) if "=" not in item else None
        found = figures.get(domain) if domain else None
        if found is None:
            items.append(item)
            if domain and domain in figures:
                unknown.append(domain)
            continue
        pace = paces.get(domain)
        items.append(f"{domain}={found.referring_domains}" + (f"+{pace}" if pace is not None else ""))
    return ", ".join(items), unknown
