"""Answers written as sentences: the figure, the choice or the competitors inside them.

The validators read an answer strictly first ("12", "2-3 a month", "rival.com 420"). When that
fails, these pure functions look inside a sentence the way a person would: "dunno, maybe 12?" is 12
(an estimate), "2 or 3 a month" is the middle of the two, "one a week" is 1 a week, "none really" is
0, "it's a local bakery" names a kind of site, "crumbandcrust.co.uk has about 80, ..." pairs each
domain with the number after it. Numbers written as words are turned into digits by text2num's
`alpha2digit` (English, German, French and Spanish here), not by a hand-made list.

Nothing here refuses: each function returns what it found (possibly nothing, possibly several
things), and the validator decides whether that is an answer, a question back, or a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from text_to_num import alpha2digit

from bot.conversation import amounts

# The languages whose number words are read; English first (every answer may be in English).
LANGUAGES = ("en", "de", "fr", "es")

# Words that make a figure an estimate. What they hedge is still the figure.
_HEDGES = re.compile(
    r"\b(?:dunno|don'?t know|not sure|no idea|i guess|i think|i'?d say|i reckon|i believe|probably|maybe|perhaps|"
    r"about|around|roughly|approximately|approx|like|ish|or so|give or take|something like|more or less|"
    r"vielleicht|ungefähr|etwa|circa|rund|peut-être|environ|à peu près|quizás|quizá|tal vez|unos|unas|"
    r"aproximadamente|alrededor de)\b|~|≈|\?",
    re.IGNORECASE,
)

# "nothing really", "no, none", "keine": zero, said in a sentence.
_ZERO_WORD = (
    r"(?:no|nope|none|nothing|zero|nil|nada|not (?:yet|any|one|really)|no one|"
    r"keine?|keins|nichts|null|aucun|aucune|rien|zéro|ninguno|ninguna|cero)"
)
_ZERO_FILLER = (
    r"(?:really|at all|yet|so far|as yet|honestly|to be honest|sadly|i'?m afraid|"
    r"wirklich|bisher|noch|vraiment|pour l'instant|encore|realmente|todavía|aún)"
)
_ZERO = re.compile(rf"^{_ZERO_WORD}(?:[\s,.!]+(?:{_ZERO_WORD}|{_ZERO_FILLER}))*[\s.!]*$", re.IGNORECASE)

# "no idea honestly", "I don't know, sorry", "keine Ahnung", "je ne sais pas": no answer, in a sentence.
_UNKNOWN_WORD = (
    r"(?:(?:i\s+)?(?:don'?t|do not|really don'?t) know|dunno|idk|(?:i\s+)?(?:have\s+)?no idea|not sure|unsure|"
    r"no clue|not a clue|(?:i'?m\s+)?not certain|"
    r"(?:ich\s+)?wei(?:ß|ss) (?:es\s+)?nicht|keine ahnung|"
    r"(?:je\s+)?(?:ne\s+)?sais pas|aucune idée|pas sûr|"
    r"no (?:lo\s+)?sé|ni idea|no tengo (?:ni\s+)?idea|no estoy segur[oa])"
)
_UNKNOWN_FILLER = (
    rf"(?:{_ZERO_FILLER}|sorry|tbh|honestly|to be honest|ehrlich gesagt|leider|désolé|franchement|"
    r"la verdad|lo siento|perdón)"
)
_UNKNOWN = re.compile(
    rf"^(?:{_UNKNOWN_FILLER}[\s,.!]+)*{_UNKNOWN_WORD}(?:[\s,.!?]+(?:{_UNKNOWN_WORD}|{_UNKNOWN_FILLER}))*[\s.!?]*$",
    re.IGNORECASE,
)

# "2 or 3", "2 oder 3", "2 ou 3", "2 o 3": one figure, the middle of the two.
_EITHER = re.compile(
    r"(\d+(?:[.,]\d+)*),?\s+(?:or|oder|ou|o|u)\s+(?:(?:maybe|perhaps|vielleicht|peut-être|quizás|quizá)\s+)?"
    r"(\d+(?:[.,]\d+)*)",
    re.IGNORECASE,
)

# What may stand around a word-number without being one ("the big one" is not a figure).
_NOT_A_FIGURE = re.compile(r"\b(?:the|this|that|a|which|big|small|other|last|first)\s+1\b", re.IGNORECASE)

# Before an option's name these words mean the option is left out ("no PR", "not guest posts").
_NEGATIONS = frozenset({"no", "not", "never", "without", "except", "nor", "kein", "keine", "pas", "sans", "sin"})

# Words around a choice that say nothing about which one: "we mostly do some PR, I think".
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "some",
        "any",
        "bit",
        "little",
        "lot",
        "lots",
        "of",
        "maybe",
        "perhaps",
        "probably",
        "possibly",
        "mostly",
        "mainly",
        "also",
        "plus",
        "too",
        "and",
        "or",
        "with",
        "via",
        "through",
        "using",
        "use",
        "used",
        "do",
        "doing",
        "does",
        "did",
        "we",
        "i",
        "it",
        "it's",
        "its",
        "is",
        "are",
        "am",
        "our",
        "my",
        "us",
        "me",
        "they",
        "like",
        "think",
        "guess",
        "reckon",
        "really",
        "just",
        "sometimes",
        "occasionally",
        "often",
        "kind",
        "sort",
        "type",
        "more",
        "less",
        "few",
        "couple",
        "currently",
        "now",
        "already",
        "usually",
        "mainly",
        "primarily",
        "yes",
        "yeah",
        "sure",
        "etc",
        "so",
        "then",
        "well",
        "at",
        "all",
        "really",
        "not",
        "none",
        "ein",
        "eine",
        "einen",
        "und",
        "oder",
        "auch",
        "etwas",
        "vielleicht",
        "wir",
        "ich",
        "ist",
        "sind",
        "wie",
        "un",
        "une",
        "des",
        "le",
        "la",
        "les",
        "et",
        "ou",
        "aussi",
        "peut-être",
        "nous",
        "je",
        "est",
        "sont",
        "du",
        "de",
        "y",
        "o",
        "también",
        "quizás",
        "quizá",
        "tal",
        "vez",
        "algo",
        "nosotros",
        "yo",
        "es",
        "son",
        "el",
        "los",
        "las",
        "del",
        # More of the words around a choice in German, French and Spanish ("eine Bäckerei mit
        # Onlineshop", "surtout des citations locales", "sobre todo citaciones locales").
        *("mit", "einem", "einer", "der", "die", "das", "den", "dem", "vor", "allem", "meistens", "hauptsächlich"),
        *("viel", "viele", "bisschen", "machen", "unser", "unsere", "ja", "eher"),
        *("avec", "surtout", "principalement", "quelques", "peu", "beaucoup", "c", "d", "l", "qu", "faisons"),
        *("fait", "notre", "nos", "on", "plutôt", "site", "sommes"),
        *("una", "unos", "unas", "con", "sobre", "todo", "principalmente", "algunos", "algunas", "poco"),
        *("mucho", "muchos", "muchas", "hacemos", "nuestro", "nuestra", "sí", "bueno", "somos"),
    ]
)

# Cut off what the strict reader could not take: punctuation around a token.
_EDGES = "\"'“”‘’()[]{}<>,;:!?¿¡"


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure found in a sentence: its value and whether it was hedged ("maybe 12")."""

    value: float
    text: str  # the part of the sentence it was read from, as the reader took it
    estimate: bool
    converted: bool  # the reader converted it (a range's middle, a week's pace in a month)


