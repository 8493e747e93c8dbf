"""What every backlink data provider's client offers, in neutral figures with their source and date.

A client (providers/dataforseo/, providers/moz.py) turns its API's answers into these; nothing
here knows a provider's URL or payload. A lookup that fails never blocks planning: the caller
catches `LookupFailed` and simply asks the question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.conversation.rendering import Reason

# (Reason is also how a client's failures are worded: providers/ imports it from here.)

# How long one call may take, retries included, before the question is simply asked.
LOOKUP_TIMEOUT = 10.0  # seconds


@dataclass(frozen=True, slots=True)
class SiteFigures:
    """One domain's backlink profile as a provider sees it today."""

    domain: str  # the registrable domain looked up (example.com)
    referring_domains: int  # distinct domains linking to it, live
    authority: int | None = None  # on a 0-100 scale (DataForSEO rank with rank_scale one_hundred, Moz DA)
    nofollow_referring_domains: int | None = None


@dataclass(frozen=True, slots=True)
class MonthChange:
    """One calendar month of a domain's referring domains, from the provider's history."""

    month: str  # "2026-11"
    new: int  # referring domains first seen that month
    lost: int  # referring domains lost that month
    referring_domains: int | None = None  # live at the month's end, when the provider says


@dataclass(frozen=True, slots=True)
class MonthDomains:
    """Which referring domains were first seen and which were lost in one calendar month, the most
    valuable first, as far as the provider lists them (a few hundred at most: see each client)."""

    month: str  # "2026-11"
    new: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """Where and when figures came from, as replies show it ("DataForSEO, 30 Nov 2026")."""

    provider: str  # the provider's label, "DataForSEO"
    day: dt.date

    def __str__(self) -> str:
        return f"{self.provider}, {self.day.day} {self.day:%b %Y}"


class LookupFailed(Exception):
    """The provider could not answer now (timeout, 5xx, 429 past the retries): ask instead. Its
    message is a `Reason` (knowledge/reasons.yaml, `reason.lookup.*`: a clause, no full stop), so a
    reply says it in the reader's language; a plain text is shown as it is."""


def reason(error: Exception) -> str:
    """An error's message as a clause inside a sentence of ours (no full stop of its own): its
    Reason when it has one, said again in the reader's language."""
    said = error.args[0] if len(error.args) == 1 else None
    if isinstance(said, Reason):
        return said
    return str(error).strip().rstrip(".")


class RefusedKey(LookupFailed):
    """The provider refused the key (401/403, or its own "wrong credentials" status)."""


class OutOfCredit(LookupFailed):
    """The provider's account has no money or quota left (DataForSEO 40200/402, Moz 429 quota)."""


class Provider(Protocol):
    name: str  # configuration name: "dataforseo", "moz"
    label: str  # as shown to people: "DataForSEO", "Moz"
    authority_name: str  # what its authority figure is called: "DataForSEO rank", "Domain Authority"
    has_history: bool  # can it tell monthly new and lost referring domains?
    has_domain_lists: bool  # can it name them (month_domains)?

    async def check(self) -> None:
        """One cheap call that proves the key works; raises RefusedKey (or LookupFailed)."""

    async def sites(self, domains: Sequence[str]) -> dict[str, SiteFigures | None]:
        """Figures for each domain (None: unknown to the provider), in as few calls as it allows."""

    async def history(self, domain: str, since: str) -> list[MonthChange]:
        """Monthly new and lost referring domains from month `since` ("2026-06") to now, oldest first."""

    async def month_domains(self, domain: str, month: str) -> MonthDomains:
        """The referring domains first seen and lost in `month` ("2026-10")."""

    async def close(self) -> None: ...
