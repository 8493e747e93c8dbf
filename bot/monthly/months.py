"""Words for months, days and moments, and a stored plan read as a plan version: what remind, log,
check-in and summary all say the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.moments import DayName, Moment, MonthName
from bot.monthly.progress import MonthProgress, PlanVersion, days_in
from bot.monthly.schedule import LAST, month_key

if TYPE_CHECKING:
    from bot.storage.plans import StoredPlan


def month_name(key: str) -> MonthName:
    """ "December 2026" (a renderer in another language says it in its words)."""
    return MonthName(key)


def day_words(day: int | str) -> DayName:
    """ "1st", "last day" (a renderer in another language says it its own way)."""
    return DayName(0 if day == LAST else int(day))


def to_build(plan: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a stored plan asks you to build ({low, high, per}); logged links count against it.
    (Plans stored before ranges had a period are per month.)"""
    build = plan.get("build") or plan["target"]
    return {"low": build["low"], "high": build["high"], "per": build.get("per", "month")}


def scoring(row: MonthProgress) -> dict[str, Any]:
    """What a month's line says besides its count: nofollow ones, and why it is not scored."""
    return {
        "nofollow": row.nofollow,
        "unscored": row.unscored or "",
        "left": row.days_left,
        "days": days_in(row.month),
    }


def version(stored: StoredPlan, timezone: str) -> PlanVersion:
    """A stored plan as the progress arithmetic reads it, its months in the channel's time zone."""
    return PlanVersion(
        stored.created_at,
        month_key(stored.created_at, timezone),
        to_build(stored.plan),
        stored.plan["safe_pace"]["pace"],
        stored.plan["binding"],
        stored.answers,
        day=local_day(stored.created_at, timezone),
        expected=stored.plan.get("target"),
    )


def local_day(moment: dt.datetime, timezone: str) -> int:
    return moment.astimezone(ZoneInfo(timezone)).day


def local(moment: dt.datetime | None, timezone: str) -> Moment | str:
    """A moment for a message, shown by each platform in the reader's zone (bot/core/moments.py)."""
    return "" if moment is None else Moment(moment, timezone)
