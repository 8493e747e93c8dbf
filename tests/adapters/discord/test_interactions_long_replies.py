"""Replies longer than one Discord message, and answers longer than a form holds, on the real client.

The stand-in refuses what Discord refuses (6,000 characters over a message's embeds, a pre-fill over its
input's max_length, …) and the conftest fails any test in which the bot sent such a body; these tests
also read what the user sees: the whole explanation, in order, over several messages.
"""

from __future__ import annotations

import asyncio
import json
import time

from discord_flow import ANSWERS, EPHEMERAL, SECTIONS, buttons, inputs, press, slash, submit, walk_the_plan
from discord_spec import embeds_size

WHY_SECTIONS = ["The figures behind the plan for example.com", "Your answers", "What the planner worked out"]
WHY_SECTIONS += ["Figures used", "Sources"]
# A plan with everything long: ten competitors with long domains, every strategy, ten ranking pages.
LONG = {
    **ANSWERS,
    "competitors": ", ".join(f"competitor-number-{n}-with-a-long-name.example.com={400 + n}+{n}" for n in range(10)),
    "strategies": "guest posting, outreach, digital pr, broken link building, resource pages, local citations",
    "ranking_pages": ", ".join(str(40 + n) for n in range(10)),
}


def shown(data: dict) -> str:
    """A message's embeds as the user reads them: titles, descriptions, field names and values."""
    parts = []
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(p for p in parts if p)


async def whole_reply(standin, interaction: dict, last_words: str, timeout: float = 5.0) -> list[dict]:
    """The response and its follow-ups, in the order sent, once `last_words` has arrived."""
    token = interaction["token"]
    deadline = time.monotonic() + timeout
    while True:
        sent = [c for c in standin.calls if token in c.path and c.method == "POST"]
        bodies = [c.json["data"] if c.path.endswith("/callback") else c.json for c in sent]
        if last_words in "\n".join(shown(b) for b in bodies):
            assert all(c.status == 200 for c in sent), standin.summary()
            return bodies
        assert time.monotonic() < deadline, f"{last_words!r} never arrived; calls: {standin.summary()}"
        await asyncio.sleep(0.01)


def assert_reads_in_order(text: str, sections: list[str]) -> None:
    at = [text.find(s) for s in sections]
    assert -1 not in at, [s for s, i in zip(sections, at, strict=True) if i == -1]
    assert at == sorted(at), "the sections arrive in order"


async def test_why_after_a_plan_arrives_whole_over_messages_discord_accepts(bot, standin):
    await walk_the_plan(standin)
    why = await standin.dispatch_interaction(standin.slash_command(sub="why"))
    messages = await whole_reply(standin, why, "Sources")
    assert len(messages) >= 2, "the figures behind a plan do not fit one message"
    assert all(m["flags"] == EPHEMERAL for m in messages), "why stays private, every part of it"
    assert all(embeds_size(m["embeds"]) <= 6000 and len(m["embeds"]) <= 10 for m in messages)
    text = "\n".join(shown(m) for m in messages)
    assert_reads_in_order(text, WHY_SECTIONS)
    assert "Referring domains now: 140" in text and "Hours a month for link building: 20" in text
    assert "something went wrong" not in json.dumps(messages)


async def test_details_under_the_plan_arrives_whole_too(bot, standin):
    await walk_the_plan(standin)
    show = await standin.dispatch_interaction(standin.slash_command(sub="show"))
    await whole_reply(standin, show, "Checklist")
    plan_message = standin.original(show)
    assert buttons(plan_message) == ["backlinks:replan", "backlinks:details"]
    details = await standin.dispatch_interaction(standin.button("backlinks:details", plan_message))
    messages = await whole_reply(standin, details, "Sources")
    assert len(messages) >= 2 and all(m["flags"] == EPHEMERAL for m in messages)
    assert_reads_in_order("\n".join(shown(m) for m in messages), WHY_SECTIONS)


async def test_a_long_plan_and_its_why_arrive_whole(bot, standin):
    final = await walk_the_plan(standin, answers=LONG)
    assert final["type"] == 4 and final["data"]["embeds"][0]["title"] == "Backlink plan for example.com"
    why = await standin.dispatch_interaction(standin.slash_command(sub="why"))
    messages = await whole_reply(standin, why, "Sources")
    text = "\n".join(shown(m) for m in messages)
    assert_reads_in_order(text, WHY_SECTIONS)
    assert "competitor-number-9-with-a-long-name.example.com" in text, "nothing cut from the answers"
    assert all(embeds_size(m["embeds"]) <= 6000 for m in messages)


async def test_an_option_longer_than_its_form_input_is_said_to_be_too_long_not_sent(bot, standin):
    # Ten competitors (the most allowed) with long domains: a valid answer, longer than the form's input.
    rivals = ", ".join(f"{'a' * 60}-{n}.{'b' * 60}.example.com=420" for n in range(10))
    first = await slash(standin, "plan", {"site": "x" * 4500, "competitors": rivals})
    # A site that long is no domain: said with the validator's reason before the form, not pre-filled.
    assert first["type"] == 4 and "was left out of the form" in json.dumps(first["data"])
    opened = await press(standin, "backlinks:continue:authority")
    assert opened["type"] == 9, "the first form opens (Discord accepted it)"
    assert "value" not in inputs(opened["data"])["site"], "no pre-fill over the input's max_length"

    response = await submit(standin, opened["data"], {q: ANSWERS[q] for q in SECTIONS["authority"]})
    response = await press(standin, buttons(response["data"])[0])
    response = await submit(standin, response["data"], {q: ANSWERS[q] for q in SECTIONS["momentum"]})
    response = await press(standin, buttons(response["data"])[0])
    assert response["type"] == 9, "the competitors' form opens (Discord accepted it)"
    competitors = inputs(response["data"])["competitors"]
    assert len(rivals) > competitors["max_length"] and "value" not in competitors
    assert competitors["placeholder"].startswith(f"What you gave was too long ({len(rivals):,} characters, at most")
