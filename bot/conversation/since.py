"""A site's age given as the date it started ("since 2019", "we launched in March 2021",
"seit 03/2020"), read as the months from then until today. Pure: today is given."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

from bot.conversation.prose import LANGUAGES

_FIRST_YEAR = 1990  # the web is younger: an earlier four-digit figure is not a start date
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,])")
_MONTH_NUMBER = re.compile(r"(?<![\d.,])(\d{1,2})\s*[/.-]\s*((?:19|20)\d\d)(?![\d.,])|((?:19|20)\d\d)-(\d{1,2})(?!\d)")


_BETWEEN = frozenset({"of", "de", "del", "im", "en"})  # "marzo de 2022", "March of 2021"


@dataclass(frozen=True, slots=True)
class Since:
    months: int  # from then to today
    year: int
    month: int | None  # None: only the year was given (counted from its middle)


@cache
def _month_names() -> dict[str, int]:
    """Month names, in full and shortened, in every language the bot speaks (Babel's CLDR data)."""
    names: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                names.setdefault(name.lower().rstrip("."), number)
    return names


def _month_near(text: str, at: int, end: int) -> int | None:
    """The month named in the word just before the year, or just after it ("March 2021", "2021 März")."""
    before = [w for w in re.findall(r"[^\W\d_]+", text[:at].lower()) if w not in _BETWEEN][-1:]
    after = re.findall(r"[^\W\d_]+", text[end:].lower())[:1]
    names = _month_names()
    return next((names[word] for word in (*before, *after) if word in names), None)


def months_since(text: str, today: dt.date) -> Since | None:
    """The months from the one start date in `text` until `today`; None if it names none, or more
    than one year, or a year still to come."""
    if m := _MONTH_NUMBER.search(text):
        month, year = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
        if not 1 <= month <= 12:
            return None
    else:
        years = list(_YEAR.finditer(text))
        if len(years) != 1:
            return None
        year, month = int(years[0].group(1)), _month_near(text, years[0].start(), years[0].end())
    if not _FIRST_YEAR <= year <= today.year or (year == today.year and (month or 1) > today.month):
        return None
    # A year alone: from its middle, the likeliest month (and never more than a half-year off).
    months = (today.year - year) * 12 + today.month - (month or 7)
    return Since(max(0, months), year, month)
