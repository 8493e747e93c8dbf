"""A small raster canvas for the progress chart, on Pillow: text, boxes, hatching, lines (solid,
dashed, dotted), markers, and the PNG.

Pillow draws straight into pixels, so a chart is a hundred or so small operations (well under a
millisecond) where a plotting library spends a fifth of a second laying out artists. The picture is
drawn in palette colours from the start (each colour an index, the way the PNG stores it), so
nothing has to be mapped or counted before it is written. Text is the one thing drawn smooth: its
edges take the shades of the palette's ramp from the ink to white.

Same input, same bytes: one bundled font (DejaVu Sans, `fonts/`), Pillow's basic text layout (never
Raqm, which only some machines have), fixed sizes, and a PNG without a date or a software name.
Charts repeat their words (month names, small numbers, the legend), so each piece of text is
rasterised once per process, then pasted.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

try:  # ISA-L's deflate: the same zlib stream as zlib's level 1, a little smaller, in a seventh of the time
    from isal import isal_zlib as _deflate
except ImportError:  # a platform its wheels do not cover: zlib's own, as before
    _deflate = zlib

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
WHITE = (255, 255, 255)
HATCH_SPACING = 6  # pixels between the diagonal lines of a hatched box
TEXT_CACHE = 4096  # pieces of text kept rasterised (a chart has about fifty, most of them shared)
RAMP = 8  # shades from the ink of text to white, for its smooth edges (eight look as good as 64 at this size)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

RGB = tuple[int, int, int]
Point = tuple[float, float]


def rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def over_white(colour: RGB, alpha: float) -> RGB:
    """`colour` at `alpha` over a white background, as one opaque colour."""
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in colour)  # type: ignore[return-value]


class Palette:
    """The picture's colours: white first (the background), the solids, then the ramp of shades
    from `ink` (the text's colour) to white. 256 at most; sixteen make the PNG smaller and quicker."""

    def __init__(self, solids: Sequence[RGB], ink: RGB):
        colours = list(dict.fromkeys([WHITE, *solids, ink]))
        ramp = [tuple(round(i + (w - i) * k / RAMP) for i, w in zip(ink, WHITE, strict=True)) for k in range(RAMP)]
        self.colours = colours + [c for c in ramp if c not in colours]
        if len(self.colours) > 256:
            raise ValueError(f"a palette holds 256 colours, not {len(self.colours)}")
        self.index = {colour: i for i, colour in enumerate(self.colours)}
        self.ink = self.index[ink]
        # A text mask's coverage (0-255) → the index of its shade: 0 is white, 255 the ink itself.
        shade = [self.index[ramp[min(RAMP - 1, round((255 - c) / 255 * RAMP))]] for c in range(256)]
        shade[0] = 0
        self.shades = shade
        self.texts: dict[tuple[str, int, bool, bool], tuple[Image.Image, Image.Image, int, int, int]] = {}

    def flat(self) -> list[int]:
        return [c for colour in self.colours for c in colour] + [0] * 3 * (256 - len(self.colours))


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    path = FONTS / (BOLD if bold else REGULAR)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def _text(
    palette: Palette, words: str, size: int, bold: bool, rotated: bool
) -> tuple[Image.Image, Image.Image, int, int, int]:
    """The text as palette indices (its shades) and a mask of where it is, with where its top-left
    corner sits from the pen position (left end of the baseline), and its advance:
    (indices, mask, dx, dy, advance). Kept per palette (the last TEXT_CACHE pieces)."""
    key = (words, size, bold, rotated)
    if (found := palette.texts.get(key)) is not None:
        return found
    found = palette.texts[key] = _rasterised(palette.shades, *key)
    if len(palette.texts) > TEXT_CACHE:
        palette.texts.pop(next(iter(palette.texts)))
    return found


def _rasterised(
    shades: Sequence[int], words: str, size: int, bold: bool, rotated: bool
) -> tuple[Image.Image, Image.Image, int, int, int]:
    font = _font(size, bold)
    left, top, right, bottom = font.getbbox(words, anchor="ls")
    coverage = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(coverage).text((-left, -top), words, fill=255, font=font, anchor="ls")
    advance = round(font.getlength(words))
    dx, dy = left, top
    if rotated:  # reads bottom to top: the pen's baseline becomes a vertical line on the right
        coverage, dx, dy = coverage.transpose(Image.Transpose.ROTATE_90), top, -right
    indices = Image.frombytes("P", coverage.size, coverage.point(list(shades)).tobytes())
    where = coverage.point([0] + [255] * 255)
    return indices, where, dx, dy, advance


@lru_cache(maxsize=4)
def _hatch(width: int, height: int) -> Image.Image:
    """Diagonal lines (like "//") over the whole canvas, as a mask: a hatched box is a crop of it."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    for start in range(0, width + height, HATCH_SPACING):
        draw.line([(start, 0), (start - height, height)], fill=255, width=1)
    return mask


@lru_cache(maxsize=8)
def _stripes(width: int, height: int, on: int, off: int) -> Image.Image:
    """Vertical stripes, `on` pixels wide every `on + off`: a line drawn through them is dashed."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    for x in range(0, width, on + off):
        draw.rectangle([x, 0, x + on - 1, height], fill=255)
    return mask


@dataclass(frozen=True, slots=True)
class Layer:
    """Part of a picture drawn once and kept (`Canvas.layer`): its pixels, where they are, and where
    its top-left corner goes."""

    image: Image.Image
    mask: Image.Image
    corner: tuple[int, int]


class Canvas:
    def __init__(self, width: int, height: int, palette: Palette):
        self.width, self.height = width, height
        self.palette = palette
        self.image = Image.new("P", (width, height), 0)
        self.image.putpalette(palette.flat())
        self.draw = ImageDraw.Draw(self.image)

    def copy(self) -> Canvas:
        """Another canvas showing what this one shows now: a picture's fixed parts drawn once, then
        copied for each picture (a copy is a few microseconds; drawing them, a tenth of a millisecond)."""
        copied = Canvas.__new__(Canvas)
        copied.width, copied.height, copied.palette = self.width, self.height, self.palette
        copied.image = self.image.copy()
        copied.draw = ImageDraw.Draw(copied.image)
        return copied

    def layer(self) -> Layer:
        """What is drawn on this canvas (a blank one), to be pasted over others as it is."""
        box = self.image.getbbox() or (0, 0, 1, 1)  # where anything is drawn (not the background, 0)
        drawn = self.image.crop(box)
        where = Image.frombytes("L", drawn.size, drawn.tobytes()).point([0] + [255] * 255)
        return Layer(drawn, where, (box[0], box[1]))

    def paste(self, layer: Layer) -> None:
        """A layer over this canvas: the pixels it drew, each as it drew it."""
        self.image.paste(layer.image, layer.corner, layer.mask)

    def _ink(self, colour: RGB) -> int:
        return self.palette.index[colour]

    # Text (always in the palette's ink).

    def text(
        self,
        xy: Point,
        words: str,
        *,
        size: int,
        bold: bool = False,
        align: str = "left",  # left, centre, right: of the pen position
        valign: str = "baseline",  # baseline, top, middle, bottom
    ) -> None:
        if not words:
            return
        indices, where, dx, dy, advance = _text(self.palette, words, size, bold, False)
        ascent, descent = _font(size, bold).getmetrics()
        x = xy[0] - {"left": 0, "centre": advance / 2, "right": advance}[align]
        y = xy[1] + {"baseline": 0, "top": ascent, "middle": (ascent - descent) / 2, "bottom": -descent}[valign]
        self.image.paste(indices, (round(x) + dx, round(y) + dy), where)

    def lines_of_text(self, xy: Point, lines: Sequence[str], *, size: int, spacing: float = 1.2) -> None:
        """Lines centred under each other, the first one's top at `xy`."""
        for i, line in enumerate(lines):
            self.text((xy[0], xy[1] + i * size * spacing), line, size=size, align="centre", valign="top")

    def vertical_text(self, xy: Point, words: str, *, size: int) -> None:
        """Text reading bottom to top, centred on `xy`."""
        indices, where, _, _, _ = _text(self.palette, words, size, False, True)
        self.image.paste(indices, (round(xy[0] - where.width / 2), round(xy[1] - where.height / 2)), where)

    def text_width(self, words: str, *, size: int, bold: bool = False) -> int:
        return _text(self.palette, words, size, bold, False)[4]

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
        fill_ink = None if fill is None else self._ink(fill)
        outline_ink = None if outline is None else self._ink(outline)
        self.draw.rectangle([left, top, right, bottom], fill=fill_ink, outline=outline_ink, width=width)

    def hatch(self, left: float, top: float, right: float, bottom: float, *, colour: RGB) -> None:
        # An inverted box is an empty one (a bar of 0 has no inside to hatch), not a strip turned over.
        area = (round(left), round(top), round(right), round(bottom))
        if area[2] <= area[0] or area[3] <= area[1]:
            return
        self.image.paste(self._ink(colour), area, _hatch(self.width, self.height).crop(area))

    def line(self, points: Sequence[Point], *, colour: RGB, width: int = 1, style: str = "solid") -> None:
        """A polyline: `solid`, `dashed` (8 on, 5 off) or `dotted` (2 on, 3 off), counted across."""
        if len(points) < 2:
            return
        xy = [(round(x), round(y)) for x, y in points]
        if style == "solid":
            self.draw.line(xy, fill=self._ink(colour), width=width, joint="curve")
            return
        on, off = {"dashed": (8, 5), "dotted": (2, 3)}[style]
        # The whole line in a mask, cut by stripes: one paste, where a dash at a time is dozens of calls.
        left, top = min(x for x, _ in xy) - width, min(y for _, y in xy) - width
        right, bottom = max(x for x, _ in xy) + width + 1, max(y for _, y in xy) + width + 1
        mask = Image.new("L", (right - left, bottom - top), 0)
        ImageDraw.Draw(mask).line([(x - left, y - top) for x, y in xy], fill=255, width=width, joint="curve")
        stripes = _stripes(self.width + on + off, self.height + 2 * width + 2, on, off)
        cut = stripes.crop((left % (on + off), 0, left % (on + off) + mask.width, mask.height))
        self.image.paste(self._ink(colour), (left, top), ImageChops.multiply(mask, cut))

    def marker(self, xy: Point, shape: str, *, size: float, fill: RGB, outline: RGB | None = None) -> None:
        """A marker centred on `xy`: circle, triangle (pointing up) or diamond; `size` its half-width."""
        x, y = xy
        ink, edge = self._ink(fill), None if outline is None else self._ink(outline)
        if shape == "circle":
            self.draw.ellipse([x - size, y - size, x + size, y + size], fill=ink, outline=edge)
        elif shape == "triangle":
            self.draw.polygon([(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)], fill=ink)
        elif shape == "diamond":
            corners = [(x, y - size * 1.2), (x + size, y), (x, y + size * 1.2), (x - size, y)]
            self.draw.polygon(corners, fill=ink, outline=edge)
        else:
            raise ValueError(f"no marker {shape!r}")

    def blank(self, left: float, top: float, right: float, bottom: float) -> tuple[int, int]:
        """How many pixels of this box are still the background, and how many it has."""
        area = (max(0, round(left)), max(0, round(top)), min(self.width, round(right)), min(self.height, round(bottom)))
        pixels = self.image.crop(area).tobytes()
        return pixels.count(0), len(pixels)  # the background is index 0

    def png(self) -> bytes:
        """The picture as a PNG: palette colours, four bits a pixel when sixteen colours do.

        Written here rather than by Pillow, whose four-bit path measured slower than its eight-bit
        one; packing in four bits halves what is deflated. Deflated by ISA-L at its level 1 (where
        installed: a seventh of zlib's time, and smaller than zlib's level 1), no date and no
        software name: the same chart is the same bytes on any day."""
        bits = 4 if len(self.palette.colours) <= 16 else 8
        stride = (self.width * bits + 7) // 8
        # Each row is its filter byte (0: none) and the row. The encoder pads each row with a zero
        # byte (a stride one longer): that byte, moved to the front, is the next row's filter.
        padded = self.image.tobytes("raw", ("P;4" if bits == 4 else "P", stride + 1))
        deflate = _deflate.compressobj(1)
        idat = deflate.compress(b"\0") + deflate.compress(memoryview(padded)[:-1]) + deflate.flush()
        colours = bytes(value for colour in self.palette.colours for value in colour)
        header = struct.pack(">IIBBBBB", self.width, self.height, bits, 3, 0, 0, 0)  # 3: palette colours
        chunks = ((b"IHDR", header), (b"PLTE", colours), (b"IDAT", idat), (b"IEND", b""))
        return PNG_SIGNATURE + b"".join(_chunk(kind, body) for kind, body in chunks)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


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
