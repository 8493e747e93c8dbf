"""The progress chart: a pure function of a channel's plan and months, to PNG bytes and alt text."""

from __future__ import annotations

import datetime as dt
import io
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from support import TYPED_ANSWERS, MemoryChat

from bot.conversation.rendering import PLAIN, Renderer
from bot.core.events import ChannelKey
from bot.core.replies import images
from bot.engine import Engine
from bot.lookups.provider import MonthChange
from bot.monthly import chart, picture
from bot.monthly.progress import MonthProgress
from bot.planning import knowledge, planner
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[3]
KNOWLEDGE = knowledge.default()
PLAIN_TEXT = Renderer(KNOWLEDGE, PLAIN)
LABELS = {name: PLAIN_TEXT.render(f"chart.{name}", {"site": "example.com", "provider": ""}) for name in chart.LABELS}
# Competitors within reach, so the plan projects a path to parity.
REACHABLE = [(q, "rival.com=220, other.net=260, 200" if q == "competitors" else t) for q, t in TYPED_ANSWERS]


def answers() -> dict:
    from bot.conversation.questionnaire import Draft, apply

    draft, errors = apply(KNOWLEDGE.questionnaire, Draft(), dict(REACHABLE))
    assert not errors
    return draft.answers


def fixed_data(**measured) -> chart.ChartData:
    plan = planner.plan(answers(), KNOWLEDGE)
    target = {"low": 2, "high": 3, "per": "month"}
    rows = [
        MonthProgress("2026-09", 4, target),
        MonthProgress("2026-10", 6, target),
        MonthProgress("2026-11", 1, target),
        MonthProgress("2026-12", 7, target, unscored="skipped"),
        MonthProgress("2027-01", 2, target),
    ]
    return chart.chart_data(
        site="example.com",
        rows=rows,
        start=140,
        plan=plan.model_dump(mode="json"),
        plan_month="2026-09",
        path=planner.projected_profile(plan.answers, KNOWLEDGE),
        natural=plan.momentum.natural,
        keep=0.9,
        **measured,
    )


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_the_same_input_draws_the_same_bytes_at_thumbnail_size():
    first, second = chart.render(fixed_data(), LABELS), chart.render(fixed_data(), LABELS)
    assert first == second
    assert png_size(first) == (800, 450)
    assert 4_000 < len(first) < 150_000
    assert b"Software" not in first and b"tIME" not in first  # no software name, no date


def test_deflated_by_isa_l_or_by_zlib_the_picture_is_the_same(monkeypatch):
    import zlib

    from PIL import Image

    from bot.monthly import canvas

    fast = chart.render(fixed_data(), LABELS)
    assert canvas._deflate is not zlib  # the installed one: ISA-L's
    monkeypatch.setattr(canvas, "_deflate", zlib)  # where its wheel does not install
    plain = chart.render(fixed_data(), LABELS)
    assert fast != plain and len(fast) < len(plain)
    pixels = [Image.open(io.BytesIO(png)).convert("RGB").tobytes() for png in (fast, plain)]
    assert pixels[0] == pixels[1]


