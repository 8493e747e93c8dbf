"""Planning, as a conversation: the questionnaire asked one question at a time (`chat`) or as
forms (`forms`, Slack and Discord), the plan made and stored (`drafts`), with figures looked up
where a provider is connected (`figures`); and the commands `plan`, `show`, `why` here.

Drafts live in the store, keyed by channel and user, so a conversation survives a restart and two
people planning in one channel never mix answers. Nothing reaches the plans table until every
question is settled. The monthly side is handed in (`CheckIns`): a first plan turns its reminder
on, and `show` shows the logged progress.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.conversation import provenance, views
from bot.conversation.questionnaire import Draft, apply, parse_inline
from bot.core.feature import Plugs, Request
from bot.core.replies import Form, Paragraph, Reply, Text, text
from bot.planning import planner
from bot.planning.chat import Chat, Near
from bot.planning.drafts import CheckIns, Drafts, texts, with_measured
from bot.planning.figures import Figures
from bot.planning.forms import Forms
from bot.planning.plan_reply import plan_reply
from bot.planning.why_reply import why_reply

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.lookups.service import Lookups
    from bot.planning.knowledge import Knowledge
    from bot.storage.store import Store

__all__ = ["CheckIns", "Near", "Planning"]

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
        self.drafts = Drafts(store=store, knowledge=knowledge, checkins=checkins)
        # a backlink data provider, when one is connected: figures to confirm
        self.figures = Figures(store=store, questionnaire=self.questionnaire, lookups=lookups)
        self.chat = Chat(drafts=self.drafts, figures=self.figures)
        self.forms = Forms(drafts=self.drafts, figures=self.figures)
        # channel → (when, when by the store's clock, its `show`): the clock sets the months shown
        self._kept_shows: dict[ChannelKey, tuple[float, dt.datetime, Reply]] = {}
        # channel → changes made here (a `show` composed meanwhile is not kept)
        self._changes: dict[ChannelKey, int] = {}
        # channel → its `show` being composed: those asking meanwhile wait for it (a burst of 16
        # would otherwise each read and compose it once the kept one is a second old)
        self._composing: dict[ChannelKey, asyncio.Future[Reply]] = {}

    def plugs(self) -> Plugs:
        return Plugs(
            commands={
                "plan": self._plan,
                "show": self._show,
                "why": self._why,
                "back": self.chat.back,
                "skip": self.chat.skip,
                "cancel": self.chat.cancel,
            },
            forms={"plan": self.forms.submitted},
            buttons={
                "details": lambda request, _: self._why(request),
                "replan": lambda request, _: self._plan(request),
                "section": self.forms.section_form,
            },
            changes=frozenset({"plan"}),  # a plan made (the form, or the last answer of a chat)
        )

    # The chat, for the engine: a line as an answer, the question again, the first screen.

    async def answer(
        self, channel: ChannelKey, user: str, said: str, timezone: str | None, near: Near
    ) -> list[Reply] | None:
        return await self.chat.answer(channel, user, said, timezone, near)

    async def pending_question(self, channel: ChannelKey, user: str) -> list[Reply]:
        return await self.chat.pending_question(channel, user)

    async def greeting(self, channel: ChannelKey, user: str) -> Reply:
        return await self.chat.greeting(channel, user)

    # Commands.

    async def _plan(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        # `plan now please`: words with no `name=value` in them are not answers; say so, and plan.
        extra = (request.argument.strip(),) if request.argument.strip() and "=" not in request.argument else ()
        raw, problems = parse_inline(self.questionnaire, request.argument) if not extra else ({}, [])
        existing, defaults, earlier = await self.drafts.loaded(channel, user)
        looked: list[Text] = []
        measured = None
        if "competitors" in raw:
            raw["competitors"], looked, measured = await self.figures.competitors(channel, raw["competitors"])
        if "site" in raw and existing is not None and existing.answers.get("site") != raw["site"]:
            existing = replace(existing, suggested={})  # another site: the last one's figures don't apply
        # A new plan starts from the last plan's measured figures, still named if they are kept.
        fresh = existing or Draft(sources=earlier)
        if not request.conversational:
            # A form platform: every question, pre-filled with what is known, inline answers first.
            draft, errors = apply(self.questionnaire, fresh, raw, self.store.clock().date())
            draft = with_measured(draft, measured)
            if "site" in raw and "site" not in errors:
                draft, found = await self.figures.site(channel, draft, defaults, keep=raw, form=True)
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
            values = {**texts(defaults), **self.drafts.shown_suggested(draft), **self.drafts.shown(draft), **raw}
            ids = tuple(q.id for q in self.questionnaire.questions)
            blocks = tuple(Paragraph(t) for t in notes)
            return [Reply("form", blocks=blocks, form=Form(ids, values), private=True)]
        draft, errors = apply(self.questionnaire, fresh, raw, self.store.clock().date())
        draft = with_measured(draft, measured)
        if "site" in raw and "site" not in errors:
            draft, found = await self.figures.site(channel, draft, defaults, keep=raw)
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
            preface.append(text("plan.suggested", names=self.drafts.names(draft.suggested)))
        elif defaults and not done:
            preface.append(text("plan.defaults"))
        preface += [text("plan.inline_problem", reason=p) for p in problems]
        taken = [q for q in raw if q not in errors and draft.settled(q)]  # not one asked again to confirm
        if taken:
            preface.append(text("plan.inline_taken", names=self.drafts.names(taken)))
        preface += [
            text("plan.inline_invalid", name=self.questionnaire.question(q).label, reason=reason)
            for q, reason in errors.items()
        ]
        return await self.drafts.advance(channel, user, draft, defaults, tuple(preface), request.timezone)

    async def _show(self, request: Request) -> list[Reply]:
        """The channel's plan and progress. The same reply (the same object: an adapter may reuse
        its rendering) answers a `show` again within SHOWN_SECONDS, unless this process changed the
        channel meanwhile (`changed`): a burst of them costs one read and one composing."""
        channel = request.channel
        kept = self._kept_shows.get(channel)
        if kept is not None and _fresh(kept[0], time.monotonic()) and _fresh(kept[1], self.store.clock()):
            return [kept[2]]
        if SHOWN_SECONDS <= 0:  # nothing kept, nothing shared: each asker composes its own
            return [await self._compose(channel)]
        composing = self._composing.get(channel)
        if composing is None:
            composing = self._composing[channel] = asyncio.ensure_future(self._compose(channel))
            composing.add_done_callback(
                lambda done: self._composing.pop(channel, None) if self._composing.get(channel) is done else None
            )
        # Shielded: one asker cancelled (its interaction gone) leaves the others their answer.
        return [await asyncio.shield(composing)]

    async def _compose(self, channel: ChannelKey) -> Reply:
        generation = self._changes.get(channel, 0)
        stored, progress = await self.checkins.current_progress(channel)  # one read of the database
        if stored is None:
            reply = views.info("plan.none")
        else:
            plan = planner.stored(stored.plan, stored.answers, self.knowledge)
            sources = provenance.kept(stored.answers.get(provenance.SOURCES), stored.answers)
            reply = plan_reply(plan, self.knowledge, stored=stored, progress=progress, sources=sources)
        if SHOWN_SECONDS > 0 and self._changes.get(channel, 0) == generation:  # no change while composing
            self._kept_shows[channel] = (time.monotonic(), self.store.clock(), reply)
            if len(self._kept_shows) > SHOWN_KEPT:
                self._kept_shows.pop(next(iter(self._kept_shows)))
        return reply

    def changed(self, channels: Iterable[ChannelKey]) -> None:
        """These channels changed in this process (a plan, a log, a reminder's settings...): their
        `show` is composed afresh."""
        for channel in channels:
            self._kept_shows.pop(channel, None)
            self._composing.pop(channel, None)  # composed before the change: asked after it, composed anew
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
        return [why_reply(plan, self.knowledge, sources=sources)]


def _fresh(kept: Any, now: Any) -> bool:
    """Kept less than SHOWN_SECONDS ago (a moment or datetime; a clock set back is no freshness)."""
    age = now - kept
    age = age.total_seconds() if isinstance(age, dt.timedelta) else age
    return 0 <= age < SHOWN_SECONDS
