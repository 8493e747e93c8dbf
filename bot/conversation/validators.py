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
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import idna
import tldextract

from bot.conversation import prose


@dataclass(frozen=True, slots=True)
class Valid:
    value: Any
    # Read out of a sentence (bot/conversation/prose.py), not typed as the bare answer: worth
    # saying back how it was read. Two readings of the same value are equal all the same.
    loose: bool = field(default=False, compare=False)


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
    scale: tuple[str, ...] = ()  # what each step of a short scale means, shown with the question


def _quote(text: str, limit: int = 40) -> str:
    """What was typed, as a reason quotes it: shortened, and with invisible characters named — a
    right-to-left override (U+202E) would otherwise turn the rest of the message around, and a
    zero-width space would hide why an answer that looks right is refused."""
    text = " ".join(text.split())
    text = text[:limit] + "…" if len(text) > limit else text
    if not text.isprintable():  # format and control characters (and unassigned ones): by code point
        text = "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in text)
    return f"“{text}”"


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


# --- reading numbers as people type them --------------------------------------------------------

# Said instead of a number: the figure is zero, too vague to plan on, or not known.
ZERO_WORDS = frozenset({"none", "no", "zero", "nothing", "nil", "nada", "not yet", "not any", "no one", "nope"})
VAGUE_WORDS = frozenset(
    {
        "lots", "a lot", "lots of them", "many", "a few", "few", "some", "several", "plenty", "loads", "tons",
        "a ton", "heaps", "a bunch", "a couple", "not many", "quite a few", "a handful", "handful", "dozens",
        "hundreds", "thousands", "a little", "little", "a bit", "enough", "more", "most", "all",
    }
)  # fmt: skip
SKIP_WORDS = frozenset(
    {
        "n/a", "na", "n.a.", "n.a", "don't know", "dont know", "do not know", "not sure", "unsure", "skip",
        "-", "--", "?", "??", "???", "idk", "unknown", "no idea", "dunno", "pass", "not known",
    }
)  # fmt: skip


def _words(text: str) -> str:
    """Lower case, one space between words, typographic apostrophes made plain, end punctuation dropped."""
    text = " ".join(text.replace("\u00a0", " ").replace("’", "'").split()).lower()
    return text.rstrip(".!") if text not in ("n.a.",) else text


def means_skip(text: str) -> bool:
    """`n/a`, `don't know`, `-`, `?`: no answer (a skip where the question is optional)."""
    return _words(text) in SKIP_WORDS


# "about 40", "~40", "40ish", "40+": the number is what counts.
_FILLER_BEFORE = re.compile(
    r"^(?:about|around|approx\.?|approximately|roughly|circa|ca\.|c\.|maybe|probably|perhaps|nearly|almost|"
    r"just (?:over|under)|over|under|more than|less than|at least|at most|up to|some|~|≈|±)\s*"
)
_FILLER_AFTER = re.compile(r"\s*(?:\+|-?ish|or so|or more|or less|give or take|max|min)$")

# A rate: "4 a month", "4/mo", "10h/week", "2 weekly" — how many months one of its periods is.
_PERIODS = {"day": 12 / 365.25, "week": 12 / 52, "month": 1.0, "year": 12.0}
_PERIOD_NAMES = {
    "d": "day", "day": "day", "days": "day", "daily": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week", "weekly": "week",
    "m": "month", "mo": "month", "mos": "month", "mth": "month",
    "month": "month", "months": "month", "monthly": "month",
    "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year", "yearly": "year", "annually": "year",
}  # fmt: skip
_RATE = re.compile(
    r"^(.*?)\s*(?:(?:/|per\b|an?\b|each\b|every\b|in an?\b)\s*([a-z]+)|\b(daily|weekly|monthly|yearly|annually))$"
)
_HOURS = re.compile(r"^(.*?\d)\s*(?:h|hr|hrs|hour|hours)$")
# A duration: "2 years", "18 months", "2y 3m", "a year and a half" is too much; "1.5 years" is fine.
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|an?)\s*([a-z]+)")
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|to)\s*(.+)$")
_FRACTION = re.compile(r"^(.+?)\s*(?:/|out of|of)\s*(.+)$")


