"""Numbers as people type them: "1,200", "3k", "about 40", "4 a month", "10h/week", "2 years",
"none" and "not sure"; the `integer` and `number` kinds built on them."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.conversation import prose
from bot.conversation.rendering import Reason
from bot.conversation.validators.kind import Invalid, Kind, Result, Valid, quote

# "1,200", "1 200", "1_200" and "3k"/"1.5k" are how people write counts; accept them all.
_THOUSANDS = re.compile(r"^\d{1,3}([,\s_]\d{3})+(\.\d+)?$")
# German and Spanish group thousands with dots and write a decimal comma: "1.200", "12.000",
# "1.234.567", "1.234,5"; French with spaces: "1 234,5". (No leading zero: "0.250" is a quarter.)
_DOT_THOUSANDS = re.compile(r"^[1-9]\d{0,2}([.\s_]\d{3})+(,\d+)?$")
# A comma before one or two digits is a decimal one ("1,5 Stunden"): never a thousands separator.
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")
_SUFFIX = re.compile(r"^(\d+(?:\.\d+|,\d{1,2})?)\s*([km])$", re.IGNORECASE)


def to_number(text: str, *, allow_thousands: bool = True, whole: bool = False) -> float | None:
    """A number as typed. `whole`: the answer is a count, so one dot before three digits groups
    thousands ("12.000" is twelve thousand domains, as a German writes it, never twelve); for a
    figure that may have decimals ("1.500" hours) the dot stays a decimal point, as in English."""
    text = text.strip().replace("\u00a0", " ")
    if allow_thousands and _THOUSANDS.match(text):
        text = re.sub(r"[,\s_]", "", text)
    elif allow_thousands and (m := _DOT_THOUSANDS.match(text)) and (whole or m.group(2) or text.count(".") > 1):
        text = re.sub(r"[.\s_]", "", text).replace(",", ".")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if m := _SUFFIX.match(text):
        return float(m.group(1).replace(",", ".")) * (1_000 if m.group(2).lower() == "k" else 1_000_000)
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


def folded(text: str) -> str:
    """Lower case, one space between words, typographic apostrophes made plain, end punctuation dropped."""
    text = " ".join(text.replace("\u00a0", " ").replace("’", "'").split()).lower()
    return text.rstrip(".!") if text not in ("n.a.",) else text


def means_skip(text: str) -> bool:
    """`n/a`, `don't know`, `-`, `?`, "no idea honestly", "keine Ahnung": no answer (a skip where the
    question is optional)."""
    return folded(text) in SKIP_WORDS or prose.says_unknown(text)


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
    # The same in the other languages the bot speaks (German, French, Spanish).
    "tag": "day", "tage": "day", "tagen": "day", "täglich": "day", "jour": "day", "jours": "day",
    "quotidien": "day", "día": "day", "días": "day", "dia": "day", "dias": "day", "diario": "day",
    "woche": "week", "wochen": "week", "wöchentlich": "week", "semaine": "week", "semaines": "week",
    "hebdomadaire": "week", "semana": "week", "semanas": "week", "semanal": "week",
    "monat": "month", "monate": "month", "monaten": "month", "monats": "month", "monatlich": "month", "mois": "month",
    "mensuel": "month", "mensuelle": "month", "mes": "month", "meses": "month", "mensual": "month",
    "jahr": "year", "jahre": "year", "jahren": "year", "jahres": "year", "jährlich": "year", "an": "year",
    "ans": "year", "année": "year", "années": "year", "annee": "year", "annees": "year", "annuel": "year",
    "año": "year", "años": "year",
    "ano": "year", "anos": "year", "anual": "year",
}  # fmt: skip
_EVERY = r"(?:/|(?:per|an?|each|every|in an?|pro|im|je|par|chaque|por|al|a la|cada|en el|en la)\b)"
_RATE = re.compile(
    rf"^(.*?)\s*(?:{_EVERY}\s*([^\W\d_]+)|\b(daily|weekly|monthly|yearly|annually|täglich|wöchentlich|monatlich|"
    r"jährlich|mensuel|mensuelle|hebdomadaire|mensual|semanal|anual))$"
)
_HOURS = re.compile(r"^(.*?\d)\s*(?:h|hr|hrs|hour|hours|std|stunde|stunden|heure|heures|hora|horas)$")
# Minutes where hours are asked ("90 min per week" was read as 90 hours): a sixtieth of an hour.
# ("min" after a figure is a minimum elsewhere, so where hours are asked it is named first.)
_MINUTE_WORDS = re.compile(r"(\d)\s*(?:min|mins|minute|minutes|minuten|minuto|minutos)\b")
_MINUTES = re.compile(r"^(.*?\d) minutes$")
# A duration: "2 years", "18 months", "2y 3m", "a year and a half" is too much; "1.5 years" is fine.
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|an?)\s*([^\W\d_]+)")
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
    whole: bool = False  # a count: "12.000" groups thousands (to_number)


@dataclass(frozen=True, slots=True)
class Reading:
    value: float
    converted: bool = False  # from another unit or a range: round it, don't call it "not whole"
    loose: bool = False  # found in a sentence


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    for pattern in _word_patterns(words):
        text = pattern.sub("", text)
    return text


@functools.cache
def _word_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """A question's words as patterns, built once (every number in every form is read through
    them: a fifth of reading a plan form went on building them again)."""
    longest_first = sorted(words, key=len, reverse=True)  # "moz da" before "da"
    escaped = (re.escape(word.lower()) for word in longest_first)
    return tuple(re.compile(rf"^{w}(?![a-z])\s*[:=]?\s*|\s*(?<![a-z]){w}$") for w in escaped)


def _strip_filler(text: str) -> str:
    while True:
        stripped = _FILLER_AFTER.sub("", _FILLER_BEFORE.sub("", text)).strip()
        if stripped == text:
            return text
        text = stripped


def _duration(text: str) -> Reading | None:
    """ "2 years", "18 months", "2y 3m", "2 years and 3 months", "a year" → months."""
    text = re.sub(r"(\d),(\d{1,2})\b", r"\1.\2", text)  # "2,5 Jahre": a decimal comma
    text = re.sub(r"\b(?:and|und|et|y)\b|,", " ", text)
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
    number = to_number(text, whole=units.whole)
    if number is not None:
        return Reading(number)
    if units.scale and (m := _FRACTION.match(text)):
        top, bottom = to_number(m.group(1)), to_number(m.group(2))
        if top is not None and bottom:
            return Reading(top * units.scale / bottom, converted=bottom != units.scale)
    if m := _RANGE.match(text):
        low, high = to_number(m.group(1), whole=units.whole), to_number(m.group(2), whole=units.whole)
        if low is not None and high is not None and 0 <= low <= high:
            return Reading((low + high) / 2, converted=True)
    return None


def read_number(text: str, units: Units) -> Reading | None:
    """The number in what someone typed, in the question's units; None if there is none."""
    said = folded(text)
    if said in ZERO_WORDS:
        return Reading(0.0)
    if units.unit == "hours":
        said = _MINUTE_WORDS.sub(r"\1 minutes", said)
    said = _strip_filler(_strip_words(_strip_filler(said), units.words))
    factor = 1.0
    if units.per and (m := _RATE.match(said)):
        period = _PERIOD_NAMES.get(m.group(2) or m.group(3))
        if period is not None and m.group(1):
            said = _strip_filler(_strip_words(m.group(1), units.words))  # "4 posts a month"
            factor = _PERIODS[units.per] / _PERIODS[period]
    if units.unit == "hours" and (m := _HOURS.match(said)):
        said = m.group(1)
    elif units.unit == "hours" and (m := _MINUTES.match(said)):
        said, factor = m.group(1), factor / 60
    reading = _plain(said, units)
    if reading is None and units.unit == "months":
        reading = _duration(said)
    if reading is None:
        return None
    return Reading(reading.value * factor, reading.converted or factor != 1.0)


