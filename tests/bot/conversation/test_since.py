"""A site's age given as the date it started, read as months until today."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.since import Since, months_since

TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("we launched in march 2021", Since(69, 2021, 3)),
        ("seit März 2020", Since(81, 2020, 3)),
        ("depuis janvier 2018", Since(107, 2018, 1)),
        ("desde marzo de 2022", Since(57, 2022, 3)),
        ("03/2020", Since(81, 2020, 3)),
        ("2021-06", Since(66, 2021, 6)),
        ("since 2019", Since(89, 2019, None)),  # a year alone: from its middle
        ("in Dec 2026", Since(0, 2026, 12)),
    ],
)
def test_a_start_date_is_the_months_since(typed, expected):
    assert months_since(typed, TODAY) == expected


@pytest.mark.parametrize(
    "typed",
    ["launched 2027", "in March 2027", "between 2019 and 2020", "1985", "about 5 years", "13/2020", "2,019"],
)
def test_no_start_date_or_one_to_come_is_none(typed):
    assert months_since(typed, TODAY) is None


@given(st.text(max_size=60), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_text_reads_without_error_and_never_a_negative_age(typed, today):
    since = months_since(typed, today)
    assert since is None or since.months >= 0