@dataclass(frozen=True, slots=True)
class Units:
    """How a question's figure may be written, besides a bare number.

    `words` name the figure ("DR 35", "140 domains"); `unit` is "months" for durations (years and
    weeks are converted) or "hours"; `per` is "month" for rates (a week's or a year's are
    converted); `scale` is the top of a rating ("4/5", "4 out of 5")."""

    words: tuple[str, ...] = ()
    unit: str | None = None
    per: str | None = None
    scale: int | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    value: float
    converted: bool = False  # from another unit or a range: round it, don't call it "not whole"
    loose: bool = False  # found in a sentence


def _strip_words(text: str, words: Sequence[str]) -> str:
    for word in sorted(words, key=len, reverse=True):  # "moz da" before "da"
        w = re.escape(word.lower())
        text = re.sub(rf"^{w}(?![a-z])\s*[:=]?\s*|\s*(?<![a-z]){w}$", "", text)
    return text


def _strip_filler(text: str) -> str:
    while True:
        stripped = _FILLER_AFTER.sub("", _FILLER_BEFORE.sub("", text)).strip()
        if stripped == text:
            return text
        text = stripped


def _duration(text: str) -> Reading | None:
    """ "2 years", "18 months", "2y 3m", "2 years and 3 months", "a year" → months."""
    text = re.sub(r"\band\b|,", " ", text)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    months = 0.0
    for amount, name in parts:
        period = _PERIOD_NAMES.get(name)
        if period is None:
            return None
        months += (1.0 if amount in ("a", "an") else float(amount)) * _PERIODS[period]
    return Reading(months, converted=len(parts) > 1 or _PERIOD_NAMES[parts[0][1]] != "month")


def _plain(text: str, units: Units) -> Reading | None:
    """A number, a range ("40-50": its middle) or, on a rating scale, a fraction ("4/5")."""
    number = _to_number(text)
    if number is not None:
        return Reading(number)
    if units.scale and (m := _FRACTION.match(text)):
        top, bottom = _to_number(m.group(1)), _to_number(m.group(2))
        if top is not None and bottom:
            return Reading(top * units.scale / bottom, converted=bottom != units.scale)
    if m := _RANGE.match(text):
        low, high = _to_number(m.group(1)), _to_number(m.group(2))
        if low is not None and high is not None and 0 <= low <= high:
            return Reading((low + high) / 2, converted=True)
    return None


def read_number(text: str, units: Units) -> Reading | None:
    """The number in what someone typed, in the question's units; None if there is none."""
    said = _words(text)
    if said in ZERO_WORDS:
        return Reading(0.0)
    said = _strip_filler(_strip_words(_strip_filler(said), units.words))
    factor = 1.0
    if units.per and (m := _RATE.match(said)):
        period = _PERIOD_NAMES.get(m.group(2) or m.group(3))
        if period is not None and m.group(1):
            said = _strip_filler(_strip_words(m.group(1), units.words))  # "4 posts a month"
            factor = _PERIODS[units.per] / _PERIODS[period]
    if units.unit == "hours" and (m := _HOURS.match(said)):
        said = m.group(1)
    reading = _plain(said, units)
    if reading is None and units.unit == "months":
        reading = _duration(said)
    if reading is None:
        return None
    return Reading(reading.value * factor, reading.converted or factor != 1.0)


def is_vague(text: str) -> bool:
    """`lots`, `a few`, `lots of links`: an amount, but none to plan on."""
    said = _words(text)
    return any(said == vague or said.startswith(vague + " ") for vague in VAGUE_WORDS)