def is_vague(text: str) -> bool:
    """`lots`, `a few`, `lots of links`: an amount, but none to plan on."""
    said = folded(text)
    return any(said == vague or said.startswith(vague + " ") for vague in VAGUE_WORDS)


def _rounded(value: float, *, whole: bool) -> float:
    """A converted figure as people say it: whole numbers for counts and from ten up, else tenths."""
    if whole or abs(value) >= 10:
        return float(math.floor(value + 0.5))
    return round(value, 1)


def _bounds_reason(value: float, low: float, high: float, what: str | Reason) -> Reason:
    if value < 0 <= low:
        return Reason("reason.number.negative", value=value, what=what, low=low)
    return Reason("reason.number.out_of_range", value=value, what=what, low=low, high=high)


def _number_hint(units: Units, example: str | None, low: float, high: float) -> Reason | str:
    """An answer that works, in the question's own units: what follows a refusal ("": none)."""
    if example is None:
        return ""
    if units.unit == "months":
        return Reason("reason.hint.months", example=example)
    if units.per:  # (a month's, as every rate a question asks for is)
        return Reason("reason.hint.rate", example=example, hours=units.unit == "hours")
    if units.scale:
        return Reason("reason.hint.scale", example=example, low=low, high=high)
    return Reason("reason.hint.number", example=example)


def not_a_number(text: str, hint: Reason | str) -> Invalid:
    if is_vague(text):
        return Invalid(Reason("reason.number.vague", said=quote(text), hint=hint))
    return Invalid(Reason("reason.number.not_a_number", said=quote(text), hint=hint))


