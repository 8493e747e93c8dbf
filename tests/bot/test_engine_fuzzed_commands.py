"""Whatever follows a command, the bot answers with a message, never a traceback.

Arbitrary text — other scripts' digits (`²`, `٣`, `௫`), bidi controls, NUL, emoji, 10,000
characters — after every command that reads its argument, through the real engine on a real
SQLite file, in a channel with a plan (so `log` and `remind` get past "no plan yet"). Each reply is
rendered for the terminal, Slack and Discord, as a user would see it. And the chat goes on: a plain
`show` afterwards still answers.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import TYPED_ANSWERS

from adapters.console.chat import ConsoleChat, chart_option
from adapters.console.output import TERMINAL
from adapters.console.text import render as terminal_text
from adapters.discord.render import DiscordRenderer
from adapters.slack.blocks import SlackRenderer
from bot.conversation.rendering import Renderer
from bot.core.events import ChannelKey, Invoked, Said
from bot.planning.knowledge import load

COMMANDS = ["plan", "log", "remind", "import", "connect", "forget", "show", "show --chart", "why", "help", "back"]
CHANNEL = ChannelKey("memory", "team-1", "general")

# What people (and pasted text) bring: digits of other scripts that str.isdigit() accepts but
# int() may not, bidi controls, NUL and other controls, combining marks, emoji, very long runs.
ODD = [
    "²", "³", "¹", "⁴", "½", "٣", "۴", "௫", "൬", "๗", "١٢", "①", "Ⅻ", "𝟗", "\u202e", "\u2066", "\u200b", "\ufeff",
    "\x00", "\x1b[31m", "\r", "\t", "=", "==", "-", "--", "+", "k", "1e309", "nan", "inf", "9" * 5000, "0x10",
    "e\u0301", "👍", "<!channel>", "@everyone", "`", "'", '"', "\\", "month=", "rel=", "day=", "time=", "tz=",
]  # fmt: skip
WORDS = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["november", "last", "2026-11", "3", "day=31", "time=25:00", "tz=Mars/Base", "dataforseo"]),
)
ARGUMENTS = st.one_of(
    st.lists(WORDS, max_size=8).map(" ".join),
    st.text(max_size=300),
    st.sampled_from(ODD).map(lambda s: (s * 10_000)[:10_000]),  # 10,000 characters of one odd thing
)
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
async def planned(engine):
    inline = " ".join(f"{q}={a}" for q, a in TYPED_ANSWERS)
    await engine.handle(Said(CHANNEL, "alice", f"plan {inline}"))
    assert await engine.store.current_plan(CHANNEL) is not None
    return engine


KNOWLEDGE = load()
TERMINAL_RENDERER, SLACK, DISCORD = Renderer(KNOWLEDGE, TERMINAL), SlackRenderer(KNOWLEDGE), DiscordRenderer(KNOWLEDGE)


def rendered(replies) -> None:
    for reply in replies:
        assert terminal_text(reply, TERMINAL_RENDERER, 80) is not None
        assert SLACK.messages(reply)
        assert DISCORD.messages(reply)


@EXAMPLES
@given(command=st.sampled_from(COMMANDS), argument=ARGUMENTS, typed=st.booleans())
async def test_any_text_after_any_command_gets_an_answer(planned, command, argument, typed):
    if typed:  # a line of chat, as the terminal sends it (its own `show --chart` and `import` first)
        chat = ConsoleChat(engine=planned, channel=CHANNEL, user="alice")
        line, _ = chart_option(f"{command} {argument}")
        replies = await planned.handle(chat.event(line))
    else:  # a slash command, as Slack and Discord send it
        replies = await planned.handle(Invoked(CHANNEL, "alice", command.split()[0], argument))
    assert replies or command == "back"
    rendered(replies)
    await planned.handle(Said(CHANNEL, "alice", "cancel"))  # leave any plan the line started
    assert await planned.handle(Said(CHANNEL, "alice", "show"))


@EXAMPLES
@given(answers=st.lists(ARGUMENTS, min_size=1, max_size=4))
async def test_any_answer_to_any_question_gets_an_answer(engine, answers):
    """Mid-plan, whatever is typed is an answer, a reason to ask again, or a command: never a crash."""
    channel = ChannelKey("memory", "team-1", "answers")
    assert await engine.handle(Said(channel, "bob", "plan"))
    for answer in answers:
        replies = await engine.handle(Said(channel, "bob", answer))
        assert replies or not answer.strip()
        rendered(replies)
    await engine.handle(Said(channel, "bob", "cancel"))
