"""A plan as a document for scripts: the documented JSON shape, or Markdown."""

from __future__ import annotations

from typing import Any

from bot.conversation.rendering import MARKDOWN, PLAIN, Renderer
from bot.core.domains import shown_domain
from bot.core.replies import Bullets, Buttons, Fields, Heading, Paragraph, Reply, Text
from bot.planning.knowledge import Knowledge
from bot.planning.plan_reply import checklist_texts, plan_reply, quality_bar_texts
from bot.planning.planner import Plan
from bot.planning.why_reply import why_reply


def as_json(plan: Plan, knowledge: Knowledge) -> dict[str, Any]:
    """README, "Plan JSON": plan fields plus the checklist as text, assumptions and sources."""
    plain = Renderer(knowledge, PLAIN)
    dumped = plan.model_dump(mode="json")
    # `site` stays the stored form (punycode) for scripts to match on; `site_shown` is for people.
    data = {"site": dumped.pop("site"), "site_shown": shown_domain(plan.site), **dumped}
    data["safe_pace"] = plan.safe_pace.pace
    data["safe_pace_detail"] = plan.safe_pace.model_dump(mode="json")
    data["capacity"] = plan.capacity.built
    data["capacity_detail"] = plan.capacity.model_dump(mode="json")
    data["checklist_ids"] = plan.checklist
    data["checklist"] = [plain.text(t) for t in checklist_texts(plan, knowledge)]
    data["quality_bar"] = [plain.text(t) for t in quality_bar_texts(plan, knowledge)]
    data["assumptions"] = [
        {"id": p.id, "label": _said(plain, p.label), "value": p.value, "assumption": p.assumption}
        for p in knowledge.figures_used(plan)
        if p.assumption
    ]
    data["sources"] = [
        {"id": s.id, "title": s.title, **({"url": s.url} if s.url else {})} for s in knowledge.sources_used(plan)
    ]
    return data


def _said(renderer: Renderer, label: str | Text) -> str:
    """A parameter's label as text: a knowledge text, or a template's (a strategy's hours per link)."""
    return renderer.text(label) if isinstance(label, Text) else label


def as_markdown(plan: Plan, knowledge: Knowledge) -> str:
    renderer = Renderer(knowledge, MARKDOWN)
    parts = [_markdown(plan_reply(plan, knowledge), renderer, level=1)]
    parts.append(_markdown(why_reply(plan, knowledge), renderer, level=2))
    return "\n\n".join(parts) + "\n"


def _markdown(reply: Reply, renderer: Renderer, *, level: int) -> str:
    out: list[str] = []
    for block in reply.blocks:
        match block:
            case Heading(text):
                out.append(f"{'#' * level} {renderer.text(text)}")
            case Paragraph(text):
                out.append(renderer.text(text).replace("\n", "  \n"))
            case Fields(items):
                out.append("\n".join(f"- **{renderer.text(k)}**: {renderer.text(v)}" for k, v in items))
            case Bullets(title, items):
                lines = [f"{'#' * (level + 1)} {renderer.text(title)}"] if title is not None else []
                out.append("\n".join([*lines, "", *(f"- {renderer.text(i)}" for i in items)]).strip())
            case Buttons():
                pass
    return "\n\n".join(out)
