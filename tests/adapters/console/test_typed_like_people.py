"""What a new user typed into the real console, and what it misread before: a pasted link with
tracking parameters, thousands written with dots (German) or spaces (French), a decimal comma."""

from __future__ import annotations

import json

from processes import console
from support import rows

TYPED = [
    "language de",
    "plan",
    "unsere Seite: https://www.Example-Shop.co.uk/produkte?utm_source=google&gclid=abc123 🙂",
    "Onlineshop",
    "DR ca. 12",
    "12.000",  # twelve thousand: it was read as 12
    "2,5 Jahre",  # refused before ("not a whole number")
    "skip",
    "0",
    "skip",
    "konkurrenz.de hat 2.500, mitbewerber.de etwa 1.800 und rivale.fr a 12 300",  # read as 2.5, 1.8 before
    "12",
    "skip",
    "1",
    "4",
    "4",
    "Gastbeiträge, Outreach",
    "7,5",  # hours: a decimal comma, refused before
    "quit",
]


def test_a_german_user_typing_the_way_germans_write_numbers(tmp_path):
    done = console(tmp_path / "chat.db", TYPED)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Ich habe Website als example-shop.co.uk gelesen." in out  # not "(eine Schätzung reicht)"
    assert "verweisende Domains notiert: 12000" in out
    assert "Backlink-Plan für example-shop.co.uk" in out
    [(answers,)] = rows(tmp_path / "chat.db", "SELECT answers FROM plans")
    stored = json.loads(answers)
    assert stored["referring_domains"] == 12_000
    assert stored["site_age_months"] == 30
    assert [c["referring_domains"] for c in stored["competitors"]] == [2500, 1800, 12_300]
    assert stored["hours_per_month"] == 7.5
