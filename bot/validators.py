"""Answer validators: pure functions from the text a user typed to a value or a reason.

Every platform runs the same validators, so a bad answer gets the same message everywhere. A
question in knowledge/questions.yaml names its validator by `kind`; `KINDS` maps those names to
factories taking the question's parameters, so an unknown kind fails when the knowledge loads.
Each kind also knows how to show a stored value back as text (for defaults and answer files).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import idna
import tldextract


@dataclass(frozen=True, slots=True)
class Valid:
    value: Any


@dataclass(frozen=True, slots=True)
class Invalid:
    reason: str


Result = Valid | Invalid
Validator = Callable[[str], Result]


@dataclass(frozen=True, slots=True)
class Kind:
    """A validator plus its inverse: `show(parse(text).value)` parses back to the same value.
    A kind picking from a list also names its options (id, label), so forms can offer a menu."""

    parse: Validator
    show: Callable[[Any], str]
    options: tuple[tuple[str, str], ...] = ()
    many: bool = False  # several options may be picked


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


# "1,200", "1 200", "1_200" and "3k"/"1.5k" are how people write counts; accept them all.
_THOUSANDS = re.compile(r"^\d{1,3}([,\s_]\d{3})+(\.\d+)?$")
_SUFFIX = re.compile(r"^(\d+(?:\.\d+)?)\s*([km])$", re.IGNORECASE)


def _to_number(text: str, *, allow_thousands: bool = True) -> float | None:
    text = text.strip().replace("\u00a0", " ")
    if allow_thousands and _THOUSANDS.match(text):
        text = re.sub(r"[,\s_]", "", text)
    if m := _SUFFIX.match(text):
        return float(m.group(1)) * (1_000 if m.group(2).lower() == "k" else 1_000_000)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _bounds_reason(value: float, low: float, high: float, what: str) -> str:
    if value < 0 <= low:
        return f"{_fmt(value)} is negative; {what} can't be below {_fmt(low)}."
    return f"{_fmt(value)} is out of range: {what} must be between {_fmt(low)} and {_fmt(high)}."


def integer(*, min: int, max: int, what: str = "the answer") -> Kind:
    def parse(text: str) -> Result:
        number = _to_number(text)
        if number is None:
            return Invalid(f"{_quote(text)} is not a number.")
        if not number.is_integer():
            return Invalid(f"{_quote(text)} is not a whole number.")
        if not min <= number <= max:
            return Invalid(_bounds_reason(number, min, max, what))
        return Valid(int(number))

    return Kind(parse, lambda value: str(value))


def number(*, min: float, max: float, what: str = "the answer") -> Kind:
    def parse(text: str) -> Result:
        value = _to_number(text)
        if value is None:
            return Invalid(f"{_quote(text)} is not a number.")
        if not min <= value <= max:
            return Invalid(_bounds_reason(value, min, max, what))
        return Valid(int(value) if value.is_integer() else round(value, 2))

    return Kind(parse, lambda value: str(value))


@cache
def _extractor() -> tldextract.TLDExtract:
    """The one Public Suffix List reader, built once. The list is the snapshot bundled with
    tldextract: never fetched at run time (no network in a chat reply) and never cached to disk
    (a read-only disk must not break it). Its private section counts: bob.github.io and
    carol.github.io are two sites of two owners, as x.blogspot.com and y.blogspot.com are."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _split(host: str) -> tldextract.tldextract.ExtractResult:
    parts = _extractor().extract_str(host)
    if parts.is_private and not parts.domain:
        # A private suffix named alone (github.io, blogspot.com) is its operator's own site.
        parts = _extractor().extract_str(host, include_psl_private_domains=False)
    return parts


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@lru_cache(maxsize=4096)  # pure, and the same few domains come back all the time
def normalise_domain(text: str) -> str | None:
    """The host of a domain or URL, lower-case, IDNA-encoded, without `www.`; None if invalid."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".").lower()
    if not host.isascii():
        try:
            # IDNA 2008 with UTS 46, as registries and browsers do (straße.de stays distinct
            # from strasse.de, which Python's built-in IDNA 2003 codec would merge).
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError:
            return None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    parts = _split(host)
    if not parts.suffix or not parts.domain:
        return None
    # www.example.com is example.com; but in www.co.uk, "www" is the site's own name.
    if parts.subdomain == "www" or parts.subdomain.startswith("www."):
        host = host.removeprefix("www.")
    return host


@lru_cache(maxsize=65_536)
def registrable_domain(text: str) -> str | None:
    """The domain a link counts for (blog.example.co.uk → example.co.uk), from a URL or a host."""
    if text.isascii() and "/" not in text and ":" not in text and " " not in text:
        # A bare host (the common case in exports): one Public Suffix lookup, no full validation.
        parts = _split(text.lower().rstrip("."))
        found = parts.top_domain_under_public_suffix
        return found if found and parts.suffix and _LABEL.match(parts.domain) else None
    host = normalise_domain(text)
    return _split(host).top_domain_under_public_suffix if host else None


def domain() -> Kind:
    def parse(text: str) -> Result:
        host = normalise_domain(text)
        if host is None:
            return Invalid(f"{_quote(text)} is not a domain. Give one like example.com or https://example.com/.")
        return Valid(host)

    return Kind(parse, lambda value: value)


_ITEM_SEPARATORS = re.compile(r"[,;\s]+")
_NAMED_THOUSANDS = re.compile(r"=(\d{1,3}(?:,\d{3})+)(?![\d])")
_PAIR = re.compile(r"\s*(?:=|:(?=\s*\d))\s*")


def competitors(*, max_count: int, noun: str = "competitor") -> Kind:
    """One to `max_count` referring-domain counts, each optionally `domain=count`, and optionally
    `+pace`: the new referring domains that one gains a month (`rival.com=420+12`)."""
    count_kind = integer(min=0, max=100_000_000, what=f"a {noun}'s referring domains")
    pace_kind = integer(min=0, max=10_000_000, what=f"a {noun}'s new referring domains a month")
    example = "rival.com=420" if noun == "competitor" else "45"

    def parse(text: str) -> Result:
        # "rival.com = 420" and "rival.com: 420" are one item, so glue them first (but not "https://").
        text = _PAIR.sub("=", text.strip())
        text = re.sub(r"\s*\+\s*(?=\d)", "+", text)  # "420 + 12" is one item too
        # After "domain=", a comma followed by three digits is a thousands separator
        # (rival.com=1,200); between bare counts it separates competitors (420,610).
        text = _NAMED_THOUSANDS.sub(lambda m: "=" + m.group(1).replace(",", ""), text)
        items = [i for i in _ITEM_SEPARATORS.split(text) if i]
        if not items:
            return Invalid(f"Give one to {max_count} {noun}s' referring-domain counts, like 420, 610.")
        if len(items) > max_count:
            return Invalid(
                f"That is {len(items)} {noun}s; give at most {max_count} (the median of the closest ones is enough)."
            )
        found: list[dict[str, Any]] = []
        for item in items:
            name, _, figures = item.rpartition("=")
            host = None
            if name:
                host = normalise_domain(name)
                if host is None:
                    return Invalid(
                        f"{_quote(name)} is not a domain; write each {noun} as domain=count, like {example}."
                    )
            count_text, plus, pace_text = figures.partition("+")
            count = count_kind.parse(count_text)
            if isinstance(count, Invalid):
                return Invalid(f"In {_quote(item)}: {count.reason}")
            entry: dict[str, Any] = {"domain": host, "referring_domains": count.value}
            if plus:
                pace = pace_kind.parse(pace_text)
                if isinstance(pace, Invalid):
                    return Invalid(f"In {_quote(item)}: {pace.reason}")
                entry["monthly_new"] = pace.value
            found.append(entry)
        return Valid(found)

    def show(value: Sequence[Mapping[str, Any]]) -> str:
        def one(c: Mapping[str, Any]) -> str:
            count = f"{c['referring_domains']}" + (f"+{c['monthly_new']}" if c.get("monthly_new") is not None else "")
            return f"{c['domain']}={count}" if c.get("domain") else count

        return ", ".join(one(c) for c in value)

    return Kind(parse, show)


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


def _menu(options: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{n} {names[0]}" for n, names in enumerate(options.values(), 1))


def _lookup(options: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup = {_key(name): option for option, names in options.items() for name in (option, *names)}
    lookup.update({str(n): option for n, option in enumerate(options, 1)})
    return lookup


def choices(
    *, options: Mapping[str, Sequence[str]], min_count: int, noun: str = "choice", nouns: str = "choices"
) -> Kind:
    """Several of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu = _lookup(options), _menu(options)

    def parse(text: str) -> Result:
        picked: list[str] = []
        for token in (t for t in re.split(r"[,;/+&]|\band\b", text) if t.strip()):
            option = lookup.get(_key(token))
            if option is None:
                return Invalid(f"{_quote(token)} is not a {noun} I know. Choose from: {menu}.")
            if option not in picked:
                picked.append(option)
        if len(picked) < min_count:
            what = f"one {noun}" if min_count == 1 else f"at least {min_count} {nouns}"
            return Invalid(f"Pick {what}. Choose from: {menu}.")
        return Valid(picked)

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: ", ".join(options[v][0] for v in value), labels, many=True)


