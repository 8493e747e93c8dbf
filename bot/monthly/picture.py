"""The progress chart's picture: `ChartData` (plain numbers) to PNG bytes, drawn with Pillow.

Two panels, 800×450 px so a chat thumbnail stays legible: on the left the new referring domains
logged each month as bars against the band the plan asked to build, and, where a data provider
measured the site, every new referring domain it counted that month (built and earned) as a line of
diamonds; on the right the profile against the competitors' median, with the plan's path to parity.

Pillow draws straight into pixels (bot/monthly/canvas.py): about half a millisecond of CPU a
chart, where matplotlib took a fifth of a second laying out its artists. What every chart of a
language has in the same place (the panels' titles, the bars' legend) is drawn once and each chart
drawn on a copy; the months' axes and the lines' legend, alike across a month's check-ins, are kept
drawn as layers and pasted, pixel for pixel what drawing them there draws. Same input, same
bytes: fixed sizes and places, a bundled font, fixed month names (not the locale's), a fixed
palette, and no software name or date in the PNG. This module imports nothing of the bot but the canvas, so a
drawing process (bot/monthly/drawers.py) starts in a fraction of a second; Pillow is imported at
the first drawing, so a process that draws nothing never pays for it.

Colours are Okabe-Ito (safe for the common colour-vision deficiencies), and no meaning rests on
colour alone: off-target bars are hatched, measured figures are diamonds, and the lines differ in
style and marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.monthly.canvas import Canvas, Layer, Palette

WIDTH, HEIGHT = 800, 450  # pixels
FILENAME = "backlinks-progress.png"
# Bumped whenever the drawing changes, so a picture kept by what it shows is never one drawn another way.
STYLE = 3

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
    # What the data provider counted for each bar month (None: not measured): every new referring
    # domain, built and earned, and the ones lost; `measured_by` names the provider ("" for none).
    measured_new: tuple[int | None, ...] = ()
    measured_lost: tuple[int | None, ...] = ()
    measured_by: str = ""

    @property
    def measured(self) -> bool:
        return any(n is not None for n in self.measured_new)

    def to_json(self) -> dict[str, Any]:
        """Its fields as they are: tuples, numbers and strings, which json writes as they come."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> ChartData:
        def tuples(value: Any) -> Any:
            return tuple(tuples(v) for v in value) if isinstance(value, list) else value

        return cls(**{f.name: tuples(values[f.name]) for f in fields(cls) if f.name in values})


# The picture.

# Where the two panels sit (left, top, right, bottom), in pixels: fixed, so every chart has one shape.
LEFT_PANEL = (60, 63, 376, 391)
RIGHT_PANEL = (472, 63, 788, 391)
TITLE_SIZE, PANEL_TITLE_SIZE, AXIS_SIZE, SMALL_SIZE = 17, 14, 14, 11
TICK = 4  # tick marks' length
LEGEND_ROW, LEGEND_HANDLE, LEGEND_TOP = 16, 24, 6  # pixels: a line's height, its sample's width, the gap above


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


INK, BAR, OPEN, LINE, PATH, MEASURED, BAND_EDGE = map(_rgb, (BLACK, BLUE, GREY, BLUE, ORANGE, VERMILLION, SKY))
# The band is the plan's range seen through: sky blue at 45% over white (60% in the legend, as before).
BAND = tuple(round(c * 0.45 + 255 * 0.55) for c in BAND_EDGE)
LEGEND_BAND = tuple(round(c * 0.6 + 255 * 0.4) for c in BAND_EDGE)


def render(data: ChartData, labels: Mapping[str, str]) -> bytes:
    """The PNG. `labels`: the chart's words, rendered from knowledge/messages.yaml (`chart.*`)."""
    title = labels["title"]
    canvas = _fixed_parts(tuple((name, labels[name]) for name in FIXED_WORDS), data.measured).copy()
    canvas.text((WIDTH / 2, 8), title, size=TITLE_SIZE, bold=True, align="centre", valign="top")
    _bars(canvas, data, labels)
    _lines(canvas, data, labels)
    return canvas.png()


# The words of the parts every chart in a language has in the same place: the panels' titles and
# the bars' legend (which the bars' scale leaves room for, so nothing is drawn over it).
FIXED_WORDS = ("left", "right", "band", "logged", "below", "open", "measured")


