"""Planning as a chat, one question at a time (the terminal, a DM): a line taken as the answer to
the question waiting, `back`, `skip` and `cancel`, the question asked again, and where the user
stands for a chat's first screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.conversation import prose, views
from bot.conversation.questionnaire import Draft, Question, answer_dated, back, next_question, skip
from bot.conversation.since import Since
from bot.conversation.validators.kind import Valid
from bot.core.moments import MonthName
from bot.core.replies import Reply, Text, text
from bot.planning import planner
from bot.planning.drafts import invalid_reason, with_measured

if TYPE_CHECKING:
    from bot.core.events import ChannelKey
    from bot.core.feature import Request
    from bot.planning.drafts import Drafts
    from bot.planning.figures import Figures

Near = Callable[[str], str | None]  # the command a typo most likely meant, if any


class Chat:
    def __init__(self, *, drafts: Drafts, figures: Figures):
        self.drafts = drafts
        self.figures = figures
        self.store = drafts.store
        self.knowledge = drafts.knowledge
        self.questionnaire = drafts.questionnaire

    async def answer(
        self, channel: ChannelKey, user: str, said: str, timezone: str | None, near: Near
    ) -> list[Reply] | None:
        """A line of chat as the answer to the question this user's plan waits for (None: no plan
        in progress). `near` names the command a typo most likely meant, from the engine's table."""
        draft, defaults = await self.drafts.session(channel, user)
        if draft is None:
            return None
        question = next_question(self.questionnaire, draft)
        if question is None:  # cannot normally happen: a complete draft is turned into a plan
            return await self.drafts.finish(channel, user, draft, timezone)
        if not said.strip() and question.id in defaults and defaults[question.id] is None:
            draft, _ = skip(draft, question)  # Enter keeps it skipped, as it was
            return await self.drafts.advance(channel, user, draft, defaults, (), timezone)
        typed = said.strip() or defaults.get(question.id) or ""
        if not typed:
            problem = text("plan.needs_answer", optional=question.optional)
            return [views.question_reply(self.questionnaire, draft, question, defaults, problem=problem)]
        looked: list[Text] = []
        if question.id == "competitors":  # bare domains: their counts looked up, if a provider is here
            typed, looked, measured = await self.figures.competitors(channel, typed)
            draft = with_measured(draft, measured)
        # "since 2019", "we launched in March 2021": the months from then, said back to confirm.
        draft, invalid, since = answer_dated(draft, question, typed, self.store.clock().date())
        if invalid:
            meant = near(typed)  # "shwo" is a typo of a command more likely than an answer
            preface = (text("question.did_you_mean", command=meant),) if meant else ()
            problem = invalid_reason(invalid.reason)
            reply = views.question_reply(
                self.questionnaire, draft, question, defaults, problem=problem, preface=(*looked, *preface)
            )
            return [reply]
        if question.id == "site":  # its figures looked up now, offered as the next questions' defaults
            draft, looked = await self.figures.site(channel, draft, defaults)
            defaults = {**defaults, **self.drafts.shown_suggested(draft)}
        noted = (*(_counted_from(question, draft, since) if since else _noted(question, draft, typed)), *looked)
        return await self.drafts.advance(channel, user, draft, defaults, noted, timezone)

    async def back(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        draft, defaults = await self.drafts.session(channel, user)
        if draft is None:
            return [views.info("plan.none_in_progress")]
        draft, undone = back(draft)
        if undone is None:
            question = next_question(self.questionnaire, draft)
            preface: tuple[Text, ...] = (text("plan.nothing_to_undo"),)
            return [views.question_reply(self.questionnaire, draft, question, defaults, preface=preface)]
        taken_back = draft.taken_back[undone]  # offered again: Enter keeps it
        shown = None if taken_back is None else self.questionnaire.question(undone).show(taken_back)
        return await self.drafts.advance(channel, user, draft, {**defaults, undone: shown})

    async def skip(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        draft, defaults = await self.drafts.session(channel, user)
        if draft is None:
            return [views.info("plan.none_in_progress")]
        question = next_question(self.questionnaire, draft)
        draft, invalid = skip(draft, question)
        if invalid:
            problem = invalid_reason(invalid.reason)
            return [views.question_reply(self.questionnaire, draft, question, defaults, problem=problem)]
        return await self.drafts.advance(channel, user, draft, defaults)

    async def cancel(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        if not await self.store.drop_draft(channel, user):
            return [views.info("plan.none_in_progress")]
        return [views.info("plan.cancelled")]

    async def pending_question(self, channel: ChannelKey, user: str) -> list[Reply]:
        """The question this user's plan in progress waits for, asked again (none: no plan in progress)."""
        draft, defaults = await self.drafts.session(channel, user)
        question = next_question(self.questionnaire, draft) if draft is not None else None
        if question is None:
            return []
        return [views.question_reply(self.questionnaire, draft, question, defaults)]

    async def greeting(self, channel: ChannelKey, user: str) -> Reply:
        """Where this user stands in this channel, for a chat's first screen: no plan yet, a plan in
        progress (how far), the current plan (its target and next check-in)."""
        draft, _ = await self.drafts.session(channel, user)
        stored = await self.store.current_plan(channel)
        done = sum(draft.settled(q.id) for q in self.questionnaire.questions) if draft is not None else None
        plan = planner.stored(stored.plan, stored.answers, self.knowledge) if stored is not None else None
        check_in = await self.drafts.checkins.next_check_in(channel) if stored is not None else None
        return views.greeting(
            done=done,
            total=len(self.questionnaire.questions),
            plan=plan,
            check_in=check_in,
        )


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
        # A figure's hedge, not a choice's, nor a site's (a domain is the site or not, never an estimate).
        estimate = not question.kind.options and question.kind_name != "domain" and prose.is_hedged(typed)
        return (text("plan.read_from_words", name=question.name, value=shown, estimate=estimate),)
    return (text("plan.noted", name=question.name, value=shown),)


def _counted_from(question: Question, draft: Draft, since: Since) -> tuple[Text, ...]:
    start = MonthName(f"{since.year}-{since.month:02d}") if since.month else str(since.year)
    shown = question.show(draft.answers[question.id])
    return (text("plan.read_since", name=question.name, value=shown, since=start, mid_year=since.month is None),)


def _same(shown: str, typed: str) -> bool:
    return "".join(shown.split()).lower() == "".join(typed.split()).lower()
