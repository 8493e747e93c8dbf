"""The monthly capability: `remind`, `log` and its form, the check-in's buttons, plugged into the
engine's tables (`plugs()`); the reminder loop asks it for each channel's check-in (`reminders`),
`plan` for the first reminder and the months `show` adds, Home for each channel at a glance.

Each part is a module of its own: remind, log, checkin, summary, and the charts they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.core.feature import Plugs
from bot.monthly.chart_maker import ChartMaker
from bot.monthly.checkin import CheckIns
from bot.monthly.log import Log
from bot.monthly.remind import Remind
from bot.monthly.summary import ChannelSummary, Summary

if TYPE_CHECKING:
    import asyncio

    from bot.core.events import ChannelKey
    from bot.core.replies import Image, Reply, Text
    from bot.lookups.service import Lookups
    from bot.monthly.reminder_store import Reminder
    from bot.monthly.schedule import ReminderSettings
    from bot.planning.knowledge import Knowledge
    from bot.storage.plans import StoredPlan
    from bot.storage.store import Store

__all__ = ["ChannelSummary", "Monthly"]


_BUILT = (
    r"(?:i |we |i've |we've |i have |we have )?(?:built|got|earned|won|made)\s+"
    r"(?=\d|https?://|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)"
)


class Monthly:
    def __init__(self, *, store: Store, knowledge: Knowledge, lookups: Lookups | None = None, charts: bool = True):
        self.store = store  # the reminder loop claims its rows through it
        self.drawn = ChartMaker(knowledge=knowledge, enabled=charts)
        self.summary = Summary(store=store, charts=self.drawn, lookups=lookups)
        self.checkins = CheckIns(store=store, knowledge=knowledge, charts=self.drawn, lookups=lookups)
        self.reminding = Remind(store=store)
        self.logbook = Log(store=store, knowledge=knowledge, summary=self.summary)

    @property
    def charts(self) -> bool:
        """A progress chart in check-ins and `show` (from two months of history)."""
        return self.drawn.enabled

    @charts.setter
    def charts(self, on: bool) -> None:
        self.drawn.enabled = on

    def plugs(self) -> Plugs:
        remind, log = self.reminding.remind, self.logbook.log
        return Plugs(
            commands={"remind": remind, "log": log},
            forms={"log": self.logbook.log_submitted},
            checks={"log": self.logbook.check_log},
            buttons={
                "log": self.logbook.form,
                "skip_month": lambda request, _: remind(replace(request, argument="skip")),
                "pause": lambda request, _: remind(replace(request, argument="off")),
                # The button under "far above your plan": log it after all.
                "confirm_log": lambda request, value: log(replace(request, argument=f"{value} yes")),
            },
            notices=(self.reminding.pause_notice,),
            # A log changes this month's progress; a reminder's settings change the next check-in.
            changes=frozenset({"log", "remind", "confirm_log", "skip_month", "pause"}),
            # What people answer a check-in with, in the terminal: "I built 2 links", "got 3" - a
            # count or a link after the verb, else it is no log ("I built a shed").
            sayings={_BUILT: "log"},
        )

    # What the rest of the bot asks of the monthly side.

    async def compose(
        self, batch: Sequence[Reminder], now: dt.datetime, late: Callable[[Reminder], bool]
    ) -> asyncio.Future[dict[int, Reply | None]]:
        return await self.checkins.compose(batch, now, late)

    def first_reminder(self, timezone: str | None) -> tuple[ReminderSettings, dt.datetime | None]:
        return self.reminding.first_reminder(timezone)

    def reminder_note(self, settings: ReminderSettings, due: dt.datetime | None) -> Text:
        return self.reminding.reminder_note(settings, due)

    async def next_check_in(self, channel: ChannelKey) -> tuple[dt.datetime, str] | None:
        return await self.reminding.next_check_in(channel)

    async def current_progress(self, channel: ChannelKey) -> tuple[StoredPlan | None, tuple[Any, ...]]:
        return await self.summary.current_progress(channel)

    async def summaries(self, channel_ids: Sequence[int]) -> dict[int, ChannelSummary]:
        return await self.summary.summaries(channel_ids)

    async def chart(self, channel: ChannelKey) -> Image | None:
        return await self.summary.chart(channel)
