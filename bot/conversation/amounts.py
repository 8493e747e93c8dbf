"""Words around figures that a number-word reader (text2num) takes for the figure 1: indefinite
articles ("unos 40" is about 40 in Spanish, "un 40 %" is 40), rough amounts named by a noun
("une vingtaine" is about 20, "una docena" 12, "ein Dutzend" 12) and "a few" in other words
("ein paar", "un par de", "quelques"). Put right before number words are read (bot/conversation/prose.py)."""

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


def put_right(text: str) -> str:
    """The text with those words taken out or replaced by what they mean ("about 20", "a few")."""
    text = _A_FEW.sub("a few", text)
    text = _ROUGH.sub(lambda found: f"about {ROUGHLY[found.group(1).lower()]}", text)
    return _NOT_ONE.sub("", text)