class Read(Protocol):
    """What a strict reader gives for a figure (bot/conversation/validators.Reading)."""

    value: float
    converted: bool


def is_hedged(text: str) -> bool:
    """ "maybe 12", "about 80", "12?": the figure is an estimate. A link's own `?` or words
    (`shop.com/products?utm_source=…`, `/like-us`) hedge nothing."""
    return _HEDGES.search(_LINKS.sub(" ", text)) is not None


_LINKS = re.compile(r"\S+[/?#]\S+")  # a URL or a path: a `?`, `/` or `#` inside a word, not at its end


def says_zero(text: str) -> bool:
    """ "none really", "nothing at all", "no, none", "keine", "rien": the figure is 0."""
    said = " ".join(text.replace("’", "'").split())
    return _ZERO.match(said) is not None


def says_unknown(text: str) -> bool:
    """ "no idea honestly", "sorry, I don't know", "keine Ahnung", "je ne sais pas": no answer at all
    (no figure in it: "keine Ahnung, vielleicht zwölf" is a hedged 12)."""
    said = " ".join(text.replace("’", "'").split())
    return _UNKNOWN.match(said) is not None


@lru_cache(maxsize=1024)
def spelled_out(text: str, languages: tuple[str, ...] = LANGUAGES) -> str:
    """Number words as digits: "one a week" → "1 a week", "zwei oder drei" → "2 oder 3"."""
    out = amounts.put_right(text.replace("’", "'"))
    for language in languages:
        try:
            out = alpha2digit(out, language, threshold=0)
        except Exception:  # noqa: BLE001 - a library failure on odd text must not refuse an answer
            continue
    out = amounts.halves(out)
    # "the big one" came out as "the big 1": that one was never a figure. A 1 typed as a digit is
    # one all the same ("le site a 1 200 domaines": French "a" is "has", and 1 200 is 1,200).
    if _NOT_A_FIGURE.search(text):
        return out
    return _NOT_A_FIGURE.sub(lambda m: m.group(0)[:-1] + "one", out)


def _tokens(text: str) -> list[str]:
    return [t for t in text.split() if t.strip(_EDGES)]