@lru_cache(maxsize=32)
def _fixed_parts(words: tuple[tuple[str, str], ...], measured: bool) -> Canvas:
    """A canvas with those parts drawn, for each chart to be drawn on a copy of (the cache: a few
    languages and providers, each with a measured and an unmeasured legend)."""
    from bot.monthly.canvas import Canvas

    labels = dict(words)
    canvas = Canvas(WIDTH, HEIGHT, _palette())
    for (left, top, right, _), title in ((LEFT_PANEL, labels["left"]), (RIGHT_PANEL, labels["right"])):
        canvas.text(((left + right) / 2, top - 6), title, size=PANEL_TITLE_SIZE, align="centre", valign="bottom")
    _legend(canvas, (LEFT_PANEL[0] + 8, LEFT_PANEL[1] + LEGEND_TOP), _bar_entries(labels, measured))
    return canvas


def _bar_entries(labels: Mapping[str, str], measured: bool) -> list[tuple[str, str]]:
    entries = [("band", labels["band"]), ("bar", labels["logged"]), ("hatched", labels["below"])]
    return entries + [("open", labels["open"])] + ([("measured", labels["measured"])] if measured else [])


@lru_cache(maxsize=1)
def _palette() -> Palette:
    from bot.monthly.canvas import Palette

    return Palette((INK, BAR, OPEN, PATH, MEASURED, BAND_EDGE, BAND, LEGEND_BAND), ink=INK)


class _Axes:
    """A panel: data coordinates to pixels, and its frame, ticks and words."""

    def __init__(self, canvas: Canvas, box: tuple[int, int, int, int], x: tuple[float, float], y: tuple[float, float]):
        self.canvas, self.box = canvas, box
        self.x0, self.x1 = x
        self.y0, self.y1 = y

    def px(self, x: float) -> float:
        left, _, right, _ = self.box
        return left + (x - self.x0) / (self.x1 - self.x0) * (right - left)

    def py(self, y: float) -> float:
        _, top, _, bottom = self.box
        return bottom - (y - self.y0) / (self.y1 - self.y0) * (bottom - top)

    def frame(
        self,
        ylabel: str,
        xticks: Sequence[tuple[float, Sequence[str]]],
        yticks: Sequence[float],
        *,
        kept: bool = False,
    ) -> None:
        """The panel's axes, their ticks and words. `kept`: its numbers' axis kept drawn (a scale
        many charts share, as the bars' small counts do; a scale of one chart's own is drawn here)."""
        from bot.monthly.canvas import tick_label

        numbers = tuple((self.py(v), tick_label(v)) for v in yticks)
        if kept:
            self.canvas.paste(_numbers_axis(self.box, numbers, ylabel))
        else:
            _draw_numbers_axis(self.canvas, self.box, numbers, ylabel)
        # The months' axis: the same for every chart of the same months (a check-in fan-out's), kept.
        self.canvas.paste(_months_axis(self.box, tuple((self.px(v), tuple(words)) for v, words in xticks)))


def _draw_numbers_axis(
    canvas: Canvas, box: tuple[int, int, int, int], numbers: Sequence[tuple[float, str]], ylabel: str
) -> None:
    """A panel's left axis, out to each tick and back (one line, not one a tick), the numbers left of
    it and the axis' name left of them (none of it reaches the months' names under the panel)."""
    left, top, _, bottom = box
    ys = sorted((y for y, _ in numbers), reverse=True)
    canvas.line(
        [(left, bottom), *(p for y in ys for p in ((left, y), (left - TICK, y), (left, y))), (left, top)], colour=INK
    )
    widest = 0
    for y, words in numbers:
        widest = max(widest, canvas.text_width(words, size=AXIS_SIZE))
        canvas.text((left - TICK - 3, y), words, size=AXIS_SIZE, align="right", valign="middle")
    canvas.vertical_text((left - TICK - 3 - widest - 12, (top + bottom) / 2), ylabel, size=AXIS_SIZE)


@lru_cache(maxsize=64)
def _numbers_axis(box: tuple[int, int, int, int], numbers: tuple[tuple[float, str], ...], ylabel: str) -> Layer:
    canvas = _blank().copy()
    _draw_numbers_axis(canvas, box, numbers, ylabel)
    return canvas.layer()