# A figure that is a time ("in 2 years", "6 months", "2 a month"): a period's name right after it.
_A_TIME = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:(?:a|an|per|/|pro|im|par|por|al)\s*)?("
    + "|".join(sorted((re.escape(n) for n in _PERIOD_NAMES if len(n) > 1), key=len, reverse=True))
    + r")\b"
)


def _a_time(text: str, value: float) -> bool:
    """Whether `value`, found in `text`, is a time or a rate ("in 2 years" read as 2)."""
    return any(to_number(m.group(1)) == value for m in _A_TIME.finditer(prose.spelled_out(folded(text))))


def _in_words(
    text: str, read: Callable[[str], Reading | None], units: Units, hint: Reason | str
) -> Reading | Invalid | None:
    """The figure inside a sentence ("dunno, maybe 12?", "2 or 3 a month", "none really"), when
    the answer is not a bare figure; a question back when it holds two that differ."""
    if prose.says_zero(text):
        return Reading(0.0, loose=True)
    found = prose.the_figure(text, read)
    timeless = units.unit != "months" and not units.per  # a figure that is a time answers another question
    counts = {f.value: f for f in found if not _a_time(text, f.value)} if isinstance(found, list) and timeless else {}
    if len(counts) == 1:  # "25 over the last 12 months": the 25
        found = next(iter(counts.values()))
    if isinstance(found, list):
        figures = [int(v) if float(v).is_integer() else v for v in dict.fromkeys(f.value for f in found)]
        return Invalid(Reason("reason.number.which", figures=figures, said=quote(text)))
    if found is None:
        return None
    if timeless and _a_time(text, found.value):  # "in 2 years" for a percentage, "6 months" for a count
        return Invalid(Reason("reason.number.a_time", said=quote(text), hint=hint))
    return Reading(found.value, converted=found.converted, loose=True)


def _figure(text: str, read: Callable[[str], Reading | None], units: Units, hint: Reason | str) -> Reading | Invalid:
    """The figure typed: bare, else found in a sentence; else why there is none."""
    reading = read(text) or _in_words(text, read, units, hint)
    return not_a_number(text, hint) if reading is None else reading


def _reader(units: Units, levels: Sequence[str], low: int) -> Callable[[str], Reading | None]:
    """Numbers as people type them; on a scale with named levels ("solid"), the level's name too."""
    named = {folded(level.split(":")[0]): n for n, level in enumerate(levels, low)}

    def read(text: str) -> Reading | None:
        level = named.get(folded(text))
        return Reading(float(level)) if level is not None else read_number(text, units)

    return read


def integer(
    *,
    min: int,
    max: int,
    what: str | Reason | None = None,
    example: str | None = None,
    words: Sequence[str] = (),
    unit: str | None = None,
    per: str | None = None,
    scale: int | None = None,
    levels: Sequence[str] = (),
) -> Kind:
    """A whole number. `levels` describe each step of a short scale (from `min`), shown with the question."""
    units = Units(tuple(words), unit, per, scale, whole=True)
    hint = _number_hint(units, example, min, max)
    read = _reader(units, levels, min)
    what = what or Reason("reason.what.answer")

    def parse(text: str) -> Result:
        reading = _figure(text, read, units, hint)
        if isinstance(reading, Invalid):
            return reading
        number = _rounded(reading.value, whole=True) if reading.converted else reading.value
        if not number.is_integer():
            return Invalid(Reason("reason.number.not_whole", said=quote(text), hint=hint))
        if units.unit == "months" and number > max and _A_YEAR[0] <= number <= _A_YEAR[1] and not reading.converted:
            # "since 2019", "2019": the year it started, not its age in months.
            return Invalid(Reason("reason.number.a_year", year=str(int(number)), what=what, hint=hint))
        if not min <= number <= max:
            return Invalid(_bounds_reason(number, min, max, what))
        return Valid(int(number), loose=reading.loose)

    return Kind(parse, lambda value: str(value), scale=tuple(levels))


_A_YEAR = (1990, 2100)  # a four-digit figure given for a duration in months: a year (the web is younger)


def number(
    *,
    min: float,
    max: float,
    what: str | Reason | None = None,
    example: str | None = None,
    words: Sequence[str] = (),
    unit: str | None = None,
    per: str | None = None,
) -> Kind:
    units = Units(tuple(words), unit, per)
    hint = _number_hint(units, example, min, max)
    what = what or Reason("reason.what.answer")

    def read(text: str) -> Reading | None:
        return read_number(text, units)

    def parse(text: str) -> Result:
        reading = _figure(text, read, units, hint)
        if isinstance(reading, Invalid):
            return reading
        value = _rounded(reading.value, whole=False) if reading.converted else reading.value
        if not min <= value <= max:
            return Invalid(_bounds_reason(value, min, max, what))
        return Valid(int(value) if value.is_integer() else round(value, 2), loose=reading.loose)

    return Kind(parse, lambda value: str(value))
