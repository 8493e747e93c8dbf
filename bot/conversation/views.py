"""Build neutral replies (bot/core/replies.py) for a question, the help, a greeting, a notice.
(A plan's reply and its `why` are the planning's: bot/planning/plan_reply.py, why_reply.py.)

Pure functions of their inputs: what to say, in which structure. Wording lives in
knowledge/messages.yaml; markup and escaping happen later, in each platform's renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.conversation import provenance
from bot.conversation.questionnaire import Draft, Question, Questionnaire
from bot.conversation.validators.kind import Valid
from bot.core.moments import Moment
from bot.core.plan import Plan
from bot.core.replies import Buttons, Heading, Paragraph, Reply, Text, text


def help_reply(*, conversational: bool = True) -> Reply:
    blocks = [Heading(text("help.heading")), Paragraph(text("help.commands", forms=not conversational))]
    if conversational:  # back/skip/cancel only exist where questions come one at a time
        blocks.append(Paragraph(text("help.during_plan")))
    return Reply("help", tuple(blocks), private=True)


def greeting(*, done: int | None, total: int, plan: Plan | None, check_in: tuple[dt.datetime, str] | None) -> Reply:
    """Where a chat starts from: the current plan (its target, its next check-in) and a plan in
    progress (how far it got), else that there is no plan yet."""
    blocks = []
    if plan is not None:
        when = Moment(*check_in) if check_in else ""
        blocks.append(Paragraph(text("greeting.plan", site=plan.site, target=plan.target, check_in=when)))
    if done is not None:
        blocks.append(Paragraph(text("greeting.in_progress", done=done, total=total, replacing=plan is not None)))
    if not blocks:
        blocks.append(Paragraph(text("greeting.no_plan", total=total)))
    return Reply("info", tuple(blocks), private=True)


def problems(reasons, *, usage: str) -> Reply:
    """A command's argument was not understood: each reason, then how the command is used."""
    blocks = tuple(Paragraph(text("question.invalid", reason=r)) for r in reasons) + (Paragraph(text(usage)),)
    return Reply("invalid", blocks, private=True)


def info(template: str, **values: Any) -> Reply:
    return Reply("info", (Paragraph(text(template, **values)),), private=True)


def question_reply(
    questionnaire: Questionnaire,
    draft: Draft,
    question: Question,
    defaults: Mapping[str, str | None],  # None: Enter skips it again
    *,
    problem: Text | None = None,
    preface: tuple[Text, ...] = (),
) -> Reply:
    """Ask a question: its prompt, the choices it offers, why it is asked and an example.
    After a refused answer, the reason (it carries an example that works) and a one-line reminder
    of which question is open, not the whole question again."""
    blocks: list[Any] = [Paragraph(t) for t in preface]
    number, total = questionnaire.position(question.id), len(questionnaire.questions)
    default = defaults.get(question.id) or ""
    if problem is not None:
        blocks.append(Paragraph(problem))
        optional = question.optional
        again = text(
            "question.again", number=number, total=total, label=question.label, optional=optional, default=default
        )
        return Reply("invalid", (*blocks, Paragraph(again)), private=True)
    section = questionnaire.section_of(question.id)
    if not any(draft.settled(q.id) for q in section.questions):
        blocks.append(Paragraph(text("question.section", title=section.title, intro=section.intro)))
    blocks.append(Paragraph(text("question.prompt", number=number, total=total, prompt=question.prompt)))
    had = question.parse(default) if default else None
    if isinstance(had, Valid) and (
        looked := provenance.offered_against(draft.sources, question.id, draft.answers.get("site"), had.value)
    ):  # a provider's figure wildly apart from the user's: both shown, theirs the default
        blocks.append(Paragraph(disputed(question, looked, default, asking=True)))
    if question.kind.options:  # strategies, the kind of site: numbered, as they may be picked
        blocks.append(Paragraph(text("question.options", options=[label for _, label in question.kind.options])))
    if question.kind.scale:  # a short scale (content quality): what each step means
        low = question.params.get("min", 1)
        blocks.append(Paragraph(text("question.scale", levels=list(enumerate(question.kind.scale, low)))))
    hint = text(
        "question.hint",
        why=question.why,
        example=question.example,
        optional=question.optional,
        default=default or "",
        keeps_skip=question.id in defaults and defaults[question.id] is None,
    )
    blocks.append(Paragraph(hint))
    return Reply("question", tuple(blocks), private=True)


def disputed(question: Question, looked: Mapping[str, Any], had: str, *, asking: bool = False) -> Text:
    """A looked-up figure beside the user's own, wildly apart: theirs stays, the other is named."""
    return text(
        "lookup.disputed",
        name=question.name,
        provider=looked["provider"],
        day=provenance.day_shown(looked["day"]),
        measured=question.show(looked["value"]),
        had=had,
        factor=provenance.WILD_FACTOR,
        asking=asking,
    )


def with_note(reply: Reply, note: Text) -> Reply:
    """The reply with one more paragraph just above its buttons."""
    blocks = list(reply.blocks)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Buttons)), len(blocks))
    return replace(reply, blocks=(*blocks[:at], Paragraph(note), *blocks[at:]))