def _rounded(value: float, *, whole: bool) -> float:
    """A converted figure as people say it: whole numbers for counts and from ten up, else tenths."""
    if whole or abs(value) >= 10:
        return float(math.floor(value + 0.5))
    return round(value, 1)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _bounds_reason(value: float, low: float, high: float, what: str) -> str:
    if value < 0 <= low:
        return f"{_fmt(value)} is negative; {what} can't be below {_fmt(low)}."
    return f"{_fmt(value)} is out of range: {what} must be between {_fmt(low)} and {_fmt(high)}."


def _number_hint(units: Units, example: str | None, low: float, high: float) -> str:
    """An answer that works, in the question's own units: what follows a refusal."""
    if example is None:
        return ""
    if units.unit == "months":
        return f" Give a number of months, e.g. {example}, or years, e.g. 2 years."
    if units.per:
        weekly = "5h/week" if units.unit == "hours" else "2 a week"
        return f" Give a number a {units.per}, e.g. {example}, or a week, e.g. {weekly}."
    if units.scale:
        return f" Give a number from {_fmt(low)} to {_fmt(high)}, e.g. {example}."
    return f" Give a number, e.g. {example}."


def _not_a_number(text: str, hint: str) -> Invalid:
    if is_vague(text):
        return Invalid(f"{_quote(text)} is too vague to plan on; a rough figure is fine.{hint}")
    return Invalid(f"{_quote(text)} is not a number.{hint}")


def _in_words(text: str, read: Callable[[str], Reading | None]) -> Reading | Invalid | None:
    """The figure inside a sentence ("dunno, maybe 12?", "2 or 3 a month", "none really"), when
    the answer is not a bare figure; a question back when it holds two that differ."""
    if prose.says_zero(text):
        return Reading(0.0, loose=True)
    found = prose.the_figure(text, read)
    if isinstance(found, list):
        named = prose.names(dict.fromkeys(f.value for f in found), _fmt)
        return Invalid(f"I found {named} in {_quote(text)}; which one is it? Give just that figure.")
    return None if found is None else Reading(found.value, converted=found.converted, loose=True)


def _reader(units: Units, levels: Sequence[str], low: int) -> Callable[[str], Reading | None]:
    """Numbers as people type them; on a scale with named levels ("solid"), the level's name too."""
    named = {_words(level.split(":")[0]): n for n, level in enumerate(levels, low)}

    def read(text: str) -> Reading | None:
        level = named.get(_words(text))
        return Reading(float(level)) if level is not None else read_number(text, units)

    return read


def integer(
    *,
    min: int,
    max: int,
    what: str = "the answer",
    example: str | None = None,
    words: Sequence[str] = (),
    unit: str | None = None,
    per: str | None = None,
    scale: int | None = None,
    levels: Sequence[str] = (),
) -> Kind:
    """A whole number. `levels` describe each step of a short scale (from `min`), shown with the question."""
    units = Units(tuple(words), unit, per, scale)
    hint = _number_hint(units, example, min, max)
    read = _reader(units, levels, min)

    def parse(text: str) -> Result:
        reading = read(text) or _in_words(text, read)
        if isinstance(reading, Invalid):
            return reading
        if reading is None:
            return _not_a_number(text, hint)
        number = _rounded(reading.value, whole=True) if reading.converted else reading.value
        if not number.is_integer():
            return Invalid(f"{_quote(text)} is not a whole number.{hint}")
        if not min <= number <= max:
            return Invalid(_bounds_reason(number, min, max, what))
        return Valid(int(number), loose=reading.loose)

    return Kind(parse, lambda value: str(value), scale=tuple(levels))


