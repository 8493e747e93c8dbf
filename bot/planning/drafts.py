"""A plan in progress (a draft, kept in the store per channel and user): read with the defaults a
new plan offers, advanced to its next question, or finished into the stored plan. The chat, the
forms and `plan` all go through it, so a draft advances the same way whatever asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from bot.conversation import provenance, views
from bot.conversation.questionnaire import Draft, is_complete, next_question
from bot.core.replies import Paragraph, Reply, Text, text
from bot.planning import planner
from bot.planning.plan_reply import plan_reply

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.planning.knowledge import Knowledge
    from bot.storage.plans import StoredPlan
    from bot.storage.store import Store


class CheckIns(Protocol):
    """What planning needs of the monthly check-ins."""

    def first_reminder(self, timezone: str | None) -> tuple[Any, dt.datetime | None]: ...

    def reminder_note(self, settings: Any, due: dt.datetime | None) -> Text: ...

    async def current_progress(self, channel: ChannelKey) -> tuple[StoredPlan | None, tuple[Any, ...]]: ...

    async def next_check_in(self, channel: ChannelKey) -> tuple[dt.datetime, str] | None: ...


class Drafts:
    def __init__(self, *, store: Store, knowledge: Knowledge, checkins: CheckIns):
        self.store = store
        self.knowledge = knowledge
        self.questionnaire = knowledge.questionnaire
        self.checkins = checkins

    async def advance(
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
            return replies + await self.finish(channel, user, draft, timezone)
        await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
        question = next_question(self.questionnaire, draft)
        return [views.question_reply(self.questionnaire, draft, question, defaults, preface=preface)]

    async def finish(
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
        reply = plan_reply(result, self.knowledge, sources=sources)
        if started:  # said under the plan, for the whole channel: one message, not two
            reply = views.with_note(reply, self.checkins.reminder_note(settings, due))
        return [reply]

    def shown_suggested(self, draft: Draft) -> dict[str, str]:
        return {qid: self.questionnaire.question(qid).show(value) for qid, value in draft.suggested.items()}

    def names(self, question_ids) -> list[str]:
        """Questions as replies name them: their own short words, never their ids."""
        return [self.questionnaire.question(qid).name for qid in question_ids]

    def shown(self, draft: Draft) -> dict[str, str]:
        """A draft's answers as the text a form shows."""
        return {qid: self.questionnaire.question(qid).show(value) for qid, value in draft.answers.items()}

    async def session(self, channel: ChannelKey, user: str) -> tuple[Draft | None, dict[str, str | None]]:
        """The user's draft in this channel, and the defaults a new plan offers, read together: the
        channel's previous answers as text, None for an optional question skipped (Enter skips it)."""
        draft, defaults, _ = await self.loaded(channel, user)
        return draft, defaults

    async def loaded(
        self, channel: ChannelKey, user: str
    ) -> tuple[Draft | None, dict[str, str | None], dict[str, Any]]:
        """`session`, and the sources of the last plan's measured figures it kept."""
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


def texts(defaults: Mapping[str, str | None]) -> dict[str, str]:
    """Defaults as a form pre-fills them: a skipped question is an empty field."""
    return {qid: value for qid, value in defaults.items() if value is not None}


def with_measured(draft: Draft, measured: Mapping[str, Any] | None) -> Draft:
    """The draft with a competitors' lookup among its sources."""
    return draft if measured is None else replace(draft, sources=provenance.with_competitors(draft.sources, measured))


def invalid_reason(reason: str) -> Text:
    return text("question.invalid", reason=reason)
