"""A channel's progress as a picture: pure functions from its plan and months to PNG bytes.

Two panels, 800×450 px so a chat thumbnail stays legible: on the left the new referring domains
logged each month as bars against the band the plan asked to build; on the right the profile
(where the first plan started plus what was logged since) against the competitors' median, with the
path the current plan projects to parity (the planner's own projection, `planner.projected_profile`).

Same input, same bytes: a fixed size and dpi, matplotlib's own defaults (not the machine's
matplotlibrc), its bundled font, and no software name or date in the PNG. matplotlib is imported
inside `render` (Agg, never pyplot), so starting the bot never pays for it; renders are serialised
because matplotlib's settings are global. `draw` runs them in worker processes: a drawing holds the
GIL for about a fifth of a second, which in a thread would stall every chat the event loop serves,
and processes use every core a check-in fan-out has. Colours are Okabe-Ito (safe for the common colour-vision
deficiencies), and no meaning rests on colour alone: off-target bars are hatched, lines differ in
style and marker.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.core.plan import MONTHS_IN
from bot.core.replies import Text, text
from bot.monthly.progress import MonthProgress, months_between
from bot.monthly.schedule import add_months

MIN_MONTHS = 2  # before that there is nothing to compare: text only
SHOWN_MONTHS = 12  # bars: the last year, as `show` lists
AHEAD_MONTHS = 12  # the projection drawn at most this far past this month
WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # inches at DPI: 800×450 px
FILENAME = "backlinks-progress.png"
# The chart's words: `chart.<name>` in knowledge/messages.yaml, rendered with the site's name.
LABELS = ("title", "left", "right", "band", "logged", "below", "per_month", "domains", "profile", "median")
LABELS += ("projection", "open")

# Okabe & Ito (2008), "Color Universal Design": distinguishable with each common colour deficiency.
BLUE, SKY, ORANGE, VERMILLION, GREEN, GREY, BLACK = (
    "#0072B2",
    "#56B4E9",
    "#E69F00",
    "#D55E00",
    "#009E73",
    "#999999",
    "#000000",
)

_render_lock = threading.Lock()
# Processes drawing charts, started at the first chart (each imports matplotlib once, about a second).
DRAWERS = max(1, min(4, os.cpu_count() or 1))
_drawers: ProcessPoolExecutor | None = None


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart shows, in plain numbers (months as "YYYY-MM")."""

    site: str
    months: tuple[str, ...]  # the bars' months, oldest first; the last is this month (still open)
    logged: tuple[int, ...]
    band: tuple[tuple[float, float], ...]  # to build a month: (low, high), as the plan then asked
    on_target: tuple[bool, ...]
    scored: tuple[bool, ...]
    line_months: tuple[str, ...]  # the right panel's months: the bars' and the projection's beyond
    profile: tuple[float, ...]  # referring domains at each bar month's end (start + logged)
    median: tuple[float, ...]  # the competitors' median at each line month's end
    projection: tuple[float | None, ...]  # the plan's projected profile at each line month's end
    parity: str | None  # the month the plan reaches the median (None: beyond the projection)
    start: int  # referring domains when the first plan was made
    natural: float  # what the site gains a month on its own (the plan's estimate), counted in `profile`


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    alt: Text
    filename: str = FILENAME


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
) -> ChartData | None:
    """The chart's numbers for a channel; None with fewer than MIN_MONTHS months of history.

    `rows`: every month from the first plan's to this one (`progress.history`); `start`: the profile
    the first plan started from; `plan`: the current plan (as stored) made in `plan_month`, whose
    projection `path` gives the profile at the end of each month from `plan_month` on.

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
    )


def alt_text(data: ChartData) -> Text:
    """The chart in words, with the same numbers (knowledge/messages.yaml `chart.alt`)."""
    months = [
        {"month": _label(m), "logged": n, "low": _whole(lo), "high": _whole(hi), "current": i == len(data.months) - 1}
        for i, (m, n, (lo, hi)) in enumerate(zip(data.months, data.logged, data.band, strict=True))
    ]
    now = len(data.months) - 1
    return text(
        "chart.alt",
        site=data.site,
        months=months,
        start=data.start,
        natural=_whole(data.natural),
        profile=_whole(data.profile[-1]),
        median=_whole(data.median[now]),
        parity=_label(data.parity) if data.parity else "",
        ahead=data.profile[-1] >= data.median[now],
        projected=_whole(next((p for p in reversed(data.projection) if p is not None), 0)),
    )


async def draw(data: ChartData, labels: Mapping[str, str]) -> bytes:
    """`render` in a worker process, off the event loop and off this process's GIL."""
    global _drawers
    if _drawers is None:
        # "spawn": a fresh interpreter, never a fork of one with threads and an event loop running.
        _drawers = ProcessPoolExecutor(DRAWERS, mp_context=multiprocessing.get_context("spawn"))
    return await asyncio.get_running_loop().run_in_executor(_drawers, render, data, labels)


