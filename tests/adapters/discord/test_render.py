"""The Discord renderer keeps to Discord's limits without losing a word: embeds → messages, long texts → pieces."""

from __future__ import annotations

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_reading import KNOWLEDGE

from adapters.discord.render import DiscordRenderer, fit_messages, split_text
from bot.planning.plan_reply import plan_reply
from bot.planning.planner import plan
from bot.planning.why_reply import why_reply

RENDERER = DiscordRenderer(KNOWLEDGE)

# Discord's documented limits, written out again here so the test does not trust the renderer's constants.
MESSAGE_TOTAL, MESSAGE_EMBEDS, EMBED_DESCRIPTION, EMBED_FIELDS, FIELD_VALUE = 6000, 10, 4096, 25, 1024

# Words of every length up to 300, drawn from a fixed list: few draws make long texts, so the test stays fast.
LONGEST_WORD = 300
words = st.sampled_from(
    ["•", "a", "to", "**42**", "links,", "https://example.com/a/b", *("w" * n for n in (7, 90, 300))]
)


def texts(max_words: int) -> st.SearchStrategy[str]:
    pairs = st.lists(st.tuples(words, st.sampled_from([" ", "\n", "\n\n", "  "])), min_size=1, max_size=max_words)
    return pairs.map(lambda pairs: "".join(w + gap for w, gap in pairs).strip())


DESCRIPTIONS, VALUES, FOOTERS = texts(60), texts(12), texts(6)
labels = st.sampled_from(["Why this number", "Checklist", "\u200b", "L" * 256, "Split (a month)"])


@st.composite
def embeds(draw) -> discord.Embed:
    embed = discord.Embed(colour=0x1F3A5F, title=draw(st.none() | labels), description=draw(st.none() | DESCRIPTIONS))
    for _ in range(draw(st.integers(0, 30))):
        embed.add_field(name=draw(labels), value=draw(VALUES), inline=draw(st.booleans()))
    if draw(st.booleans()):
        embed.set_footer(text=draw(FOOTERS))
    return embed


def size(embed: dict) -> int:
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
    )


def assert_within_limits(messages: list[list[discord.Embed]]) -> None:
    for message in messages:
        bodies = [e.to_dict() for e in message]
        assert 1 <= len(bodies) <= MESSAGE_EMBEDS
        assert sum(size(e) for e in bodies) <= MESSAGE_TOTAL
        for embed in bodies:
            assert len(embed.get("description", "")) <= EMBED_DESCRIPTION
            assert len(embed.get("fields", [])) <= EMBED_FIELDS
            assert all(1 <= len(f["value"]) <= FIELD_VALUE for f in embed.get("fields", []))


def reading(embeds: list[discord.Embed]) -> dict[str, list]:
    """What a reader gets, in order: titles, the words of the descriptions, each field's name with the
    words of its value (a "(continued)" field read as part of the one before), footers."""
    titles, description, fields, footers = [], [], [], []
    for embed in (e.to_dict() for e in embeds):
        titles += [embed["title"]] if embed.get("title") else []
        description += embed.get("description", "").split()
        for field in embed.get("fields", []):
            if field["name"].endswith(" (continued)") and fields:
                fields[-1][1].extend(field["value"].split())
            else:
                fields.append((field["name"], field["value"].split()))
        footers += [embed["footer"]["text"].split()] if embed.get("footer") else []
    return {"titles": titles, "description": description, "fields": fields, "footers": footers}


@settings(max_examples=60, deadline=None)
@given(st.lists(embeds(), max_size=6))
def test_any_embeds_become_messages_within_the_limits_in_order_with_nothing_lost(given_embeds):
    messages = fit_messages(given_embeds)
    assert_within_limits(messages)
    assert reading([e for m in messages for e in m]) == reading(given_embeds)


@given(DESCRIPTIONS, st.integers(LONGEST_WORD, 5000))
def test_a_long_text_is_cut_between_words_only(text, limit):
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == text.split(), "every word, whole and in order"


def test_a_single_word_longer_than_the_limit_is_the_only_thing_cut():
    assert split_text("short " + "x" * 12 + " end", 10) == ["short", "x" * 10, "xx end"]


def answers(**changes) -> dict:
    """The suite's standard test answers (tests/helpers/support.py), as the validators read them."""
    from support import TYPED_ANSWERS

    typed = dict(TYPED_ANSWERS)
    typed.update(changes)
    return {q.id: q.parse(typed[q.id]).value for q in KNOWLEDGE.questionnaire.questions}


LONG = {
    "competitors": ", ".join(f"competitor-number-{n}-with-a-long-name.example.com={400 + n}+{n}" for n in range(10)),
    "strategies": "guest posting, outreach, digital pr, broken link building, resource pages, local citations",
    "ranking_pages": ", ".join(str(40 + n) for n in range(10)),
}


@pytest.mark.parametrize("changes", [{}, LONG], ids=["standard plan", "long plan"])
def test_why_and_the_plan_fit_discord_as_several_messages_without_losing_a_word(changes):
    p = plan(answers(**changes), KNOWLEDGE)
    for reply in (why_reply(p, KNOWLEDGE), plan_reply(p, KNOWLEDGE)):
        unsplit = RENDERER.embeds(reply)
        messages = RENDERER.messages(reply)
        assert_within_limits(messages)
        assert reading([e for m in messages for e in m]) == reading(unsplit)
    why = RENDERER.messages(why_reply(p, KNOWLEDGE))
    assert sum(len(e) for e in RENDERER.embeds(why_reply(p, KNOWLEDGE))) > MESSAGE_TOTAL
    assert len(why) >= 2, "the figures behind a plan do not fit one Discord message"


def test_a_prefill_longer_than_its_input_is_left_out_and_said_to_be_too_long():
    section = KNOWLEDGE.questionnaire.section_of("competitors")
    modal = RENDERER.modal(section, {"competitors": "rival.com=420, " * 300, "horizon_months": "12"}).to_dict()
    inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in modal["components"]}
    assert "value" not in inputs["competitors"], "Discord refuses a pre-fill over the input's max_length"
    assert inputs["competitors"]["placeholder"] == (
        "What you gave was too long (4,500 characters, at most 1,000): please shorten it"
    )
    assert inputs["horizon_months"]["value"] == "12", "the other answers are still pre-filled"
