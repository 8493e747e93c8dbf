"""A small raster canvas for the progress chart, on Pillow: text, rectangles, hatching, lines
(solid, dashed, dotted), markers, axis ticks, and the PNG.

Pillow draws straight into pixels, so a chart is a few hundred small operations (about a
millisecond) where a plotting library spends a fifth of a second laying out artists. Same input,
same bytes: one bundled font (DejaVu Sans, `fonts/`), Pillow's basic text layout (never Raqm, which
only some machines have), fixed sizes, and a PNG without a date or a software name.

Text is the costly part, and charts repeat their words (month names, small numbers, the legend), so
each piece of text is rasterised once per process into a mask, then pasted in its colour.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
WHITE = (255, 255, 255)
HATCH_SPACING = 6  # pixels between the diagonal lines of a hatched bar
TEXT_CACHE = 4096  # pieces of text kept rasterised (a chart has about sixty, most of them shared)

RGB = tuple[int, int, int]
Point = tuple[float, float]


def rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def over_white(colour: RGB, alpha: float) -> RGB:
    """`colour` at `alpha` over a white background, as one opaque colour."""
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in colour)  # type: ignore[return-value]


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    path = FONTS / (BOLD if bold else REGULAR)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=TEXT_CACHE)
def _text(words: str, size: int, bold: bool, rotated: bool) -> tuple[Image.Image, int, int, int]:
    """The text as a mask, with where its top-left corner sits from the pen position (left end of
    the baseline), and its advance: (mask, dx, dy, advance)."""
    font = _font(size, bold)
    left, top, right, bottom = font.getbbox(words, anchor="ls")
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), words, fill=255, font=font, anchor="ls")
    advance = round(font.getlength(words))
    if rotated:  # reads bottom to top: the pen's baseline becomes a vertical line on the right
        return mask.transpose(Image.Transpose.ROTATE_90), top, -right, advance
    return mask, left, top, advance


@lru_cache(maxsize=4)
def _hatch(width: int, height: int) -> Image.Image:
    """Diagonal lines (like "//") over the whole canvas, as a mask: a hatched box is a crop of it."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    for start in range(0, width + height, HATCH_SPACING):
        draw.line([(start, 0), (start - height, height)], fill=255, width=1)
    return mask


class Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.image = Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    # Text.

    def text(
        self,
        xy: Point,
        words: str,
        *,
        size: int,
        colour: RGB,
        bold: bool = False,
        align: str = "left",  # left, centre, right: of the pen position
        valign: str = "baseline",  # baseline, top, middle, bottom
    ) -> None:
        if not words:
            return
        mask, dx, dy, advance = _text(words, size, bold, False)
        ascent, descent = _font(size, bold).getmetrics()
        x = xy[0] - {"left": 0, "centre": advance / 2, "right": advance}[align]
        y = xy[1] + {"baseline": 0, "top": ascent, "middle": (ascent - descent) / 2, "bottom": -descent}[valign]
        self.image.paste(colour, (round(x) + dx, round(y) + dy), mask)

    def lines_of_text(
        self, xy: Point, lines: Sequence[str], *, size: int, colour: RGB, align: str = "centre", spacing: float = 1.2
    ) -> None:
        """Lines under each other, the first one's top at `xy`."""
        for i, line in enumerate(lines):
            self.text((xy[0], xy[1] + i * size * spacing), line, size=size, colour=colour, align=align, valign="top")

    def vertical_text(self, xy: Point, words: str, *, size: int, colour: RGB) -> None:
        """Text reading bottom to top, centred on `xy`."""
        mask, _, _, _ = _text(words, size, False, True)
        self.image.paste(colour, (round(xy[0] - mask.width / 2), round(xy[1] - mask.height / 2)), mask)

    def text_width(self, words: str, *, size: int, bold: bool = False) -> int:
        return _text(words, size, bold, False)[3]

    # Shapes.

    def box(
        self,
        left: float,
        top: float,
        right: float,
        bottom: float,
        *,
        fill: RGB | None,
        outline: RGB | None = None,
        width: int = 1,
    ) -> None:
        left, right = sorted((round(left), round(right)))
        top, bottom = sorted((round(top), round(bottom)))
        self.draw.rectangle([left, top, right, bottom], fill=fill, outline=outline, width=width)

    def hatch(self, left: float, top: float, right: float, bottom: float, *, colour: RGB) -> None:
        area = (round(min(left, right)), round(min(top, bottom)), round(max(left, right)), round(max(top, bottom)))
        if area[2] <= area[0] or area[3] <= area[1]:
            return
        self.image.paste(colour, area[:2], _hatch(self.width, self.height).crop(area))

    def line(self, points: Sequence[Point], *, colour: RGB, width: int = 1, style: str = "solid") -> None:
        """A polyline: `solid`, `dashed` (8 on, 5 off) or `dotted` (2 on, 3 off), in pixels along it."""
        if len(points) < 2:
            return
        if style == "solid":
            self.draw.line([(round(x), round(y)) for x, y in points], fill=colour, width=width, joint="curve")
            return
        on, off = {"dashed": (8.0, 5.0), "dotted": (2.0, 3.0)}[style]
        for start, end in _dashes(points, on, off):
            self.draw.line(
                [(round(start[0]), round(start[1])), (round(end[0]), round(end[1]))], fill=colour, width=width
            )

    def marker(self, xy: Point, shape: str, *, size: float, fill: RGB, outline: RGB | None = None) -> None:
        """A marker centred on `xy`: circle, triangle (pointing up) or diamond; `size` its half-width."""
        x, y = xy
        if shape == "circle":
            self.draw.ellipse([x - size, y - size, x + size, y + size], fill=fill, outline=outline)
        elif shape == "triangle":
            self.draw.polygon([(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)], fill=fill)
        elif shape == "diamond":
            corners = [(x, y - size * 1.2), (x + size, y), (x, y + size * 1.2), (x - size, y)]
            self.draw.polygon(corners, fill=fill, outline=outline)
        else:
            raise ValueError(f"no marker {shape!r}")

    def png(self, palette: Image.Image) -> bytes:
        """The picture as a PNG of `palette`'s colours (see `palette`): each pixel its nearest one."""
        out = io.BytesIO()
        # Indexed colour: a third of the bytes to compress, and a fixed palette maps in a fraction of
        # a millisecond where finding one (quantising) takes several. Fast compression: the file is
        # a few KB larger, written in half the time. No date and no software name are written, so
        # the same chart is the same bytes on any day.
        indexed = self.image.quantize(palette=palette, dither=Image.Dither.NONE)
        indexed.save(out, format="PNG", compress_level=1)
        return out.getvalue()


