"""A plan as a reply: its target, what sets it and why, the levers when it falls short, the page
level, the quality bar and the checklist, with the buttons under it. Pure: what to say, in which
structure; the wording lives in knowledge/messages.yaml, the markup in each platform's renderer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.conversation import provenance
from bot.core.moments import Moment
from bot.core.plan import Plan
from bot.core.replies import Bullets, Button, Buttons, Heading, Paragraph, Reply, Text, text
from bot.planning.knowledge import Knowledge

if TYPE_CHECKING:
    from bot.storage.plans import StoredPlan


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
                    # Each reader's own time on Slack and Discord; the terminal names the zone.
                    when=Moment(stored.created_at, "UTC"),
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
    allocation = [  # (label, links): the renderer names each strategy in the reader's language
        (knowledge.strategies[name].label, _whole(links))
        for name, links in capacity.allocation.items()
        # a tenth of a link beside several is no part of the plan worth naming
        if links >= 0.5 or links >= 0.25 * capacity.built
    ]
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
