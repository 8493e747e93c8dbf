"""`remind`: a channel's check-in settings (day, time, zone, on/off/skip), and the one-time note
that its check-ins were paused. Parsing is pure; `Remind` does the storage round trips."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.conversation import views
from bot.conversation.rendering import Reason
from bot.core.replies import Paragraph, Reply, Text, text
from bot.monthly.months import day_words, local, month_name
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.schedule import (
    ReminderSettings,
    add_months,
    month_key,
    next_due,
    parse_day,
    parse_time,
    parse_timezone,
    skip_next,
)

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.core.feature import Request
    from bot.monthly.reminder_store import Reminder
    from bot.storage.store import Store

NOTICE_RECHECK = 60.0  # seconds


@dataclass(frozen=True, slots=True)
class RemindChange:
    settings: ReminderSettings
    skip_next: bool = False
    problems: tuple[str, ...] = ()


def parse_remind(argument: str, current: ReminderSettings) -> RemindChange:
    """`remind day=15 time=9:30 tz=Europe/Berlin`, `remind last 18:00`, `remind off|on|skip`."""
    settings, skip, problems = current, False, []
    for token in argument.split():
        name, sep, value = token.partition("=")
        name = name.lower() if sep else ""
        word = token.lower()
        if not sep and word in ("off", "pause", "stop"):
            settings = replace(settings, enabled=False)
        elif not sep and word in ("on", "resume", "start"):
            settings = replace(settings, enabled=True)
        elif not sep and word == "skip":
            skip = True
        elif name in ("day", "") and (day := parse_day(value if sep else token)) is not None:
            settings = replace(settings, day=day)
        elif name in ("time", "at", "") and (time := parse_time(value if sep else token)) is not None:
            settings = replace(settings, time=time)
        elif name in ("tz", "timezone", "zone", "") and (zone := parse_timezone(value if sep else token)):
            settings = replace(settings, timezone=zone)
        elif name == "day":
            problems.append(Reason("reason.remind.day", value=value))
        elif name in ("time", "at"):
            problems.append(Reason("reason.remind.time", value=value))
        elif name in ("tz", "timezone", "zone"):
            problems.append(Reason("reason.remind.zone", value=value))
        else:
            problems.append(Reason("reason.remind.unknown", token=token))
    return RemindChange(settings, skip, tuple(problems))


class Remind:
    def __init__(self, *, store: Store):
        self.store = store
        self._no_notice: dict[ChannelKey, tuple[float, int]] = {}

    async def pause_notice(self, channel: ChannelKey) -> list[Reply]:
        """Say once, the next time someone uses the bot here, that reminders were paused.

        Every command would otherwise pay a database read for this rare note, so a channel found
        without one isn't asked again for a minute — unless this process paused something since
        (another process's pause shows within that minute)."""
        checked = self._no_notice.get(channel)
        if (
            checked
            and checked[1] == ReminderStore.on(self.store).pauses
            and time.monotonic() - checked[0] < NOTICE_RECHECK
        ):
            return []
        reason = await ReminderStore.on(self.store).take_pause_notice(channel)
        if reason:
            return [views.info("remind.paused_notice", reason=reason)]
        self._no_notice[channel] = (time.monotonic(), ReminderStore.on(self.store).pauses)
        if len(self._no_notice) > 10_000:  # bounded: forget the oldest
            self._no_notice.pop(next(iter(self._no_notice)))
        return []

    async def remind(self, request: Request) -> list[Reply]:
        reminder = await ReminderStore.on(self.store).get(request.channel)
        if reminder is None and await self.store.current_plan(request.channel) is None:
            return [views.info("remind.no_plan")]
        current = reminder.settings if reminder else self.default_settings(request.timezone)
        if not request.argument.strip():
            return [self._remind_status(current, reminder.next_due_at if reminder else None, reminder)]
        change = parse_remind(request.argument, current)
        if change.problems:
            return [views.problems(change.problems, usage="remind.usage")]
        now = self.store.clock()
        settings = skip_next(change.settings, now) if change.skip_next else change.settings
        due = next_due(settings, now)
        await ReminderStore.on(self.store).save(request.channel, settings, due)
        if change.skip_next and settings.skip:
            # The check-in left out is the one that would judge the month before it: not scored.
            this_month = month_key(now, settings.timezone)
            await ProgressStore.on(self.store).skip(
                request.channel, request.user, add_months(settings.skip, -1), this_month
            )
        return [self._remind_status(settings, due, None, saved=True)]

    def first_reminder(self, timezone: str | None) -> tuple[ReminderSettings, dt.datetime | None]:
        """What a channel's first plan turns on: the 1st at 09:00 in the user's zone (else UTC)."""
        settings = self.default_settings(timezone)
        return settings, next_due(settings, self.store.clock())

    async def next_check_in(self, channel: ChannelKey) -> tuple[dt.datetime, str] | None:
        """When this channel's next check-in is due, and its time zone (None: off, or none set)."""
        reminder = await ReminderStore.on(self.store).get(channel)
        on = reminder is not None and reminder.settings.enabled and reminder.next_due_at is not None
        return (reminder.next_due_at, reminder.settings.timezone) if on else None

    def reminder_note(self, settings: ReminderSettings, due: dt.datetime | None) -> Text:
        return text("remind.started", **self._status_values(settings, due, None))

    def default_settings(self, timezone: str | None) -> ReminderSettings:
        return ReminderSettings(timezone=timezone if timezone and parse_timezone(timezone) else "UTC")

    def _status_values(self, settings, due, reminder: Reminder | None, *, saved: bool = False) -> dict[str, Any]:
        return {
            "enabled": settings.enabled,
            "day": day_words(settings.day),
            "time": settings.time.strftime("%H:%M"),
            "timezone": settings.timezone,
            "next": local(due, settings.timezone) if due else "",
            "skip": month_name(settings.skip) if settings.skip else "",
            "unscored": month_name(add_months(settings.skip, -1)) if settings.skip else "",
            "paused": reminder.paused_reason if reminder and reminder.paused_reason else "",
            "saved": saved,
        }

    def _remind_status(self, settings, due, reminder: Reminder | None, *, saved: bool = False) -> Reply:
        values = self._status_values(settings, due, reminder, saved=saved)
        return Reply(
            "info", (Paragraph(text("remind.status", **values)), Paragraph(text("remind.usage"))), private=True
        )
