"""The words of a plan never contradict its numbers, on every platform.

Each plan of the realistic table, and plans for generated answers, is rendered as the terminal,
Slack (Block Kit), Discord (embeds) and the Markdown report show it, and read for the
contradictions a link builder would catch: equal-ended ranges, "1 hours", advice that cannot help,
"at or above" while behind, a figure above the one said to set it.
"""

from __future__ import annotations

from hypothesis import given, settings
from plan_reading import KNOWLEDGE, contradictions, rendered
from planner_answers import answer_sets

from bot.planning.planner import plan


@settings(derandomize=True, max_examples=60, deadline=None)
@given(answers=answer_sets())
def test_any_plan_reads_without_contradictions_on_every_platform(answers):
    p = plan(answers, KNOWLEDGE)
    for platform, text in rendered(p).items():
        assert contradictions(p, text) == [], (platform, text)


FLORIST = {
    "site": "florist.example",
    "site_kind": "local",
    "referring_domains": 35,
    "site_age_months": 36,
    "competitors": [{"domain": None, "referring_domains": 60}],
    "horizon_months": 12,
    "linkable_assets": 0,
    "posts_per_month": 1,
    "content_quality": 3,
    "strategies": ["local_citations"],
    "hours_per_month": 8,
}


def test_the_checks_catch_what_they_look_for():
    p = plan(FLORIST, KNOWLEDGE)
    for bad in ("Target: 1-1 new", "about 1 hours", "with 2 month", "a longer horizon", "12,000-12,000"):
        assert contradictions(p, bad), bad
    assert contradictions(p, "You are at or above your competitors' median"), "the florist is behind"
    text = "Set by your time: 8 hours a month build about 3 with the strategies below. build 2-4 more a month"
    assert contradictions(p, text)