def number(
    *,
    min: float,
    max: float,
    what: str = "the answer",
    example: str | None = None,
    words: Sequence[str] = (),
    unit: str | None = None,
    per: str | None = None,
) -> Kind:
    units = Units(tuple(words), unit, per)
    hint = _number_hint(units, example, min, max)

    def read(text: str) -> Reading | None:
        return read_number(text, units)

    def parse(text: str) -> Result:
        reading = read(text) or _in_words(text, read)
        if isinstance(reading, Invalid):
            return reading
        if reading is None:
            return _not_a_number(text, hint)
        value = _rounded(reading.value, whole=False) if reading.converted else reading.value
        if not min <= value <= max:
            return Invalid(_bounds_reason(value, min, max, what))
        return Valid(int(value) if value.is_integer() else round(value, 2), loose=reading.loose)

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
_NAMED_THOUSANDS = re.compile(r"=([~≈]?\d{1,3}(?:,\d{3})+)(?![\d])")
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
    return [i for i in _ITEM_SEPARATORS.split(text) if i]


def competitor_items(text: str) -> list[str]:
    """Competitors as typed, one item each (`rival.com=420+12`, `610`, or a bare `rival.com`)."""
    return _pairs(text)


def _is_domain(token: str) -> bool:
    return normalise_domain(token) is not None


def _is_count(token: str) -> bool:
    """ "80", "~80", "1,200", "9k", "420+12": a competitor's count as a sentence holds it."""
    return _to_number(token.lstrip("~≈").partition("+")[0]) is not None


def competitors(*, max_count: int, noun: str = "competitor", example: str | None = None) -> Kind:
    """One to `max_count` referring-domain counts, each optionally `domain count`, and optionally
    `+pace`: the new referring domains that one gains a month (`rival.com 420+12`)."""
    count_kind = integer(min=0, max=100_000_000, what=f"a {noun}'s referring domains")
    pace_kind = integer(min=0, max=10_000_000, what=f"a {noun}'s new referring domains a month")
    pair = "rival.com 420" if noun == "competitor" else "45"
    shape = f"write each {noun} as domain count, like {pair}"
    hint = f" Give a count for each {noun}, e.g. {example or pair}."

    def figure(item: str, figures: str, kind: Kind) -> Result:
        result = kind.parse(figures)
        if isinstance(result, Invalid):
            reason = _not_a_number(figures, hint).reason if read_number(figures, Units()) is None else result.reason
            return Invalid(reason if item == figures else f"In {_quote(item)}: {reason}")
        return result

    def parse(text: str) -> Result:
        if _words(text) in ZERO_WORDS:
            return Invalid(f"Give at least one {noun}'s referring domains, like {example or pair}.")
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
            return Invalid(f"Give one to {max_count} {noun}s' referring-domain counts, like 420, 610.")
        found: list[dict[str, Any]] = []
        for item in items:
            name, _, figures = item.rpartition("=")
            count_text, plus, pace_text = figures.partition("+")
            host = None
            if name:
                host = normalise_domain(name)
                if host is None:
                    return Invalid(f"{_quote(name)} is not a domain; {shape}.")
            elif read_number(count_text, Units()) is None and not is_vague(count_text):
                if normalise_domain(item):
                    return Invalid(f"{_quote(item)} has no count; {shape}.")
                return Invalid(f"{_quote(item)} is neither a domain nor a count; {shape}.")
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
            return Invalid(
                f"That is {len(found)} {noun}s; give at most {max_count} (the median of the closest ones is enough)."
            )
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


def _read_options(words: Sequence[str], lookup: Mapping[str, str]) -> tuple[list[str], str]:
    """Options named in a run of words, longest name first: "1 3 5", "guest posting outreach".
    Returns them and the words from the first one that names nothing ("" if none)."""
    found: list[str] = []
    at = 0
    while at < len(words):
        end = next((e for e in range(len(words), at, -1) if _key(" ".join(words[at:e])) in lookup), None)
        if end is None:
            return found, " ".join(words[at:])
        found.append(lookup[_key(" ".join(words[at:end]))])
        at = end
    return found, ""


