"""Reading a plan as each platform shows it, for the contradictions a link builder would catch."""

from __future__ import annotations

import re

from adapters.console.chat import render
from adapters.discord.render import DiscordRenderer
from adapters.slack.blocks import SlackRenderer
from bot.conversation.rendering import PLAIN, Renderer
from bot.planning import report
from bot.planning.knowledge import load
from bot.planning.plan_reply import plan_reply
from bot.planning.planner import Plan

KNOWLEDGE = load()
CONSOLE = Renderer(KNOWLEDGE, PLAIN)
SLACK = SlackRenderer(KNOWLEDGE)
DISCORD = DiscordRenderer(KNOWLEDGE)


def rendered(p: Plan) -> dict[str, str]:
    """The plan as each platform shows it, as text to read."""
    reply = plan_reply(p, KNOWLEDGE)
    slack_text = "\n".join(
        b["text"]["text"]
        for message in SLACK.messages(reply)
        for b in message["blocks"]
        if b["type"] in ("section", "header")
    )
    embeds = [e.to_dict() for e in DISCORD.embeds(reply)]
    discord_text = "\n".join(
        "\n".join(
            [e.get("title", ""), e.get("description", ""), *(f"{f['name']}\n{f['value']}" for f in e.get("fields", []))]
        )
        for e in embeds
    )
    return {
        "terminal": render(reply, CONSOLE),
        "slack": slack_text.replace("&amp;", "&"),
        "discord": discord_text.replace("\\", ""),  # markdown escapes, not words
        "markdown": report.as_markdown(p, KNOWLEDGE).split("## The figures")[0].replace("\\", ""),
    }


EQUAL_ENDS = re.compile(r"(?<![\d.,])(\d[\d,]*)-\1(?![\d.,])")
ONE_PLURAL = re.compile(
    r"(?<![\d.,])1 (hours|months|links|full-time link builders|new pieces|linkable assets|new referring domains)\b"
)
MANY_SINGULAR = re.compile(r"(?<![\d.,])(?:0|[2-9]|\d[\d,]+|\d+\.\d+) (hour|month|full-time link builder)\b(?!s)")


def contradictions(p: Plan, text: str) -> list[str]:
    found = []
    if m := EQUAL_ENDS.search(text):
        found.append(f"an equal-ended range: {m.group(0)!r}")
    if m := ONE_PLURAL.search(text) or MANY_SINGULAR.search(text):
        found.append(f"a plural gone wrong: {m.group(0)!r}")
    if "raise your content from 5" in text:
        found.append("content advice at quality 5")
    if "longer horizon" in text:
        found.append("a longer horizon offered (it never raises the target)")
    if p.need.kind == "gap" and ("at or above your competitors' median" in text or "level with" in text):
        found.append("said to be level while behind")
    if p.need.kind == "ahead" and "What would close the gap" in text:
        found.append("levers for a gap there is not")
    # "Set by your time: N hours a month build about X" and "build A-B more": nothing above X.
    said = re.search(r"build about ([\d,.]+) with the strategies below", text)
    build = re.search(r"build (?:about )?(?:[\d,]+-)?([\d,]+) (?:more )?a month", text)
    if said and build and float(build.group(1).replace(",", "")) > float(said.group(1).replace(",", "")) + 1e-9:
        found.append(f"builds {build.group(1)} a month though the hours build about {said.group(1)}")
    if p.target.high == 0 and "Target: none" not in text:
        found.append("a target of none not said as such")
    return found
