"""A channel's progress read back: its months against its plans (`channel_progress`), its plan at
a glance for a page listing many channels (`summaries`), and what `show` adds to a plan (the
months, what a provider measured, the chart)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.conversation.validators.domains import registrable_domain
from bot.core.replies import Bullets, Image, Paragraph, text
from bot.links import summary as link_words
from bot.links.store import LinkStore
from bot.monthly.chart import MIN_MONTHS
from bot.monthly.months import month_name, scoring, to_build, version
from bot.monthly.progress import MonthProgress, Totals, history
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.schedule import month_key

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.lookups.provider import MonthChange
    from bot.lookups.results import KnownMonths
    from bot.lookups.service import Lookups
    from bot.monthly.chart_maker import ChartMaker
    from bot.storage.plans import StoredPlan
    from bot.storage.store import Store


@dataclass
class ChannelProgress:
    rows: list[MonthProgress] = field(default_factory=list)  # from the first plan's month to this one
    this_month: str = ""
    plans: Sequence[StoredPlan] = ()  # the channel's plans, oldest first
    timezone: str = "UTC"  # the months are the channel's (its reminder's time zone)

    @property
    def site(self) -> str | None:
        return self.plans[-1].answers.get("site") if self.plans else None

    @property
    def closed(self) -> list[MonthProgress]:
        return [r for r in self.rows if r.month < self.this_month]

    def of(self, month: str) -> MonthProgress | None:
        return next((r for r in self.rows if r.month == month), None)


@dataclass(frozen=True, slots=True)
class ChannelSummary:
    """A channel's plan at a glance (a page listing a person's channels)."""

    site: str
    target: Mapping[str, Any]  # the plan's target: {low, high, per}
    month: str  # this month, in the channel's time zone
    logged: int  # new referring domains logged for it
    build: Mapping[str, Any]  # what this month asks to build: {low, high, per}
    next_check_in: dt.datetime | None  # None: check-ins are off or paused
    timezone: str


class Summary:
    def __init__(self, *, store: Store, charts: ChartMaker, lookups: Lookups | None = None):
        self.store = store
        self.charts = charts
        self.lookups = lookups  # what a check-in has had measured this month, shown beside the months
        self.languages: Any = None  # the channels' chosen languages (bot.languages), for the chart's words

    async def channel_progress(
        self, channel: ChannelKey, this_month: str | None = None, timezone: str | None = None
    ) -> ChannelProgress:
        """The channel's plans and months, in one read (`timezone`: else its reminder's)."""
        record = await ProgressStore.on(self.store).channel_record(channel)
        timezone = timezone or record.timezone
        this_month = this_month or month_key(self.store.clock(), timezone)
        versions = [version(p, timezone) for p in record.plans]
        return ChannelProgress(history(record.totals, versions, this_month), this_month, record.plans, timezone)

    async def summaries(self, channel_ids: Sequence[int]) -> dict[int, ChannelSummary]:
        """Each channel's plan at a glance (channels without a plan are left out), in three queries
        whatever their number."""
        ids = list(channel_ids)
        if not ids:
            return {}
        plans_by_channel = await self.store.plans_of(ids)
        logged_by_channel = await ProgressStore.on(self.store).by_month_of(ids)
        reminders = await ReminderStore.on(self.store).of(ids)
        now = self.store.clock()
        found: dict[int, ChannelSummary] = {}
        for channel_id in ids:
            stored = plans_by_channel.get(channel_id)
            if not stored:
                continue
            reminder = reminders.get(channel_id)
            timezone = reminder.settings.timezone if reminder else "UTC"
            this_month = month_key(now, timezone)
            versions = [version(p, timezone) for p in stored]
            rows = history(logged_by_channel.get(channel_id) or Totals(), versions, this_month)
            row = rows[-1] if rows and rows[-1].month == this_month else None
            plan = stored[-1].plan
            on = reminder is not None and reminder.settings.enabled and not reminder.paused_reason
            found[channel_id] = ChannelSummary(
                site=plan["site"],
                target=plan["target"],
                month=this_month,
                logged=row.logged if row else 0,
                build=row.target if row else to_build(plan),
                next_check_in=reminder.next_due_at if on else None,
                timezone=timezone,
            )
        return found

    async def current_progress(self, channel: ChannelKey) -> tuple[StoredPlan | None, tuple[Any, ...]]:
        """For `show`: the channel's current plan (None: no plan) and its months of progress, with
        what the provider measured for them when a check-in has already looked it up this month
        (`show` never pays for a lookup), and its chart from two months on. One read of the
        database (plans, the reminder's time zone, the logged months), the measured months kept."""
        progress = await self.channel_progress(channel)
        if not progress.plans:
            return None, ()
        known = await self._known(channel, progress.site)
        measured, by = (known.months, known.provider) if known else ({}, "")
        blocks = self._progress_blocks(progress, measured)
        if said := link_words.states(await LinkStore.on(self.store).of_channel(channel)):
            blocks += (Paragraph(said),)  # each logged link as its last check found it
        if self.charts.enabled and len(progress.rows) >= MIN_MONTHS:
            data = self.charts.data(progress.plans, progress.rows, progress.timezone, measured=measured, measured_by=by)
            image = await self.charts.image(data, await self._language(channel))
            blocks += (image,) if image else ()
        return progress.plans[-1], blocks

    async def chart(self, channel: ChannelKey) -> Image | None:
        """This channel's progress chart (None: no plan, or fewer than two months of history)."""
        progress = await self.channel_progress(channel)
        if len(progress.rows) < MIN_MONTHS:
            return None
        known = await self._known(channel, progress.site)
        measured, by = (known.months, known.provider) if known else ({}, "")
        data = self.charts.data(progress.plans, progress.rows, progress.timezone, measured=measured, measured_by=by)
        return await self.charts.image(data, await self._language(channel))

    async def _language(self, channel: ChannelKey) -> str:
        """The chart's language: the one its channel chose (a picture is the same for everyone in it)."""
        return (await self.languages.chosen(channel) if self.languages is not None else None) or "en"

    async def _known(self, channel: ChannelKey, site: str | None) -> KnownMonths | None:
        """The site's months a check-in has already had measured this month (never a lookup)."""
        domain = registrable_domain(site) if site else None
        if self.lookups is None or not domain:
            return None
        return await self.lookups.known_months(channel, domain)

    def _progress_blocks(
        self, progress: ChannelProgress, measured: Mapping[str, MonthChange] | None = None
    ) -> tuple[Any, ...]:
        if not progress.rows:
            return ()
        measured = measured or {}
        items = tuple(
            text(
                "progress.month",
                month=month_name(r.month),
                logged=r.logged,
                target=r.target,
                on_target=r.on_target,
                current=r.month == progress.this_month,
                checked=r.quality_checked,
                passed=r.quality_passed,
                measured=measured.get(r.month),
                **scoring(r),
            )
            for r in progress.rows[-12:]
        )
        return (Bullets(text("progress.heading"), items),)