def choices(
    *, options: Mapping[str, Sequence[str]], min_count: int, noun: str = "choice", nouns: str = "choices"
) -> Kind:
    """Several of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu = _lookup(options), _menu(options)

    def parse(text: str) -> Result:
        picked: list[str] = []
        loose = False
        for chunk in (t for t in re.split(r"[,;/+&]|\band\b", text) if t.strip()):
            options, unknown = _read_options(chunk.split(), lookup)
            if unknown and any(c.isdigit() for c in unknown):  # a number off the list: "11", "1.5"
                return Invalid(f"{_quote(unknown)} is not a {noun} I know. Choose from: {menu}.")
            if unknown:  # "maybe some PR": the options a sentence names, its filler words aside
                options, unnamed = prose.options_in(chunk, lookup)  # none: it only left some out ("no PR")
                if unnamed:
                    return Invalid(f"{_quote(' '.join(unnamed))} is not a {noun} I know. Choose from: {menu}.")
                loose = True
            picked += [option for option in options if option not in picked]
        if len(picked) < min_count:
            what = f"one {noun}" if min_count == 1 else f"at least {min_count} {nouns}"
            return Invalid(f"Pick {what}. Choose from: {menu}.")
        return Valid(picked, loose=loose)

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: ", ".join(options[v][0] for v in value), labels, many=True)


def choice(*, options: Mapping[str, Sequence[str]], noun: str = "choice") -> Kind:
    """One of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu = _lookup(options), _menu(options)

    def parse(text: str) -> Result:
        option = lookup.get(_key(text))
        if option is not None:
            return Valid(option)
        named, _ = prose.options_in(text, lookup)  # "it's a local bakery", the other words aside
        if len(named) == 1:
            return Valid(named[0], loose=True)
        if named:
            either = prose.names([options[o][0] for o in named], str)
            return Invalid(f"{_quote(text)} could be {either.replace(' and ', ' or ')}; which one?")
        return Invalid(f"{_quote(text)} is not a {noun} I know. Choose one of: {menu}.")

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: options[value][0], labels)


# Kinds that pick from a list name the list (`options: strategies`); the knowledge passes the lists
# in, so a question can offer the strategies or the kinds of site without code knowing either.
OPTION_NOUNS = {"strategies": ("strategy", "strategies"), "site_kinds": ("kind of site", "kinds of site")}


def make_kind(
    name: str,
    params: Mapping[str, Any],
    option_sets: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    example: str | None = None,
    what: str | None = None,
) -> Kind:
    """Build the validator a question names; unknown names fail loudly at start-up.
    A figure's kind is told the question's example and name, so a refusal can show what works."""
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
    extra: dict[str, Any] = {}
    if name in _FIGURES:
        extra = {"example": example} | ({"what": what} if what and name != "competitors" else {})
    return factory(**params, **extra)


_FIGURES = {"integer", "number", "competitors"}  # the kinds whose refusals give an example


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


def secret(*, max_length: int) -> Kind:
    """A key or password: one word, never quoted back in a refusal and never shown again (a form
    never pre-fills it; shown, it is its last 4 characters)."""

    def parse(text: str) -> Result:
        text = text.strip()
        if not text:
            return Invalid("Paste the key.")
        if len(text) > max_length:
            return Invalid(f"That is {len(text):,} characters; a key is at most {max_length:,}.")
        if any(c.isspace() for c in text):
            return Invalid("A key has no spaces or line breaks in it; paste it again.")
        return Valid(text)

    return Kind(parse, lambda value: f"…{value[-4:]}")


KINDS: dict[str, Callable[..., Kind]] = {
    "integer": integer,
    "number": number,
    "domain": domain,
    "competitors": competitors,
    "text": free_text,
    "file": file,
    "secret": secret,
    "choices": lambda *, options, min_count=0: choices(
        options={k: tuple(v) for k, v in options.items()}, min_count=min_count
    ),
    "choice": lambda *, options: choice(options={k: tuple(v) for k, v in options.items()}),
}