def test_another_process_draws_the_same_bytes(tmp_path):
    # A fresh interpreter (its own font cache and settings) must agree byte for byte.
    script = (
        "import sys; sys.path[:0] = ['tests/helpers', 'tests/bot/monthly', '.'];"
        "import test_chart as t; from bot.monthly import chart;"
        f"open({str(tmp_path / 'c.png')!r}, 'wb').write(chart.render(t.fixed_data(), t.LABELS))"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert (tmp_path / "c.png").read_bytes() == chart.render(fixed_data(), LABELS)


def test_other_numbers_draw_another_picture():
    data = fixed_data()
    other = chart.ChartData(**{**{f: getattr(data, f) for f in data.__slots__}, "logged": (4, 6, 1, 7, 9)})
    assert chart.render(other, LABELS) != chart.render(data, LABELS)


def test_a_chart_drawn_with_its_kept_parts_is_the_one_drawn_afresh():
    # The panels' titles and the bars' legend are drawn once and each chart drawn on a copy; the
    # months' axes, the bars' numbers axis and the lines' legend are kept drawn and pasted: a chart
    # must not show what the one before drew, nor be any other than drawn with nothing kept.
    measured = {"2026-10": MonthChange("2026-10", 9, 2), "2026-11": MonthChange("2026-11", 5, 6)}
    first, second = fixed_data(measured=measured, measured_by="DataForSEO"), fixed_data()
    high = chart.ChartData(**{**{f: getattr(second, f) for f in second.__slots__}, "logged": (40, 2, 0, 3, 1)})
    kept = (picture._fixed_parts, picture._months_axis, picture._numbers_axis, picture._legend_layer)
    for cache in kept:
        cache.cache_clear()
    afresh = [chart.render(data, LABELS) for data in (second, high)]
    chart.render(first, LABELS)
    assert [chart.render(data, LABELS) for data in (second, high)] == afresh
    assert all(cache.cache_info().hits for cache in kept)
    assert picture._fixed_parts.cache_info().currsize == 2  # measured and not, in one language


def test_a_kept_layer_pasted_over_a_picture_is_what_drawing_it_there_draws():
    entries = (("profile", "You"), ("median", "Competitors' median"), ("projection", "The plan's path"))
    corner = (picture.RIGHT_PANEL[0] + 8, picture.RIGHT_PANEL[1] + picture.LEGEND_TOP)
    drawn, pasted = picture._blank().copy(), picture._blank().copy()
    for canvas in (drawn, pasted):  # lines and a box under the legend, in its colours and others
        canvas.box(
            corner[0] + 20, corner[1] - 5, corner[0] + 60, corner[1] + 60, fill=picture.BAND, outline=picture.INK
        )
        for colour, y in ((picture.INK, 8), (picture.PATH, 24), (picture.MEASURED, 40)):
            canvas.line([(corner[0] - 10, corner[1] + y), (corner[0] + 200, corner[1] + y + 3)], colour=colour, width=2)
    picture._legend(drawn, corner, entries)
    pasted.paste(picture._legend_layer(corner, entries))
    assert pasted.image.tobytes() == drawn.image.tobytes()
    assert pasted.image.tobytes() != picture._blank().image.tobytes()


@pytest.mark.parametrize("logged", [(0, 0, 0, 0, 0), (4, 6, 1, 7, 2), (90, 3, 120, 0, 7)])
def test_nothing_is_drawn_over_the_bars_legend(logged):
    # What makes drawing it once right: the bars' scale leaves the legend its room, tallest bar,
    # its count and the measured diamonds included.
    measured = {"2026-10": MonthChange("2026-10", max(logged) + 5, 2), "2026-11": MonthChange("2026-11", 5, 6)}
    data = fixed_data(measured=measured, measured_by="DataForSEO")
    data = chart.ChartData(**{**{f: getattr(data, f) for f in data.__slots__}, "logged": logged})
    from PIL import Image

    drawn = Image.open(io.BytesIO(chart.render(data, LABELS)))
    fixed = picture._fixed_parts(tuple((n, LABELS[n]) for n in picture.FIXED_WORDS), True).image
    left, top, right, _ = picture.LEFT_PANEL
    rows = len(picture._bar_entries(LABELS, True))
    box = (left + 1, top + 1, right, top + picture.LEGEND_TOP + rows * picture.LEGEND_ROW + 2)
    assert drawn.crop(box).convert("RGB").tobytes() == fixed.crop(box).convert("RGB").tobytes()


def test_the_alt_text_says_the_numbers():
    data = fixed_data()
    alt = PLAIN_TEXT.text(chart.alt_text(data))
    assert "example.com" in alt
    for month, count in (("September 2026", 4), ("October 2026", 6), ("November 2026", 1), ("January 2027", 2)):
        assert f"{month} {count} (to build 2-3)" in alt
    assert "January 2027 2 (to build 2-3) so far" in alt
    assert "140 when the first plan was made" in alt
    median = round(data.median[len(data.months) - 1])
    assert f"median of about {median}" in alt
    assert data.parity is not None and f"reaches the median in {chart._label(data.parity)}" in alt


def test_the_measured_months_are_drawn_and_said_beside_the_logged_ones():
    measured = {
        "2026-10": MonthChange("2026-10", 9, 2),
        "2026-11": MonthChange("2026-11", 5, 6),
        "2025-10": MonthChange("2025-10", 40, 0),  # before the plan: not one of the chart's months
    }
    data = fixed_data(measured=measured, measured_by="DataForSEO")
    assert data.measured_new == (None, 9, 5, None, None) and data.measured_lost == (None, 2, 6, None, None)
    alt = PLAIN_TEXT.text(chart.alt_text(data))
    assert "October 2026 6 (to build 2-3)" in alt  # logged, as before
    said = "Measured by DataForSEO, every new referring domain, built and earned, and those lost: "
    assert said + "October 2026 9 new, 2 lost; November 2026 5 new, 6 lost." in alt
    labels = {n: PLAIN_TEXT.render(f"chart.{n}", chart.label_values(data)) for n in chart.LABELS}
    assert labels["measured"] == "All new, as DataForSEO counts them"
    assert colour_pixels(chart.render(data, labels), picture.VERMILLION) > 100  # the line and its diamonds
    unmeasured = fixed_data()
    assert "Measured" not in PLAIN_TEXT.text(chart.alt_text(unmeasured))
    assert colour_pixels(chart.render(unmeasured, LABELS), picture.VERMILLION) == 0


def colour_pixels(png: bytes, colour: str) -> int:
    from PIL import Image

    wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(n for n, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20) if c == wanted)


