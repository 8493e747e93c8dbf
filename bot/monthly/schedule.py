"""When a channel's monthly reminder is due: pure functions of its settings and a moment.

Times are computed in the channel's IANA time zone with `zoneinfo` and stored in UTC. A day of 29,
30 or 31 falls back to the month's last day (the 31st in April is the 30th; in February the 28th
or 29th). A local time that a DST change skips (02:30 on a spring-forward night) happens at the
same offset as just before the change, i.e. an hour later on the clock; a time that happens twice
(autumn) is taken the first time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.numbers import whole_number

LAST = "last"


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    enabled: bool = True
    day: int | str = 1  # 1-31, or "last"
    time: dt.time = dt.time(9, 0)
    timezone: str = "UTC"
    skip: str | None = None  # "YYYY-MM": the one month to leave out

    def to_json(self) -> dict:
        return {
            "enabled": self.enabled,
            "day": self.day,
            "time": self.time.strftime("%H:%M"),
            "timezone": self.timezone,
            "skip": self.skip,
        }

    @classmethod
    def from_json(cls, data: dict) -> ReminderSettings:
        hours, minutes = (int(part) for part in data.get("time", "09:00").split(":"))
        return cls(
            enabled=bool(data.get("enabled", True)),
            day=data.get("day", 1),
            time=dt.time(hours, minutes),
            timezone=data.get("timezone", "UTC"),
            skip=data.get("skip"),
        )


def month_key(moment: dt.datetime, timezone: str) -> str:
    """The channel's own month of a moment, "YYYY-MM" (a reminder's idempotency key is per month)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.year:04d}-{local.month:02d}"


def add_months(key: str, months: int) -> str:
    year, month = (int(p) for p in key.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def due_in_month(settings: ReminderSettings, key: str) -> dt.datetime:
    """The reminder's moment (UTC) in the month `key` of the channel's time zone."""
    year, month = (int(p) for p in key.split("-"))
    last = calendar.monthrange(year, month)[1]
    day = last if settings.day == LAST else min(int(settings.day), last)
    local = dt.datetime.combine(dt.date(year, month, day), settings.time, tzinfo=ZoneInfo(settings.timezone))
    # Round-trip through UTC: a skipped local time becomes the real instant it denotes.
    return local.astimezone(dt.UTC)


def next_due(settings: ReminderSettings, after: dt.datetime) -> dt.datetime | None:
    """The first reminder strictly after `after` (None when reminders are off)."""
    if not settings.enabled:
        return None
    key = month_key(after, settings.timezone)
    for offset in range(0, 3):  # this month, or the next (or the one after, if the next is skipped)
        candidate = add_months(key, offset)
        if candidate == settings.skip:
            continue
        due = due_in_month(settings, candidate)
        if due > after:
            return due
    raise AssertionError("unreachable: one of three months has a due time after any moment")


def skip_next(settings: ReminderSettings, now: dt.datetime) -> ReminderSettings:
    """Leave out the next reminder's month."""
    due = next_due(replace(settings, skip=None), now)
    return replace(settings, skip=month_key(due, settings.timezone) if due else None)


# Parsing what people type: `remind day=last time=18:30 tz=Europe/Berlin`, `remind off`.

MOST_ZONE_CHARACTERS = 64  # the longest IANA zone name is about 30
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_day(text: str) -> int | str | None:
    text = text.strip().lower()
    if text in (LAST, "end", "last day"):
        return LAST
    text = re.sub(r"(st|nd|rd|th)$", "", text)
    day = whole_number(text)
    return day if day is not None and 1 <= day <= 31 else None


def parse_time(text: str) -> dt.time | None:
    match = _TIME.match(text.strip())
    if not match:
        return None
    hours, minutes, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half == "pm" else 0)
    return dt.time(hours, minutes) if hours < 24 and minutes < 60 else None


def parse_timezone(text: str) -> str | None:
    name = text.strip()
    if len(name) > MOST_ZONE_CHARACTERS:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name no file system holds
        # Be forgiving about case ("europe/berlin"), which zoneinfo is not on every system.
        return next((z for z in _zones() if z.lower() == name.lower()), None)
    return name


def _zones() -> set[str]:
    return available_timezones()
