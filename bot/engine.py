"""The conversation engine: events in, neutral replies out. It never sends anything itself.

Commands are a table (name → handler), so later commands (`log`, `remind`, `import`) are new
rows, not new branches. Drafts live in the store, keyed by channel and user, so a conversation
survives a restart and two people planning in one channel never mix answers. Nothing reaches the
plans table until every question is settled.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot import planner, views
from bot.events import ChannelKey, Event, Invoked, Pressed, Said, Submitted
from bot.imports import Imports
from bot.inbox import Inbox
from bot.knowledge import Knowledge
from bot.monthly import Monthly
from bot.questionnaire import (
    Draft,
    Question,
    answer,
    apply,
    back,
    is_complete,
    next_question,
    parse_inline,
    skip,
)
from bot.replies import Form, Paragraph, Reply, Text, text
from bot.store import DraftConflict, Store


@dataclass(frozen=True, slots=True)
class Request:
    """A command as handlers see it, whichever event carried it."""

    channel: ChannelKey
    user: str
    argument: str = ""
    conversational: bool = True  # questions one at a time (a chat), or forms (Slack, Discord)
    timezone: str | None = None
    file: str | None = None  # a local copy of a file the user handed over


Handler = Callable[[Request], Awaitable[list[Reply]]]
NOTICE_RECHECK = 60.0  # seconds
ASK_AGAIN_AFTER = {"help", "show", "why"}  # commands a chat may use mid-plan without leaving it
CONFLICT_RETRIES = 5


class Engine:
    def __init__(
        self, *, knowledge: Knowledge, store: Store, import_max_bytes: int = 100_000_000, inbox: Inbox | None = None
    ):
        self.knowledge = knowledge
        self.store = store
        self.inbox = inbox or Inbox(store)  # where adapters keep form submissions until they are worked
        self.questionnaire = knowledge.questionnaire
        self.monthly = Monthly(self)
        self.imports = Imports(self, max_bytes=import_max_bytes)
        self._no_notice: dict[ChannelKey, tuple[float, int]] = {}
        self.commands: dict[str, Handler] = {
            "plan": self._plan,
            "show": self._show,
            "why": self._why,
            "help": self._help,
            "back": self._back,
            "skip": self._skip,
            "cancel": self._cancel,
            "remind": self.monthly.remind,
            "log": self.monthly.log,
            "import": self.imports.handle,
        }

    def check(self, values: Mapping[str, str], form: str = "plan") -> dict[str, str]:
        """Validate form values without touching storage: {question id: reason} for the bad ones.

        For platforms that must answer a form before doing any work (Slack's modal ack)."""
        errors = apply(self.knowledge.form(form), Draft(), values)[1]
        if form == "log" and not errors:
            errors = self.monthly.check_log(values)
        return errors

    async def handle(self, event: Event) -> list[Reply]:
        """Handle an event; if another process saved the same user's draft meanwhile, start over
        from what is stored now (optimistic concurrency), so no answer is lost or counted twice."""
        for _ in range(CONFLICT_RETRIES):
            try:
                return await self._handle(event)
            except DraftConflict:
                continue
        return [views.info("plan.busy")]

    async def _handle(self, event: Event) -> list[Reply]:
        match event:
            case Said(channel, user, said, timezone, file):
                return await self._noticed(channel, await self._said(channel, user, said, timezone, file))
            case Invoked(channel, user, command, argument, timezone, file):
                handler = self.commands.get(command.strip().lower())
                if handler is None:
                    unknown = views.info("help.unknown_command", command=command, suggestion=self._near(command))
                    return [unknown, views.help_reply(conversational=False)]
                request = Request(channel, user, argument, False, timezone, file)
                return await self._noticed(channel, await handler(request))
            case Submitted(channel, user, values, timezone, "log"):
                return await self.monthly.log_submitted(Request(channel, user, conversational=False), values)
            case Submitted(channel, user, values, timezone, "import"):
                whose = values.get("import_whose", "")
                argument = "competitor" if "competitor" in whose else ""
                request = Request(channel, user, argument, False, timezone, values.get("import_file") or None)
                return await self.imports.handle(request)
            case Submitted(channel, user, values, timezone, _, request):
                return await self._submitted(channel, user, values, timezone, request)
            case Pressed(channel, user, action, value):
                request = Request(channel, user, conversational=False)
                match action:
                    case "details":
                        return await self._why(request)
                    case "replan":
                        return await self._plan(request)
                    case "section":  # "Continue" between forms shown a section at a time
                        return await self._section_form(channel, user, value)
                    case "log":
                        ids = tuple(q.id for q in self.knowledge.log_form.questions)
                        return [Reply("form", form=Form(ids, {}, name="log"), private=True)]
                    case "skip_month":
                        return await self.monthly.remind(replace(request, argument="skip"))
                    case "pause":
                        return await self.monthly.remind(replace(request, argument="off"))
                    case "confirm_log":  # the button under "far above your plan": log it after all
                        return await self.monthly.log(replace(request, argument=f"{value} yes"))
                return [views.help_reply(conversational=False)]
        raise TypeError(f"not an event: {event!r}")

    async def _noticed(self, channel: ChannelKey, replies: list[Reply]) -> list[Reply]:
        """Say once, the next time someone uses the bot here, that reminders were paused.

        Every command would otherwise pay a database read for this rare note, so a channel found
        without one isn't asked again for a minute — unless this process paused something since
        (another process's pause shows within that minute)."""
        checked = self._no_notice.get(channel)
        if checked and checked[1] == self.store.reminders.pauses and time.monotonic() - checked[0] < NOTICE_RECHECK:
            return replies
        reason = await self.store.reminders.take_pause_notice(channel)
        if reason:
            return [views.info("remind.paused_notice", reason=reason), *replies]
        self._no_notice[channel] = (time.monotonic(), self.store.reminders.pauses)
        if len(self._no_notice) > 10_000:  # bounded: forget the oldest
            self._no_notice.pop(next(iter(self._no_notice)))
        return replies

    # Chat, one question at a time.

    async def _said(
        self, channel: ChannelKey, user: str, said: str, timezone: str | None, file: str | None = None
    ) -> list[Reply]:
        head, _, rest = said.strip().partition(" ")
        handler = self.commands.get(head.lower())
        if handler is not None:
            replies = await handler(Request(channel, user, rest, True, timezone, file))
            if head.lower() in ASK_AGAIN_AFTER:  # the question still waiting is the last thing said
                replies += await self._pending_question(channel, user)
            return replies
        draft, defaults = await self._session(channel, user)
        if draft is None:
            if not said.strip():
                return []
            return [views.info("help.unknown", text=said.strip(), suggestion=self._near(head, chat=True))]
        return await self._answer(channel, user, draft, defaults, said, timezone)

    async def _answer(
        self, channel: ChannelKey, user: str, draft: Draft, defaults: Mapping[str, str], said: str, timezone: str | None
    ) -> list[Reply]:
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
        draft, invalid = answer(draft, question, typed)
        if invalid:
            near = self._near(typed, chat=True)  # "shwo" is a typo of a command more likely than an answer
            preface = (text("question.did_you_mean", command=near),) if near else ()
            problem = _reason(invalid.reason)
            reply = views.question_reply(
                self.questionnaire, draft, question, defaults, problem=problem, preface=preface
            )
            return [reply]
        return await self._advance(channel, user, draft, defaults, _noted(question, draft, typed), timezone)

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
        settings, due = self.monthly.first_reminder(timezone)
        started = await self.store.save_plan(
            channel,
            user,
            dict(draft.answers),
            result.model_dump(mode="json"),
            expected=draft.version,
            first_reminder=(settings.to_json(), due),
            request=request,
        )
        reply = views.plan_reply(result, self.knowledge)
        if started:  # said under the plan, for the whole channel: one message, not two
            reply = views.with_note(reply, self.monthly.reminder_note(settings, due))
        return [reply]

    # Commands.

    async def _plan(self, request: Request) -> list[Reply]:
        channel, user = request.channel, request.user
        # `plan now please`: words with no `name=value` in them are not answers; say so, and plan.
        extra = (request.argument.strip(),) if request.argument.strip() and "=" not in request.argument else ()
        raw, problems = parse_inline(self.questionnaire, request.argument) if not extra else ({}, [])
        existing, defaults = await self._session(channel, user)
        if not request.conversational:
            # A form platform: every question, pre-filled with what is known, inline answers first.
            draft, errors = apply(self.questionnaire, existing or Draft(), raw)
            if draft != (existing or Draft()):
                # Kept in the draft, so forms shown a section at a time (Discord) still have them.
                await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
            if problems:  # names that are no question: shown with the form, not on a field
                errors["inline"] = " ".join(problems)
            values = {**_texts(defaults), **self._shown(draft), **raw}
            ids = tuple(q.id for q in self.questionnaire.questions)
            return [Reply("form", form=Form(ids, values, errors), private=True)]
        draft = existing or Draft()
        draft, errors = apply(self.questionnaire, draft, raw)
        preface: list[Text] = [text("plan.extra_words", command="plan", words=w) for w in extra]
        total = len(self.questionnaire.questions)
        done = sum(draft.settled(q.id) for q in self.questionnaire.questions) if existing is not None else 0
        if done:
            preface.append(text("plan.resumed", done=done, total=total))
        else:
            preface.append(text("plan.started", total=total, sections=len(self.questionnaire.sections)))
        if draft.suggested:
            preface.append(text("plan.suggested", names=self._names(draft.suggested)))
        elif defaults and not done:
            preface.append(text("plan.defaults"))
        preface += [text("plan.inline_problem", reason=p) for p in problems]
        taken = [q for q in raw if q not in errors]
        if taken:
            preface.append(text("plan.inline_taken", names=self._names(taken)))
        preface += [
            text("plan.inline_invalid", name=self.questionnaire.question(q).label, reason=reason)
            for q, reason in errors.items()
        ]
        return await self._advance(channel, user, draft, defaults, tuple(preface), request.timezone)

    async def _show(self, request: Request) -> list[Reply]:
        channel = request.channel
        stored = await self.store.current_plan(channel)
        if stored is None:
            return [views.info("plan.none")]
        progress = self.monthly.progress_blocks(await self.monthly.channel_progress(channel))
        plan = planner.stored(stored.plan, stored.answers, self.knowledge)
        return [views.plan_reply(plan, self.knowledge, stored=stored, progress=progress)]

    async def _why(self, request: Request) -> list[Reply]:
        channel = request.channel
        stored = await self.store.current_plan(channel)
        if stored is None:
            return [views.info("plan.none")]
        return [views.why_reply(planner.stored(stored.plan, stored.answers, self.knowledge), self.knowledge)]

    async def _help(self, request: Request) -> list[Reply]:
        conversational = request.conversational
        return [views.help_reply(conversational=conversational)]

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

    async def _submitted(
        self, channel: ChannelKey, user: str, values: Mapping[str, str], timezone: str | None, request: str | None
    ) -> list[Reply]:
        """Validate a whole form first: with any error nothing is stored and the fields say why."""
        existing, defaults = await self._session(channel, user)
        draft, errors = apply(self.questionnaire, existing or Draft(), values)
        if errors:
            ids = tuple(values)
            return [Reply("field_errors", form=Form(ids, dict(values), errors), private=True)]
        if is_complete(self.questionnaire, draft):
            return await self._finish(channel, user, draft, timezone, request)
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

    async def _section_form(self, channel: ChannelKey, user: str, section_id: str) -> list[Reply]:
        section = next((s for s in self.questionnaire.sections if s.id == section_id), None)
        if section is None:
            return [views.help_reply(conversational=False)]
        draft, defaults = await self._session(channel, user)
        known = {**_texts(defaults), **self._shown(draft or Draft())}
        ids = tuple(q.id for q in section.questions)
        return [Reply("form", form=Form(ids, {i: known[i] for i in ids if i in known}), private=True)]

    # Helpers.

    def _names(self, question_ids) -> list[str]:
        """Questions as replies name them: their own short words, never their ids."""
        return [self.questionnaire.question(qid).name for qid in question_ids]

    def _near(self, typed: str, *, chat: bool = False) -> str | None:
        """The command a typo most likely meant (`shwo` → show), if one is close enough."""
        words = typed.strip().lower().split()
        if len(words) != 1:
            return None
        commands = [*self.commands, *(["quit"] if chat else [])]  # quit is the terminal's own
        found = difflib.get_close_matches(words[0], commands, n=1, cutoff=0.75)
        return found[0] if found and found[0] != words[0] else None

    def _shown(self, draft: Draft) -> dict[str, str]:
        """A draft's answers as the text a form shows."""
        return {qid: self.questionnaire.question(qid).show(value) for qid, value in draft.answers.items()}

    async def _session(self, channel: ChannelKey, user: str) -> tuple[Draft | None, dict[str, str | None]]:
        """The user's draft in this channel, and the defaults a new plan offers, read together: the
        channel's previous answers as text, None for an optional question skipped (Enter skips it)."""
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
        return draft, defaults

    async def _pending_question(self, channel: ChannelKey, user: str) -> list[Reply]:
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
    return () if _same(shown, typed) else (text("plan.noted", name=question.name, value=shown),)


def _same(shown: str, typed: str) -> bool:
    return "".join(shown.split()).lower() == "".join(typed.split()).lower()


def _reason(reason: str) -> Text:
    return text("question.invalid", reason=reason)
