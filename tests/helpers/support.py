"""Test helpers: an in-memory chat adapter over the real engine, and direct reads of the database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from adapters.console.chat import render
from bot.conversation.rendering import PLAIN, Renderer
from bot.core.events import ChannelKey, Invoked, Pressed, Said, Submitted
from bot.core.replies import Reply
from bot.engine import Engine

# A complete set of answers, one per question, in the questionnaire's order, as a user would type them.
TYPED_ANSWERS = [
    ("site", "example.com"),
    ("site_kind", "saas"),
    ("authority", "35"),
    ("referring_domains", "140"),
    ("site_age_months", "30"),
    ("recent_monthly_rd", "6"),
    ("lost_referring_domains", "12"),
    ("lost_on_purpose", "no"),
    ("followed_share", "75"),
    ("competitors", "rival.com=420, other.net=610, 380"),
    ("horizon_months", "12"),
    ("ranking_pages", "45, 60, 38"),
    ("linkable_assets", "1"),
    ("posts_per_month", "4"),
    ("content_quality", "4"),
    ("strategies", "guest posting, outreach"),
    ("hours_per_month", "20"),
]


class MemoryChat:
    """The in-memory adapter: sends events to the real engine, keeps the rendered replies."""

    def __init__(self, engine: Engine, channel: ChannelKey, user: str):
        self.engine = engine
        self.channel = channel
        self.user = user
        self.renderer = Renderer(engine.knowledge, PLAIN)
        self.replies: list[Reply] = []

    async def _send(self, event) -> str:
        replies = await self.engine.handle(event)
        self.replies += replies
        self.last = replies
        return "\n\n".join(render(r, self.renderer) for r in replies)

    async def say(self, text: str) -> str:
        return await self._send(Said(self.channel, self.user, text))

    async def invoke(self, command: str, text: str = "") -> list[Reply]:
        await self._send(Invoked(self.channel, self.user, command, text))
        return self.replies[-1:]

    async def submit(self, values: dict[str, str]) -> Reply:
        """The first reply to the submission (a plan, a form or the field errors)."""
        await self._send(Submitted(self.channel, self.user, values))
        return self.last[0]

    async def press(self, action: str) -> str:
        return await self._send(Pressed(self.channel, self.user, action))

    async def answer_all(self, answers=TYPED_ANSWERS) -> str:
        out = await self.say("plan")
        for _, typed in answers:
            out = await self.say(typed)
        return out


def rows(db_path: Path, query: str, *params) -> list[tuple]:
    """Read the SQLite file directly, as an operator would, not through our store."""
    with sqlite3.connect(db_path) as connection:
        return connection.execute(query, params).fetchall()


class Clock:
    """A clock a test sets: `clock.now = …` moves time for everything that reads it."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Recording:
    """A notifier for ReminderLoop that records each check-in it is given, with its channel."""

    def __init__(self, platform: str = "console"):
        self.platform = platform
        self.sent: list[tuple[ChannelKey, Reply]] = []

    async def send(self, channel: ChannelKey, reply: Reply) -> None:
        self.sent.append((channel, reply))
