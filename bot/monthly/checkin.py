"""The monthly check-in: for each channel of a batch the reminder loop claimed, last month closed
and scored, the plan adapted to the logged (or measured) pace, what a provider measured, a hint when
behind, the chart, and the buttons to log, skip or pause."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.core.replies import Button, Buttons, Heading, Image, Paragraph, Reply, Text, text
from bot.links import summary as link_words
from bot.links.store import CheckedLink, LinkStore
from bot.monthly.measured import Measured, measure, on_pace
from bot.monthly.months import local, month_name, scoring, to_build, version
from bot.monthly.progress import MonthProgress, Totals, adapted_answers, advice, history, sparkline, streak, target_for
from bot.monthly.progress_store import ProgressStore
from bot.monthly.schedule import month_key
from bot.planning import planner

if TYPE_CHECKING:
    from bot.lookups.provider import MonthChange
    from bot.lookups.service import Lookups
    from bot.monthly.chart_maker import ChartMaker
    from bot.monthly.reminder_store import Reminder
    from bot.planning.knowledge import Knowledge
    from bot.storage.store import Store

SPARK_MONTHS = 6
RECLAIM_NAMED = 10  # lost domains a reclamation note names, most valuable first
MAX_HORIZON = 60  # the longest horizon the plan question accepts


class CheckIns:
    def __init__(self, *, store: Store, knowledge: Knowledge, charts: ChartMaker, lookups: Lookups | None = None):
        self.store = store
        self.knowledge = knowledge
        self.charts = charts
        self.lookups = lookups  # a backlink data provider: each check-in measures the month too
        # Each channel's chosen language (the engine's bot/languages.Languages: `of_ids`); None: English.
        self.languages: Any = None

    async def compose(
        self, batch: Sequence[Reminder], now: dt.datetime, late: Callable[[Reminder], bool]
    ) -> asyncio.Future[dict[int, Reply | None]]:
        """The batch's check-ins, composed now and handed over once their charts are drawn: the
        future holds each channel's check-in (None: no plan to check against).

        Closes last month and adapts the plan to the logged pace (or the measured one). Reads
        everything for the batch in a few queries and writes adapted plans in one, so a loop can go
        through thousands a minute. Each chart is handed to the drawing processes as soon as its
        check-in is composed; the caller composes the next batch while they draw this one's
        (bench/bench_checkins.py: with and without)."""
        ids = [r.channel_id for r in batch]
        plans_by_channel = await self.store.plans_of(ids)
        logged_by_channel = await ProgressStore.on(self.store).by_month_of(ids)
        measured = await self._measured(batch, plans_by_channel, now)
        checked_links = await LinkStore.on(self.store).of_channels(ids)  # what the link checks found
        languages: dict[int, str] = {}
        if self.languages is not None:  # each check-in, its chart too, in the language its channel chose
            languages = await self.languages.of_ids(ids)
        replies: dict[int, Reply | None] = {}
        adapted: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        pictures: dict[int, Awaitable[Image | None]] = {}  # being drawn while the batch is composed
        composed: list[tuple[Reminder, Any, Any, Any, str, bool]] = []
        for reminder in batch:
            stored = plans_by_channel.get(reminder.channel_id)
            if not stored:
                replies[reminder.channel_id] = None
                continue
            timezone = reminder.settings.timezone
            this_month = month_key(reminder.next_due_at or now, timezone)
            versions = [version(p, timezone) for p in stored]
            totals = logged_by_channel.get(reminder.channel_id) or Totals()
            rows = history(totals, versions, this_month)
            closed = [r for r in rows if r.month < this_month]
            current, plan, was_adapted = versions[-1], stored[-1].plan, stored[-1].created_by == "reminder"
            site = measured.get(reminder.channel_id)
            answers, plan_month = stored[-1].answers, current.month
            if closed and closed[-1].month >= current.month:  # a month closed since the plan was made
                answers = adapted_answers(current, closed, site.months if site else {})
                if answers != dict(current.answers):
                    plan = planner.plan(answers, self.knowledge).model_dump(mode="json")
                    adapted.append((reminder.channel_id, answers, plan))
                    was_adapted, plan_month = True, this_month
            if self.charts.enabled:
                shown, (months, by) = (
                    (plan, answers, plan_month),
                    (site.months, site.source.provider) if site else ({}, ""),
                )
                if data := self.charts.data(stored, rows, timezone, shown, measured=months, measured_by=by):
                    language = languages.get(reminder.channel_id, "en")
                    pictures[reminder.channel_id] = self.charts.drawing(data, language=language, background=True)
            composed.append((reminder, plan, versions, closed, this_month, was_adapted))
        # Drawn in other processes (bot.monthly.drawers) since each was composed, once per picture.
        drawn = asyncio.gather(*pictures.values())
        await self.store.add_plans(adapted, created_by="reminder")

        async def replied() -> dict[int, Reply | None]:
            images = dict(zip(pictures, await drawn, strict=True))
            for reminder, plan, versions, closed, this_month, was_adapted in composed:
                reply = self._reminder_reply(
                    reminder,
                    plan,
                    versions,
                    closed,
                    this_month,
                    late=late(reminder),
                    adapted=was_adapted,
                    measured=measured.get(reminder.channel_id),
                    image=images.get(reminder.channel_id),
                    links=checked_links.get(reminder.channel_id, ()),
                )
                language = languages.get(reminder.channel_id)
                replies[reminder.channel_id] = reply if language is None else replace(reply, language=language)
            return replies

        return asyncio.ensure_future(replied())

    def _reminder_reply(
        self,
        reminder,
        plan,
        versions,
        closed,
        this_month,
        *,
        late: bool,
        adapted: bool,
        measured: Measured | None = None,
        image: Image | None = None,
        links: Sequence[CheckedLink] = (),
    ) -> Reply:
        timezone = reminder.settings.timezone
        target, site = plan["target"], plan["site"]
        build = to_build(plan)
        last = closed[-1] if closed else None
        # Judge last month against the pace that was safe then, not one adapted to the spike itself.
        safe_then = target_for(last.month, versions).safe_pace if last else plan["safe_pace"]["pace"]
        hint = advice(closed, safe_then, self.knowledge.parameters["spike_factor"].value)
        blocks: list[Any] = [Heading(text("reminder.heading", site=site, month=month_name(this_month)))]
        if late:
            blocks.append(Paragraph(text("reminder.late", due=local(reminder.next_due_at, timezone))))
        by = (measured.source.provider if measured and measured.last_month else "") if adapted else ""
        blocks.append(Paragraph(text("reminder.target", build=build, target=target, adapted=adapted, by=by)))
        if last is not None:
            blocks.append(
                Paragraph(
                    text(
                        "reminder.last_month",
                        month=month_name(last.month),
                        logged=last.logged,
                        target=last.target,
                        on_target=last.on_target,
                        **scoring(last),
                    )
                )
            )
            blocks.append(Paragraph(text("reminder.streak", streak=streak(closed))))
        if measured is not None and (month := measured.last_month) is not None:
            expected = target_for(month.month, versions)
            expects = expected.expected if expected else None
            blocks += self._measured_blocks(month, measured, expects, last, planner.cleaning_up(plan["answers"]))
            recent = closed[-SPARK_MONTHS:]
            spark = sparkline([m.logged for m in recent])
            counts = ", ".join(str(m.logged) for m in recent)
            blocks.append(Paragraph(text("reminder.sparkline", spark=spark, counts=counts, months=len(recent))))
        if said := link_words.checked(links):  # "11 of 12 links you logged are live; lost: …"
            blocks.append(Paragraph(said))
            if lost := link_words.lost(links):  # links already won are the cheapest to win back
                domains = [link.domain for link in lost[:RECLAIM_NAMED]]
                blocks.append(Paragraph(text("links.reclaim", domains=domains, more=max(0, len(lost) - RECLAIM_NAMED))))
        if hint.behind:
            blocks.append(Paragraph(self._behind_action(plan)))
        if hint.spike:
            blocks.append(Paragraph(text("reminder.spike", logged=last.logged, safe=safe_then)))
        if image is not None:
            blocks.append(image)
        blocks.append(Paragraph(text("reminder.ask")))
        blocks.append(Buttons(tuple(Button(a, text(f"button.{a}")) for a in ("log", "skip_month", "pause", "replan"))))
        summary = text("reminder.summary", site=site, build=build)
        return Reply("reminder", tuple(blocks), summary=summary)

    async def _measured(self, batch, plans, now: dt.datetime) -> dict[int, Measured]:
        if self.lookups is None:
            return {}
        reclaim_from = self.knowledge.parameters["reclaim_note_lost"].value
        return await measure(self.lookups, self.store, batch, plans, now, reclaim_from=reclaim_from)

    def _measured_blocks(
        self,
        month: MonthChange,
        measured: Measured,
        expected: Mapping[str, Any] | None,
        last: MonthProgress | None,
        cleaning: bool,
    ) -> list[Any]:
        """What the provider counts for last month against what the plan expected in all, which
        logged domains it has found, and when many referring domains were lost, a reclamation note
        naming the ones to ask first (the cheapest links to win back) - unless the site is
        `cleaning` up: then it removes links on purpose and none is to be asked back."""
        values = {"source": str(measured.source), "month": month_name(month.month), "new": month.new}
        values["lost"] = month.lost
        blocks: list[Any] = [
            Paragraph(
                text(
                    "reminder.measured",
                    net=month.new - month.lost,
                    expected=expected,
                    on_pace=bool(expected) and on_pace(month, expected),
                    logged=last.logged if last and measured.seen is None else None,
                    **values,
                )
            )
        ]
        if measured.seen is not None:
            found = measured.seen
            blocks.append(Paragraph(text("reminder.seen", seen=list(found.seen), not_seen=list(found.not_seen))))
        if not cleaning and month.lost >= self.knowledge.parameters["reclaim_note_lost"].value:
            back = max(1, round(month.lost * self.knowledge.parameters["reclaim_share"].value))
            lost = list(measured.lists.lost[:RECLAIM_NAMED]) if measured.lists else []
            blocks.append(Paragraph(text("reminder.reclaim", back=back, domains=lost, **values)))
        return blocks

    def _behind_action(self, plan: Mapping[str, Any]) -> Text:
        """Two months behind: name what limits the target and the one thing that would move it."""
        answers = plan["answers"]
        strategies = self.knowledge.strategies
        if plan["binding"] == "gap" and answers["horizon_months"] < MAX_HORIZON:
            # The gap sets the target, so a longer horizon lowers it to what is being built.
            months = plan.get("months_to_parity") or answers["horizon_months"]
            longer = min(MAX_HORIZON, max(months, answers["horizon_months"] + 3))
            return text("reminder.behind.gap", horizon=longer)
        if answers["linkable_assets"] == 0 and any(strategies[s].needs_asset for s in answers["strategies"]):
            return text("reminder.behind.asset")
        # Otherwise it is time: the hours that two more links a month take with the cheapest strategy.
        per_hour = (plan.get("capacity") or {}).get("per_hour") or {}
        best = max(per_hour.values(), default=0)
        if best <= 0:
            best = max(1 / strategies[s].hours_per_link.value for s in answers["strategies"])
        by_time = plan["binding"] == "capacity"
        return text("reminder.behind.hours", extra=max(1, math.ceil(2 / best)), by_time=by_time)