@lru_cache(maxsize=4)
def palette(solids: tuple[RGB, ...], ramps: tuple[tuple[RGB, RGB, int], ...]) -> Image.Image:
    """A palette image: the `solids`, then for each (ink, ground, steps) of `ramps` the shades an
    anti-aliased edge of ink over that ground takes. 256 colours at most."""
    colours = list(dict.fromkeys(solids))
    for ink, ground, steps in ramps:
        for k in range(1, steps):
            shade = tuple(round(i + (g - i) * k / steps) for i, g in zip(ink, ground, strict=True))
            if shade not in colours:
                colours.append(shade)
    if len(colours) > 256:
        raise ValueError(f"a palette holds 256 colours, not {len(colours)}")
    image = Image.new("P", (1, 1))
    image.putpalette([c for colour in colours for c in colour] + [0] * 3 * (256 - len(colours)))
    return image


def _dashes(points: Sequence[Point], on: float, off: float) -> list[tuple[Point, Point]]:
    """The drawn pieces of a dashed polyline, the pattern carried across its corners."""
    pieces: list[tuple[Point, Point]] = []
    drawing, left = True, on  # in a dash or a gap, and how much of it is left
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        done = 0.0
        while length - done > 1e-9:
            step = min(left, length - done)
            if drawing:
                a, b = done / length, (done + step) / length
                pieces.append(((x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)))
            done += step
            left -= step
            if left <= 1e-9:
                drawing = not drawing
                left = on if drawing else off
    return pieces


def nice_ticks(low: float, high: float, *, most: int = 6, whole: bool = False) -> list[float]:
    """Round numbers from `low` to `high`, at most `most` of them (1, 2, 2.5 or 5 times a power of
    ten apart; with `whole`, never less than 1 apart)."""
    span = max(high - low, 1e-9)
    raw = span / max(1, most - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    if whole:
        step = max(1.0, step if step >= 1 else 1.0)
        if step == 2.5:
            step = 2.0 if span / 2 <= most - 1 else 5.0
    first = math.ceil(low / step - 1e-9) * step
    ticks, k = [], 0
    while first + k * step <= high + 1e-9:
        ticks.append(round(first + k * step, 10))
        k += 1
    return ticks


def tick_label(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}".rstrip("0").rstrip(".")
