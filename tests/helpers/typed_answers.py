"""Whole answer sets as people type them, over every question's whole range (hypothesis).

Each optional answer is present or absent, every kind of site and from one to all strategies
appear, named or numbered, and counts come in the forms the validators accept (`1,200`, `1.2k`).
They go through the same validators as the chat and `backlinks plan --answers`, so a generated set
is a set a user can really give.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bot.conversation.questionnaire import Draft, apply, next_question
from bot.planning.knowledge import Knowledge, load

KNOWLEDGE = load()
QUESTIONS = KNOWLEDGE.questionnaire.questions
OPTIONAL = {q.id for q in QUESTIONS if q.optional}
STRATEGIES = list(KNOWLEDGE.strategies.items())
KINDS = list(KNOWLEDGE.site_kinds.items())

SITES = [
    "example.com",
    "https://www.Example.co.uk/blog/",
    "münchen.de",
    "xn--mnchen-3ya.de",
    "shop.example.com.au",
    "a" * 63 + ".com",  # the longest label a domain may have
    "bäckerei-müller-und-söhne-seit-1887.de",
]


def _count_text(value: int) -> st.SearchStrategy[str]:
    forms = [st.just(str(value)), st.just(f"{value:,}")]
    if value >= 1000 and value % 100 == 0:
        forms.append(st.just(f"{value / 1000:g}k"))
    return st.one_of(forms)


def counts(low: int, high: int) -> st.SearchStrategy[str]:
    # Small and boundary figures are where plans change shape; the whole range is drawn too.
    small = st.integers(low, min(high, low + 12))
    return st.one_of(small, st.integers(low, high), st.sampled_from([low, high])).flatmap(_count_text)


def _competitor(index: int) -> st.SearchStrategy[str]:
    figure = st.integers(0, 100_000_000).map(str) | st.integers(0, 3_000).map(str)
    pace = st.none() | st.integers(0, 100_000).map(lambda n: f"+{n}")
    named = st.booleans()

    def build(parts) -> str:
        count, plus, with_name = parts
        text = f"{count}{plus or ''}"
        return f"rival{index}.com={text}" if with_name else text

    return st.tuples(figure, pace, named).map(build)


@st.composite
def typed_answer_sets(draw) -> dict[str, str]:
    """{question id: what a user typed}; optional questions left out are skipped."""
    strategies = draw(
        st.lists(st.sampled_from(STRATEGIES), min_size=1, max_size=len(STRATEGIES), unique_by=lambda s: s[0])
    )
    numbered = draw(st.booleans())
    strategy_words = [
        str([k for k, _ in STRATEGIES].index(key) + 1) if numbered else draw(st.sampled_from([key, s.label]))
        for key, s in strategies
    ]
    kind_key, kind = draw(st.sampled_from(KINDS))
    competitors = draw(st.integers(1, 10))
    pages = draw(st.integers(1, 10))
    hours = draw(st.one_of(st.just(0), st.integers(0, 200), st.integers(0, 20_000)))
    typed = {
        "site": draw(st.sampled_from(SITES)),
        "site_kind": draw(st.sampled_from([kind_key, kind.label])),
        "authority": draw(counts(0, 100)),
        "referring_domains": draw(counts(0, 100_000_000)),
        "site_age_months": draw(counts(0, 600)),
        "recent_monthly_rd": draw(counts(0, 10_000_000)),
        "lost_referring_domains": draw(counts(0, 100_000_000)),
        "lost_on_purpose": draw(st.sampled_from(["yes", "no", "disavowed", "No"])),
        "followed_share": draw(st.one_of(counts(0, 100), st.integers(0, 100).map(lambda n: f"{n}%"))),
        "competitors": ", ".join(draw(_competitor(i)) for i in range(competitors)),
        "horizon_months": draw(counts(1, 60)),
        "ranking_pages": ", ".join(draw(st.integers(0, 5_000).map(str)) for _ in range(pages)),
        "linkable_assets": draw(counts(0, 10_000)),
        "posts_per_month": draw(counts(0, 10_000)),
        "content_quality": str(draw(st.integers(1, 5))),
        "strategies": ", ".join(strategy_words),
        "hours_per_month": str(hours // 2) if hours % 2 == 0 else f"{hours // 2}.5",
    }
    absent = draw(st.sets(st.sampled_from(sorted(OPTIONAL))))
    return {k: v for k, v in typed.items() if k not in absent}


def settled(typed: dict[str, str], knowledge: Knowledge = KNOWLEDGE) -> dict[str, Any]:
    """The validated answers, as `backlinks plan --answers` gets them: left-out optional ones skipped.
    Raises AssertionError naming the answer the validators refused (a set a user could not give)."""
    questionnaire = knowledge.questionnaire
    draft, errors = apply(questionnaire, Draft(), typed)
    assert not errors, f"refused {errors} for {typed}"
    skipped = {q.id: "" for q in questionnaire.questions if q.optional and not draft.settled(q.id)}
    draft, errors = apply(questionnaire, draft, skipped)
    assert not errors and next_question(questionnaire, draft) is None, (errors, typed)
    return draft.answers
