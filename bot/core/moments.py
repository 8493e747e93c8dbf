"""A moment a message names (the next check-in, when an entry was logged), kept as a moment.

The core does not format it: each platform shows it its own way, so every reader sees it in their
own time zone — Slack's `<!date^…>` and Discord's `<t:…>` are turned into the reader's local time
by the client. Where the platform cannot (the terminal, Markdown, a plain-text field), it is written
in the channel's time zone, named."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Moment:
    at: dt.datetime  # aware
    timezone: str  # the channel's zone: the fallback's

    @property
    def epoch(self) -> int:
        return int(self.at.timestamp())

    def local(self) -> str:
        """ "Fri 1 Jan 2027, 09:00 (Europe/London)": in the channel's zone, named."""
        local = self.at.astimezone(ZoneInfo(self.timezone))
        return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} ({self.timezone})"

    def __str__(self) -> str:
        return self.local()


class MonthName(str):
    """ "December 2026": a month as English says it (the key "2026-12" kept), which a renderer in
    another language says in its own words ("Dezember 2026")."""

    key: str

    def __new__(cls, key: str) -> MonthName:
        year, month = (int(p) for p in key.split("-"))
        named = super().__new__(cls, f"{calendar.month_name[month]} {year}")
        named.key = key
        return named


class DateName(str):
    """ "30 Nov 2026": a day as English says it (the ISO key "2026-11-30" kept), which a renderer
    in another language says in its own words ("30. Nov. 2026", "30 nov. 2026")."""

    key: str

    def __new__(cls, key: str) -> DateName:
        day = dt.date.fromisoformat(key)
        named = super().__new__(cls, f"{day.day} {day:%b %Y}")
        named.key = key
        return named

    def __reduce__(self):
        return DateName, (self.key,)


class DayName(str):
    """ "1st", "15th", "last day": a day of the month as English says it (the day kept: 0 is the
    last), which a renderer in another language says its own way ("1.", "1er", "último día")."""

    day: int

    def __new__(cls, day: int) -> DayName:
        if day == 0:
            named = super().__new__(cls, "last day")
        else:
            suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
            named = super().__new__(cls, f"{day}{suffix}")
        named.day = day
        return named
