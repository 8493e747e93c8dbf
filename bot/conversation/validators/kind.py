"""What every kind of answer is: a validator (`str -> Valid | Invalid`) and its inverse, and how a
refusal quotes what was typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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


def quote(text: str, limit: int = 40) -> str:
    """What was typed, as a reason quotes it: shortened, and with invisible characters named — a
    right-to-left override (U+202E) would otherwise turn the rest of the message around, and a
    zero-width space would hide why an answer that looks right is refused."""
    text = " ".join(text.split())
    text = text[:limit] + "…" if len(text) > limit else text
    if not text.isprintable():  # format and control characters (and unassigned ones): by code point
        text = "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in text)
    return f"“{text}”"
