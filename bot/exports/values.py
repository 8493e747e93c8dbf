"""Cell values as the tools write them: flags, counts with thousands separators, dates in any
locale. Pure functions, cached per distinct text (an export repeats the same few values)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from bot.core.numbers import whole_number

# Tools mark a flag as true/false, 1/0, a date (Ahrefs' "Lost"), "+" (Majestic) or nothing at all.
FALSE = frozenset({"", "false", "0", "no", "n", "-", "none", "null"})
_NUMERIC_FORMATS = ("%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d", "%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%d %B %Y")
_THOUSANDS = re.compile(r"^\d{1,3}([,.\s\u00a0\u202f']\d{3})+$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


@lru_cache(maxsize=65_536)
def parse_date(text: str) -> dt.date | None:
    """ISO dates and times, `Sep 15, 2026`, `28/09/2026` (day first unless that can't be),
    `15.09.2026`, `2026/09/15`. Month names in other languages: `SpelledDates`."""
    text = text.strip()
    if not text:
        return None
    head = text[:10]
    if len(head) == 10 and head[4] == "-" and head[7] == "-":
        try:
            return dt.date.fromisoformat(head)
        except ValueError:
            return None
    if re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text):
        first, second, year = (int(p) for p in text.split("/"))
        day, month = (second, first) if second > 12 else (first, second)  # 09/28/2026 is US
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    for fmt in _NUMERIC_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_count(text: str) -> int | None:
    text = text.strip()
    if _THOUSANDS.match(text):
        text = re.sub(r"[,.\s\u00a0\u202f']", "", text)
    return whole_number(text)


@lru_cache(maxsize=65_536)
def host_of(url: str) -> str:
    """The host part of a URL, cheaply (the registrable domain is then looked up per host)."""
    rest = url.strip()
    if "://" in rest:
        rest = rest.split("://", 1)[1]
    return rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]


class SpelledDates:
    """Dates written the way a Search Console user's language writes them: `15 sept. 2026`,
    `15 de set. de 2026`, `2026年9月15日`, `15 сент. 2026 г.` — read by dateparser, which knows
    the month names of some 200 locales.

    One per import: once a locale has worked it is tried first (a few ms a date), but a text that
    is no date at all makes dateparser try every language (1-3 s), so after `MISSES` such texts an
    import stops asking and counts the rest as undated."""

    MISSES = 3

    def __init__(self) -> None:
        self.cache: dict[str, dt.date | None] = {}
        self.misses = 0
        self._parser = None

    def __call__(self, text: str) -> dt.date | None:
        text = text.strip()
        if text in self.cache:
            return self.cache[text]
        if self.misses >= self.MISSES or len(text) > 40 or not _YEAR.search(text):
            return None
        found = self._parse(text)
        if found is None:
            self.misses += 1
        self.cache[text] = found
        return found

    def _parse(self, text: str) -> dt.date | None:
        if self._parser is None:
            from dateparser.date import DateDataParser  # 0.1 s to import: only for such files

            self._parser = DateDataParser(
                settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"},
                try_previous_locales=True,
            )
        try:
            found = self._parser.get_date_data(text).date_obj
        except (ValueError, OverflowError, TypeError):
            return None
        return found.date() if found else None
