"""Reading a whole number out of a word someone typed."""

from __future__ import annotations

# No count this bot reads needs more digits; a longer run of them is no count (and int() refuses
# strings of more than 4,300 digits anyway).
MOST_DIGITS = 15


def whole_number(word: str) -> int | None:
    """`3`, `١٢` (any script's decimal digits, which int() reads) → the number; None for anything
    else. `str.isdigit()` is no test for this: it is true for `²` and `①`, which int() refuses."""
    word = word.strip()
    if not word.isdecimal() or len(word) > MOST_DIGITS:
        return None
    return int(word)
