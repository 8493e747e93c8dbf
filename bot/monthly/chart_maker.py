"""The progress charts a channel gets, in check-ins and `show`: their numbers from the stored plans
and months (bot/monthly/chart.py), their words rendered once a site, their pictures drawn in the
drawing processes. Charts can be turned off (`enabled`) where the picture is not what is wanted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.conversation.rendering import PLAIN, Renderer
from bot.core.replies import Image
from bot.monthly import chart as charts
from bot.monthly.progress import MonthProgress
from bot.monthly.schedule import month_key
from bot.planning import planner

if TYPE_CHECKING:
    from bot.lookups.provider import MonthChange
    from bot.planning.knowledge import Knowledge
    from bot.storage.plans import StoredPlan

log = logging.getLogger(__name__)

CHART_WORDS_KEPT = 10_000  # sites whose chart words are kept rendered (the oldest forgotten first)


class ChartMaker:
    def __init__(self, *, knowledge: Knowledge, enabled: bool = True):
        self.knowledge = knowledge
        self.enabled = enabled  # a progress chart in check-ins and `show` (from two months of history)
        self._plain: dict[str, Renderer] = {}  # language → the renderer of the chart's own words
        self._words: dict[tuple[str, str, str], Mapping[str, str]] = {}  # (site, provider, language) → its words

    def data(
        self,
        stored: Sequence[StoredPlan],
        rows: Sequence[MonthProgress],
        timezone: str,
        current: tuple[Mapping[str, Any], Mapping[str, Any], str] | None = None,
        *,
        measured: Mapping[str, MonthChange] | None = None,
        measured_by: str = "",
    ) -> charts.ChartData | None:
        """The chart's numbers: from the first plan's start to the current plan's projection, and
        what the data provider measured of those months (`measured`).
        `current`: (plan, answers, month) of a plan not stored yet (one a check-in adapts)."""
        if not stored or len(rows) < charts.MIN_MONTHS:
            return None
        first = min(stored, key=lambda p: p.created_at)
        if current is None:
            newest = max(stored, key=lambda p: p.created_at)
            current = (newest.plan, newest.answers, month_key(newest.created_at, timezone))
        plan_json, answers, plan_month = current
        plan = planner.stored(plan_json, answers, self.knowledge)  # an older plan: today's reading
        return charts.chart_data(
            site=plan.site,
            rows=rows,
            start=first.answers["referring_domains"],
            plan=plan.model_dump(mode="json"),
            plan_month=plan_month,
            path=planner.projected_profile(plan.answers, self.knowledge),
            natural=plan.momentum.natural,
            keep=1 - self.knowledge.parameters["annual_link_loss"].value,
            measured=measured,
            measured_by=measured_by,
        )

    async def image(self, data: charts.ChartData | None, language: str = "en") -> Image | None:
        """The chart (None: nothing to draw, or the drawing failed: the message goes without it)."""
        return None if data is None else await self.drawing(data, language=language)

    def drawing(
        self, data: charts.ChartData, *, language: str = "en", background: bool = False
    ) -> Awaitable[Image | None]:
        """The chart in `language`'s words, its drawing started now (a drawing process takes it while
        this goes on). `background`: a check-in fan-out's, drawn after the charts people wait for."""
        words = self._chart_words(data.site, data.measured_by, language)
        return self._drawn(data, charts.drawing(data, words, background=background))

    @staticmethod
    async def _drawn(data: charts.ChartData, started: Awaitable[bytes]) -> Image | None:
        try:
            png = await started
        except Exception:
            log.exception("the progress chart of %s could not be drawn; the message goes without it", data.site)
            return None
        return Image(png, charts.FILENAME, charts.alt_text(data))

    def _chart_words(self, site: str, provider: str, language: str) -> Mapping[str, str]:
        """The chart's words for a site (and the provider that measured it) in a language, its
        months' short names with them, rendered once: a check-in fan-out would otherwise render the
        same dozen templates for every channel."""
        key = (site, provider, language)
        if (words := self._words.get(key)) is None:
            if (plain := self._plain.get(language)) is None:
                plain = self._plain[language] = Renderer(self.knowledge, PLAIN, language)
            values = charts.label_values(site=site, provider=provider)
            words = {name: plain.render(f"chart.{name}", values) for name in charts.LABELS}
            words |= _month_names(language)
            self._words[key] = words
            if len(self._words) > CHART_WORDS_KEPT:
                self._words.pop(next(iter(self._words)))
        return words


@cache
def _month_names(language: str) -> dict[str, str]:
    """ "Jan" … "Dec", "janv." … "déc.": the months' short names as the axis shows them (CLDR's)."""
    from babel.dates import get_month_names

    names = get_month_names("abbreviated", context="stand-alone", locale=language)
    return {f"month.{number}": name for number, name in names.items()}
