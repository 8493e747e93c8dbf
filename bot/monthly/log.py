"""`log`: links built this month (a count, URLs, a month, a quick quality check), `log undo`, a
month's total corrected (`log november = 3`), and the "Log links" form read as a `log …` line.
Parsing is pure; `Log` does the storage round trips."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.conversation import views
from bot.conversation.prose import spelled_out
from bot.conversation.rendering import Reason, Typed
from bot.conversation.validators.domains import registrable_domain
from bot.conversation.validators.numbers import to_number
from bot.core.numbers import whole_number
from bot.core.plan import MONTHS_IN
from bot.core.replies import Button, Buttons, Form, Paragraph, Reply, text
from bot.monthly.months import local, month_name, to_build, version
from bot.monthly.progress import first_plan
from bot.monthly.progress_store import ProgressStore
from bot.monthly.reminder_store import ReminderStore
from bot.monthly.schedule import add_months, month_key

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.core.feature import Request
    from bot.monthly.summary import Summary
    from bot.planning.knowledge import Knowledge
    from bot.storage.plans import StoredPlan
    from bot.storage.store import Store

RELS = ("follow", "nofollow", "sponsored", "ugc")
# A log far above the plan is more often a slip (1000 for 10) than links built, and it would bend
# every later plan: one this many times the upper target, and above the safe pace, is confirmed first.
CONFIRM_ABOVE_TARGET = 3
CONFIRM_WORDS = ("yes", "confirm", "confirmed")
# The confirm button carries what to log; Discord's custom id holds 100 characters, with our prefix.
MAX_BUTTON_VALUE = 78


NOTE_LENGTH = 200


_SEPARATING_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def _decoration(token: str) -> bool:
    """An emoji or a symbol alone ("🎉", "👍🏽", "✅"): no word, count or link. (Digits of another
    kind, "²" or "①", are refused as before: they look like counts and are none.)"""
    return all(unicodedata.category(c) in ("So", "Sk", "Cf", "Mn", "Me") for c in token)


def _note_word(token: str) -> bool:
    """A word of a note ("citations", "paper's", "e-mail", "PR."): letters, with an apostrophe or
    a hyphen inside and a full stop after; "²" or "①" are no words (nor counts)."""
    return token.rstrip(".!?").replace("'", "").replace("’", "").replace("-", "").isalpha()


@dataclass(frozen=True, slots=True)
class LogEntry:
    month: str
    count: int = 0
    links: tuple[tuple[str, str], ...] = ()  # (registrable domain, what was typed)
    quality: dict[str, Any] | None = None
    problems: tuple[str, ...] = ()
    confirmed: bool = False  # "yes": store even far above the plan
    words: str = ""  # every word of the line that is no count, link, month or check, as typed
    note: str = ""  # what those words say, kept with the entry: "citations and a local paper"

    @property
    def by_count(self) -> int:
        """The links counted without a domain. In a line with words ("2 citations yell.com and a
        local paper", "2 links from yell.com") the count is the whole and the domains named are
        among it; without words ("2 yell.com") the count and the domains add up, as they always have."""
        return max(0, self.count - len(self.links)) if self.words else self.count

    @property
    def amount(self) -> int:
        return self.by_count + len(self.links)

    def as_argument(self) -> str:
        """The entry as a `log …` line with its month spelled out (what a confirm button carries)."""
        words = [self.month, *([str(self.count)] if self.count else []), *(typed for _, typed in self.links)]
        if self.quality:
            words += [w for w in ("relevant", "in_content", "traffic") if self.quality[w]]
            words.append(f"rel={self.quality['rel']}")
        words += [self.words] if self.words else []
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
        problems.append(Reason("reason.log.future_total", month=month_name(month)))
    number = whole_number(total)
    if number is None:
        problems.append(Reason("reason.log.total", total=total))
    return Correction(month, number or 0, tuple(problems))


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_NAMES = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})


def parse_log(argument: str, this_month: str) -> LogEntry:
    """`log 3`, `log https://a.com/post b.org`, `log october 2`, `log month=2026-10 …`, with an
    optional quick check for the links: `relevant content traffic rel=nofollow`."""
    month, count, links, problems, confirmed = this_month, 0, [], [], False
    checks: dict[str, Any] = {}
    words: list[str | None] = []  # what is none of those (None where a link stood): a note
    # A comma between links or counts separates them; between digits it is a number's own
    # ("1,200" was logged as 1 + 200, "3,5" as 8).
    for token in _SEPARATING_COMMA.sub(" ", spelled_out(argument)).split():
        name, sep, value = token.partition("=")
        word = (value if sep and name.lower() == "month" else token).lower()
        if (named := _month(word, this_month)) is not None:
            if named > this_month:
                problems.append(Reason("reason.log.future", month=month_name(named)))
            month = named
        elif (number := whole_number(token)) is not None:
            count += number
        elif (figure := to_number(token, whole=True)) is not None and re.fullmatch(r"[\d.,\s_]+", token):
            if figure.is_integer():  # "1,200", "1.200" (thousands as German writes them)
                count += int(figure)
            else:
                problems.append(Reason("reason.log.not_whole", token=token))
        elif _decoration(token):  # "🎉", "✅": said with the links, not about them
            continue
        elif word in CONFIRM_WORDS:
            confirmed = True
        elif re.fullmatch(r"-\d+", token):
            problems.append(Reason("reason.log.negative", token=token))
        elif word in ("relevant", "content", "in-content", "traffic"):
            checks[{"content": "in_content", "in-content": "in_content"}.get(word, word)] = True
        elif sep and name.lower() == "rel":
            if value.lower() not in RELS:
                problems.append(Reason("reason.log.rel", value=value, rels=RELS))
            checks["rel"] = value.lower()
        elif (domain := registrable_domain(token)) is not None:
            links.append((domain, token))
            words.append(None)
        elif _note_word(token):
            words.append(token)
        else:
            problems.append(Reason("reason.log.unknown", token=token))
    typed = [word for word in words if word is not None]
    if typed and not (count or links):  # words alone log nothing: say what a log line holds
        problems.append(Reason("reason.log.unknown", token=typed[0]))
    if count > 1000:
        problems.append(Reason("reason.log.too_many", count=count))
    if not links and not count and not problems:
        problems.append(Reason("reason.log.nothing"))
    quality = None
    if checks and links:
        quality = {
            "relevant": checks.get("relevant", False),
            "in_content": checks.get("in_content", False),
            "traffic": checks.get("traffic", False),
            "rel": checks.get("rel", "follow"),
        }
        quality["passed"] = quality["relevant"] and quality["in_content"] and quality["traffic"]
    if not (count or links):
        return LogEntry(month, count, tuple(links), quality, tuple(problems), confirmed)
    said = " ".join(typed)[:NOTE_LENGTH]
    return LogEntry(month, count, tuple(links), quality, tuple(problems), confirmed, said, note_of(words))


# Words that say no more than the count does ("2 new links", "3 backlinks"), and the small words
# that only joined a link to the rest ("guest posts on foodblog.com and bakingnews.org").
_SAYS_NOTHING = frozenset(
    {"link", "links", "backlink", "backlinks", "new", "more", "referring", "domain", "domains", "built", "got",
     "i", "we", "this", "month", "so", "far", "today", "links:", "lien", "liens", "enlace", "enlaces"}
)  # fmt: skip
_JOINS = frozenset(
    {"on", "at", "in", "from", "for", "with", "via", "to", "and", "or", "&", "+", "plus", "of", "by", "auf", "bei",
     "von", "für", "mit", "und", "oder", "sur", "chez", "de", "pour", "avec", "et", "ou", "en", "para", "con", "y", "o"}
)  # fmt: skip

_ARTICLES = frozenset({"a", "an", "the", "ein", "eine", "einen", "un", "une", "le", "la", "les", "el", "los", "las"})


def note_of(words: Sequence[str | None]) -> str:
    """The note a log line's words make: without the words that only repeat the count, and
    without the small words left hanging where a link was taken out, or at either end. `words`
    holds None where a link stood."""
    kept = [w for w in words if w is None or w.lower().rstrip(".!?") not in _SAYS_NOTHING]
    changed = True
    while changed:
        changed = False
        for n, word in enumerate(kept):
            if word is not None and word.lower() in _ARTICLES:
                # "a" in "got a link from x.com and …": its noun was the link, said by the count.
                if n + 1 >= len(kept) or kept[n + 1] is None or kept[n + 1].lower() in _JOINS:
                    del kept[n]
                    changed = True
                    break
                continue
            if word is None or word.lower() not in _JOINS:
                continue
            at_an_end = all(k is None for k in kept[:n]) or all(k is None for k in kept[n + 1 :])
            # "on foodblog.com and …": it joined a link, which is no longer in the note.
            joined_a_link = kept[n + 1] is None and (
                n + 2 >= len(kept) or kept[n + 2] is None or kept[n + 2].lower() in _JOINS
            )
            if at_an_end or joined_a_link:
                del kept[n]
                changed = True
                break
    return " ".join(w for w in kept if w is not None)[:NOTE_LENGTH]


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


class Log:
    def __init__(self, *, store: Store, knowledge: Knowledge, summary: Summary):
        self.store = store
        self.knowledge = knowledge
        self.summary = summary  # the channel's months, to answer with the month's new total

    async def form(self, request: Request, _: str) -> list[Reply]:
        ids = tuple(q.id for q in self.knowledge.log_form.questions)
        return [Reply("form", form=Form(ids, {}, name="log"), private=True)]

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
        first = first_plan([version(p, timezone) for p in await self.store.plan_history(request.channel)])
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
        logged = await ProgressStore.on(self.store).log(
            request.channel,
            request.user,
            entry.month,
            count=entry.by_count,
            domains=[(domain, typed, entry.quality) for domain, typed in entry.links],
            note=entry.note or None,
        )
        progress = await self.summary.channel_progress(request.channel, this_month, timezone)
        row = progress.of(entry.month)
        values = {
            "month": month_name(entry.month),
            "added": logged.added,
            "counted": logged.counted,
            "duplicates": logged.duplicates,
            "total": row.logged if row else logged.counted + len(logged.added),
            "target": row.target if row else to_build(plan.plan),
            "note": Typed(entry.note) if entry.note else entry.note,  # their words, even "no"
        }
        return [Reply("info", (Paragraph(text("log.saved", **values)),))]

    @staticmethod
    def _confirm_limit(plan: Mapping[str, Any]) -> float:
        """Above this many links in one entry, ask first: CONFIRM_ABOVE_TARGET times the upper target
        a month, and never below the safe pace (which a busy month may reach)."""
        build = to_build(plan)
        return max(CONFIRM_ABOVE_TARGET * build["high"] / MONTHS_IN[build["per"]], plan["safe_pace"]["pace"])

    def _confirm(self, entry: LogEntry, typed: str, plan: Mapping[str, Any], limit: float) -> Reply:
        """Nothing stored yet: say why, how to store it anyway, and (platforms) a Confirm button."""
        values = {
            "amount": entry.amount,
            "month": month_name(entry.month),
            "build": to_build(plan),
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
        removed = await ProgressStore.on(self.store).undo(request.channel)
        if removed is None:
            return [views.info("log.nothing_to_undo")]
        progress = await self.summary.channel_progress(request.channel, this_month, timezone)
        now = [(month_name(m), row.logged if (row := progress.of(m)) else 0) for m in removed.months]
        values = {
            "source": removed.source,
            "count": removed.count,
            "domains": removed.domains,
            "months": [month_name(m) for m in removed.months],
            "user": removed.user,
            "when": local(removed.at, timezone),
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
        before = await ProgressStore.on(self.store).correct(
            request.channel, request.user, correction.month, correction.total
        )
        row = (await self.summary.channel_progress(request.channel, this_month, timezone)).of(correction.month)
        values = {
            "month": month_name(correction.month),
            "total": correction.total,
            "before": before,
            "target": row.target if row else to_build(plan.plan),
        }
        return [Reply("info", (Paragraph(text("log.corrected", **values)),))]

    # The "Log links" form: its fields are read as a `log …` line.

    @staticmethod
    def log_argument(values) -> str:
        checks = " ".join(c.strip() for c in (values.get("log_checks") or "").split(",") if c.strip())
        return " ".join(p for p in (values.get("log_links", ""), values.get("log_month", ""), checks) if p)

    def check_log(self, values) -> dict[str, str]:
        entry = parse_log(self.log_argument(values), month_key(self.store.clock(), "UTC"))
        return {"log_links": Reason("reason.joined", reasons=list(entry.problems))} if entry.problems else {}

    async def log_submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        return await self.log(replace(request, argument=self.log_argument(values)))

    # Progress, for `show` and reminders.

    async def _timezone(self, channel: ChannelKey) -> str:
        reminder = await ReminderStore.on(self.store).get(channel)
        return reminder.settings.timezone if reminder else "UTC"
