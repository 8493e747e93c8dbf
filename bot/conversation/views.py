"""Build neutral replies (bot/core/replies.py) for a question, a plan, its figures, the help.

Pure functions of their inputs: what to say, in which structure. Wording lives in
knowledge/messages.yaml; markup and escaping happen later, in each platform's renderer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.conversation import provenance
from bot.conversation.questionnaire import Draft, Question, Questionnaire
from bot.conversation.rendering import format_number
from bot.conversation.validators.kind import Valid
from bot.core.plan import Plan
from bot.core.replies import Bullets, Button, Buttons, Heading, Paragraph, Reply, Text, text
from bot.planning.knowledge import Knowledge

if TYPE_CHECKING:
    from bot.storage.store import StoredPlan


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
        when = _local_time(*check_in) if check_in else ""
        blocks.append(Paragraph(text("greeting.plan", site=plan.site, target=plan.target, check_in=when)))
    if done is not None:
        blocks.append(Paragraph(text("greeting.in_progress", done=done, total=total, replacing=plan is not None)))
    if not blocks:
        blocks.append(Paragraph(text("greeting.no_plan", total=total)))
    return Reply("info", tuple(blocks), private=True)


def _local_time(moment: dt.datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} ({timezone})"


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


def plan_reply(
    plan: Plan,
    knowledge: Knowledge,
    *,
    stored: StoredPlan | None = None,
    progress: tuple[Any, ...] = (),
    sources: Mapping[str, Any] | None = None,
) -> Reply:
    """The plan as a person reads it: the target, where it starts from and what limits it, the
    reasons, the levers when the gap doesn't close in time, the page-level plan, the split, the
    quality bar and the checklist. Every number is the plan's own, rounded as the target is.
    `sources`: the figures a provider measured and the user kept (bot/conversation/provenance.py)."""
    p = knowledge.parameters
    blocks: list[Any] = [
        Heading(text("plan.heading", site=plan.site)),
        Paragraph(text("plan.target", target=plan.target)),
        Paragraph(_momentum_line(plan)),
    ]
    if plan.target.high:
        net = _whole(plan.target.monthly()[1] * (1 - p["annual_link_loss"].value))
        blocks.append(Paragraph(text("plan.loss", loss=p["annual_link_loss"].value, net=net)))
    blocks.append(Paragraph(_binding_line(plan, knowledge)))
    blocks.append(Bullets(text("plan.reasons"), _reasons(plan, knowledge)))
    if plan.levers is not None:
        blocks.append(Bullets(text("plan.levers", horizon=plan.need.horizon_months), _levers(plan, knowledge)))
    if plan.page_level is not None:
        blocks.append(Bullets(text("plan.page"), _page_level(plan, knowledge)))
    if plan.split:  # a target of none has nothing to split: no empty heading
        blocks.append(
            Bullets(
                text("plan.split", target=plan.target),
                tuple(
                    text("plan.split.item", name=name, count=count, hours=_hours(plan.hours_split.get(name, 0)))
                    for name, count in plan.split.items()
                ),
            )
        )
    blocks += [
        Bullets(text("plan.quality_bar"), quality_bar_texts(plan, knowledge)),
        Bullets(text("plan.checklist"), checklist_texts(plan, knowledge)),
    ]
    blocks += progress
    blocks += [Paragraph(t) for t in _measured(plan, knowledge, sources or {})]
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
    summary = text("plan.summary", site=plan.site, target=plan.target)
    return Reply("plan", tuple(blocks), summary=summary, plan=plan)


def _measured(plan: Plan, knowledge: Knowledge, sources: Mapping[str, Any]) -> tuple[Text, ...]:
    """ "Measured by DataForSEO on 30 Nov 2026: referring domains and the competitors' counts.", a
    line per provider and day."""
    questionnaire = knowledge.questionnaire
    groups = provenance.by_source(sources, [q.id for q in questionnaire.questions])
    lines = []
    for (provider, day), ids in groups.items():
        competitors = [c["domain"] for c in sources[provenance.COMPETITORS]["value"]] if "competitors" in ids else []
        lines.append(
            text(
                "plan.measured",
                provider=provider,
                day=provenance.day_shown(day),
                figures=[questionnaire.question(q).name for q in ids if q != provenance.COMPETITORS],
                competitors=competitors,
                all_competitors=len(competitors) == len(plan.answers.get("competitors") or ()),
            )
        )
    return tuple(lines)


def _whole(value: float) -> float:
    """A figure as the target shows it: whole links (rounded down, like the target's top), with a
    tenth below ten so a small figure isn't shown as none or as a jump."""
    if value >= 10:
        return math.floor(value + 1e-9)
    return math.floor(value * 10 + 1e-9) / 10


def _hours(hours: float) -> float:
    """Hours as people plan them: whole hours, or half an hour."""
    return max(0.5, round(hours)) if hours > 0 else 0


def _momentum_line(plan: Plan) -> Text:
    m = plan.momentum
    values = {"natural": _whole(m.natural), "build": plan.build, "hours": plan.capacity.hours_per_month}
    if m.spike:
        return text("plan.momentum.spike", recent=m.recent, current=plan.answers["referring_domains"], **values)
    return text(f"plan.momentum.{m.basis}", **values)


def _binding_line(plan: Plan, knowledge: Knowledge) -> Text:
    need = plan.need
    build_top = plan.build.monthly()[1]
    values = {"build": _whole(build_top), "horizon": need.horizon_months}
    if plan.binding == "gap" and need.kind == "ahead":
        return text(
            "plan.binding.ahead",
            maintenance=_whole(need.maintenance_pace),
            # Hours beyond what keeping the lead takes: say where they go, not nothing.
            spare=plan.capacity.built >= build_top + 1,
            hours=plan.capacity.hours_per_month,
            capacity=_whole(plan.capacity.built),
            pages=plan.page_level is not None,
            **values,
        )
    if plan.binding == "gap":
        return text("plan.binding.gap", at_horizon=math.ceil(need.median_at_horizon), **values)
    if plan.binding == "safe_pace":
        spare = plan.capacity.built >= 2 * max(build_top, 1)  # most of the hours can't go into links yet
        return text(
            "plan.binding.safe_pace",
            safe=plan.safe_pace.pace,
            spare=spare,
            capacity=_whole(plan.capacity.built),
            asset=_kind(plan, knowledge).asset,
            **values,
        )
    return text(
        "plan.binding.capacity", hours=plan.capacity.hours_per_month, capacity=_whole(plan.capacity.built), **values
    )


def _reasons(plan: Plan, knowledge: Knowledge) -> tuple[Text, ...]:
    p = knowledge.parameters
    answers, need, safe, capacity, m = plan.answers, plan.need, plan.safe_pace, plan.capacity, plan.momentum
    momentum = text(
        "plan.reason.momentum",
        basis=m.basis,
        recent=_whole(m.natural) if m.spike else m.recent or 0,  # a spike: its steady part
        spike=m.spike,
        posts=answers["posts_per_month"],
        assets=answers["linkable_assets"],
        earned=round(m.earned, 1),
    )
    followed = {
        "answered": need.answered,
        "followed": need.followed_share,
        "typical": p["typical_followed_share"].value,
    }
    if need.kind == "gap":
        gap = text(
            "plan.reason.gap",
            median=need.competitors_median,
            growth=round(need.competitors_growth, 1),
            known=need.growth_known,
            total=len(answers["competitors"]),
            share=p["competitor_growth_share"].value,
            current=need.current,
            horizon=need.horizon_months,
            pace=math.ceil(need.gap_pace),
            **followed,
        )
    else:
        gap = text(
            "plan.reason.ahead",
            current=need.current,
            median=need.competitors_median,
            maintenance=_whole(need.maintenance_pace),
            **followed,
        )
    safe_reason = text(
        f"plan.reason.safe.{safe.basis}",
        pace=safe.pace,
        current=answers["referring_domains"],  # the safe pace follows the whole profile
        recent=answers.get("recent_monthly_rd") or 0,
        authority=answers.get("authority") or 0,
        age=answers["site_age_months"],
        share=p["profile_growth_share"].value,
        multiple=p["recent_pace_multiple"].value,
        foundation=p["foundation_links"].value,
        natural=_whole(m.natural),
    )
    allocation = ", ".join(
        f"{knowledge.strategies[name].label} {format_number(_whole(links))}"
        for name, links in capacity.allocation.items()
        # a tenth of a link beside several is no part of the plan worth naming
        if links >= 0.5 or links >= 0.25 * capacity.built
    )
    capacity_reason = text(
        "plan.reason.capacity",
        hours=capacity.hours_per_month,
        built=_whole(capacity.built),
        allocation=allocation,
        unused=[knowledge.strategies[s].label for s in plan.unused],
    )
    counts = [c["referring_domains"] for c in answers["competitors"]]
    few, wide = len(counts) < p["min_competitors"].value, need.spread > p["competitor_spread_warning"].value
    sensitivity = text(
        "plan.parity.sensitivity",
        known=need.growth_known,
        assumed=len(counts) - need.growth_known,
        share=p["competitor_growth_share"].value,
        half=plan.parity_at_half_growth,
    )
    if need.kind == "ahead":
        parity = text("plan.parity.ahead")
    elif plan.months_to_parity is None:
        parity = text("plan.parity.never")
    else:
        parity = text("plan.parity.months", months=plan.months_to_parity)
    reasons = [momentum, gap]
    if few or wide:
        reasons.append(
            text(
                "plan.reason.competitors",
                few=few,
                wide=wide,
                count=len(counts),
                low=min(counts),
                high=max(counts),
                limit=p["competitor_spread_warning"].value,
                median=need.competitors_median,
            )
        )
    return (*reasons, safe_reason, capacity_reason, parity, *([sensitivity] if plan.growth_sensitive else []))


def _levers(plan: Plan, knowledge: Knowledge) -> tuple[Text, ...]:
    levers = plan.levers
    lines = [
        text("plan.lever.needed", needed=math.ceil(levers.needed)),
        text(
            "plan.lever.hours",
            hours_to_close=math.ceil(levers.hours_to_close) if levers.hours_to_close is not None else None,
            # Past a few full-time people, a number of hours says more as people (160 hours a month each).
            people=round(levers.hours_to_close / 160) if (levers.hours_to_close or 0) >= 320 else 0,
            most_people=knowledge.parameters["most_link_builders"].value,
            page=plan.page_level is not None,
            safe_limited=levers.safe_limited,
            safe_months=levers.months_at_safe_pace,
            adding=[knowledge.strategies[s].label for s in levers.adding],
        ),
    ]
    if levers.action is not None:
        name, _, strategy = levers.action.partition(":")
        lines.append(
            text(
                "plan.lever.action",
                action=name,
                asset=_kind(plan, knowledge).asset,
                quality=plan.answers["content_quality"],
                strategy=strategy,
                gain=_whole(levers.action_gain),
            )
        )
    return tuple(lines)


def _kind(plan: Plan, knowledge: Knowledge):
    return knowledge.site_kinds.get(plan.site_kind or "other") or knowledge.site_kinds["other"]


def _page_level(plan: Plan, knowledge: Knowledge) -> tuple[Text, ...]:
    page = plan.page_level
    if page.median is None:
        return (text("plan.page.unknown", typical=page.typical),)
    return (
        text(
            "plan.page.known",
            median=page.median,
            growth=knowledge.parameters["page_growth_share"].value,
            pace=math.ceil(page.pace),
            horizon=plan.need.horizon_months,
        ),
        text(
            "plan.page.point",
            point=math.floor(page.point + 1e-9) if page.point >= 1 else _whole(page.point),
            months=page.months,
            pace=math.ceil(page.pace),
            hours=math.ceil(page.hours) if page.hours is not None else None,
            horizon=plan.need.horizon_months,
        ),
    )


def with_note(reply: Reply, note: Text) -> Reply:
    """The reply with one more paragraph just above its buttons."""
    blocks = list(reply.blocks)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, Buttons)), len(blocks))
    return replace(reply, blocks=(*blocks[:at], Paragraph(note), *blocks[at:]))


