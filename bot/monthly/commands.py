"""The monthly side: reminder settings (`remind`), progress logging (`log`), progress in `show`,
and the reminder message itself, with the target adapted to the logged pace.

Argument parsing here is pure; the `Monthly` class does the storage round trips and returns neutral
replies. It plugs its commands, the log form and the check-in's buttons into the engine's tables
(`plugs()`); the reminder loop asks it for each channel's check-in.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.conversation import views
from bot.conversation.rendering import PLAIN, Renderer
from bot.conversation.validators import registrable_domain
from bot.core.feature import Plugs, Request
from bot.core.moments import Moment
from bot.core.numbers import whole_number
from bot.core.replies import Bullets, Button, Buttons, Form, Heading, Image, Paragraph, Reply, Text, text
from bot.lookups.provider import MonthChange
from bot.monthly import chart as charts
from bot.monthly.measured import Measured, measure, on_pace
from bot.monthly.progress import (
    MonthProgress,
    PlanVersion,
    Totals,
    adapted_answers,
    advice,
    days_in,
    first_plan,
    history,
    sparkline,
    streak,
    target_for,
)
from bot.monthly.schedule import (
    LAST,
    ReminderSettings,
    add_months,
    month_key,
    next_due,
    parse_day,
    parse_time,
    parse_timezone,
    skip_next,
)
from bot.planning import planner
from bot.planning.planner import MONTHS_IN

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.lookups.service import KnownMonths, Lookups
    from bot.planning.knowledge import Knowledge
    from bot.storage.reminder_store import Reminder
    from bot.storage.store import Store, StoredPlan

log = logging.getLogger(__name__)

SPARK_MONTHS = 6
RECLAIM_NAMED = 10  # lost domains a reclamation note names, most valuable first
NOTICE_RECHECK = 60.0  # seconds
MAX_HORIZON = 60  # the longest horizon the plan question accepts
RELS = ("follow", "nofollow", "sponsored", "ugc")
# A log far above the plan is more often a slip (1000 for 10) than links built, and it would bend
# every later plan: one this many times the upper target, and above the safe pace, is confirmed first.
CONFIRM_ABOVE_TARGET = 3
CONFIRM_WORDS = ("yes", "confirm", "confirmed")
# The confirm button carries what to log; Discord's custom id holds 100 characters, with our prefix.
MAX_BUTTON_VALUE = 78
CHART_WORDS_KEPT = 10_000  # sites whose chart words are kept rendered (the oldest forgotten first)


# Parsing `remind …` and `log …`.


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
            problems.append(f"“{value}” is not a day of the month: use 1 to 31 or last.")
        elif name in ("time", "at"):
            problems.append(f"“{value}” is not a time: use 24-hour 09:30, or 9:30am.")
        elif name in ("tz", "timezone", "zone"):
            problems.append(f"“{value}” is not a time zone: use an IANA name like Europe/Berlin or America/New_York.")
        else:
            problems.append(f"“{token}” is not something I can set: use day=…, time=…, tz=…, on, off or skip.")
    return RemindChange(settings, skip, tuple(problems))


@dataclass(frozen=True, slots=True)
class LogEntry:
    month: str
    count: int = 0
    links: tuple[tuple[str, str], ...] = ()  # (registrable domain, what was typed)
    quality: dict[str, Any] | None = None
    problems: tuple[str, ...] = ()
    confirmed: bool = False  # "yes": store even far above the plan

    @property
    def amount(self) -> int:
        return self.count + len(self.links)

    def as_argument(self) -> str:
        """The entry as a `log …` line with its month spelled out (what a confirm button carries)."""
        words = [self.month, *([str(self.count)] if self.count else []), *(typed for _, typed in self.links)]
        if self.quality:
            words += [w for w in ("relevant", "in_content", "traffic") if self.quality[w]]
            words.append(f"rel={self.quality['rel']}")
        return " ".join(words).replace("in_content", "content")


@dataclass(frozen=True, slots=True)
class Correction:
    """`log november = 3`: the month's total set to a number."""

    month: str
    total: int
    problems: tuple[str, ...] = ()


