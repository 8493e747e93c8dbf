"""Competitors' referring-domain counts as typed: `rival.com 420`, `rival.com (420)`, `420, 610`,
`rival.com=420+12` (a monthly pace); the `competitors` kind."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.conversation import prose
from bot.conversation.rendering import Reason
from bot.conversation.validators.domains import normalise_domain
from bot.conversation.validators.kind import Invalid, Kind, Result, Valid, quote
from bot.conversation.validators.numbers import (
    ZERO_WORDS,
    Units,
    folded,
    integer,
    is_vague,
    not_a_number,
    read_number,
    to_number,
)
from bot.core.domains import shown_domain

_ITEM_SEPARATORS = re.compile(r"[,;\s]+")
_NAMED_THOUSANDS = re.compile(r"=([~≈]?\d{1,3}(?:,\d{3})+)(?![\d])")
_NAMED_SPACED_THOUSANDS = re.compile(r"=([~≈]?\d{1,2}(?:[ \u00a0\u202f]\d{3})+)(?![\d]|[.,]\d)")
_PAIR = re.compile(r"\s*(?:=|:(?=\s*[~≈]?\d))\s*")
# "rival.com (420)" and "rival.com 420": a domain (it has a dot and a letter) and the count after it.
_IN_PARENS = re.compile(r"\s*\(\s*([^()]*?)\s*\)")
_SPACED_PAIR = re.compile(
    r"(?<![^\s,;])([^\s,;=]*[a-z][^\s,;=]*\.[^\s,;=]*[a-z][^\s,;=]*)\s+(?=[~≈]?\d)", re.IGNORECASE
)


def _pairs(text: str) -> list[str]:
    """Competitors as typed, one item each: `domain=count[+pace]` or a bare count.

    People write a pair as `rival.com=420`, `rival.com: 420`, `rival.com 420` or `rival.com (420)`,
    and separate pairs with commas, semicolons, spaces or new lines; all become `rival.com=420`."""
    text = _IN_PARENS.sub(r"=\1", text.strip())
    text = _PAIR.sub("=", text)
    text = _SPACED_PAIR.sub(r"\1=", text)
    text = re.sub(r"\s*\+\s*(?=\d)", "+", text)  # "420 + 12" is one item too
    # After "domain=", a comma followed by three digits is a thousands separator
    # (rival.com=1,200); between bare counts it separates competitors (420,610).
    text = _NAMED_THOUSANDS.sub(lambda m: "=" + m.group(1).replace(",", ""), text)
    # So is a space before three digits after a first group of one or two (rival.com=1 500, as
    # French writes it); "rival.com 420 610" stays two counts.
    text = _NAMED_SPACED_THOUSANDS.sub(lambda m: "=" + re.sub(r"\s", "", m.group(1)), text)
    return [i for i in _ITEM_SEPARATORS.split(text) if i]


def competitor_items(text: str) -> list[str]:
    """Competitors as typed, one item each (`rival.com=420+12`, `610`, or a bare `rival.com`)."""
    return _pairs(text)


def _is_domain(token: str) -> bool:
    return normalise_domain(token) is not None


def _is_count(token: str) -> bool:
    """ "80", "~80", "1,200", "9k", "420+12": a competitor's count as a sentence holds it."""
    return to_number(token.lstrip("~≈").partition("+")[0]) is not None


def competitors(*, max_count: int, noun: str = "competitor", example: str | None = None) -> Kind:
    """One to `max_count` referring-domain counts, each optionally `domain count`, and optionally
    `+pace`: the new referring domains that one gains a month (`rival.com 420+12`)."""
    page = noun != "competitor"  # the pages ranking for a keyword: counts, seldom named
    count_kind = integer(min=0, max=100_000_000, what=Reason("reason.what.referring_domains", page=page))
    pace_kind = integer(min=0, max=10_000_000, what=Reason("reason.what.monthly_new", page=page))
    pair = "rival.com 420" if not page else "45"
    shape = Reason("reason.competitors.shape", page=page)
    hint = Reason("reason.competitors.hint", page=page, example=example or pair)

    def figure(item: str, figures: str, kind: Kind) -> Result:
        result = kind.parse(figures)
        if isinstance(result, Invalid):
            reason = not_a_number(figures, hint).reason if read_number(figures, Units()) is None else result.reason
            if item != figures:  # one item of several: which one
                reason = Reason("reason.competitors.in_item", said=quote(item), reason=reason)
            return Invalid(reason)
        return result

    def parse(text: str) -> Result:
        if folded(text) in ZERO_WORDS or prose.says_zero(text):
            return Invalid(Reason("reason.competitors.none", page=page, example=example or pair))
        strict = _pairs(text)
        result = parse_items(strict)
        if isinstance(result, Invalid):  # written as a sentence: each domain with the count after it
            loose = prose.competitor_items(text, _is_domain, _is_count)
            named = any("=" in item for item in loose)  # a sentence naming no domain is no list of them
            if named and "=" not in text and isinstance(again := parse_items(loose), Valid):
                return Valid(again.value, loose=True)
        return result

    def parse_items(items: list[str]) -> Result:
        if not items:
            return Invalid(Reason("reason.competitors.empty", page=page, most=max_count))
        found: list[dict[str, Any]] = []
        for item in items:
            name, _, figures = item.rpartition("=")
            count_text, plus, pace_text = figures.partition("+")
            host = None
            if name:
                host = normalise_domain(name)
                if host is None:
                    return Invalid(Reason("reason.competitors.not_domain", said=quote(name), shape=shape))
            elif read_number(count_text, Units()) is None and not is_vague(count_text):
                if normalise_domain(item):
                    return Invalid(Reason("reason.competitors.no_count", said=quote(item), shape=shape))
                return Invalid(Reason("reason.competitors.neither", said=quote(item), shape=shape))
            count = figure(item, count_text, count_kind)
            if isinstance(count, Invalid):
                return count
            entry: dict[str, Any] = {"domain": host, "referring_domains": count.value}
            if plus:
                pace = figure(item, pace_text, pace_kind)
                if isinstance(pace, Invalid):
                    return pace
                entry["monthly_new"] = pace.value
            found.append(entry)
        if len(found) > max_count:
            return Invalid(Reason("reason.competitors.too_many", page=page, found=len(found), most=max_count))
        return Valid(found)

    def show(value: Sequence[Mapping[str, Any]]) -> str:
        def one(c: Mapping[str, Any]) -> str:
            count = f"{c['referring_domains']}" + (f"+{c['monthly_new']}" if c.get("monthly_new") is not None else "")
            return f"{shown_domain(c['domain'])}={count}" if c.get("domain") else count

        return ", ".join(one(c) for c in value)

    return Kind(parse, show)
