"""Words around figures that a number-word reader (text2num) takes for the figure 1: indefinite
articles ("unos 40" is about 40 in Spanish, "un 40 %" is 40), rough amounts named by a noun
("une vingtaine" is about 20, "una docena" 12, "ein Dutzend" 12) and "a few" in other words
("ein paar", "un par de", "quelques"); and halves ("2 and a half years", "un an et demi", "half a
year", "zweieinhalb"), which it reads as the whole part or as 1. Put right around the reading of
number words (bot/conversation/prose.py)."""

from __future__ import annotations

import re

# A noun for a rough amount, after its article: the amount.
ROUGHLY = {
    "dozen": 12, "dutzend": 12, "douzaine": 12, "docena": 12,
    "dizaine": 10, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50,
    "soixantaine": 60, "centaine": 100, "decena": 10, "veintena": 20, "centena": 100, "centenar": 100,
    "millier": 1000, "millar": 1000,
}  # fmt: skip
_ROUGH = re.compile(r"\b(?:an?|une?|una|ein|eine|einem|einer)\s+(" + "|".join(ROUGHLY) + r")s?\b", re.IGNORECASE)
# "some" and "a few": no figure at all.
_A_FEW = re.compile(r"\b(?:ein paar|un par de|un par|unos cuantos|unas cuantas|quelques(?:-uns|-unes)?)\b", re.I)
# "unos"/"unas" (Spanish "about", "some") are never the figure 1; nor an article right before digits.
_NOT_ONE = re.compile(r"\b(?:unos|unas)\b\s*|\b(?:un|una|une|ein|eine|einen)\s+(?=\d)", re.IGNORECASE)
# German "one" declined ("in einem Jahr", "einen pro Woche", "eines Jahres"), which text2num reads
# only as "ein": before a time or what is counted, it is the figure 1.
_GERMAN_ONE = re.compile(
    r"\b(?:einen|einem|einer|eines)\b(?=\s+(?:pro|im|je|jahr|monat|woche|tag|stunde|artikel|beitr|post|link|domain))",
    re.IGNORECASE,
)


# Halves, once number words are digits: "2 and a half years" was read as 2 (months), "un an et
# demi" as 1, "dos años y medio" as 24 months.
_AND_A_HALF = r"(?:and a half|et demie?|y medi[oa]|und ein halb)"
_NUMBER_UNIT_AND_A_HALF = re.compile(rf"\b(\d+)(?:\s+([^\W\d_]+))?\s+{_AND_A_HALF}\b", re.IGNORECASE)
_UNIT_AND_A_HALF = re.compile(rf"\b(?:(?:an?|one|une?|una|ein|eine|einem)\s+)?([^\W\d_]+)\s+{_AND_A_HALF}\b", re.I)
_HALF_A = re.compile(
    r"\b(?:half an?\s+|ein halbes\s+|einen halben\s+|une? demi-|(?<!y )medi[oa]\s+(?=año|mes|hora|semana))([^\W\d_]+)",
    re.IGNORECASE,
)
_GERMAN_HALVES = {"anderthalb": "1.5", "eineinhalb": "1.5", "zweieinhalb": "2.5", "dreieinhalb": "3.5"}
_GERMAN_HALF = re.compile(r"\b(" + "|".join(_GERMAN_HALVES) + r")\b", re.IGNORECASE)
_FRENCH_YEAR = re.compile(r"\b(\d+(?:\.\d+)?) an\b")  # "1.5 an": a French year, whatever the number


def halves(text: str) -> str:
    """Once number words are digits: "2 and a half years" → "2.5 years", "a year and a half" →
    "1.5 year", "dos horas y media" → "2.5 horas" (in English, German, French and Spanish)."""
    if not re.search(r"half|demi|medi[oa]|halb", text, re.IGNORECASE):
        return text
    text = _NUMBER_UNIT_AND_A_HALF.sub(lambda m: f"{m.group(1)}.5" + (f" {m.group(2)}" if m.group(2) else ""), text)
    text = _UNIT_AND_A_HALF.sub(lambda m: f"1.5 {m.group(1)}", text)
    return _FRENCH_YEAR.sub(r"\1 ans", text)


def put_right(text: str) -> str:
    """The text with those words taken out or replaced by what they mean ("about 20", "a few",
    "0.5 year" for "half a year", "2.5" for "zweieinhalb")."""
    if re.search(r"half|demi|medi[oa]|halb", text, re.IGNORECASE):  # before "ein halbes" is read as 1
        text = _GERMAN_HALF.sub(lambda found: _GERMAN_HALVES[found.group(1).lower()], text)
        text = _HALF_A.sub(lambda found: f"0.5 {found.group(1)}", text)
    text = _A_FEW.sub("a few", text)
    text = _ROUGH.sub(lambda found: f"about {ROUGHLY[found.group(1).lower()]}", text)
    return _GERMAN_ONE.sub("ein", _NOT_ONE.sub("", text))
