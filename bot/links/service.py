"""Checking the logged links that are due, in batches: fetch (bot/links/checker.py), then store
what was found (bot/links/store.py). Run by the worker every hour and by `backlinks links check`;
a link is checked again once its last check is older than RECHECK_DAYS, so each month's check-in
reads states at most that old."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.links.checker import LinkChecker
from bot.links.store import LinkStore

log = logging.getLogger(__name__)

RECHECK_DAYS = 25  # under a month: every check-in finds its links checked since the last one (assumption)
BATCH = 200


@dataclass
class CheckReport:
    checked: int = 0
    states: Counter[str] = field(default_factory=Counter)


async def check_due(
    store: LinkStore,
    checker: Callable[[], LinkChecker],
    *,
    now: dt.datetime,
    recheck_days: float = RECHECK_DAYS,
    batch: int = BATCH,
    most: int | None = None,
) -> CheckReport:
    """Check every due link (at most `most`), a batch at a time; each batch stored as it is done,
    so a stop loses at most one batch's fetching and nothing stored."""
    report = CheckReport()
    checked_before = now - dt.timedelta(days=recheck_days)
    async with checker() as links:
        while most is None or report.checked < most:
            size = batch if most is None else min(batch, most - report.checked)
            due = await store.due(checked_before=checked_before, limit=size)
            if not due:
                break
            found = await links.check_all((d.url, d.site) for d in due)
            await store.save(list(zip(due, found, strict=True)))
            report.checked += len(due)
            report.states.update(f.state for f in found)
            if len(due) < size:
                break
    return report


async def run_forever(
    store: LinkStore, checker: Callable[[], LinkChecker], *, every: float, clock: Callable[[], dt.datetime]
) -> None:
    """Check the due links every `every` seconds, for as long as the process serves. A failure (the
    database away for a moment) is logged and tried again next time; nothing is lost, as nothing was
    stored for the links not done."""
    while True:
        try:
            report = await check_due(store, checker, now=clock())
            if report.checked:
                found = ", ".join(f"{n} {state}" for state, n in sorted(report.states.items()))
                log.info("checked %d logged link(s): %s", report.checked, found)
        except Exception:
            log.exception("checking logged links failed; trying again in %.0f s", every)
        await asyncio.sleep(every)
