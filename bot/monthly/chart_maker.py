"""The progress charts a channel gets, in check-ins and `show`: their numbers from the stored plans
and months (bot/monthly/chart.py), their words rendered once a site, their pictures drawn in the
drawing processes. Charts can be turned off (`enabled`) where the picture is not what is wanted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence
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
        self._plain = Renderer(knowledge, PLAIN)  # the chart's own words
        self._words: dict[tuple[str, str], Mapping[str, str]] = {}  # (site, provider) → the chart's words

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

    async def image(self, data: charts.ChartData | None) -> Image | None:
        """The chart (None: nothing to draw, or the drawing failed: the message goes without it)."""
        return None if data is None else await self.drawing(data)

    def drawing(self, data: charts.ChartData, *, background: bool = False) -> Awaitable[Image | None]:
        """The chart, its drawing started now (a drawing process takes it while this goes on).
        `background`: a check-in fan-out's, drawn after the charts people are waiting for."""
        started = charts.drawing(data, self._chart_words(data.site, data.measured_by), background=background)
        return self._drawn(data, started)

    @staticmethod
    async def _drawn(data: charts.ChartData, started: Awaitable[bytes]) -> Image | None:
        try:
            png = await started
        except Exception:
            log.exception("the progress chart of %s could not be drawn; the message goes without it", data.site)
            return None
        return Image(png, charts.FILENAME, charts.alt_text(data))

    def _chart_words(self, site: str, provider: str) -> Mapping[str, str]:
        """The chart's words for a site (and the provider that measured it), rendered once: a
        check-in fan-out would otherwise render the same dozen templates for every channel."""
        key = (site, provider)
        if (words := self._words.get(key)) is None:
            values = charts.label_values(site=site, provider=provider)
            words = self._words[key] = {name: self._plain.render(f"chart.{name}", values) for name in charts.LABELS}
            if len(self._words) > CHART_WORDS_KEPT:
                self._words.pop(next(iter(self._words)))
        return words