_CORRECTION = re.compile(r"^\s*(?:month\s*=\s*)?(?P<month>[\w-]*)\s*=\s*(?P<total>\S+)\s*$", re.IGNORECASE)


def parse_correction(argument: str, this_month: str) -> Correction | None:
    """`log november = 3`, `log 2026-11=3`, `log = 3` (this month); None when it is no correction."""
    match = _CORRECTION.match(argument)
    if match is None:
        return None
    word = match["month"].lower()
    month = _month(word, this_month) if word else this_month
    if month is None:
        return None  # `rel=nofollow` and the like: a log line
    total, problems = match["total"], []
    if month > this_month:
        problems.append(f"{month_name(month)} has not started yet; correct a month that has.")
    number = whole_number(total)
    if number is None:
        problems.append(f"“{total}” is not a number of links: a month's total is 0 or more, like log november = 3.")
    return Correction(month, number or 0, tuple(problems))


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_NAMES = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})


def parse_log(argument: str, this_month: str) -> LogEntry:
    """`log 3`, `log https://a.com/post b.org`, `log october 2`, `log month=2026-10 …`, with an
    optional quick check for the links: `relevant content traffic rel=nofollow`."""
    month, count, links, problems, confirmed = this_month, 0, [], [], False
    checks: dict[str, Any] = {}
    for token in argument.replace(",", " ").split():
        name, sep, value = token.partition("=")
        word = (value if sep and name.lower() == "month" else token).lower()
        if (named := _month(word, this_month)) is not None:
            if named > this_month:
                problems.append(f"{month_name(named)} has not started yet; log a month that has.")
            month = named
        elif (number := whole_number(token)) is not None:
            count += number
        elif word in CONFIRM_WORDS:
            confirmed = True
        elif re.fullmatch(r"-\d+", token):
            problems.append(
                f"“{token}”: a log only adds links. To take some back: log undo (removes the last entry), "
                "or set a month's total with log november = 3."
            )
        elif word in ("relevant", "content", "in-content", "traffic"):
            checks[{"content": "in_content", "in-content": "in_content"}.get(word, word)] = True
        elif sep and name.lower() == "rel":
            if value.lower() not in RELS:
                problems.append(f"“{value}” is not a rel value: use {', '.join(RELS)}.")
            checks["rel"] = value.lower()
        elif (domain := registrable_domain(token)) is not None:
            links.append((domain, token))
        else:
            problems.append(f"“{token}” is not a link, a count or a month.")
    if count > 1000:
        problems.append(f"{count} links in one month is far beyond any plan here; check the number.")
    if not links and not count and not problems:
        problems.append("Nothing to log: give a number of links or their URLs.")
    quality = None
    if checks and links:
        quality = {
            "relevant": checks.get("relevant", False),
            "in_content": checks.get("in_content", False),
            "traffic": checks.get("traffic", False),
            "rel": checks.get("rel", "follow"),
        }
        quality["passed"] = quality["relevant"] and quality["in_content"] and quality["traffic"]
    return LogEntry(month, count, tuple(links), quality, tuple(problems), confirmed)


def _month(word: str, this_month: str) -> str | None:
    if match := _MONTH.match(word):
        year, month = int(match[1]), int(match[2])
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    if word in ("this", "this-month"):
        return this_month
    if word in ("last", "last-month", "previous"):
        return add_months(this_month, -1)
    number = _MONTH_NAMES.get(word)
    if number is None:
        return None
    year = int(this_month[:4])  # a month name means the latest such month, this one or before
    key = f"{year:04d}-{number:02d}"
    return key if key <= this_month else f"{year - 1:04d}-{number:02d}"


def month_name(key: str) -> str:
    year, month = (int(p) for p in key.split("-"))
    return f"{calendar.month_name[month]} {year}"


def day_words(day: int | str) -> str:
    if day == LAST:
        return "last day"
    day = int(day)
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


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


