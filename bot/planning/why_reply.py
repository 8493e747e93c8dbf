"""`why`: every figure behind a plan - the answers (a measured one with its provider and day), what
the planner worked out, the parameters with their sources. Pure, as bot/planning/plan_reply.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.conversation import provenance
from bot.conversation.rendering import Precise
from bot.core.plan import Plan
from bot.core.replies import Bullets, Heading, Reply, Text, text
from bot.planning.knowledge import Knowledge


def why_reply(plan: Plan, knowledge: Knowledge, *, sources: Mapping[str, Any] | None = None) -> Reply:
    """Every figure behind the plan: the answers (a measured one with its provider and day), what
    the planner worked out, the parameters and their sources."""
    questionnaire = knowledge.questionnaire
    answers = plan.answers
    sources = sources or {}
    answer_lines = []
    for question in questionnaire.questions:
        label = question.label
        if question.id in answers and answers[question.id] is not None:
            looked = sources.get(question.id)
            domains = [c["domain"] for c in looked["value"]] if looked and question.id == provenance.COMPETITORS else []
            value = question.show(answers[question.id])
            answer_lines.append(
                text(
                    "why.answer",
                    label=label,
                    value=value,
                    source=provenance.named(looked) if looked else "",
                    # some competitors measured, others typed: which ones
                    domains=domains if domains and len(domains) < len(answers[question.id]) else [],
                )
            )
        else:
            answer_lines.append(text("why.answer_skipped", label=label))
    need, safe, capacity, m = plan.need, plan.safe_pace, plan.capacity, plan.momentum
    # (term, figure): each guide named in the reader's language, its figure to two decimals
    guides = [(_term(name), Precise(value)) for name, value in safe.guides.items()]
    # (label, rate): each strategy named in the reader's language; the rate to two decimals (0.19)
    per_hour = [(knowledge.strategies[n].label, Precise(v)) for n, v in capacity.per_hour.items()]
    computed = [
        text(
            "why.computed.momentum",
            natural=round(m.natural, 2),
            basis=_term(m.basis),
            spike=m.spike,
            recent=m.recent or 0,
            earned=m.earned,
        ),
        text(
            "why.computed.median",
            median=need.competitors_median,
            at_horizon=need.median_at_horizon,
            growth=need.competitors_growth,
            known=need.growth_known,
        ),
        text(
            "why.computed.need", horizon=need.horizon_months, gap_pace=need.gap_pace, maintenance=need.maintenance_pace
        ),
        text("why.computed.safe", guides=guides, pace=safe.pace, basis=_term(safe.basis)),
        text("why.computed.capacity", built=capacity.built, hours=capacity.hours_per_month, per_hour=per_hour),
        text("why.computed.target", target=plan.target, build=plan.build, binding=_term(plan.binding)),
        text(
            "why.computed.parity",
            months=plan.months_to_parity,
            limit=knowledge.parameters["projection_months"].value,
        ),
    ]
    if plan.levers is not None:
        computed.append(
            text(
                "why.computed.levers",
                horizon=need.horizon_months,
                needed=plan.levers.needed,
                hours=plan.levers.hours_to_close,
                safe_limited=plan.levers.safe_limited,
            )
        )
    if plan.page_level is not None:
        page = plan.page_level
        computed.append(
            text("why.computed.page", median=page.median, typical=page.typical, pace=page.pace, point=page.point)
        )
    if plan.reclaim is not None:
        computed.append(
            text(
                "why.computed.reclaim",
                lost=plan.reclaim.lost,
                expected=plan.reclaim.expected,
                on_purpose=plan.reclaim.on_purpose,
            )
        )
    parameters = [
        text(
            "why.parameter",
            label=parameter.label,
            value=_show_value(parameter.value),
            assumption=parameter.assumption or "",
            source=knowledge.sources[parameter.source].title if parameter.source else "",
        )
        for parameter in knowledge.figures_used(plan)
    ]
    if plan.site_kind in knowledge.site_kinds:
        kind = knowledge.site_kinds[plan.site_kind]
        parameters.append(
            text("why.kind", label=kind.label, assumption=kind.assumption, source=knowledge.sources[kind.source].title)
        )
    sources_used = tuple(
        text("why.source", title=s.title, secondary=s.secondary, note=s.note, url=s.url or "")
        for s in knowledge.sources_used(plan)
    )
    blocks = (
        Heading(text("why.heading", site=plan.site)),
        Bullets(text("why.answers"), tuple(answer_lines)),
        Bullets(text("why.computed"), tuple(computed)),
        Bullets(text("why.parameters"), tuple(parameters)),
        Bullets(text("why.sources"), sources_used),
    )
    return Reply("why", blocks, private=True)


def _term(name: str) -> Text:
    """One of the planner's terms (a guide, a basis, a binding), in the reader's words."""
    return text(f"why.term.{name}")


def _show_value(value: Any) -> Any:
    """A parameter's value, its figures in the reader's format: a table (quality: factor) or
    points (authority: pace) said by a template, a share to two decimals (0.26, "0,26")."""
    if isinstance(value, list) and all(isinstance(point, dict) for point in value):
        return text("why.value.points", points=[(_figure(p["authority"]), _figure(p["pace"])) for p in value])
    if isinstance(value, dict):
        return text("why.value.table", items=[(key, _figure(v)) for key, v in value.items()])
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return _figure(value)


def _figure(value: Any) -> Any:
    if isinstance(value, float) and not value.is_integer():
        return Precise(value)
    return value
