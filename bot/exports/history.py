"""`export`: the channel's history as a CSV, one row a month from its first plan to this month:
the target in force, the links logged against it, and whether the month was on target. What a
client report is built from; Slack uploads it, Discord attaches it, the terminal saves it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.core.feature import Plugs, Request
from bot.core.replies import File, Paragraph, Reply, text
from bot.monthly.progress import MonthProgress
from bot.monthly.summary import Summary

COLUMNS = (
    "month",
    "target_low",
    "target_high",
    "target_per",  # month, quarter or year: the plan's own period
    "built",  # new referring domains logged
    "nofollow",  # of those, links marked nofollow, sponsored or ugc
    "quality_checked",
    "quality_passed",
    "scored",  # yes, or why not: short (the plan's first, part month) or skipped
    "on_target",
)


class History:
    def __init__(self, *, summary: Summary):
        self.summary = summary

    def plugs(self) -> Plugs:
        return Plugs(commands={"export": self.export})

    async def export(self, request: Request) -> list[Reply]:
        progress = await self.summary.channel_progress(request.channel, timezone=request.timezone)
        site = progress.site
        if not progress.rows or site is None:
            return [Reply("info", (Paragraph(text("history.none")),), private=True)]
        data = as_csv(progress.rows).encode("utf-8")
        name = f"backlinks-{site}-history.csv".replace("/", "-")
        alt = text("history.file", site=site, months=len(progress.rows))
        return [
            Reply(
                "info",
                (Paragraph(text("history.exported", site=site, months=len(progress.rows))), File(data, name, alt)),
            )
        ]


def as_csv(rows: Sequence[MonthProgress]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        target = row.target
        writer.writerow(
            [
                row.month,
                _number(target.get("low")),
                _number(target.get("high")),
                target.get("per", "month"),
                row.logged,
                row.nofollow,
                row.quality_checked,
                row.quality_passed,
                "yes" if row.scored else row.unscored,
                ("yes" if row.on_target else "no") if row.scored else "",
            ]
        )
    return out.getvalue()


def _number(value: float | None) -> str:
    """A target as people read it: 9, not 9.0; one decimal otherwise."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