class Monthly:
    def __init__(self, *, store: Store, knowledge: Knowledge, lookups: Lookups | None = None, charts: bool = True):
        self.store = store
        self.knowledge = knowledge
        self.lookups = lookups  # a backlink data provider: each check-in measures the month too
        self.charts = charts  # a progress chart in check-ins and `show` (from two months of history)
        self._plain = Renderer(knowledge, PLAIN)  # the chart's own words
        self._words: dict[tuple[str, str], Mapping[str, str]] = {}  # (site, provider) → the chart's words
        self._no_notice: dict[ChannelKey, tuple[float, int]] = {}

    def plugs(self) -> Plugs:
        return Plugs(
            commands={"remind": self.remind, "log": self.log},
            forms={"log": self.log_submitted},
            checks={"log": self.check_log},
            buttons={
                "log": self._log_form,
                "skip_month": lambda request, _: self.remind(replace(request, argument="skip")),
                "pause": lambda request, _: self.remind(replace(request, argument="off")),
                # The button under "far above your plan": log it after all.
                "confirm_log": lambda request, value: self.log(replace(request, argument=f"{value} yes")),
            },
            notices=(self.pause_notice,),
            # A log changes this month's progress; a reminder's settings change the next check-in.
            changes=frozenset({"log", "remind", "confirm_log", "skip_month", "pause"}),
        )

    async def pause_notice(self, channel: ChannelKey) -> list[Reply]:
        """Say once, the next time someone uses the bot here, that reminders were paused.

        Every command would otherwise pay a database read for this rare note, so a channel found
        without one isn't asked again for a minute — unless this process paused something since
        (another process's pause shows within that minute)."""
        checked = self._no_notice.get(channel)
        if checked and checked[1] == self.store.reminders.pauses and time.monotonic() - checked[0] < NOTICE_RECHECK:
            return []
        reason = await self.store.reminders.take_pause_notice(channel)
        if reason:
            return [views.info("remind.paused_notice", reason=reason)]
        self._no_notice[channel] = (time.monotonic(), self.store.reminders.pauses)
        if len(self._no_notice) > 10_000:  # bounded: forget the oldest
            self._no_notice.pop(next(iter(self._no_notice)))
        return []

    async def _log_form(self, request: Request, _: str) -> list[Reply]:
        ids = tuple(q.id for q in self.knowledge.log_form.questions)
        return [Reply("form", form=Form(ids, {}, name="log"), private=True)]

    # Commands.

    async def remind(self, request: Request) -> list[Reply]:
        reminder = await self.store.reminders.get(request.channel)
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
        await self.store.reminders.save(request.channel, settings, due)
        if change.skip_next and settings.skip:
            # The check-in left out is the one that would judge the month before it: not scored.
            this_month = month_key(now, settings.timezone)
            await self.store.progress.skip(request.channel, request.user, add_months(settings.skip, -1), this_month)
        return [self._remind_status(settings, due, None, saved=True)]

    def first_reminder(self, timezone: str | None) -> tuple[ReminderSettings, dt.datetime | None]:
        """What a channel's first plan turns on: the 1st at 09:00 in the user's zone (else UTC)."""
        settings = self.default_settings(timezone)
        return settings, next_due(settings, self.store.clock())

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
            "next": Moment(due, settings.timezone) if due else "",
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

    async def log(self, request: Request) -> list[Reply]:
        plan = await self.store.current_plan(request.channel)
        if plan is None:
            return [views.info("log.no_plan")]
        timezone = await self._timezone(request.channel)
        this_month = month_key(self.store.clock(), timezone)
        argument = request.argument.strip()
        if not argument:
            return [views.info("log.usage")]
        if argument.lower() == "undo":
            return await self._undo(request, plan, this_month, timezone)
        first = first_plan([self._version(p, timezone) for p in await self.store.plan_history(request.channel)])
        if (correction := parse_correction(argument, this_month)) is not None:
            return await self._correct(request, plan, correction, first.month, this_month, timezone)
        entry = parse_log(argument, this_month)
        if entry.problems:
            return [views.problems(entry.problems, usage="log.usage")]
        if entry.month < first.month:
            return [views.info("log.before_plan", month=month_name(entry.month), first=month_name(first.month))]
        own = registrable_domain(plan.answers.get("site") or "")
        if own and any(domain == own for domain, _ in entry.links):
            return [views.info("log.own_site", site=own)]
        if not entry.confirmed and (limit := self._confirm_limit(plan.plan)) < entry.amount:
            return [self._confirm(entry, argument, plan.plan, limit)]
        logged = await self.store.progress.log(
            request.channel,
            request.user,
            entry.month,
            count=entry.count,
            domains=[(domain, typed, entry.quality) for domain, typed in entry.links],
        )
        progress = await self.channel_progress(request.channel, this_month, timezone)
        row = progress.of(entry.month)
        values = {
            "month": month_name(entry.month),
            "added": logged.added,
            "counted": logged.counted,
            "duplicates": logged.duplicates,
            "total": row.logged if row else logged.counted + len(logged.added),
            "target": row.target if row else _to_build(plan.plan),
        }
        return [Reply("info", (Paragraph(text("log.saved", **values)),))]

    @staticmethod
    def _confirm_limit(plan: Mapping[str, Any]) -> float:
        """Above this many links in one entry, ask first: CONFIRM_ABOVE_TARGET times the upper target
        a month, and never below the safe pace (which a busy month may reach)."""
        build = _to_build(plan)
        return max(CONFIRM_ABOVE_TARGET * build["high"] / MONTHS_IN[build["per"]], plan["safe_pace"]["pace"])

    def _confirm(self, entry: LogEntry, typed: str, plan: Mapping[str, Any], limit: float) -> Reply:
        """Nothing stored yet: say why, how to store it anyway, and (platforms) a Confirm button."""
        values = {
            "amount": entry.amount,
            "month": month_name(entry.month),
            "build": _to_build(plan),
            "safe": plan["safe_pace"]["pace"],
            "command": f"log {typed} yes",
        }
        blocks: list[Any] = [Paragraph(text("log.confirm", **values))]
        value = entry.as_argument()
        if len(value) <= MAX_BUTTON_VALUE:
            label = text("button.confirm_log", amount=entry.amount)
            blocks.append(Buttons((Button("confirm_log", label, value=value),)))
        return Reply("info", tuple(blocks), private=True)

    async def _undo(self, request: Request, plan: StoredPlan, this_month: str, timezone: str) -> list[Reply]:
        removed = await self.store.progress.undo(request.channel)
        if removed is None:
            return [views.info("log.nothing_to_undo")]
        progress = await self.channel_progress(request.channel, this_month, timezone)
        now = [(month_name(m), row.logged if (row := progress.of(m)) else 0) for m in removed.months]
        values = {
            "source": removed.source,
            "count": removed.count,
            "domains": removed.domains,
            "months": [month_name(m) for m in removed.months],
            "user": removed.user,
            "when": Moment(removed.at, timezone),
            "now": now,
        }
        return [Reply("info", (Paragraph(text("log.undone", **values)),))]

    async def _correct(
        self, request: Request, plan: StoredPlan, correction: Correction, first: str, this_month: str, timezone: str
    ) -> list[Reply]:
        if correction.problems:
            return [views.problems(correction.problems, usage="log.usage")]
        if correction.month < first:
            return [views.info("log.before_plan", month=month_name(correction.month), first=month_name(first))]
        before = await self.store.progress.correct(request.channel, request.user, correction.month, correction.total)
        row = (await self.channel_progress(request.channel, this_month, timezone)).of(correction.month)
        values = {
            "month": month_name(correction.month),
            "total": correction.total,
            "before": before,
            "target": row.target if row else _to_build(plan.plan),
        }
        return [Reply("info", (Paragraph(text("log.corrected", **values)),))]

    # The "Log links" form: its fields are read as a `log …` line.

    @staticmethod
    def log_argument(values) -> str:
        checks = " ".join(c.strip() for c in (values.get("log_checks") or "").split(",") if c.strip())
        return " ".join(p for p in (values.get("log_links", ""), values.get("log_month", ""), checks) if p)

    def check_log(self, values) -> dict[str, str]:
        entry = parse_log(self.log_argument(values), month_key(self.store.clock(), "UTC"))
        return {"log_links": " ".join(entry.problems)} if entry.problems else {}

    async def log_submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        return await self.log(replace(request, argument=self.log_argument(values)))

    # Progress, for `show` and reminders.

    async def channel_progress(
        self, channel: ChannelKey, this_month: str | None = None, timezone: str | None = None
    ) -> ChannelProgress:
        """The channel's plans and months, in one read (`timezone`: else its reminder's)."""
        record = await self.store.channel_record(channel)
        timezone = timezone or record.timezone
        this_month = this_month or month_key(self.store.clock(), timezone)
        versions = [self._version(p, timezone) for p in record.plans]
        return ChannelProgress(history(record.totals, versions, this_month), this_month, record.plans, timezone)

    async def summaries(self, channel_ids: Sequence[int]) -> dict[int, ChannelSummary]:
        """Each channel's plan at a glance (channels without a plan are left out), in three queries
        whatever their number."""
        ids = list(channel_ids)
        if not ids:
            return {}
        plans_by_channel = await self.store.plans_of(ids)
        logged_by_channel = await self.store.progress.by_month_of(ids)
        reminders = await self.store.reminders.of(ids)
        now = self.store.clock()
        found: dict[int, ChannelSummary] = {}
        for channel_id in ids:
            stored = plans_by_channel.get(channel_id)
            if not stored:
                continue
            reminder = reminders.get(channel_id)
            timezone = reminder.settings.timezone if reminder else "UTC"
            this_month = month_key(now, timezone)
            versions = [self._version(p, timezone) for p in stored]
            rows = history(logged_by_channel.get(channel_id) or Totals(), versions, this_month)
            row = rows[-1] if rows and rows[-1].month == this_month else None
            plan = stored[-1].plan
            on = reminder is not None and reminder.settings.enabled and not reminder.paused_reason
            found[channel_id] = ChannelSummary(
                site=plan["site"],
                target=plan["target"],
                month=this_month,
                logged=row.logged if row else 0,
                build=row.target if row else _to_build(plan),
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
        if self.charts and len(progress.rows) >= charts.MIN_MONTHS:
            data = self._chart_data(progress.plans, progress.rows, progress.timezone, measured=measured, measured_by=by)
            image = await self._image(data)
            blocks += (image,) if image else ()
        return progress.plans[-1], blocks

    async def chart(self, channel: ChannelKey) -> Image | None:
        """This channel's progress chart (None: no plan, or fewer than two months of history)."""
        progress = await self.channel_progress(channel)
        if len(progress.rows) < charts.MIN_MONTHS:
            return None
        known = await self._known(channel, progress.site)
        measured, by = (known.months, known.provider) if known else ({}, "")
        data = self._chart_data(progress.plans, progress.rows, progress.timezone, measured=measured, measured_by=by)
        return await self._image(data)

    async def _known(self, channel: ChannelKey, site: str | None) -> KnownMonths | None:
        """The site's months a check-in has already had measured this month (never a lookup)."""
        domain = registrable_domain(site) if site else None
        if self.lookups is None or not domain:
            return None
        return await self.lookups.known_months(channel, domain)

    def _chart_data(
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

    async def _image(self, data: charts.ChartData | None) -> Image | None:
        """The chart (None: nothing to draw, or the drawing failed: the message goes without it)."""
        return None if data is None else await self._drawing(data)

    def _drawing(self, data: charts.ChartData, *, background: bool = False) -> Awaitable[Image | None]:
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
                **_scoring(r),
            )
            for r in progress.rows[-12:]
        )
        return (Bullets(text("progress.heading"), items),)

    # The reminder.

    async def reminders(
        self, batch: Sequence[Reminder], now: dt.datetime, late: Callable[[Reminder], bool]
    ) -> dict[int, Reply | None]:
        """This month's check-in for each channel of the batch (None: no plan to check against).

        Closes last month and adapts the plan to the logged pace (or the measured one). Reads
        everything for the batch in a few queries and writes adapted plans in one, so a loop can go
        through thousands a minute. Each chart is handed to the drawing processes as soon as its
        check-in is composed, and collected at the end (bench/bench_checkins.py: with and without)."""
        ids = [r.channel_id for r in batch]
        plans_by_channel = await self.store.plans_of(ids)
        logged_by_channel = await self.store.progress.by_month_of(ids)
        measured = await self._measured(batch, plans_by_channel, now)
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
            versions = [self._version(p, timezone) for p in stored]
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
            if self.charts:
                shown, (months, by) = (
                    (plan, answers, plan_month),
                    (site.months, site.source.provider) if site else ({}, ""),
                )
                if data := self._chart_data(stored, rows, timezone, shown, measured=months, measured_by=by):
                    pictures[reminder.channel_id] = self._drawing(data, background=True)
            composed.append((reminder, plan, versions, closed, this_month, was_adapted))
        # Drawn in other processes (bot.monthly.drawers) since each was composed, once per picture.
        drawn = await asyncio.gather(*pictures.values())
        images = dict(zip(pictures, drawn, strict=True))
        for reminder, plan, versions, closed, this_month, was_adapted in composed:
            replies[reminder.channel_id] = self._reminder_reply(
                reminder,
                plan,
                versions,
                closed,
                this_month,
                late=late(reminder),
                adapted=was_adapted,
                measured=measured.get(reminder.channel_id),
                image=images.get(reminder.channel_id),
            )
        await self.store.add_plans(adapted, created_by="reminder")
        return replies

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
    ) -> Reply:
        timezone = reminder.settings.timezone
        target, site = plan["target"], plan["site"]
        build = _to_build(plan)
        last = closed[-1] if closed else None
        # Judge last month against the pace that was safe then, not one adapted to the spike itself.
        safe_then = target_for(last.month, versions).safe_pace if last else plan["safe_pace"]["pace"]
        hint = advice(closed, safe_then, self.knowledge.parameters["spike_factor"].value)
        blocks: list[Any] = [Heading(text("reminder.heading", site=site, month=month_name(this_month)))]
        if late:
            blocks.append(Paragraph(text("reminder.late", due=Moment(reminder.next_due_at, timezone))))
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
                        **_scoring(last),
                    )
                )
            )
            blocks.append(Paragraph(text("reminder.streak", streak=streak(closed))))
        if measured is not None and (month := measured.last_month) is not None:
            expected = target_for(month.month, versions)
            blocks += self._measured_blocks(month, measured, expected.expected if expected else None, last)
            recent = closed[-SPARK_MONTHS:]
            spark = sparkline([m.logged for m in recent])
            counts = ", ".join(str(m.logged) for m in recent)
            blocks.append(Paragraph(text("reminder.sparkline", spark=spark, counts=counts, months=len(recent))))
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
        self, month: MonthChange, measured: Measured, expected: Mapping[str, Any] | None, last: MonthProgress | None
    ) -> list[Any]:
        """What the provider counts for last month against what the plan expected in all, which
        logged domains it has found, and when many referring domains were lost, a reclamation note
        naming the ones to ask first (the cheapest links to win back)."""
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
        if month.lost >= self.knowledge.parameters["reclaim_note_lost"].value:
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

    # Helpers.

    async def _timezone(self, channel: ChannelKey) -> str:
        reminder = await self.store.reminders.get(channel)
        return reminder.settings.timezone if reminder else "UTC"

    @staticmethod
    def _version(stored: StoredPlan, timezone: str) -> PlanVersion:
        return PlanVersion(
            stored.created_at,
            month_key(stored.created_at, timezone),
            _to_build(stored.plan),
            stored.plan["safe_pace"]["pace"],
            stored.plan["binding"],
            stored.answers,
            day=_local_day(stored.created_at, timezone),
            expected=stored.plan.get("target"),
        )


def _to_build(plan: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a stored plan asks you to build ({low, high, per}); logged links count against it.
    (Plans stored before ranges had a period are per month.)"""
    build = plan.get("build") or plan["target"]
    return {"low": build["low"], "high": build["high"], "per": build.get("per", "month")}


def _scoring(row: MonthProgress) -> dict[str, Any]:
    """What a month's line says besides its count: nofollow ones, and why it is not scored."""
    return {
        "nofollow": row.nofollow,
        "unscored": row.unscored or "",
        "left": row.days_left,
        "days": days_in(row.month),
    }


def _local_day(moment: dt.datetime, timezone: str) -> int:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(timezone)).day