def test_the_projection_is_the_planners_path_to_parity():
    plan = planner.plan(answers(), KNOWLEDGE)
    path = planner.projected_profile(plan.answers, KNOWLEDGE)
    assert plan.months_to_parity is not None and len(path) == plan.months_to_parity
    assert path == sorted(path) and path[-1] >= plan.need.competitors_median


def test_fewer_than_two_months_draw_nothing():
    rows = [MonthProgress("2026-09", 4, {"low": 2, "high": 3, "per": "month"})]
    plan = planner.plan(answers(), KNOWLEDGE).model_dump(mode="json")
    assert chart.chart_data(site="x", rows=rows, start=1, plan=plan, plan_month="2026-09", path=[]) is None


@pytest.mark.parametrize("module", ["bot.app.cli", "bot.engine", "bot.app.serve"])
def test_starting_up_does_not_import_the_drawing_library(module):
    found = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "PIL" not in found.stderr and "matplotlib" not in found.stderr
    assert module.rsplit(".", 1)[-1] in found.stderr  # importtime did report the imports


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def test_show_carries_the_chart_from_the_second_month(db_path):
    clock = Clock(dt.datetime(2026, 9, 3, 12, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{db_path}", clock=clock)
    try:
        chat = MemoryChat(Engine(knowledge=KNOWLEDGE, store=store), ChannelKey("memory", "t", "c"), "alice")
        await chat.answer_all(REACHABLE)
        await chat.say("log 4")
        await chat.say("show")
        assert images(chat.last[0]) == []  # one month: the list of months, no picture
        clock.now = dt.datetime(2026, 10, 2, 12, tzinfo=dt.UTC)
        await chat.say("show")
        [image] = images(chat.last[0])
        assert png_size(image.data) == (800, 450) and image.filename.endswith(".png")
        alt = PLAIN_TEXT.text(image.alt)
        assert "September 2026 4 (to build" in alt and "October 2026 0 (to build" in alt
    finally:
        await store.close()


def test_a_bar_of_nothing_has_no_hatching_under_the_axis():
    """A closed month with 0 logged and off target: its bar has no inside, so nothing is hatched
    (an inverted box was turned over and drawn as a two-pixel strip below the axis)."""
    from bot.monthly.canvas import WHITE, Canvas, Palette

    ink = (20, 20, 20)
    canvas = Canvas(40, 40, Palette([ink], ink))
    canvas.hatch(5, 21, 35, 19, colour=ink)  # a bar from 20 to 20, hatched inside its edges
    assert canvas.image.convert("RGB").getcolors() == [(1600, WHITE)]
    canvas.hatch(5, 5, 35, 35, colour=ink)  # a real box still is
    assert len(canvas.image.convert("RGB").getcolors()) > 1


async def test_the_chart_is_drawn_in_its_channels_language():
    """Its words and its months' names: a German channel's chart says „Okt“ and „Dez“, not Oct and Dec."""
    from bot.monthly.chart_maker import ChartMaker

    maker = ChartMaker(knowledge=KNOWLEDGE)
    data = fixed_data()
    german = (await maker.image(data, "de")).data
    values = chart.label_values(site="example.com", provider="")
    words = {name: Renderer(KNOWLEDGE, PLAIN, "de").render(f"chart.{name}", values) for name in chart.LABELS}
    months = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
    assert german == chart.render(data, {**words, **{f"month.{n}": m for n, m in enumerate(months, 1)}})
    assert german != chart.render(data, words), "the months' names are German too"
    assert german != (await maker.image(data)).data  # English by default