def checklist_texts(plan: Plan, knowledge: Knowledge) -> tuple[Text, ...]:
    """The plan's checklist items, each with everything its text may name. The one way to them for
    every format (chat, Markdown, JSON), so no format can miss a value another one passes."""
    values = _values(plan, knowledge)
    return tuple(Text(f"checklist.{i}", values) for i in plan.checklist)


def quality_bar_texts(plan: Plan, knowledge: Knowledge) -> tuple[Text, ...]:
    """What every link should be, as checklist_texts gives the checklist."""
    values = _values(plan, knowledge)
    return tuple(Text(f"quality_bar.{i}", values) for i in plan.quality_bar)


def _values(plan: Plan, knowledge: Knowledge) -> dict[str, Any]:
    """What checklist texts may name: the plan, its answers and the kind of site's advice."""
    return {"plan": plan, "answers": plan.answers, "kind": _kind(plan, knowledge)}


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
    guides = ", ".join(f"{name.replace('_', ' ')} {value:g}" for name, value in safe.guides.items())
    per_hour = ", ".join(f"{knowledge.strategies[n].label} {v:g}" for n, v in capacity.per_hour.items())
    computed = [
        text(
            "why.computed.momentum",
            natural=round(m.natural, 2),
            basis=m.basis,
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
        text("why.computed.safe", guides=guides, pace=safe.pace, basis=safe.basis.replace("_", " ")),
        text("why.computed.capacity", built=capacity.built, hours=capacity.hours_per_month, per_hour=per_hour),
        text("why.computed.target", target=plan.target, build=plan.build, binding=plan.binding.replace("_", " ")),
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


def _show_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(
            f"authority {point['authority']}: {point['pace']}" if isinstance(point, dict) else str(point)
            for point in value
        )
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v:g}" if isinstance(v, float | int) else f"{k}: {v}" for k, v in value.items())
    if isinstance(value, float) and value < 1:
        return f"{value:g}"
    return str(value)