def choice(*, options: Mapping[str, Sequence[str]], noun: str = "choice") -> Kind:
    """One of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu = _lookup(options), _menu(options)

    def parse(text: str) -> Result:
        option = lookup.get(_key(text))
        if option is None:
            return Invalid(f"{_quote(text)} is not a {noun} I know. Choose one of: {menu}.")
        return Valid(option)

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: options[value][0], labels)


# Kinds that pick from a list name the list (`options: strategies`); the knowledge passes the lists
# in, so a question can offer the strategies or the kinds of site without code knowing either.
OPTION_NOUNS = {"strategies": ("strategy", "strategies"), "site_kinds": ("kind of site", "kinds of site")}


def make_kind(name: str, params: Mapping[str, Any], option_sets: Mapping[str, Mapping[str, Sequence[str]]]) -> Kind:
    """Build the validator a question names; unknown names fail loudly at start-up."""
    if name in ("choice", "choices") and isinstance(params.get("options"), str):
        listed = params["options"]
        if listed not in option_sets:
            raise ValueError(f"unknown option list {listed!r}; known: {', '.join(option_sets)}")
        noun, nouns = OPTION_NOUNS.get(listed, ("choice", "choices"))
        rest = {k: v for k, v in params.items() if k != "options"}
        if name == "choice":
            return choice(options=option_sets[listed], noun=noun, **rest)
        return choices(options=option_sets[listed], noun=noun, nouns=nouns, **rest)
    try:
        factory = KINDS[name]
    except KeyError:
        raise ValueError(f"unknown question kind {name!r}; known: {', '.join(KINDS)}") from None
    return factory(**params)


def free_text(*, max_length: int) -> Kind:
    def parse(text: str) -> Result:
        text = text.strip()
        if len(text) > max_length:
            return Invalid(f"That is {len(text):,} characters; keep it under {max_length:,}.")
        return Valid(text)

    return Kind(parse, lambda value: value)


def file() -> Kind:
    """A file the adapter stored locally (its path): forms with a file input."""

    def parse(text: str) -> Result:
        return Valid(text.strip()) if text.strip() else Invalid("Choose a file.")

    return Kind(parse, lambda value: value)


KINDS: dict[str, Callable[..., Kind]] = {
    "integer": integer,
    "number": number,
    "domain": domain,
    "competitors": competitors,
    "text": free_text,
    "file": file,
    "choices": lambda *, options, min_count=0: choices(
        options={k: tuple(v) for k, v in options.items()}, min_count=min_count
    ),
    "choice": lambda *, options: choice(options={k: tuple(v) for k, v in options.items()}),
}