def render(data: ChartData, labels: Mapping[str, str]) -> bytes:
    """The PNG. `labels`: the chart's words, rendered from knowledge/messages.yaml (`chart.*`)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _render_lock, matplotlib.rc_context():
        matplotlib.rcdefaults()  # this machine's matplotlibrc must not change the bytes
        matplotlib.rcParams.update({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False})
        figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
        # Fixed margins, not a layout engine: the chart is always the same shape, and constrained
        # layout measured about a third of a drawing.
        figure.subplots_adjust(left=0.075, right=0.985, top=0.86, bottom=0.13, wspace=0.3)
        FigureCanvasAgg(figure)
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1]})
        _bars(left, data, labels)
        _lines(right, data, labels)
        figure.suptitle(labels["title"], fontsize=12, fontweight="bold")
        out = io.BytesIO()
        # No "Software" entry and no date: the same chart is the same bytes, on any day.
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        return out.getvalue()


def _bars(axes, data: ChartData, labels: Mapping[str, str]) -> None:
    from matplotlib.patches import Patch

    x = list(range(len(data.months)))
    lows, highs = [b[0] for b in data.band], [b[1] for b in data.band]
    # The band behind each bar, its edges drawn so that a range of one number (3-3) still shows.
    axes.bar(
        x,
        [hi - lo for lo, hi in data.band],
        bottom=lows,
        width=0.9,
        color=SKY,
        alpha=0.45,
        edgecolor=SKY,
        linewidth=2,
    )
    current = len(x) - 1
    for i, count in enumerate(data.logged):
        closed = data.scored[i] and i != current
        axes.bar(
            i,
            count,
            width=0.55,
            color=BLUE if closed else GREY,
            edgecolor=BLACK,
            linewidth=0.6,
            hatch="//" if closed and not data.on_target[i] else None,
        )
        above = {"xytext": (0, 2), "textcoords": "offset points"}
        axes.annotate(str(count), (i, count), ha="center", va="bottom", fontsize=8, **above)
    handles = [
        Patch(facecolor=SKY, edgecolor=SKY, alpha=0.6, label=labels["band"]),
        Patch(facecolor=BLUE, edgecolor=BLACK, label=labels["logged"]),
        Patch(facecolor=BLUE, edgecolor=BLACK, hatch="//", label=labels["below"]),
        Patch(facecolor=GREY, edgecolor=BLACK, label=labels["open"]),
    ]
    axes.set_xticks(x, _ticks(data.months), fontsize=8)
    axes.set_ylim(0, max([*data.logged, *highs, 1]) * 1.45)
    axes.set_ylabel(labels["per_month"])
    axes.set_title(labels["left"], fontsize=10)
    axes.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)


def _lines(axes, data: ChartData, labels: Mapping[str, str]) -> None:
    x = list(range(len(data.line_months)))
    axes.plot(x[: len(data.profile)], data.profile, color=BLUE, marker="o", markersize=4, label=labels["profile"])
    axes.plot(x, data.median, color=BLACK, linestyle="--", linewidth=1.2, label=labels["median"])
    points = [(i, p) for i, p in zip(x, data.projection, strict=True) if p is not None]
    if points:
        axes.plot(
            [i for i, _ in points],
            [p for _, p in points],
            color=ORANGE,
            linestyle=":",
            linewidth=2,
            marker="^",
            markersize=3,
            label=labels["projection"],
        )
    step = max(1, len(x) // 8)  # at most about eight month labels: legible as a thumbnail
    axes.set_xticks(x[::step], _ticks(data.line_months[::step]), fontsize=8)
    axes.set_ylabel(labels["domains"])
    axes.set_title(labels["right"], fontsize=10)
    axes.legend(loc="best", fontsize=8, frameon=False)


def _monthly(target: Mapping[str, Any]) -> tuple[float, float]:
    months = MONTHS_IN[target.get("per", "month")]
    return target["low"] / months, target["high"] / months


def _whole(value: float) -> float:
    return round(value, 1) if abs(value - round(value)) >= 0.05 and value < 10 else round(value)


def _label(month: str) -> str:
    import calendar

    year, number = (int(p) for p in month.split("-"))
    return f"{calendar.month_name[number]} {year}"


def _ticks(months: Sequence[str]) -> list[str]:
    """Short month names, the year under the first and under each January."""
    import calendar

    ticks = []
    for i, month in enumerate(months):
        year, number = (int(p) for p in month.split("-"))
        ticks.append(f"{calendar.month_abbr[number]}\n{year}" if i == 0 or number == 1 else calendar.month_abbr[number])
    return ticks
