"""The knowledge files' entries as the planning reads them (sources, strategies, kinds of site,
planner parameters, checklist items, questions): each checked by a pydantic model, so a broken
entry fails at start-up naming the file, the entry and the field (bot/core/datafiles.py), and what
each becomes once checked (a `Parameter`, a `Strategy`...). The sources and strategies an entry
names are checked against the loaded ones through the validation context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.core.datafiles import Model
from bot.core.replies import Text, text
from bot.planning.checklist import CONDITIONS


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    note: str
    url: str | None = None
    secondary: bool = False


@dataclass(frozen=True, slots=True)
class Parameter:
    id: str
    value: Any
    label: str | Text  # a knowledge text, or a template's (a strategy's hours per link)
    source: str | None
    assumption: str | None


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    label: str
    aliases: tuple[str, ...]
    needs_asset: bool
    hours_per_link: Parameter
    monthly_limit: Parameter | None = None  # most links a month it can bring, however many hours
    natural_share: float = 0.0  # the limit grows with the links the site gains naturally (mentions)
    floor_from_natural: float = 0.0  # below this many natural links a month, the limit's floor shrinks to none
    suggest_for: tuple[str, ...] = ()  # kinds of site it is suggested to (empty: every kind)
    pointable: bool = True  # its links can be pointed at a chosen page (page level)

    def limit(self, natural: float) -> float:
        if self.monthly_limit is None:
            return math.inf
        floor = self.monthly_limit.value
        if self.natural_share and self.floor_from_natural:
            # Mentions to claim come with the links a site gains: none for a site nobody mentions yet.
            floor *= min(1.0, natural / self.floor_from_natural)
        return max(floor, self.natural_share * natural)


@dataclass(frozen=True, slots=True)
class SiteKind:
    id: str
    label: str
    aliases: tuple[str, ...]
    asset: str  # the linkable asset that suits this kind of site
    second_sources: tuple[str, ...]  # strategy ids, best first
    source: str
    assumption: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    text: str
    when: tuple[str, ...]
    source: str


def _known(value: str | None, info: ValidationInfo, what: str, one: str) -> str | None:
    """`value` among the ids the context lists as `what` ("sources": the ids of sources.yaml)."""
    known = (info.context or {}).get(what)
    if value is not None and known is not None and value not in known:
        raise ValueError(f"unknown {one} {value!r}")
    return value


class Cites(Model):
    """An entry citing one of sources.yaml (`source`): the id must be one of them."""

    @field_validator("source", check_fields=False)
    @classmethod
    def _known_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _known(value, info, "sources", "source")


class SourceEntry(Model):
    title: str = Field(min_length=1)
    note: str = Field(min_length=1)
    url: str | None = None
    secondary: bool = False


class Figure(Cites):
    """A number the planner uses, with where it comes from: a source, or an assumption said aloud."""

    value: Any
    label: str | None = None
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Figure:
        if not self.source and not self.assumption:
            raise ValueError("needs a source or an assumption label")
        return self

    def parameter(self, pid: str, label: str | Text | None = None) -> Parameter:
        return Parameter(pid, self.value, label or self.label or pid, self.source, self.assumption)


class Rate(Figure):
    """A figure that must be a number above zero (hours per link, a monthly limit), kept as written."""

    @field_validator("value")
    @classmethod
    def _positive(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError("must be a number above 0")
        return value


class Limit(Rate):
    natural_share: float = 0.0  # the limit grows with the links the site gains naturally (mentions)
    floor_from_natural: float = 0.0  # below this many natural links a month, the floor shrinks to none


class StrategyEntry(Model):
    label: str
    aliases: tuple[str, ...] = ()
    needs_asset: bool
    hours_per_link: Rate
    monthly_limit: Limit | None = None
    suggest_for: tuple[str, ...] = ()
    pointable: bool = True

    def strategy(self, sid: str) -> Strategy:
        limit = self.monthly_limit
        return Strategy(
            sid,
            self.label,
            self.aliases,
            self.needs_asset,
            # labelled by templates (knowledge/messages.yaml), so `why` says them in the reader's language
            self.hours_per_link.parameter(
                f"hours_per_link.{sid}", text("why.parameter.hours_per_link", strategy=self.label)
            ),
            limit.parameter(f"monthly_limit.{sid}", text("why.parameter.monthly_limit", strategy=self.label))
            if limit
            else None,
            limit.natural_share if limit else 0.0,
            limit.floor_from_natural if limit else 0.0,
            self.suggest_for,
            self.pointable,
        )


class SiteKindEntry(Cites):
    label: str
    aliases: tuple[str, ...] = ()
    asset: str
    second_sources: tuple[str, ...]  # strategy ids, best first
    source: str
    assumption: str = Field(min_length=1)

    @field_validator("second_sources")
    @classmethod
    def _strategies_are_known(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for strategy in value:
            _known(strategy, info, "strategies", "strategy")
        return value


class ChecklistEntry(Cites):
    id: str
    text: str
    when: tuple[str, ...] = ("always",)
    source: str

    @field_validator("when")
    @classmethod
    def _conditions_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in CONDITIONS]
        if unknown:
            raise ValueError(f"unknown conditions {unknown}")
        return value


class QuestionEntry(Model):
    # The keys besides these are the kind's own parameters (min, max, options...), checked by the
    # kind's factory (bot/conversation/validators/).
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    label: str = Field(min_length=1, max_length=45)  # a form field's name: Discord allows 45 characters
    name: str | None = None  # how replies name it ("Noted hours a month: 43"); else the label
    prompt: str
    why: str
    example: Any  # shown as typed: "140", "example.com"
    kind: str
    optional: bool = False
    aliases: tuple[str, ...] = ()
    asked_if: str | None = None


class SectionEntry(Model):
    id: str
    title: str
    intro: str = ""
    questions: list[dict[str, Any]]  # each checked as a QuestionEntry, named by its id

    @field_validator("questions")
    @classmethod
    def _five_at_most(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 5:
            raise ValueError(f"{len(value)} questions: a section has five at most (a Discord modal holds five inputs)")
        return value


class FormFile(Model):
    sections: list[dict[str, Any]]  # each checked as a SectionEntry, named by its id
