"""What the lookups service gives back: the provider connected for a channel, figures for sites
and their months (with their source), the months a check-in already had measured, and the shared
key's usage this month."""

from __future__ import annotations

from dataclasses import dataclass

from bot.lookups.provider import MonthChange, Provider, SiteFigures, Source


@dataclass(frozen=True, slots=True)
class Usage:
    """The deployment's own key this month: lookups made by every workspace together, and its cap."""

    month: str  # "2026-12"
    used: int
    cap: int | None  # None: no cap (only where a Lookups is built without one: tests)


@dataclass(frozen=True, slots=True)
class Connection:
    name: str  # "dataforseo"
    key: str
    own: bool  # connected with `connect` here (else the deployment's BACKLINKS_PROVIDER_KEY)
    provider: Provider  # its client (it opens a session only when a call is made)

    @property
    def label(self) -> str:
        return self.provider.label

    @property
    def last4(self) -> str:
        return self.key[-4:]


@dataclass(frozen=True, slots=True)
class History:
    months: dict[str, list[MonthChange]]  # per domain, oldest first; [] unknown to the provider
    source: Source


@dataclass(frozen=True, slots=True)
class KnownMonths:
    """A domain's months as its provider measured them, by month ("2026-11"), as cached."""

    months: dict[str, MonthChange]
    provider: str  # the provider's label, "DataForSEO"


@dataclass(frozen=True, slots=True)
class Sites:
    figures: dict[str, SiteFigures | None]  # None: unknown to the provider
    source: Source
    authority_name: str
