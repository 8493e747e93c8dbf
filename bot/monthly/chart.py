"""A channel's progress chart: its numbers from the plan and the months (`chart_data`), the same
numbers in words (`alt_text`), and its picture (`draw`).

The picture itself is bot/monthly/picture.py (Pillow, about half a millisecond of CPU). `draw` keeps
the pictures it drew by what they show, so a channel's `show` asked again, or channels whose charts
are alike, cost one drawing; the others are drawn in worker processes (bot/monthly/drawers.py),
which use the cores a check-in fan-out leaves idle and keep the event loop free.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from bot.core import metrics
from bot.core.moments import MonthName
from bot.core.plan import MONTHS_IN
from bot.core.replies import Text, text
from bot.monthly import picture
from bot.monthly.picture import FILENAME, ChartData, render
from bot.monthly.progress import MonthProgress, months_between
from bot.monthly.schedule import add_months

if TYPE_CHECKING:
    from bot.lookups.provider import MonthChange

log = logging.getLogger(__name__)

__all__ = ["FILENAME", "LABELS", "MIN_MONTHS", "ChartData", "alt_text", "chart_data", "draw", "render"]

MIN_MONTHS = 2  # before that there is nothing to compare: text only
SHOWN_MONTHS = 12  # bars: the last year, as `show` lists
AHEAD_MONTHS = 12  # the projection drawn at most this far past this month
# The chart's words: `chart.<name>` in knowledge/messages.yaml, rendered with `label_values`.
LABELS = ("title", "left", "right", "band", "logged", "below", "per_month", "domains", "profile", "median")
LABELS += ("projection", "open", "measured")
# Drawn charts kept by what they show, up to this many bytes (a chart is about 20 KB); 0: none kept,
# and none shared (benchmarks measure every drawing so).
CACHE_BYTES = 32 * 1024 * 1024


def chart_data(
    *,
    site: str,
    rows: Sequence[MonthProgress],
    start: int,
    plan: Mapping[str, Any],
    plan_month: str,
    path: Sequence[float],
    natural: float = 0.0,
    keep: float = 1.0,
    measured: Mapping[str, MonthChange] | None = None,
    measured_by: str = "",
) -> ChartData | None:
    """The chart's numbers for a channel; None with fewer than MIN_MONTHS months of history.

    `rows`: every month from the first plan's to this one (`progress.history`); `start`: the profile
    the first plan started from; `plan`: the current plan (as stored) made in `plan_month`, whose
    projection `path` gives the profile at the end of each month from `plan_month` on; `measured`:
    the months a data provider counted for the site (by "YYYY-MM"), named by `measured_by`.

    The profile is counted the way the planner projects it, so the two lines compare: each month
    adds what was logged and the site's own pace (`natural`, the plan's estimate), of which `keep`
    survives link loss. The projection is drawn from where the profile stood when the plan was made.
    """
    if len(rows) < MIN_MONTHS:
        return None
    profile, total, before_plan = [], float(start), float(start)
    for row in rows:
        if row.month < plan_month:
            before_plan = total + (row.logged + natural) * keep
        total += (row.logged + natural) * keep
        profile.append(total)
    if path:  # the planner's monthly steps, from the profile as it stood
        anchor = plan["answers"]["referring_domains"]
        path = [before_plan + (p - anchor) for p in path]
    shown = list(rows[-SHOWN_MONTHS:])
    months = tuple(r.month for r in shown)
    this_month = months[-1]
    ahead = [add_months(plan_month, i) for i in range(len(path))]
    last = max([this_month, *ahead[-1:]])
    last = min(last, add_months(this_month, AHEAD_MONTHS))
    line_months = list(months)
    while line_months[-1] < last:
        line_months.append(add_months(line_months[-1], 1))
    need = plan["need"]
    offset = {m: i for i, m in enumerate(months_between(plan_month, line_months[-1]))}
    backward = {m: -i for i, m in enumerate(reversed(months_between(line_months[0], plan_month)))}
    # The median as the plan sees it: today's, growing by the competitors' pace a month (and that
    # pace taken back for the months before the plan).
    median = tuple(
        need["competitors_median"] + need["competitors_growth"] * (offset.get(m, backward.get(m, 0)) + 1)
        for m in line_months
    )
    projected = dict(zip(ahead, path, strict=False))
    parity_months = plan.get("months_to_parity")  # the same projection, counted by the planner
    parity = add_months(plan_month, parity_months - 1) if parity_months else None
    measured = measured or {}
    found = [measured.get(m) for m in months]
    return ChartData(
        site=site,
        months=months,
        logged=tuple(r.logged for r in shown),
        band=tuple(_monthly(r.target) for r in shown),
        on_target=tuple(r.on_target for r in shown),
        scored=tuple(r.scored for r in shown),
        line_months=tuple(line_months),
        profile=tuple(profile[-len(shown) :]),
        median=median,
        projection=tuple(projected.get(m) for m in line_months),
        parity=parity,
        start=start,
        natural=natural,
        measured_new=tuple(m.new if m else None for m in found) if any(found) else (),
        measured_lost=tuple(m.lost if m else None for m in found) if any(found) else (),
        measured_by=measured_by if any(found) else "",
    )


def label_values(data: ChartData | None = None, *, site: str = "", provider: str = "") -> dict[str, str]:
    """What the chart's words (`chart.<name>` in LABELS) are rendered with: the site's name and the
    provider that measured it (a chart's, or as given)."""
    if data is not None:
        site, provider = data.site, data.measured_by
    return {"site": site, "provider": provider}


def alt_text(data: ChartData) -> Text:
    """The chart in words, with the same numbers (knowledge/messages.yaml `chart.alt`)."""
    months = [
        {"month": _label(m), "logged": n, "low": _whole(lo), "high": _whole(hi), "current": i == len(data.months) - 1}
        for i, (m, n, (lo, hi)) in enumerate(zip(data.months, data.logged, data.band, strict=True))
    ]
    measured = [
        {"month": _label(m), "new": new, "lost": lost}
        for m, new, lost in zip(data.months, data.measured_new, data.measured_lost, strict=False)
        if new is not None
    ]
    now = len(data.months) - 1
    return text(
        "chart.alt",
        site=data.site,
        months=months,
        measured=measured,
        provider=data.measured_by,
        start=data.start,
        natural=_whole(data.natural),
        profile=_whole(data.profile[-1]),
        median=_whole(data.median[now]),
        parity=_label(data.parity) if data.parity else "",
        ahead=data.profile[-1] >= data.median[now],
        projected=_whole(next((p for p in reversed(data.projection) if p is not None), 0)),
    )


# Drawing: kept by what it shows, else in a worker process.

_drawn: OrderedDict[str, bytes] = OrderedDict()  # chart key → PNG, the least recently used first
_drawn_bytes = 0
_drawing: dict[str, asyncio.Future[bytes]] = {}  # charts being drawn now: a second ask waits for that one


def key(data: ChartData, labels: Mapping[str, str]) -> str:
    """What the chart shows, as a digest: equal keys, equal pictures."""
    shown = json.dumps([picture.STYLE, data.to_json(), dict(sorted(labels.items()))], separators=(",", ":"))
    return hashlib.sha256(shown.encode()).hexdigest()


async def draw(data: ChartData, labels: Mapping[str, str], *, background: bool = False) -> bytes:
    """The chart's PNG: the one drawn before for the same numbers and words, else `render` in a
    drawing process (bot/monthly/drawers.py), off the event loop and on another core.
    `background`: one of a check-in fan-out's charts, drawn after those someone is waiting for."""
    return await asyncio.shield(drawing(data, labels, background=background))


def drawing(data: ChartData, labels: Mapping[str, str], *, background: bool = False) -> asyncio.Future[bytes]:
    """`draw`, started now: a drawer takes the chart at once, while the caller goes on (a check-in
    fan-out composes the next check-ins meanwhile); await the future for the PNG."""
    loop = asyncio.get_running_loop()
    if not CACHE_BYTES:
        return asyncio.ensure_future(_finished(_submitted(data, labels, background), data, labels))
    name = key(data, labels)
    if (png := _drawn.get(name)) is not None:
        _drawn.move_to_end(name)
        done = loop.create_future()
        done.set_result(png)
        return done
    pending = _drawing.get(name)  # the same chart being drawn now (a fan-out): that one
    if pending is not None and pending.get_loop() is loop:
        return pending
    pending = _drawing[name] = asyncio.ensure_future(_finished(_submitted(data, labels, background), data, labels))
    pending.add_done_callback(lambda done: _settled(name, done))
    return pending


def _submitted(data: ChartData, labels: Mapping[str, str], background: bool) -> Future[bytes]:
    from bot.monthly import drawers

    try:
        return drawers.submit(data.to_json(), labels, background=background)
    except drawers.DrawerFailed as failure:
        refused: Future[bytes] = Future()
        refused.set_exception(failure)
        return refused


_warned = False


async def _finished(submitted: Future[bytes], data: ChartData, labels: Mapping[str, str]) -> bytes:
    global _warned
    from bot.monthly import drawers

    with metrics.CHART_SECONDS.time():
        try:
            return await asyncio.wrap_future(submitted)
        except drawers.DrawerFailed as failure:
            # Drawn here after all (a millisecond or two on the event loop), said once a process.
            log.log(logging.DEBUG if _warned else logging.WARNING, "a chart is drawn in this process: %s", failure)
            _warned = True
            return render(data, labels)


def _settled(name: str, done: asyncio.Future[bytes]) -> None:
    if _drawing.get(name) is done:
        del _drawing[name]
    if not done.cancelled() and done.exception() is None:
        _keep(name, done.result())


def _keep(name: str, png: bytes) -> None:
    global _drawn_bytes
    if name in _drawn or len(png) > CACHE_BYTES:
        return
    _drawn[name] = png
    _drawn_bytes += len(png)
    while _drawn_bytes > CACHE_BYTES:
        _, dropped = _drawn.popitem(last=False)
        _drawn_bytes -= len(dropped)


def forget_drawn() -> None:
    """Empty the cache of drawn charts (benchmarks measure drawing with it empty)."""
    global _drawn_bytes
    _drawn.clear()
    _drawn_bytes = 0


def _monthly(target: Mapping[str, Any]) -> tuple[float, float]:
    months = MONTHS_IN[target.get("per", "month")]
    return target["low"] / months, target["high"] / months


def _whole(value: float) -> float:
    return round(value, 1) if abs(value - round(value)) >= 0.05 and value < 10 else round(value)


def _label(month: str) -> MonthName:
    return MonthName(month)  # "December 2026", said in the reader's language
