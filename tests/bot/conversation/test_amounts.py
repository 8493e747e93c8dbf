"""Words around figures that text2num would read as the figure 1, put right before it reads them."""

from __future__ import annotations

import pytest

from bot.conversation.amounts import put_right


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
