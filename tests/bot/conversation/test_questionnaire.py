"""Slot filling over the real questionnaire: pure functions from a Draft and some text to a Draft."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typed_answers import typed_answer_sets

from bot.conversation.questionnaire import (
    Draft,
    Questionnaire,
    Section,
    answer,
    answers_as_text,
    apply,
    back,
    is_complete,
    next_question,
    parse_inline,
    settle_read,
    skip,
    suggest,
    unknown_names,
)
from bot.conversation.validators.kind import Invalid
from bot.planning.knowledge import load

ROOT = Path(__file__).resolve().parents[3]
KNOWLEDGE = load()
Q = KNOWLEDGE.questionnaire
IDS = [question.id for question in Q.questions]
OPTIONAL = [question.id for question in Q.questions if question.optional]
REQUIRED = [question.id for question in Q.questions if not question.optional]

# One valid typed answer per question, with the value the validator must store for it.
TYPED = {
    "site": ("https://www.example.com/", "example.com"),
    "site_kind": ("SaaS", "saas"),
    "authority": ("35", 35),
    "referring_domains": ("140", 140),
    "site_age_months": ("30", 30),
    "recent_monthly_rd": ("6", 6),
    "lost_referring_domains": ("12", 12),
    "lost_on_purpose": ("no", "no"),
    "followed_share": ("75%", 75),
    "competitors": (
        "rival.com=420, other.net=610, 380",
        [
            {"domain": "rival.com", "referring_domains": 420},
            {"domain": "other.net", "referring_domains": 610},
            {"domain": None, "referring_domains": 380},
        ],
    ),
    "horizon_months": ("12", 12),
    "ranking_pages": (
        "45, 60 38",
        [{"domain": None, "referring_domains": n} for n in (45, 60, 38)],
    ),
    "linkable_assets": ("1", 1),
    "posts_per_month": ("4", 4),
    "content_quality": ("4", 4),
    "strategies": ("guest posting, outreach", ["guest_posting", "outreach"]),
    "hours_per_month": ("20", 20),
}


def settle(draft: Draft, question_id: str, text: str | None = None) -> Draft:
    """Answer (or skip, when text is None) and insist that it worked."""
    question = Q.question(question_id)
    draft, problem = skip(draft, question) if text is None else answer(draft, question, text)
    assert problem is None, problem
    return draft


# --- the questionnaire itself --------------------------------------------------------------------


def test_questions_come_in_the_order_of_questions_yaml():
    data = yaml.safe_load((ROOT / "knowledge" / "questions.yaml").read_text(encoding="utf-8"))
    assert [q["id"] for section in data["sections"] for q in section["questions"]] == IDS
    assert set(TYPED) == set(IDS)


def test_sections_hold_at_most_five_questions():
    assert [s.id for s in Q.sections] == ["authority", "momentum", "competitors", "content", "capacity"]
    assert all(1 <= len(s.questions) <= 5 for s in Q.sections)


@pytest.mark.parametrize(
    ("name", "question_id"),
    [
        ("rd", "referring_domains"),
        ("RD", "referring_domains"),
        (" dr ", "authority"),
        ("da", "authority"),
        ("url", "site"),
        ("age", "site_age_months"),
        ("hours", "hours_per_month"),
        ("comp", "competitors"),
        ("strategies", "strategies"),
    ],
)
def test_resolve_by_id_or_alias(name, question_id):
    assert Q.resolve(name).id == question_id


def test_resolve_unknown_is_none():
    assert Q.resolve("colour") is None
    assert unknown_names(Q, ["rd", "colour", "hours", "sizes"]) == ["colour", "sizes"]


def test_position_and_section():
    assert Q.position("site") == 1
    assert Q.position("hours_per_month") == len(IDS)
    assert Q.section_of("horizon_months").id == "competitors"
    assert Q.section_of("strategies").id == "capacity"


def test_a_name_used_twice_is_refused():
    site, authority = Q.question("site"), Q.question("authority")
    clash = replace(authority, aliases=("url",))  # "url" is already the site's alias
    with pytest.raises(ValueError, match="'url' is used twice"):
        Questionnaire([Section("s", "S", "", (site, clash))])


# --- next_question -------------------------------------------------------------------------------


def test_first_question_of_an_empty_draft_is_the_first_in_the_file():
    assert next_question(Q, Draft()).id == IDS[0]
    assert not is_complete(Q, Draft())


def test_answering_in_turn_walks_the_questionnaire_in_order():
    draft, asked = Draft(), []
    while (question := next_question(Q, draft)) is not None:
        asked.append(question.id)
        draft = settle(draft, question.id, TYPED[question.id][0])
    assert asked == IDS
    assert is_complete(Q, draft)
    assert dict(draft.answers) == {qid: value for qid, (_, value) in TYPED.items()}
    assert draft.order == tuple(IDS)


def test_next_question_is_the_first_unsettled_whatever_was_answered_later():
    draft = settle(Draft(), "hours_per_month", "20")
    draft = settle(draft, "referring_domains", "140")
    assert next_question(Q, draft).id == "site"
    draft = settle(draft, "site", "example.com")
    assert next_question(Q, draft).id == "site_kind"
    draft = settle(draft, "site_kind")  # skipped
    draft = settle(draft, "authority")  # skipped
    assert next_question(Q, draft).id == "site_age_months"


def test_skipping_every_optional_question_still_completes():
    draft = Draft()
    for qid in IDS:
        draft = settle(draft, qid, None if qid in OPTIONAL else TYPED[qid][0])
    assert is_complete(Q, draft)
    assert set(draft.skipped) == set(OPTIONAL)
    assert set(OPTIONAL) == {
        "site_kind",
        "authority",
        "recent_monthly_rd",
        "lost_referring_domains",
        "lost_on_purpose",
        "followed_share",
        "ranking_pages",
    }
    assert not set(draft.answers) & set(OPTIONAL)


# --- answer and skip -----------------------------------------------------------------------------


def test_an_invalid_answer_leaves_the_draft_alone():
    before = settle(Draft(), "site", "example.com")
    after, problem = answer(before, Q.question("authority"), "150")
    assert after == before
    assert isinstance(problem, Invalid)
    assert "150" in problem.reason and "100" in problem.reason


def test_answering_again_replaces_the_value_and_moves_it_last():
    draft = settle(Draft(), "site", "example.com")
    draft = settle(draft, "authority", "35")
    draft = settle(draft, "site", "other.net")
    assert draft.answers == {"site": "other.net", "authority": 35}
    assert draft.order == ("authority", "site")


@pytest.mark.parametrize("question_id", OPTIONAL)
def test_skip_an_optional_question(question_id):
    draft, problem = skip(Draft(), Q.question(question_id))
    assert problem is None
    assert draft.skipped == (question_id,)
    assert question_id not in draft.answers
    assert draft.settled(question_id)


@pytest.mark.parametrize("question_id", REQUIRED)
def test_a_required_question_cannot_be_skipped(question_id):
    question = Q.question(question_id)
    before = settle(Draft(), "authority", "35") if question_id != "authority" else Draft()
    after, problem = skip(before, question)
    assert after == before
    assert isinstance(problem, Invalid)
    assert "can't be skipped" in problem.reason
    assert question.why in problem.reason


SKIP_TEXTS = ["n/a", "N/A", "na", "don't know", "Don’t know", "dont know", "not sure", "skip", "-", "?", "idk"]


@pytest.mark.parametrize("typed", SKIP_TEXTS)
@pytest.mark.parametrize("question_id", OPTIONAL)
def test_not_knowing_skips_an_optional_question(question_id, typed):
    draft, invalid = answer(Draft(), Q.question(question_id), typed)
    assert invalid is None
    assert draft.skipped == (question_id,) and question_id not in draft.answers


@pytest.mark.parametrize("typed", ["n/a", "don't know", "-", "?"])
@pytest.mark.parametrize("question_id", REQUIRED)
def test_not_knowing_a_required_answer_says_it_is_needed_and_what_a_guess_looks_like(question_id, typed):
    question = Q.question(question_id)
    draft, invalid = answer(Draft(), question, typed)
    assert draft == Draft()
    assert invalid.reason == f"This one is needed: {question.why} A best guess is fine, e.g. {question.example}."


def test_a_form_field_saying_n_a_is_a_skip_too():
    draft, errors = apply(Q, Draft(), {"authority": "n/a", "referring_domains": "don't know"})
    assert draft.skipped == ("authority",)
    assert errors["referring_domains"].startswith("This one is needed")


def test_skip_after_an_answer_drops_the_answer_and_answer_after_skip_drops_the_skip():
    draft = settle(Draft(), "authority", "35")
    draft = settle(draft, "authority")
    assert "authority" not in draft.answers and draft.skipped == ("authority",)
    draft = settle(draft, "authority", "40")
    assert draft.answers == {"authority": 40} and draft.skipped == ()
    assert draft.order == ("authority",)


# --- back ----------------------------------------------------------------------------------------


def test_back_with_nothing_settled():
    draft, undone = back(Draft())
    assert undone is None
    assert draft == Draft()


def test_back_unsettles_the_last_answer_then_the_one_before():
    draft = settle(Draft(), "site", "example.com")
    draft = settle(draft, "site_kind", "local")
    draft = settle(draft, "authority", "35")
    draft = settle(draft, "referring_domains", "140")

    draft, undone = back(draft)
    assert undone == "referring_domains"
    assert draft.answers == {"site": "example.com", "site_kind": "local", "authority": 35}
    assert next_question(Q, draft).id == "referring_domains"

    draft, undone = back(draft)
    assert undone == "authority"
    assert draft.answers == {"site": "example.com", "site_kind": "local"}
    assert next_question(Q, draft).id == "authority"


def test_back_undoes_a_skip():
    draft = settle(settle(Draft(), "site", "example.com"), "site_kind")
    draft, undone = back(draft)
    assert undone == "site_kind"
    assert draft.skipped == () and draft.order == ("site",)
    assert next_question(Q, draft).id == "site_kind"


def test_back_follows_the_order_answers_were_given_not_the_questionnaire_order():
    draft = settle(Draft(), "hours_per_month", "20")
    draft = settle(draft, "site", "example.com")
    draft, undone = back(draft)
    assert undone == "site"
    assert draft.answers == {"hours_per_month": 20}


# --- apply ---------------------------------------------------------------------------------------


def test_apply_keeps_the_valid_and_reports_the_invalid():
    raw = {
        "site": "example.com",
        "authority": "150",
        "referring_domains": "1,200",
        "competitors": "foo=12, 380",
        "recent_monthly_rd": "",
        "horizon_months": "  ",
        "strategies": "guest posting, knitting",
        "hours_per_month": "12.5",
    }
    draft, errors = apply(Q, Draft(), raw)
    assert dict(draft.answers) == {"site": "example.com", "referring_domains": 1200, "hours_per_month": 12.5}
    assert draft.skipped == ("recent_monthly_rd",)
    assert set(errors) == {"authority", "competitors", "horizon_months", "strategies"}
    assert "150" in errors["authority"] and "between 0 and 100" in errors["authority"]
    assert "“foo”" in errors["competitors"]
    assert errors["horizon_months"] == "This one is needed."
    assert "“knitting”" in errors["strategies"]
    assert next_question(Q, draft).id == "site_kind"


def test_apply_keeps_an_earlier_valid_answer_when_the_new_one_is_invalid():
    draft = settle(Draft(), "referring_domains", "140")
    draft, errors = apply(Q, draft, {"referring_domains": "lots"})
    assert draft.answers == {"referring_domains": 140}
    assert "“lots”" in errors["referring_domains"]


def test_apply_with_nothing_changes_nothing():
    draft = settle(Draft(), "site", "example.com")
    assert apply(Q, draft, {}) == (draft, {})


def test_apply_every_typed_answer_completes_the_draft():
    draft, errors = apply(Q, Draft(), {qid: text for qid, (text, _) in TYPED.items()})
    assert errors == {}
    assert is_complete(Q, draft)
    assert dict(draft.answers) == {qid: value for qid, (_, value) in TYPED.items()}


@settings(max_examples=60, deadline=None)
@given(typed=typed_answer_sets(), earlier=st.sampled_from(["none", "started", "complete"]), blank=st.booleans())
def test_answers_read_at_the_ack_settle_a_draft_as_apply_would(typed, earlier, blank):
    """A form validated at its ack carries what apply read (as JSON, as the inbox row keeps it) to
    its worker: settled on whatever draft is stored by then, it is the draft apply would make."""
    if blank:  # an optional field left empty is a skip, a required one would be an error
        typed = {**typed, **{qid: "" for qid in OPTIONAL if qid not in typed}}
    drafts = {
        "none": Draft(),
        "started": settle(settle(Draft(), "site", "other.org"), "authority", "12"),
        "complete": apply(Q, Draft(), {qid: text for qid, (text, _) in TYPED.items()})[0],
    }
    draft = drafts[earlier]
    read, errors = apply(Q, Draft(), typed)
    assert errors == {}
    carried = json.loads(json.dumps(read.to_json()))
    assert settle_read(draft, carried) == apply(Q, draft, typed)[0]


# --- parse_inline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        (
            "rd=140 dr=35 competitors=rival.com=420, other.net=610 strategies=guest posting, outreach",
            {
                "referring_domains": "140",
                "authority": "35",
                "competitors": "rival.com=420, other.net=610",
                "strategies": "guest posting, outreach",
            },
        ),
        ("RD=140 Hours=12.5", {"referring_domains": "140", "hours_per_month": "12.5"}),
        (
            'site="example.com" strategies="guest posting, outreach"',
            {"site": "example.com", "strategies": "guest posting, outreach"},
        ),
        (
            "strategies='guest posting, outreach' hours=20",
            {"strategies": "guest posting, outreach", "hours_per_month": "20"},
        ),
        ("competitors=420 610 horizon=12", {"competitors": "420 610", "horizon_months": "12"}),
        (
            "site=example.com competitors=a.com=1 b.com=2 age=3",
            {"site": "example.com", "competitors": "a.com=1 b.com=2", "site_age_months": "3"},
        ),
        ("site=https://example.com/?a=b", {"site": "https://example.com/?a=b"}),
        ("rd=1 rd=2", {"referring_domains": "2"}),
        ("rd=", {"referring_domains": ""}),
        ("", {}),
    ],
)
def test_parse_inline(text, raw):
    assert parse_inline(Q, text) == (raw, [])


@pytest.mark.parametrize("text", ["colour=blue rd=140", "rd=140 colour=blue"])
def test_parse_inline_reports_an_unknown_name_wherever_it_is(text):
    raw, problems = parse_inline(Q, text)
    assert raw == {"referring_domains": "140"}
    assert len(problems) == 1
    assert problems[0].startswith("“colour” is not a question I ask")
    assert "referring_domains" in problems[0]


def test_parse_inline_reports_a_value_without_a_name():
    raw, problems = parse_inline(Q, "hello rd=140")
    assert raw == {"referring_domains": "140"}
    assert problems == ["“hello” needs a name, like referring_domains=hello."]


def test_parse_inline_reports_an_unclosed_quote():
    raw, problems = parse_inline(Q, 'rd=140 strategies="guest posting')
    assert raw == {}
    assert len(problems) == 1 and "quotes" in problems[0]


def test_inline_answers_go_through_the_same_validators():
    raw, problems = parse_inline(
        Q, "rd=140 dr=350 competitors=rival.com=420, other.net=610 strategies=guest posting, outreach"
    )
    assert problems == []
    draft, errors = apply(Q, Draft(), raw)
    assert dict(draft.answers) == {
        "referring_domains": 140,
        "competitors": [
            {"domain": "rival.com", "referring_domains": 420},
            {"domain": "other.net", "referring_domains": 610},
        ],
        "strategies": ["guest_posting", "outreach"],
    }
    assert list(errors) == ["authority"] and "350" in errors["authority"]


# --- answers_as_text -----------------------------------------------------------------------------


def test_answers_as_text_turns_yaml_into_what_a_user_would_type():
    values = yaml.safe_load(
        """
        rd: 140
        dr:
        hours: 12.5
        competitors:
          rival.com: 420
          other.net: 610
        strategies: [guest posting, 5]
        colour: blue
        """
    )
    assert answers_as_text(Q, values) == {
        "referring_domains": "140",
        "authority": "",
        "hours_per_month": "12.5",
        "competitors": "rival.com=420, other.net=610",
        "strategies": "guest posting, 5",
        "colour": "blue",
    }


def test_answers_as_text_handles_mixed_lists():
    assert answers_as_text(Q, {"comp": [{"rival.com": 420}, 380], "strategy": ("outreach", "pr")}) == {
        "competitors": "rival.com=420, 380",
        "strategies": "outreach, pr",
    }


def test_the_example_answer_file_validates_completely():
    values = yaml.safe_load((ROOT / "examples" / "answers.yaml").read_text(encoding="utf-8"))
    assert unknown_names(Q, values) == []
    draft, errors = apply(Q, Draft(), answers_as_text(Q, values))
    assert errors == {}
    assert is_complete(Q, draft)
    assert draft.answers["competitors"] == [
        {"domain": "rival.com", "referring_domains": 420},
        {"domain": "other.net", "referring_domains": 610},
        {"domain": "third.org", "referring_domains": 380},
    ]
    assert draft.answers["strategies"] == ["guest_posting", "outreach", "digital_pr"]


def test_a_blank_optional_answer_in_a_file_is_a_skip_and_a_blank_required_one_an_error():
    draft, errors = apply(Q, Draft(), answers_as_text(Q, {"dr": None, "rd": None}))
    assert draft.skipped == ("authority",)
    assert errors == {"referring_domains": "This one is needed."}


# --- Draft persistence ---------------------------------------------------------------------------


@st.composite
def drafts(draw) -> Draft:
    draft = Draft()
    for qid in draw(st.permutations(IDS)):
        action = draw(st.sampled_from(["answer", "skip", "leave"] if qid in OPTIONAL else ["answer", "leave"]))
        if action == "answer":
            draft = settle(draft, qid, TYPED[qid][0])
        elif action == "skip":
            draft = settle(draft, qid)
    return draft


@settings(derandomize=True, max_examples=100, deadline=None)
@given(draft=drafts())
def test_draft_survives_a_json_round_trip(draft):
    stored = json.loads(json.dumps(draft.to_json()))
    restored = Draft.from_json(stored)
    assert restored == draft
    assert next_question(Q, restored) == next_question(Q, draft)
    assert back(restored) == back(draft)


def test_an_empty_stored_draft_is_a_new_draft():
    assert Draft.from_json({}) == Draft()
    assert Draft().to_json() == {"answers": {}, "skipped": [], "order": []}


def test_suggested_answers_are_asked_again_with_the_suggestion_as_the_default():
    draft = settle(settle(settle(Draft(), "site", "example.com"), "site_kind"), "authority", "35")
    draft = settle(draft, "referring_domains", "140")
    suggested, errors = suggest(Q, draft, {"referring_domains": "152", "recent_monthly_rd": "many"})
    assert errors == {"recent_monthly_rd": Q.question("recent_monthly_rd").parse("many").reason}
    assert suggested.suggested == {"referring_domains": 152}
    assert not suggested.settled("referring_domains"), "asked again, to confirm the imported figure"
    assert next_question(Q, suggested).id == "referring_domains"
    assert suggested.answers == {"site": "example.com", "authority": 35}
    assert Draft.from_json(json.loads(json.dumps(suggested.to_json()))) == suggested