def _clean(span: Sequence[str]) -> str:
    return " ".join(t.strip(_EDGES) for t in span).strip()


def figures(text: str, read: Callable[[str], Read | None], languages: tuple[str, ...] = LANGUAGES) -> list[Figure]:
    """Every figure the strict reader `read` accepts inside a sentence, left to right.

    Each figure starts at a token holding a digit and runs as far as `read` still accepts it, so
    "2-3 a month I guess" gives the rate "2-3 a month". "X or Y" is read as the range X-Y."""
    said = _EITHER.sub(r"\1-\2", spelled_out(text, languages))
    tokens = _tokens(said)
    found: list[Figure] = []
    at = 0
    while at < len(tokens):
        if not any(c.isdigit() for c in tokens[at]):
            at += 1
            continue
        for end in range(len(tokens), at, -1):
            span = _clean(tokens[at:end])
            reading = read(span) if span else None
            if reading is not None:
                found.append(Figure(reading.value, span, estimate=is_hedged(text), converted=reading.converted))
                at = end
                break
        else:
            at += 1
    return found


def the_figure(
    text: str, read: Callable[[str], Read | None], languages: tuple[str, ...] = LANGUAGES
) -> Figure | list[Figure] | None:
    """The one figure in a sentence; the figures when it holds several that differ; None if none."""
    found = figures(text, read, languages)
    if not found:
        return None
    values = {f.value for f in found}
    return found[0] if len(values) == 1 else found


def _words_of(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w&+-]+", text.lower().replace("’", "'")) if w]


def options_in(text: str, lookup: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The options a sentence names (by any of their names, as whole words), in the order named,
    leaving out those it negates ("no PR"); and the words that named nothing and are not filler
    ("knitting" in "guest posts and knitting"), so a validator can ask about those."""
    words = _words_of(text)
    names = sorted(
        ((tuple(name.split()), option) for name, option in lookup.items() if not name.isdigit()),
        key=lambda pair: -len(pair[0]),
    )
    found: list[str] = []
    left_out: set[str] = set()
    unknown: list[str] = []
    named: set[int] = set()  # words that were an option's name: "no" in "no, natural" answers, not negates
    at = 0
    while at < len(words):
        match = next(((n, o) for n, o in names if tuple(words[at : at + len(n)]) == n), None)
        if match is None:
            if words[at] not in _FILLER and words[at] not in _NEGATIONS and not words[at].isdigit():
                unknown.append(words[at])
            at += 1
            continue
        name, option = match
        if any(words[i] in _NEGATIONS and i not in named for i in range(max(0, at - 2), at)):
            left_out.add(option)
        else:
            found.append(option)
        named.update(range(at, at + len(name)))
        at += len(name)
    return [o for o in dict.fromkeys(found) if o not in left_out], unknown


def competitor_items(text: str, is_domain: Callable[[str], bool], is_count: Callable[[str], bool]) -> list[str]:
    """Competitors written in a sentence, as the strict reader's items (`domain=count`, `count`,
    or a bare `domain`): each domain takes the first count after it, before the next domain.

    "crumbandcrust.co.uk has about 80, breadhaus.co.uk 120 and the big one, greggs.co.uk, like 9000"
    → ["crumbandcrust.co.uk=80", "breadhaus.co.uk=120", "greggs.co.uk=9000"]."""
    items: list[str] = []
    open_domain: str | None = None
    for raw in _SPACED_THOUSANDS_AFTER_A_DOMAIN.sub(_joined, text).split():
        token = raw.strip(_EDGES).rstrip(".")
        if not token:
            continue
        if is_count(token):
            items.append(f"{open_domain}={token}" if open_domain else token)
            open_domain = None
        elif "." in token and is_domain(token):
            if open_domain:
                items.append(open_domain)
            open_domain = token
    if open_domain:
        items.append(open_domain)
    return items


# "concurrent.fr a 1 500": a domain's count with its thousands spaced, as French writes them. Only a
# first group of one or two digits (a rival with 1 or 12 referring domains and another with 500 is
# no list anyone writes; "80 120 900" after a domain stays three counts).
_SPACED_THOUSANDS_AFTER_A_DOMAIN = re.compile(
    r"(\.[a-z]{2,}\b[^\d,;]{0,40}?)(?<![\d.,])(\d{1,2}(?:[ \u00a0\u202f]\d{3})+)(?![\d]|[.,]\d)", re.IGNORECASE
)


def _joined(found: re.Match[str]) -> str:
    return found.group(1) + re.sub(r"\s", "", found.group(2))


def names(values: Iterable[Any], fmt: Callable[[Any], str], last: str = "and") -> str:
    """ "12 and 40", "12, 40 and 80", "local business or online shop": what is named in a question back."""
    shown = [fmt(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {last} " + shown[-1]
