"""Words around figures that text2num would read as the figure 1, put right before it reads them."""

from __future__ import annotations

import pytest

from bot.conversation.amounts import halves, put_right


@pytest.mark.parametrize(
    ("typed", "put"),
    [
        ("unos 40", "40"),
        ("tiene unas 20 horas", "tiene 20 horas"),
        ("un 40 %", "40 %"),
        ("una docena", "about 12"),
        ("une vingtaine de liens", "about 20 de liens"),
        ("ein Dutzend", "about 12"),
        ("ein paar", "a few"),
        ("un an", "un an"),  # a year: its article is its figure
        ("one a week", "one a week"),
    ],
)
def test_articles_and_rough_amounts_are_put_right(typed, put):
    assert put_right(typed) == put


@pytest.mark.parametrize(
    ("digits", "halved"),
    [
        ("2 and a half years", "2.5 years"),
        ("a year and a half", "1.5 year"),
        ("1 an et demi", "1.5 ans"),
        ("2 horas y media a la semana", "2.5 horas a la semana"),
        ("2 years", "2 years"),
    ],
)
def test_halves_once_number_words_are_digits(digits, halved):
    assert halves(digits) == halved
