"""Planning, as a conversation: the questionnaire asked one question at a time (a chat) or as
forms (Slack, Discord), the plan made and stored, and `show`/`why`/`back`/`skip`/`cancel`.

Drafts live in the store, keyed by channel and user, so a conversation survives a restart and two
people planning in one channel never mix answers. Nothing reaches the plans table until every
question is settled. The monthly side is handed in (`CheckIns`): a first plan turns its reminder
on, and `show` shows the logged progress.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from bot.conversation import prose, provenance, views
from bot.conversation.questionnaire import (
    Draft,
    Question,
    answer,
    apply,
    back,
    is_complete,
    next_question,
    parse_inline,
    skip,
    suggest,
)
from bot.conversation.validators import Invalid, Valid
from bot.core.events import ChannelKey
from bot.core.feature import Plugs, Request
from bot.core.replies import Form, Paragraph, Reply, Text, text
from bot.lookups import notices
from bot.lookups.answers import bare_competitors, recent_pace, site_answers, with_counts
from bot.lookups.provider import LookupFailed
from bot.lookups.service import Lookups, UnreadableKey
from bot.planning import planner
from bot.planning.knowledge import Knowledge
from bot.storage.store import Store, StoredPlan

Near = Callable[[str], str | None]  # the command a typo most likely meant, if any


class CheckIns(Protocol):
    """What planning needs of the monthly check-ins."""

    def first_reminder(self, timezone: str | None) -> tuple[Any, dt.datetime | None]: ...

    def reminder_note(self, settings: Any, due: dt.datetime | None) -> Text: ...

    async def current_progress(self, channel: ChannelKey) -> tuple[StoredPlan | None, tuple[Any, ...]]: ...


# A channel's `show` answered again from memory for this long (a burst of them, as several people
# or a retrying client send, costs one read): a change made in this process is shown at once, one
# made by another process (a check-in from the worker, a log on another web process) within it.
SHOWN_SECONDS = 1.0
SHOWN_KEPT = 10_000  # channels whose `show` is kept (the oldest forgotten first)


class Planning:
    def __init__(self, *, store: Store, knowledge: Knowledge, checkins: CheckIns, lookups: Lookups | None = None):
        self.store = store
        self.knowledge = knowledge
        self.questionnaire = knowledge.questionnaire
        self.checkins = checkins
        self.lookups = lookups  # a backlink data provider, when one is connected: figures to confirm
        # channel → (when, when by the store's clock, its `show`): the clock sets the months shown
        self._kept_shows: dict[ChannelKey, tuple[float, dt.datetime, Reply]] = {}
        self._changes: dict[
            ChannelKey, int
        ] = {}  # channel → changes made here (a `show` composed meanwhile is not kept)

    def plugs(self) -> Plugs:
        return Plugs(
            commands={
                "plan": self._plan,
                "show": self._show,
                "why": self._why,
                "back": self._back,
                "skip": self._skip,
                "cancel": self._cancel,
            },
            forms={"plan": self._submitted},
            buttons={
                "details": lambda request, _: self._why(request),
                "replan": lambda request, _: self._plan(request),
                "section": self._section_form,
            },
            changes=frozenset({"plan"}),  # a plan made (the form, or the last answer of a chat)
        )

    # Chat, one question at a time.

    async def answer(
        self, channel: ChannelKey, user: str, said: str, timezone: str | None, near: Near
    ) -> list[Reply] | None:
        """A line of chat as the answer to the question this user's plan waits for (None: no plan
        in progress). `near` names the command a typo most likely meant, from the engine's table."""
        draft, defaults = await self._session(channel, user)
        if draft is None:
            return None
        question = next_question(self.questionnaire, draft)
        if question is None:  # cannot normally happen: a complete draft is turned into a plan
            return await self._finish(channel, user, draft, timezone)
        if not said.strip() and question.id in defaults and defaults[question.id] is None:
            draft, _ = skip(draft, question)  # Enter keeps it skipped, as it was
            return await self._advance(channel, user, draft, defaults, (), timezone)
        typed = said.strip() or defaults.get(question.id) or ""
        if not typed:
            problem = text("plan.needs_answer", optional=question.optional)
            return [views.question_reply(self.questionnaire, draft, question, defaults, problem=problem)]
        looked: list[Text] = []
        if question.id == "competitors":  # bare domains: their counts looked up, if a provider is here
            typed, looked, measured = await self._competitors_looked_up(channel, typed)
            draft = _with_measured(draft, measured)
        draft, invalid = answer(draft, question, typed)
        if invalid:
            meant = near(typed)  # "shwo" is a typo of a command more likely than an answer
            preface = (text("question.did_you_mean", command=meant),) if meant else ()
            problem = _reason(invalid.reason)
            reply = views.question_reply(
                self.questionnaire, draft, question, defaults, problem=problem, preface=(*looked, *preface)
            )
            return [reply]
        if question.id == "site":  # its figures looked up now, offered as the next questions' defaults
            draft, looked = await self._site_looked_up(channel, draft, defaults)
            defaults = {**defaults, **self._shown_suggested(draft)}
        noted = (*_noted(question, draft, typed), *looked)
        return await self._advance(channel, user, draft, defaults, noted, timezone)

    async def _advance(
        self,
        channel: ChannelKey,
        user: str,
        draft: Draft,
        defaults: Mapping[str, str],
        preface: tuple[Text, ...] = (),
        timezone: str | None = None,
    ) -> list[Reply]:
        """Store the draft and ask the next question, or turn a complete draft into the plan."""
        if is_complete(self.questionnaire, draft):
            replies = [Reply("info", tuple(Paragraph(t) for t in preface), private=True)] if preface else []
            return replies + await self._finish(channel, user, draft, timezone)
        await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
        question = next_question(self.questionnaire, draft)
        return [views.question_reply(self.questionnaire, draft, question, defaults, preface=preface)]

    async def _finish(
        self, channel: ChannelKey, user: str, draft: Draft, timezone: str | None = None, request: str | None = None
    ) -> list[Reply]:
        result = planner.plan(draft.answers, self.knowledge)
        settings, due = self.checkins.first_reminder(timezone)
        sources = provenance.kept(draft.sources, draft.answers)  # the looked-up figures the user kept
        answers = {**draft.answers, provenance.SOURCES: sources} if sources else dict(draft.answers)
        started = await self.store.save_plan(
            channel,
            user,
            answers,
            result.model_dump(mode="json"),
            expected=draft.version,
            first_reminder=(settings.to_json(), due),
            request=request,
        )
        reply = views.plan_reply(result, self.knowledge, sources=sources)
        if started:  # said under the plan, for the whole channel: one message, not two
            reply = views.with_note(reply, self.checkins.reminder_note(settings, due))
        return [reply]

    # Commands.

    async def _plan(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        # `plan now please`: words with no `name=value` in them are not answers; say so, and plan.
        extra = (request.argument.strip(),) if request.argument.strip() and "=" not in request.argument else ()
        raw, problems = parse_inline(self.questionnaire, request.argument) if not extra else ({}, [])
        existing, defaults, earlier = await self._loaded(channel, user)
        looked: list[Text] = []
        measured = None
        if "competitors" in raw:
            raw["competitors"], looked, measured = await self._competitors_looked_up(channel, raw["competitors"])
        if "site" in raw and existing is not None and existing.answers.get("site") != raw["site"]:
            existing = replace(existing, suggested={})  # another site: the last one's figures don't apply
        # A new plan starts from the last plan's measured figures, still named if they are kept.
        fresh = existing or Draft(sources=earlier)
        if not request.conversational:
            # A form platform: every question, pre-filled with what is known, inline answers first.
            draft, errors = apply(self.questionnaire, fresh, raw)
            draft = _with_measured(draft, measured)
            if "site" in raw and "site" not in errors:
                draft, found = await self._site_looked_up(channel, draft, defaults, keep=raw, form=True)
                looked += [note for note in found if note not in looked]  # "the cap is reached" once
            if draft != fresh:
                # Kept in the draft, so forms shown a section at a time (Discord) still have them.
                await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
            # Said with the form (no field can show an error before it is sent): each inline answer
            # left out, with the validator's reason, and any name that is no question.
            left_out = [
                text("plan.inline_left_out", name=self.questionnaire.question(q).label, reason=reason)
                for q, reason in errors.items()
            ]
            notes = [*looked, *left_out, *(text("plan.inline_problem", reason=p) for p in problems)]
            values = {**_texts(defaults), **self._shown_suggested(draft), **self._shown(draft), **raw}
            ids = tuple(q.id for q in self.questionnaire.questions)
            blocks = tuple(Paragraph(t) for t in notes)
            return [Reply("form", blocks=blocks, form=Form(ids, values), private=True)]
        draft, errors = apply(self.questionnaire, fresh, raw)
        draft = _with_measured(draft, measured)
        if "site" in raw and "site" not in errors:
            draft, found = await self._site_looked_up(channel, draft, defaults, keep=raw)
            looked += [note for note in found if note not in looked]  # "the cap is reached" once
        preface: list[Text] = [text("plan.extra_words", command="plan", words=w) for w in extra]
        total = len(self.questionnaire.questions)
        done = sum(draft.settled(q.id) for q in self.questionnaire.questions) if existing is not None else 0
        if done:
            preface.append(text("plan.resumed", done=done, total=total))
        else:
            preface.append(text("plan.started", total=total, sections=len(self.questionnaire.sections)))
        preface += looked
        if draft.suggested and not looked:
            preface.append(text("plan.suggested", names=self._names(draft.suggested)))
        elif defaults and not done:
            preface.append(text("plan.defaults"))
        preface += [text("plan.inline_problem", reason=p) for p in problems]
        taken = [q for q in raw if q not in errors and draft.settled(q)]  # not one asked again to confirm
        if taken:
            preface.append(text("plan.inline_taken", names=self._names(taken)))
        preface += [
            text("plan.inline_invalid", name=self.questionnaire.question(q).label, reason=reason)
            for q, reason in errors.items()
        ]
        return await self._advance(channel, user, draft, defaults, tuple(preface), request.timezone)

    async def _show(self, request: Request) -> list[Reply]:
        """The channel's plan and progress. The same reply (the same object: an adapter may reuse
        its rendering) answers a `show` again within SHOWN_SECONDS, unless this process changed the
        channel meanwhile (`changed`): a burst of them costs one read and one composing."""
        channel = request.channel
        kept = self._kept_shows.get(channel)
        if kept is not None and _fresh(kept[0], time.monotonic()) and _fresh(kept[1], self.store.clock()):
            return [kept[2]]
        generation = self._changes.get(channel, 0)
        stored, progress = await self.checkins.current_progress(channel)  # one read of the database
        if stored is None:
            reply = views.info("plan.none")
        else:
            plan = planner.stored(stored.plan, stored.answers, self.knowledge)
            sources = provenance.kept(stored.answers.get(provenance.SOURCES), stored.answers)
            reply = views.plan_reply(plan, self.knowledge, stored=stored, progress=progress, sources=sources)
        if SHOWN_SECONDS > 0 and self._changes.get(channel, 0) == generation:  # no change while composing
            self._kept_shows[channel] = (time.monotonic(), self.store.clock(), reply)
            if len(self._kept_shows) > SHOWN_KEPT:
                self._kept_shows.pop(next(iter(self._kept_shows)))
        return [reply]

    def changed(self, channels: Iterable[ChannelKey]) -> None:
        """These channels changed in this process (a plan, a log, a reminder's settings...): their
        `show` is composed afresh."""
        for channel in channels:
            self._kept_shows.pop(channel, None)
            self._changes[channel] = self._changes.pop(channel, 0) + 1  # the most recent last
            if len(self._changes) > SHOWN_KEPT:
                self._changes.pop(next(iter(self._changes)))

    async def _why(self, request: Request) -> list[Reply]:
        channel = request.channel
        stored = await self.store.current_plan(channel)
        if stored is None:
            return [views.info("plan.none")]
        plan = planner.stored(stored.plan, stored.answers, self.knowledge)
        sources = provenance.kept(stored.answers.get(provenance.SOURCES), stored.answers)
        return [views.why_reply(plan, self.knowledge, sources=sources)]

    async def _back(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        draft, defaults = await self._session(channel, user)
        if draft is None:
            return [views.info("plan.none_in_progress")]
        draft, undone = back(draft)
        if undone is None:
            question = next_question(self.questionnaire, draft)
            preface: tuple[Text, ...] = (text("plan.nothing_to_undo"),)
            return [views.question_reply(self.questionnaire, draft, question, defaults, preface=preface)]
        taken_back = draft.taken_back[undone]  # offered again: Enter keeps it
        shown = None if taken_back is None else self.questionnaire.question(undone).show(taken_back)
        return await self._advance(channel, user, draft, {**defaults, undone: shown})

    async def _skip(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        draft, defaults = await self._session(channel, user)
        if draft is None:
            return [views.info("plan.none_in_progress")]
        question = next_question(self.questionnaire, draft)
        draft, invalid = skip(draft, question)
        if invalid:
            return [
                views.question_reply(self.questionnaire, draft, question, defaults, problem=_reason(invalid.reason))
            ]
        return await self._advance(channel, user, draft, defaults)

    async def _cancel(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        if not await self.store.drop_draft(channel, user):
            return [views.info("plan.none_in_progress")]
        return [views.info("plan.cancelled")]

    # Forms (Slack modal, Discord modals).

    async def _submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        """Validate a whole form first: with any error nothing is stored and the fields say why."""
        channel, user, timezone = request.channel, request.user, request.timezone
        existing, defaults, earlier = await self._loaded(channel, user)
        measured = None
        if values.get("competitors") and bare_competitors(values["competitors"]):
            filled, _, measured = await self._competitors_looked_up(channel, values["competitors"])
            values = {**values, "competitors": filled}
        draft, errors = apply(self.questionnaire, existing or Draft(sources=earlier), values)
        draft = _with_measured(draft, measured)
        if errors:
            ids = tuple(values)
            return [Reply("field_errors", form=Form(ids, dict(values), errors), private=True)]
        if is_complete(self.questionnaire, draft):
            return await self._finish(channel, user, draft, timezone, request.submission)
        await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
        question = next_question(self.questionnaire, draft)
        section = self.questionnaire.section_of(question.id)
        ids = tuple(q.id for q in section.questions)
        known = {**_texts(defaults), **self._shown(draft)}
        return [
            Reply(
                "form",
                blocks=(Paragraph(text("plan.form_next", title=section.title)),),
                form=Form(ids, {i: known[i] for i in ids if i in known}),
                private=True,
            )
        ]

    async def _section_form(self, request: Request, section_id: str) -> list[Reply]:
        """The "Continue" button between forms shown a section at a time: that section's form."""
        channel, user = request.channel, request.user
        section = next((s for s in self.questionnaire.sections if s.id == section_id), None)
        if section is None:
            return [views.help_reply(conversational=False)]
        draft, defaults = await self._session(channel, user)
        known = {**_texts(defaults), **self._shown(draft or Draft())}
        ids = tuple(q.id for q in section.questions)
        return [Reply("form", form=Form(ids, {i: known[i] for i in ids if i in known}), private=True)]

    # Lookups (a backlink data provider connected here): figures to confirm, never a blocker.

    async def _site_looked_up(
        self,
        channel: ChannelKey,
        draft: Draft,
        defaults: Mapping[str, str | None],
        keep: Collection[str] = (),
        *,
        form: bool = False,
    ) -> tuple[Draft, list[Text]]:
        """The site's referring domains, authority, recent pace and lost domains, looked up and
        offered as defaults, with where they came from (what the user typed, `keep` or answered,
        stays theirs). A figure wildly apart from the user's own is shown beside it, never put in
        its place: theirs stays the default, and a typed one is asked again to confirm."""
        site = draft.answers.get("site")
        if self.lookups is None or not site:
            return draft, []
        try:
            sites = await self.lookups.sites(channel, [site])
            if sites is None:
                return draft, []
            history = await self.lookups.history(channel, [site])
            months = history.months.get(site) if history else None
        except LookupFailed as failed:
            return draft, self._lookup_failed(channel, failed)
        this_month = f"{self.store.clock():%Y-%m}"
        found = site_answers(sites.figures.get(site), months, this_month, sites.authority_name)
        looked_up, _ = apply(self.questionnaire, Draft(), found)  # as answers: to compare and to record
        if not looked_up.answers:
            return draft, [text("lookup.unknown_site", site=site, source=str(sites.source))]
        source = sites.source
        had = self._had(draft, defaults, site)
        disputed = {q: v for q, v in looked_up.answers.items() if q in had and provenance.wildly_apart(had[q], v)}
        offered = {q: v for q, v in found.items() if q not in keep and q not in draft.answers and q not in disputed}
        recorded = {
            q: provenance.source(source.provider, source.day, v, site=site) for q, v in looked_up.answers.items()
        }
        draft = replace(draft, sources={**draft.sources, **recorded})
        yours = {q: self.questionnaire.question(q).show(had[q]) for q in disputed}
        draft, _ = suggest(self.questionnaire, draft, {**offered, **yours})
        notes = []
        if offered:
            shown = {
                self.questionnaire.question(q).name: self.questionnaire.question(q).show(v)
                for q, v in draft.suggested.items()
                if q in offered
            }
            notes.append(text("lookup.site", site=site, source=str(source), figures=shown, form=form))
        notes += [views.disputed(self.questionnaire.question(q), recorded[q], yours[q]) for q in disputed]
        return draft, notes

    def _had(self, draft: Draft, defaults: Mapping[str, str | None], site: Any) -> dict[str, Any]:
        """The user's own figures for the site's questions: typed in this plan, or offered as a
        default (imported, taken back, or the last plan's for this same site) - not a figure a
        lookup offered before."""
        same_site = defaults.get("site") in (None, self.questionnaire.question("site").show(site))
        had: dict[str, Any] = {}
        for question_id in provenance.SITE_FIGURES:
            if question_id in draft.answers:
                value = draft.answers[question_id]
            elif same_site and defaults.get(question_id) is not None:
                parsed = self.questionnaire.question(question_id).parse(defaults[question_id])
                if isinstance(parsed, Invalid):
                    continue
                value = parsed.value
            else:
                continue
            if value != (draft.sources.get(question_id) or {}).get("value"):
                had[question_id] = value
        return had

    async def _competitors_looked_up(
        self, channel: ChannelKey, typed: str
    ) -> tuple[str, list[Text], dict[str, Any] | None]:
        """Competitors typed as bare domains, with their counts (and monthly pace) looked up; and
        the entries filled in, with their source (None: nothing looked up)."""
        bare = bare_competitors(typed)
        if self.lookups is None or not bare:
            return typed, [], None
        try:
            sites = await self.lookups.sites(channel, bare)
            if sites is None:
                return typed, [], None
            history = await self.lookups.history(channel, bare)
        except LookupFailed as failed:
            return typed, self._lookup_failed(channel, failed), None
        this_month = f"{self.store.clock():%Y-%m}"
        months = history.months if history else {}
        paces = {d: recent_pace([m for m in months.get(d, []) if m.month < this_month]) for d in bare}
        filled, unknown = with_counts(typed, sites.figures, paces)
        notes = [text("lookup.competitors", source=str(sites.source), competitors=filled)]
        if unknown:
            notes.append(text("lookup.unknown_competitors", domains=unknown, source=sites.source.provider))
        entries = provenance.competitor_entries({d: sites.figures.get(d) for d in bare}, paces)
        measured = provenance.source(sites.source.provider, sites.source.day, entries) if entries else None
        return filled, notes, measured

    def _lookup_failed(self, channel: ChannelKey, failed: LookupFailed) -> list[Text]:
        """Why figures weren't looked up. That the key connected here can't be opened is said once
        per channel (it holds until someone fixes it: every plan saying so would be noise); a
        failure of the moment, a spent budget or cap, each time."""
        if isinstance(failed, UnreadableKey) and not self.lookups.first_telling(channel, failed.state):
            return []
        return [notices.failed(failed, channel)]

    # Helpers.

    def _shown_suggested(self, draft: Draft) -> dict[str, str]:
        return {qid: self.questionnaire.question(qid).show(value) for qid, value in draft.suggested.items()}

    def _names(self, question_ids) -> list[str]:
        """Questions as replies name them: their own short words, never their ids."""
        return [self.questionnaire.question(qid).name for qid in question_ids]

    def _shown(self, draft: Draft) -> dict[str, str]:
        """A draft's answers as the text a form shows."""
        return {qid: self.questionnaire.question(qid).show(value) for qid, value in draft.answers.items()}

    async def _session(self, channel: ChannelKey, user: str) -> tuple[Draft | None, dict[str, str | None]]:
        """The user's draft in this channel, and the defaults a new plan offers, read together: the
        channel's previous answers as text, None for an optional question skipped (Enter skips it)."""
        draft, defaults, _ = await self._loaded(channel, user)
        return draft, defaults

    async def _loaded(
        self, channel: ChannelKey, user: str
    ) -> tuple[Draft | None, dict[str, str | None], dict[str, Any]]:
        """`_session`, and the sources of the last plan's measured figures it kept."""
        session = await self.store.load_session(channel, user)
        draft = Draft.from_json(session.draft, session.version) if session.draft is not None else None
        questions = self.questionnaire.questions
        known: dict[str, Any] = {}
        if session.answers is not None:  # a plan is complete: what it has no answer for was skipped
            known = {q.id: session.answers.get(q.id) for q in questions if q.optional or q.id in session.answers}
        if draft is not None:
            # An import's figures, still to be confirmed, outrank the last plan's answers; what
            # `back` undid outranks both.
            known |= {**draft.suggested, **draft.taken_back}
        defaults = {
            q.id: None if known[q.id] is None else q.show(known[q.id])
            for q in questions
            if q.id in known and (q.optional or known[q.id] is not None)
        }
        earlier = provenance.kept(session.answers.get(provenance.SOURCES), session.answers) if session.answers else {}
        return draft, defaults, earlier

    async def pending_question(self, channel: ChannelKey, user: str) -> list[Reply]:
        """The question this user's plan in progress waits for, asked again (none: no plan in progress)."""
        draft, defaults = await self._session(channel, user)
        question = next_question(self.questionnaire, draft) if draft is not None else None
        if question is None:
            return []
        return [views.question_reply(self.questionnaire, draft, question, defaults)]

    async def greeting(self, channel: ChannelKey, user: str) -> Reply:
        """Where this user stands in this channel, for a chat's first screen: no plan yet, a plan in
        progress (how far), the current plan (its target and next check-in)."""
        draft, _ = await self._session(channel, user)
        stored = await self.store.current_plan(channel)
        done = sum(draft.settled(q.id) for q in self.questionnaire.questions) if draft is not None else None
        plan = planner.stored(stored.plan, stored.answers, self.knowledge) if stored is not None else None
        reminder = await self.store.reminders.get(channel) if stored is not None else None
        on = reminder is not None and reminder.settings.enabled and reminder.next_due_at is not None
        return views.greeting(
            done=done,
            total=len(self.questionnaire.questions),
            plan=plan,
            check_in=(reminder.next_due_at, reminder.settings.timezone) if on else None,
        )


def _texts(defaults: Mapping[str, str | None]) -> dict[str, str]:
    """Defaults as a form pre-fills them: a skipped question is an empty field."""
    return {qid: value for qid, value in defaults.items() if value is not None}


def _noted(question: Question, draft: Draft, typed: str) -> tuple[Text, ...]:
    """How an answer was read when that differs from what was typed ("1.2k" → 1,200, "10h/week"
    → 43 hours a month, "n/a" → skipped), so a misreading is caught at once."""
    if question.id in draft.skipped:
        return (text("plan.skipped_answer", name=question.name),)
    shown = question.show(draft.answers[question.id])
    if _same(shown, typed):
        return ()
    read = question.parse(typed)  # pure and cheap: was it read out of a sentence?
    if isinstance(read, Valid) and read.loose:  # "dunno, maybe 12?": say how it was read, and how to undo it
        estimate = not question.kind.options and prose.is_hedged(typed)  # a figure's hedge, not a choice's
        return (text("plan.read_from_words", name=question.name, value=shown, estimate=estimate),)
    return (text("plan.noted", name=question.name, value=shown),)


def _same(shown: str, typed: str) -> bool:
    return "".join(shown.split()).lower() == "".join(typed.split()).lower()


def _with_measured(draft: Draft, measured: Mapping[str, Any] | None) -> Draft:
    """The draft with a competitors' lookup among its sources."""
    return draft if measured is None else replace(draft, sources=provenance.with_competitors(draft.sources, measured))


def _fresh(kept: Any, now: Any) -> bool:
    """Kept less than SHOWN_SECONDS ago (a moment or datetime; a clock set back is no freshness)."""
    age = now - kept
    age = age.total_seconds() if isinstance(age, dt.timedelta) else age
    return 0 <= age < SHOWN_SECONDS


def _reason(reason: str) -> Text:
    return text("question.invalid", reason=reason)
