"""Build neutral replies (bot/replies.py) for a question, a plan, its figures, the help.

Pure functions of their inputs: what to say, in which structure. Wording lives in
knowledge/messages.yaml; markup and escaping happen later, in each platform's renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.knowledge import Knowledge
from bot.planner import EARNED, Plan
from bot.questionnaire import Draft, Question, Questionnaire
from bot.replies import Bullets, Button, Buttons, Heading, Paragraph, Reply, Text, text

if TYPE_CHECKING:
    from bot.store import StoredPlan


def help_reply(*, conversational: bool = True) -> Reply:
    blocks = [Heading(text("help.heading")), Paragraph(text("help.commands"))]
    if conversational:  # back/skip/cancel only exist where questions come one at a time
        blocks.append(Paragraph(text("help.during_plan")))
    return Reply("help", tuple(blocks), private=True)


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
    defaults: Mapping[str, str],
    *,
    problem: Text | None = None,
    preface: tuple[Text, ...] = (),
) -> Reply:
    blocks: list[Any] = [Paragraph(t) for t in preface]
    if problem is not None:
        blocks.append(Paragraph(problem))
    section = questionnaire.section_of(question.id)
    if problem is None and not any(draft.settled(q.id) for q in section.questions):
        blocks.append(Paragraph(text("question.section", title=section.title, intro=section.intro)))
    blocks.append(
        Paragraph(
            text(
                "question.prompt",
                number=questionnaire.position(question.id),
                total=len(questionnaire.questions),
                prompt=question.prompt,
            )
        )
    )
    blocks.append(
        Paragraph(
            text(
                "question.hint",
                why=question.why,
                example=question.example,
                optional=question.optional,
                default=defaults.get(question.id, ""),
            )
        )
    )
    return Reply("invalid" if problem else "question", tuple(blocks), private=True)


def plan_reply(
    plan: Plan, knowledge: Knowledge, *, stored: StoredPlan | None = None, progress: tuple[Any, ...] = ()
) -> Reply:
    p = knowledge.parameters
    answers = plan.answers
    need, safe, capacity = plan.need, plan.safe_pace, plan.capacity
    no_assets = answers["linkable_assets"] == 0
    binding_template = (
        "plan.binding.maintenance"
        if plan.binding == "gap" and need.kind == "maintenance"
        else (f"plan.binding.{plan.binding}")
    )
    binding = text(
        binding_template,
        pace=plan.target.high,
        horizon=need.horizon_months,
        need=need.pace,
        hours=capacity.hours_per_month,
        capacity=round(capacity.net, 1),
        no_assets=no_assets,
        ahead=need.kind == "maintenance",
    )
    if need.gap:
        gap_reason = text(
            "plan.reason.gap",
            median=need.competitors_median,
            current=need.current,
            gap=need.gap,
            horizon=need.horizon_months,
            pace=round(need.gap_pace, 1),
        )
    else:
        gap_reason = text(
            "plan.reason.ahead",
            current=need.current,
            median=need.competitors_median,
            maintenance=round(need.maintenance_pace, 1),
        )
    safe_reason = text(
        f"plan.reason.safe.{safe.basis}",
        pace=safe.pace,
        current=need.current,
        recent=answers.get("recent_monthly_rd") or 0,
        authority=answers.get("authority") or 0,
        age=answers["site_age_months"],
        share=p["profile_growth_share"].value,
        multiple=p["recent_pace_multiple"].value,
    )
    strategies = [knowledge.strategies[s].label for s in answers["strategies"]]
    capacity_reason = text(
        "plan.reason.capacity",
        hours=capacity.hours_per_month,
        strategies=strategies,
        earned=round(capacity.sources.get(EARNED, 0), 1),
        gross=round(capacity.gross, 1),
        net=round(capacity.net, 1),
    )
    if need.gap:
        months_low = -(-need.gap // plan.target.low) if plan.target.low != plan.target.high else 0
        parity = text("plan.parity.months", months=plan.months_to_parity, months_low=months_low)
    else:
        parity = text("plan.parity.ahead")

    blocks: list[Any] = [
        Heading(text("plan.heading", site=plan.site)),
        Paragraph(text("plan.target", low=plan.target.low, high=plan.target.high)),
        Paragraph(
            text(
                "plan.build",
                build_low=plan.build.low,
                build_high=plan.build.high,
                loss=p["annual_link_loss"].value,
            )
        ),
        Paragraph(binding),
        Bullets(text("plan.reasons"), (gap_reason, safe_reason, capacity_reason, parity)),
        Bullets(
            text("plan.split"),
            tuple(text("plan.split.item", name=name, count=count) for name, count in plan.split.items()),
        ),
        Bullets(text("plan.quality_bar"), tuple(Text(f"quality_bar.{i}", _values(plan)) for i in plan.quality_bar)),
        Bullets(text("plan.checklist"), tuple(Text(f"checklist.{i}", _values(plan)) for i in plan.checklist)),
    ]
    blocks += progress
    if stored is not None:
        blocks.append(
            Paragraph(
                text(
                    "plan.stored",
                    when=stored.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    user=stored.created_by,
                    earlier=stored.earlier,
                )
            )
        )
    blocks.append(Paragraph(text("plan.footer", can_replan=True)))
    blocks.append(Buttons((Button("replan", text("button.replan")), Button("details", text("button.details")))))
    summary = text("plan.summary", site=plan.site, low=plan.target.low, high=plan.target.high)
    return Reply("plan", tuple(blocks), summary=summary, plan=plan)


def with_note(reply: Reply, note: Text) -> Reply:
    """The reply with one more paragraph just above its buttons."""
    blocks = list(reply.blocks)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Buttons)), len(blocks))
    return replace(reply, blocks=(*blocks[:at], Paragraph(note), *blocks[at:]))


def _values(plan: Plan) -> dict[str, Any]:
    return {"plan": plan, "answers": plan.answers}


def why_reply(plan: Plan, knowledge: Knowledge) -> Reply:
    questionnaire = knowledge.questionnaire
    answers = plan.answers
    answer_lines = []
    for question in questionnaire.questions:
        label = question.label
        if question.id in answers and answers[question.id] is not None:
            answer_lines.append(text("why.answer", label=label, value=question.show(answers[question.id])))
        else:
            answer_lines.append(text("why.answer_skipped", label=label))
    need, safe, capacity = plan.need, plan.safe_pace, plan.capacity
    guides = ", ".join(f"{name.replace('_', ' ')} {value:g}" for name, value in safe.guides.items())
    sources = ", ".join(
        f"{(knowledge.strategies[n].label if n in knowledge.strategies else 'earned by content')} {v:g}"
        for n, v in capacity.sources.items()
    )
    computed = (
        text("why.computed.median", median=need.competitors_median),
        text(
            "why.computed.need", horizon=need.horizon_months, gap_pace=need.gap_pace, maintenance=need.maintenance_pace
        ),
        text("why.computed.safe", guides=guides, pace=safe.pace, basis=safe.basis.replace("_", " ")),
        text("why.computed.capacity", sources=sources, gross=capacity.gross, net=capacity.net),
        text("why.computed.target", low=plan.target.low, high=plan.target.high, binding=plan.binding.replace("_", " ")),
    )
    parameters = tuple(
        text(
            "why.parameter",
            label=parameter.label,
            value=_show_value(parameter.value),
            assumption=parameter.assumption or "",
            source=knowledge.sources[parameter.source].title if parameter.source else "",
        )
        for parameter in knowledge.figures_used(plan)
    )
    sources_used = tuple(
        text("why.source", title=s.title, secondary=s.secondary, note=s.note, url=s.url or "")
        for s in knowledge.sources_used(plan)
    )
    blocks = (
        Heading(text("why.heading", site=plan.site)),
        Bullets(text("why.answers"), tuple(answer_lines)),
        Bullets(text("why.computed"), computed),
        Bullets(text("why.parameters"), parameters),
        Bullets(text("why.sources"), sources_used),
    )
    return Reply("why", blocks, private=True)


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(
            f"up to {band['up_to']}: {band['low']}-{band['high']}" if isinstance(band, dict) else str(band)
            for band in value
        )
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v:g}" if isinstance(v, float | int) else f"{k}: {v}" for k, v in value.items())
    if isinstance(value, float) and value < 1:
        return f"{value:g}"
    return str(value)
