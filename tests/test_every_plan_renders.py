"""Every plan a user can get renders in every format and fits every platform.

Answer sets are drawn over every question's whole range (tests/helpers/typed_answers.py) and go
through the validators and the planner; the plan and its figures (`why`) are then rendered as the
terminal shows them, as Markdown, as JSON (validated against schemas/plan.schema.json), as Slack
Block Kit and as Discord embeds, and checked against what each platform accepts. Nothing may raise
and nothing may be refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from slack_spec import response_url_refusal, view_errors
from support import Clock, Recording
from typed_answers import KNOWLEDGE, settled, typed_answer_sets

from adapters.console.output import TERMINAL
from adapters.console.text import render as terminal_text
from adapters.discord.render import DiscordRenderer
from adapters.slack.blocks import SlackRenderer
from bot.conversation.rendering import Renderer
from bot.core.domains import shown_domain
from bot.core.events import ChannelKey, Said, Submitted
from bot.engine import Engine
from bot.home.store import Person
from bot.monthly.reminders import ReminderLoop
from bot.planning import planner, report
from bot.planning.plan_reply import plan_reply
from bot.planning.why_reply import why_reply
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Draft202012Validator(json.loads((ROOT / "schemas" / "plan.schema.json").read_text()))
TERMINAL_RENDERER = Renderer(KNOWLEDGE, TERMINAL)
SLACK = SlackRenderer(KNOWLEDGE)
DISCORD = DiscordRenderer(KNOWLEDGE)
# 120 plans in all, drawn in three shards: parallel workers (pytest-xdist) take one each.
SHARDS = 3
EXAMPLES = settings(max_examples=120 // SHARDS, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Discord's limits (adapters/discord/limits.py has them with their sources).
EMBEDS_TOTAL, EMBEDS, FIELDS, FIELD_VALUE, FIELD_NAME, DESCRIPTION, TITLE = 6000, 10, 25, 1024, 256, 4096, 256

largest = {"slack message": 0, "discord message": 0}
CHANNELS = itertools.count()


def discord_problems(embeds) -> list[str]:
    problems = []
    data = [e.to_dict() for e in embeds]
    total = sum(
        len(e.get("title", "")) + len(e.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
        + len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
        for e in data
    )  # fmt: skip
    largest["discord message"] = max(largest["discord message"], total)
    if total > EMBEDS_TOTAL:
        problems.append(f"{total} characters over the embeds of one message")
    if len(data) > EMBEDS:
        problems.append(f"{len(data)} embeds")
    for e in data:
        if len(e.get("fields", [])) > FIELDS:
            problems.append(f"{len(e['fields'])} fields")
        if len(e.get("description", "")) > DESCRIPTION or len(e.get("title", "")) > TITLE:
            problems.append("a description or a title too long")
        for f in e.get("fields", []):
            if not f["value"] or len(f["value"]) > FIELD_VALUE or not f["name"] or len(f["name"]) > FIELD_NAME:
                problems.append(f"a field of {len(f['name'])}/{len(f['value'])} characters")
    return problems


def slack_size(message) -> int:
    return len(json.dumps(message["blocks"], ensure_ascii=False))


@pytest.mark.parametrize("shard", range(SHARDS))
@EXAMPLES
@given(typed=typed_answer_sets())
def test_every_plan_renders_in_every_format_and_fits_every_platform(shard, typed):
    answers = settled(typed)
    plan = planner.plan(answers, KNOWLEDGE)

    data = report.as_json(plan, KNOWLEDGE)
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)  # JSON has no Infinity or NaN
    errors = sorted(SCHEMA.iter_errors(json.loads(text)), key=lambda e: e.path)
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]
    assert report.as_markdown(plan, KNOWLEDGE).startswith(f"# Backlink plan for {shown_domain(plan.site)}")

    for reply in (plan_reply(plan, KNOWLEDGE), why_reply(plan, KNOWLEDGE)):
        for width in (None, 40, 120):
            assert terminal_text(reply, TERMINAL_RENDERER, width).strip()
        for message in SLACK.messages(reply):
            assert response_url_refusal(message) is None, response_url_refusal(message)
            largest["slack message"] = max(largest["slack message"], slack_size(message))
        for embeds in DISCORD.messages(reply):
            assert not discord_problems(embeds)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed=typed_answer_sets(), language=st.sampled_from(["de", "fr", "es"]))
def test_every_plan_renders_in_every_language_and_fits_every_platform(typed, language):
    """The same plans in German, French and Spanish: every translated template renders with every
    plan's values, nothing English is left where a translation exists, and it fits each platform."""
    plan = planner.plan(settled(typed), KNOWLEDGE)
    for english in (plan_reply(plan, KNOWLEDGE), why_reply(plan, KNOWLEDGE)):
        reply = dataclasses.replace(english, language=language)
        said = terminal_text(reply, TERMINAL_RENDERER, 120)
        assert said.strip() and said != terminal_text(english, TERMINAL_RENDERER, 120)
        assert "Backlink plan for" not in said and "Why this number" not in said
        for message in SLACK.messages(reply):
            assert response_url_refusal(message) is None, response_url_refusal(message)
        for embeds in DISCORD.messages(reply):
            assert not discord_problems(embeds)


class Pages:
    """The Home's publisher for the test's platform: the pages it would show, kept."""

    platform = "memory"

    def __init__(self):
        self.published = []

    async def publish(self, person, page) -> None:
        self.published.append(page)


@pytest.fixture
async def month_end(migrated_db):
    """A real SQLite store whose clock the test moves from a plan's month to the next check-in."""
    clock = Clock(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    engine = Engine(knowledge=KNOWLEDGE, store=store)
    engine.home.serve(Pages())
    yield engine, clock
    await store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(typed=typed_answer_sets(), logged=st.integers(0, 40), links=st.integers(0, 12))
async def test_every_plans_check_in_and_home_page_fit_every_platform(month_end, typed, logged, links):
    """The same generated plans, stored, logged against and checked in on a month later: the
    check-in on every platform, and the Slack App Home that lists the channel."""
    engine, clock = month_end
    clock.now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    channel = ChannelKey("memory", "team-1", f"c{next(CHANNELS)}")
    form = {q.id: typed.get(q.id, "") for q in KNOWLEDGE.questionnaire.questions}  # "": skipped
    [plan, *_] = await engine.handle(Submitted(channel, "alice", form))
    assert plan.plan is not None, plan
    urls = " ".join(f"https://site{n}.example.org/post" for n in range(links))
    await engine.handle(Said(channel, "alice", f"log {logged} {urls} yes"))

    home = await engine.home.page(Person("memory", "team-1", "alice"))
    view = SLACK.home(home)
    assert not view_errors(view, "/view", kind="home"), view_errors(view, "/view", kind="home")
    largest["slack home"] = max(largest.get("slack home", 0), len(json.dumps(view, ensure_ascii=False)))

    clock.now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    sent = Recording("memory")
    await ReminderLoop(checkins=engine.monthly, notifiers=[sent], clock=clock).run_once()
    [(_, check_in)] = [(c, r) for c, r in sent.sent if c == channel]
    assert terminal_text(check_in, TERMINAL_RENDERER, 80).strip()
    for message in SLACK.messages(check_in):
        assert response_url_refusal(message) is None, response_url_refusal(message)
    for embeds in DISCORD.messages(check_in):
        assert not discord_problems(embeds)
