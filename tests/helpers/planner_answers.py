"""Answers as the validators produce them, for the planner's property tests (hypothesis)."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.planning.knowledge import load

KNOWLEDGE = load()
STRATEGY_IDS = list(KNOWLEDGE.strategies)
KINDS = list(KNOWLEDGE.site_kinds)

_counts = st.one_of(st.integers(0, 2_000), st.integers(0, 10_000_000))
_small = st.one_of(st.integers(0, 5), st.integers(0, 10_000))


@st.composite
def hours(draw) -> int | float:
    # The number kind stores whole numbers as int and the rest rounded to cents; 0 is an answer.
    cents = draw(st.one_of(st.just(0), st.integers(0, 20_000), st.integers(0, 1_000_000)))
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


_competitor = st.fixed_dictionaries(
    {"domain": st.sampled_from([None, "rival.com", "other.net"]), "referring_domains": _counts},
    optional={"monthly_new": st.one_of(st.integers(0, 50), st.integers(0, 100_000))},
)


@st.composite
def answer_sets(draw) -> dict:
    answers = {
        "site": draw(st.sampled_from(["example.com", "xn--mnchen-3ya.de", "blog.example.co.uk"])),
        "site_kind": draw(st.one_of(st.none(), st.sampled_from(KINDS))),
        "authority": draw(st.one_of(st.none(), st.integers(0, 100))),
        "referring_domains": draw(st.one_of(st.integers(0, 2_000), st.integers(0, 100_000_000))),
        "site_age_months": draw(st.one_of(st.integers(0, 12), st.integers(0, 600))),
        "recent_monthly_rd": draw(st.one_of(st.none(), st.integers(0, 50), st.integers(0, 10_000_000))),
        "lost_referring_domains": draw(st.one_of(st.none(), st.integers(0, 100), st.integers(0, 1_000_000))),
        "lost_on_purpose": draw(st.sampled_from([None, "yes", "no"])),
        "followed_share": draw(st.one_of(st.none(), st.integers(0, 100))),
        "competitors": draw(st.lists(_competitor, min_size=1, max_size=10)),
        "horizon_months": draw(st.integers(1, 60)),
        "ranking_pages": draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.fixed_dictionaries({"domain": st.none(), "referring_domains": st.integers(0, 5_000)}),
                    min_size=1,
                    max_size=10,
                ),
            )
        ),
        "linkable_assets": draw(_small),
        "posts_per_month": draw(_small),
        "content_quality": draw(st.integers(1, 5)),
        "strategies": draw(st.lists(st.sampled_from(STRATEGY_IDS), min_size=1, unique=True)),
        "hours_per_month": draw(hours()),
    }
    # Optional questions that were skipped are absent, not None.
    return {k: v for k, v in answers.items() if v is not None}
