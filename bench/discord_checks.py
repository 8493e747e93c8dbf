"""Before timing, bench_discord.py checks once that each interaction really does what its table
claims it measures (help, the real plan flow up to a stored and posted plan, show, a copied draft,
the every-answer-in-one-modal shortcut), and keeps what ours sent for the payload floors.
"""

from __future__ import annotations

import json
from typing import Any

from discord_driver import (
    EPHEMERAL,
    MODAL,
    OURS_SENT,
    SHOW_CHANNEL,
    BenchStandIn,
    copy_drafts,
    drain,
    gist,
    is_help,
    is_ok_message,
    is_plan,
    is_public_ok,
)
from discord_flow import ANSWERS, buttons, inputs, submit, walk_the_plan

from adapters.discord.render import FORM_PREFIX
from bot.core.events import ChannelKey
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store


async def check_once(standin: BenchStandIn, store: Store, ours: Any, bare: Any) -> tuple[dict[str, Any], list[str]]:
    """Before timing: each interaction really does what the table claims it measures. Returns the draft to copy."""
    notes: list[str] = []
    guild = str(standin.guild_id)
    help_ = await standin.ask(ours, standin.slash_command(sub="help"))
    OURS_SENT["help"] = help_.get("data", {})
    text = json.dumps(help_.get("data", {}).get("embeds", []))
    if not (is_help(help_) and "Backlinks bot commands" in text):
        raise SystemExit(
            f"`/backlinks help` on ours did not answer with the private help embed: {json.dumps(help_)[:500]}"
        )
    floor = await standin.ask(bare, standin.slash_command(sub="help"))
    if not (is_ok_message(floor) and floor["data"].get("flags", 0) & EPHEMERAL):
        raise SystemExit(f"the bare client did not answer help with a private 'ok': {json.dumps(floor)[:300]}")

    # The real flow on ours (it identified last: the stand-in's own dispatches go to it), up to the
    # last section's form; the draft the earlier sections left is what the timed runs start from.
    channel = SHOW_CHANNEL
    key = ChannelKey("discord", guild, str(channel))
    capacity = await walk_the_plan(standin, until="capacity", channel_id=channel)
    if capacity.get("type") != MODAL:
        raise SystemExit(f"the plan flow did not reach the Capacity form: {json.dumps(capacity)[:500]}")
    draft = await store.load_draft(key, str(standin.user_id)) or {}
    modals = sum(1 for response in standin.responses.values() if response.get("type") == MODAL)
    values = {q: ANSWERS[q] for q in inputs(capacity["data"])}
    final = await submit(standin, capacity["data"], values, channel_id=channel)
    sections = knowledge_module.default().questionnaire.sections
    if set(draft.get("answers", {})) != {q.id for s in sections[:-1] for q in s.questions}:
        raise SystemExit(f"the draft before the last form does not hold the first sections' answers: {draft}")
    if not is_plan(final) or buttons(final["data"]) != ["backlinks:replan", "backlinks:details"]:
        raise SystemExit(f"the Capacity submission did not post the plan: {json.dumps(final)[:500]}")
    await drain(standin, "the plan flow")
    follow_ups = [c.json or {} for c in standin.of("POST", rf"/webhooks/{standin.application_id}/[^/]+")]
    stored = await store.current_plan(key)
    if stored is None or await store.load_draft(key, str(standin.user_id)) is not None:
        raise SystemExit("the Capacity submission stored no plan (or left the draft behind)")
    notes.append(
        f"checked: help on ours answers privately with an embed holding “Backlinks bot commands”; the real flow "
        f"(/backlinks plan, {modals} modals, Continue between them) stores plan #{stored.id} and "
        f"posts “{final['data']['embeds'][0]['title']}” with Re-plan / Details"
    )
    if follow_ups:
        said = "; ".join(gist(body) for body in follow_ups)
        notes.append(f"  besides the callbacks, the flow sent {len(follow_ups)} follow-up message(s): {said}")
    shown = await standin.ask(ours, standin.slash_command(sub="show", channel_id=channel))
    text = json.dumps(shown.get("data", {}).get("embeds", []))
    if not (is_plan(shown) and "Progress" in text):
        raise SystemExit(f"`/backlinks show` on ours did not answer with the plan and its month: {text[:500]}")
    floor = await standin.ask(bare, standin.slash_command(sub="show", channel_id=channel))
    if not is_public_ok(floor):
        raise SystemExit(f"the bare client did not answer show with a public 'ok': {json.dumps(floor)[:300]}")
    OURS_SENT["show"] = shown["data"]
    embeds = shown["data"]["embeds"]
    notes.append(
        f"checked: show on ours answers publicly with “{embeds[0]['title']}” and its month "
        f"({len(embeds)} embeds, {len(text):,} characters of embed JSON)"
    )
    copied = ChannelKey("discord", guild, "4000003")
    await copy_drafts(store, [copied], str(standin.user_id), draft)
    session = await store.load_session(copied, str(standin.user_id))
    if (session.draft, session.answers) != (draft, None):
        raise SystemExit("a draft copied for the benchmark does not load like the one the real flow stored")
    await store.drop_draft(copied, str(standin.user_id))

    # The shortcut: every answer in one Capacity modal, no draft. Works (the engine takes any subset),
    # but no user can send it (five inputs at most): checked, not timed.
    channel = 4_000_002
    at_once = standin.modal_submit(f"{FORM_PREFIX}capacity:all", ANSWERS, channel_id=channel)
    body = await standin.ask(ours, at_once)
    shortcut = is_plan(body) and await store.current_plan(ChannelKey("discord", guild, str(channel))) is not None
    notes.append(
        f"checked: all {len(ANSWERS)} answers in one Capacity modal (no draft) "
        + ("also completes and stores a plan" if shortcut else f"does NOT complete a plan: {json.dumps(body)[:200]}")
        + "; the timed plan submissions use the real flow's draft and modal instead"
    )
    await drain(standin, "checks")
    standin.forget()
    return draft, notes