@lru_cache(maxsize=64)
def _months_axis(box: tuple[int, int, int, int], ticks: tuple[tuple[float, tuple[str, ...]], ...]) -> Layer:
    """A panel's bottom axis, out to each month's tick and back, and the months' names under it (they
    reach neither the numbers left of the panel nor anything in it, so drawn apart they are the same)."""
    canvas = _blank().copy()
    left, _, right, bottom = box
    canvas.line(
        [
            (left, bottom),
            *(p for x, _ in ticks for p in ((x, bottom), (x, bottom + TICK), (x, bottom))),
            (right, bottom),
        ],
        colour=INK,
    )
    for x, words in ticks:
        canvas.lines_of_text((x, bottom + TICK + 3), words, size=SMALL_SIZE)
    return canvas.layer()


@lru_cache(maxsize=1)
def _blank() -> Canvas:
    from bot.monthly.canvas import Canvas

    return Canvas(WIDTH, HEIGHT, _palette())


def _bars(canvas: Canvas, data: ChartData, labels: Mapping[str, str]) -> None:
    from bot.monthly.canvas import nice_ticks

    n = len(data.months)
    measured = [(i, m) for i, m in enumerate(data.measured_new) if m is not None]
    entries = _bar_entries(labels, bool(measured))  # the legend: in the fixed parts
    # The legend sits above the bars: the scale leaves it room, and a fifth more for the counts.
    highest = max([*data.logged, *(hi for _, hi in data.band), *(m for _, m in measured), 1])
    height = LEFT_PANEL[3] - LEFT_PANEL[1]
    top = highest * max(1.2, height / (height - LEGEND_TOP - LEGEND_ROW * len(entries) - 16))
    axes = _Axes(canvas, LEFT_PANEL, (-0.45 - 0.05 * n, n - 0.55 + 0.05 * n), (0, top))
    # The band behind each bar, its edges drawn so that a range of one number (3-3) still shows.
    for i, (low, high) in enumerate(data.band):
        canvas.box(
            axes.px(i - 0.45), axes.py(high), axes.px(i + 0.45), axes.py(low), fill=BAND, outline=BAND_EDGE, width=2
        )
    current = n - 1
    for i, count in enumerate(data.logged):
        closed = data.scored[i] and i != current
        left, right, y = axes.px(i - 0.275), axes.px(i + 0.275), axes.py(count)
        canvas.box(left, y, right, axes.py(0), fill=BAR if closed else OPEN, outline=INK)
        if closed and not data.on_target[i]:
            canvas.hatch(left + 1, y + 1, right - 1, axes.py(0) - 1, colour=INK)
    points = [(axes.px(i), axes.py(m)) for i, m in measured]
    canvas.line(points, colour=MEASURED, width=2)
    for point in points:
        canvas.marker(point, "diamond", size=5, fill=MEASURED, outline=INK)
    for i, count in enumerate(data.logged):  # last: over the measured line (their edges light, a halo)
        canvas.text((axes.px(i), axes.py(count) - 3), str(count), size=SMALL_SIZE, align="centre", valign="bottom")
    ticks = [(i, _tick(m, i == 0, labels)) for i, m in enumerate(data.months)]
    axes.frame(labels["per_month"], ticks, nice_ticks(0, top, whole=True), kept=True)


