"""The questionnaire's sections as Discord modals (adapters/discord/modals.py): refused answers,
answers typed as people write them."""

from __future__ import annotations

import json

from discord_flow import (
    ANSWERS,
    EPHEMERAL,
    SECTIONS,
    buttons,
    inputs,
    press,
    slash,
    submit,
    walk_the_plan,
)
from support import rows


async def test_invalid_answers_come_back_privately_with_a_button_to_fix_them(bot, standin, db_path):
    modal = (await slash(standin, "plan"))["data"]
    typed = {**{q: ANSWERS[q] for q in SECTIONS["authority"]}, "authority": "150", "site_age_months": "old"}
    refused = await submit(standin, modal, typed)
    assert refused["type"] == 4 and refused["data"]["flags"] == EPHEMERAL
    content = refused["data"]["content"]
    assert "150 is out of range" in content and "“old” is not a number" in content
    assert "**Authority score (DR or DA, 0-100)**" in content
    assert buttons(refused["data"]) == ["backlinks:fix:authority"]
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)] and rows(db_path, "SELECT count(*) FROM plans") == [
        (0,)
    ]

    reopened = await press(standin, "backlinks:fix:authority")
    assert reopened["type"] == 9
    assert inputs(reopened["data"])["authority"]["value"] == "150", "the form reopens as it was typed"
    assert inputs(reopened["data"])["site"]["value"] == "example.com"


async def test_a_plan_typed_in_natural_answers_in_discord_forms(bot, standin, db_path):
    # The same validators as the chat: units, filler, `n/a` on optional fields, `domain count` pairs, `1 2 3`.
    natural = {
        **ANSWERS,
        "authority": "DR 35",
        "referring_domains": "about 140",
        "site_age_months": "2 years",
        "lost_referring_domains": "n/a",
        "competitors": "ahrefs.com 1.2k, moz.com=900",
        "linkable_assets": "none",
        "content_quality": "4/5",
        "strategies": "1 2 3",
        "hours_per_month": "10h/week",
    }
    final = await walk_the_plan(standin, answers=natural)
    assert final["data"]["embeds"][0]["title"] == "Backlink plan for example.com"
    [(answers,)] = rows(db_path, "SELECT answers FROM plans")
    answers = json.loads(answers)
    assert (answers["authority"], answers["referring_domains"], answers["site_age_months"]) == (35, 140, 24)
    assert "lost_referring_domains" not in answers and answers["linkable_assets"] == 0
    assert answers["competitors"] == [
        {"domain": "ahrefs.com", "referring_domains": 1200},
        {"domain": "moz.com", "referring_domains": 900},
    ]
    assert answers["content_quality"] == 4 and answers["hours_per_month"] == 43
    assert answers["strategies"] == ["guest_posting", "outreach", "digital_pr"]
