"""The local bakery of issue 27, typed into the real `backlinks console` the way people write:
every answer is understood and said back ("I read … as …"), and the plan is stored with the
values read. Then the same in German, French and Spanish words (the bot's own words are English
until the catalogs come)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from processes import console
from support import TYPED_ANSWERS, rows

ENGLISH = [
    ("site", "crumbandcrust.co.uk", None),
    ("site_kind", "it's a local bakery", "I read kind of site as local business."),
    ("authority", "dunno, maybe 12?", "I read authority score as 12 (an estimate is fine)."),
    ("referring_domains", "about 40", "Noted referring domains: 40"),
    ("site_age_months", "3 years", "Noted site age in months: 36"),
    ("recent_monthly_rd", "2 or 3 a month", "I read new referring domains a month as 3."),
    ("lost_referring_domains", "none really", "I read referring domains lost as 0."),
    ("followed_share", "no idea honestly", "Skipped followed share."),  # an optional one: skipped
    (
        "competitors",
        "crumbandcrust.co.uk has about 80, breadhaus.co.uk 120 and the big one, greggs.co.uk, like 9000",
        "I read competitors as crumbandcrust.co.uk=80, breadhaus.co.uk=120, greggs.co.uk=9000 (an estimate is fine).",
    ),
    ("horizon_months", "a year", "Noted months to close the gap: 12"),
    ("ranking_pages", "none really", "Skipped ranking pages' referring domains."),  # no page's count is "none"
    ("linkable_assets", "none really", "I read linkable assets as 0."),
    ("posts_per_month", "one a week", "I read new pieces a month as 4."),
    ("content_quality", "pretty good, 4", "I read content quality as 4."),
    (
        "strategies",
        "citations and local sponsorships, maybe some PR",
        "I read strategies as local citations, local associations and sponsorships, digital PR.",
    ),
    ("hours_per_month", "10 hours a month", "Noted hours a month: 10"),
]

# The same bakery answered in German, French and Spanish words.
OTHER_LANGUAGES = [
    ("site", "baeckerei-koch.de", None),
    ("site_kind", "wir sind eine Bäckerei, also local", "I read kind of site as local business."),
    ("authority", "keine Ahnung, vielleicht zwölf?", "I read authority score as 12 (an estimate is fine)."),
    ("referring_domains", "environ quarante", "I read referring domains as 40 (an estimate is fine)."),
    ("site_age_months", "36", None),
    ("recent_monthly_rd", "dos o tres", "I read new referring domains a month as 3."),
    ("lost_referring_domains", "keine", "I read referring domains lost as 0."),
    ("followed_share", "keine Ahnung", "Skipped followed share."),
    (
        "competitors",
        "boulangerie-paul.fr a environ 300 et painrustique.fr 45",
        "I read competitors as boulangerie-paul.fr=300, painrustique.fr=45 (an estimate is fine).",
    ),
    ("horizon_months", "doce", "I read months to close the gap as 12."),
    ("ranking_pages", "keine", "Skipped ranking pages' referring domains."),
    ("linkable_assets", "aucun", "I read linkable assets as 0."),
    ("posts_per_month", "deux", "I read new pieces a month as 2."),
    ("content_quality", "bastante bueno, cuatro", "I read content quality as 4."),
    ("strategies", "citations", None),
    ("hours_per_month", "zwanzig", "I read hours a month as 20."),
]


@pytest.mark.parametrize("answers", [ENGLISH, OTHER_LANGUAGES], ids=["english", "german-french-spanish"])
def test_answers_in_peoples_own_words_make_a_plan(tmp_path, answers):
    db_path = tmp_path / "chat.db"
    log = "log 2 citations yell.com and a local paper"
    done = console(db_path, ["plan", *(typed for _, typed, _ in answers), log, "quit"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "” is not" not in out and "which one" not in out, out  # nothing refused, nothing asked back
    for question_id, typed, said in answers:
        if said:
            assert said in out, f"{question_id}: {typed!r} → expected {said!r} in the chat"
    assert "Backlink plan for " in out
    assert "1 new referring domain (yell.com) and 1 link by count." in out
    assert "Noted with it: “citations and a local paper”." in out
    [(answers_json,)] = rows(db_path, "SELECT answers FROM plans")
    stored = json.loads(answers_json)
    assert stored["authority"] == 12 and stored["linkable_assets"] == 0 and stored["content_quality"] == 4


# A kind of site and strategies named inside a sentence in German, French or Spanish, read among
# the translated names (and said back in that language, each strategy by its translated name).
CHOICES_IN_SENTENCES = {
    "de": (
        ["eine Bäckerei mit Onlineshop", "wir sind eher ein lokales Unternehmen"],
        "vor allem Gastbeiträge und etwas Digital PR",
        [
            "“eine Bäckerei mit Onlineshop” könnte lokales Unternehmen oder Onlineshop sein; was davon?",
            "Ich habe Art der Website als lokales Unternehmen gelesen.",
            "Ich habe Strategien als Gastbeiträge, Digital PR gelesen.",
        ],
    ),
    "fr": (
        ["nous sommes une boulangerie"],
        "surtout des citations locales et un peu de RP digitales",
        [
            "J'ai compris type de site = commerce local.",
            "J'ai compris stratégies = citations locales, RP digitales.",
        ],
    ),
    "es": (
        ["somos una panadería"],
        "sobre todo citaciones locales y algo de Digital PR",
        [
            "He entendido tipo de sitio como negocio local.",
            "He entendido estrategias como citaciones locales, Digital PR.",
        ],
    ),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_choices_named_in_a_sentence_in_the_channels_language(tmp_path, language):
    kinds, strategies, said = CHOICES_IN_SENTENCES[language]
    typed = {"site_kind": kinds, "strategies": [strategies]}
    lines = [line for question, answer in TYPED_ANSWERS for line in typed.get(question, [answer])]
    done = console(tmp_path / "chat.db", [f"language {language}", "plan", *lines, "quit"])
    assert done.returncode == 0, done.stderr
    for line in said:
        assert line in done.stdout, line
    [(answers_json,)] = rows(tmp_path / "chat.db", "SELECT answers FROM plans")
    stored = json.loads(answers_json)
    wanted = ["guest_posting", "digital_pr"] if language == "de" else ["local_citations", "digital_pr"]
    assert stored["site_kind"] == "local" and stored["strategies"] == wanted


@pytest.mark.parametrize(
    ("language", "typed", "said"),
    [
        ("en", "we launched in March 2021", "I read site age in months as {n}, counted from March 2021."),
        ("de", "seit März 2021", "Ich habe Alter der Website in Monaten als {n} gelesen, gezählt ab März 2021."),
    ],
)
def test_a_start_date_for_the_sites_age_is_read_as_the_months_since(tmp_path, language, typed, said):
    """The date it started, where its age in months is asked: counted, said back, stored."""
    today = dt.datetime.now(dt.UTC).date()
    months = (today.year - 2021) * 12 + today.month - 3
    lines = [typed if question == "site_age_months" else answer for question, answer in TYPED_ANSWERS]
    done = console(tmp_path / "chat.db", [f"language {language}", "plan", *lines, "quit"])
    assert done.returncode == 0, done.stderr
    assert said.format(n=months) in done.stdout, done.stdout[-3000:]
    [(answers_json,)] = rows(tmp_path / "chat.db", "SELECT answers FROM plans")
    assert json.loads(answers_json)["site_age_months"] == months