def _lines(canvas: Canvas, data: ChartData, labels: Mapping[str, str]) -> None:
    from bot.monthly.canvas import nice_ticks

    n = len(data.line_months)
    values = [*data.profile, *data.median, *(p for p in data.projection if p is not None)]
    low, high = min(values), max(values)
    margin = max(high - low, 1.0) * 0.05
    span = max(n - 1, 1)
    axes = _Axes(canvas, RIGHT_PANEL, (-0.05 * span, span * 1.05), (low - margin, high + margin))
    profile = [(axes.px(i), axes.py(v)) for i, v in enumerate(data.profile)]
    median = [(axes.px(i), axes.py(v)) for i, v in enumerate(data.median)]
    projection = [(axes.px(i), axes.py(v)) for i, v in enumerate(data.projection) if v is not None]
    canvas.line(median, colour=INK, width=2, style="dashed")
    canvas.line(projection, colour=PATH, width=2, style="dotted")
    for point in projection:
        canvas.marker(point, "triangle", size=3, fill=PATH)
    canvas.line(profile, colour=LINE, width=2)
    for point in profile:
        canvas.marker(point, "circle", size=3, fill=LINE)
    entries = [("profile", labels["profile"]), ("median", labels["median"])]
    entries += [("projection", labels["projection"])] if projection else []
    # Before the frame: nothing but lines there. Kept drawn, for each corner it may take.
    canvas.paste(_legend_layer(_free_corner(canvas, RIGHT_PANEL, entries), tuple(entries)))
    step = max(1, n // 8)  # at most about eight month labels: legible as a thumbnail
    ticks = [(i, _tick(m, i == 0, labels)) for i, m in enumerate(data.line_months) if i % step == 0]
    axes.frame(labels["domains"], ticks, nice_ticks(low - margin, high + margin))


def _legend(canvas: Canvas, corner: tuple[float, float], entries: Sequence[tuple[str, str]]) -> None:
    x, y = corner
    for row, (kind, words) in enumerate(entries):
        middle = y + row * LEGEND_ROW + LEGEND_ROW / 2
        left, right, top, bottom = x, x + LEGEND_HANDLE - 4, middle - 5, middle + 4
        centre = ((left + right) / 2, middle)
        if kind == "band":
            canvas.box(left, top, right, bottom, fill=LEGEND_BAND, outline=BAND_EDGE)
        elif kind in ("bar", "hatched", "open"):
            canvas.box(left, top, right, bottom, fill=OPEN if kind == "open" else BAR, outline=INK)
            if kind == "hatched":
                canvas.hatch(left + 1, top + 1, right - 1, bottom - 1, colour=INK)
        elif kind == "measured":
            canvas.line([(left, middle), (right, middle)], colour=MEASURED, width=2)
            canvas.marker(centre, "diamond", size=5, fill=MEASURED, outline=INK)
        elif kind == "profile":
            canvas.line([(left, middle), (right, middle)], colour=LINE, width=2)
            canvas.marker(centre, "circle", size=3, fill=LINE)
        elif kind == "median":
            canvas.line([(left, middle), (right, middle)], colour=INK, width=2, style="dashed")
        elif kind == "projection":
            canvas.line([(left, middle), (right, middle)], colour=PATH, width=2, style="dotted")
            canvas.marker(centre, "triangle", size=3, fill=PATH)
        canvas.text((x + LEGEND_HANDLE + 2, middle), words, size=SMALL_SIZE, valign="middle")


@lru_cache(maxsize=64)
def _legend_layer(corner: tuple[float, float], entries: tuple[tuple[str, str], ...]) -> Layer:
    canvas = _blank().copy()
    _legend(canvas, corner, entries)
    return canvas.layer()


def _free_corner(canvas: Canvas, box: tuple[int, int, int, int], entries: Sequence[tuple[str, str]]):
    """The corner of the panel where the legend hides the least of what is drawn there already."""
    width = LEGEND_HANDLE + 4 + max(canvas.text_width(words, size=SMALL_SIZE) for _, words in entries)
    height = LEGEND_ROW * len(entries)
    left, top, right, bottom = box
    corners = [(right - width - 6, bottom - height - 8), (left + 8, top + LEGEND_TOP), (right - width - 6, top + 6)]
    corners.append((left + 8, bottom - height - 8))
    # The first with the most background left: the order says which is best when several are free
    # (so the first with nothing in it is the one: the others need not be looked at).
    most, best = -1, corners[0]
    for corner in corners:
        blank, pixels = canvas.blank(corner[0] - 4, corner[1] - 4, corner[0] + width + 4, corner[1] + height + 4)
        if blank == pixels:
            return corner
        if blank > most:
            most, best = blank, corner
    return best


# The picture's month names when its words name none (calendar's follow the machine's locale: the
# same chart, other bytes); a chart's words carry them in its language as `month.1` … `month.12`.
SHORT_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _tick(month: str, first: bool, labels: Mapping[str, str]) -> tuple[str, ...]:
    """A short month name, the year under the first and under each January."""
    year, number = (int(p) for p in month.split("-"))
    name = labels.get(f"month.{number}", SHORT_MONTHS[number])
    return (name, str(year)) if first or number == 1 else (name,)
