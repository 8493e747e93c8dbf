"""The validators as the real knowledge configures them: exact values in, specific reasons out.

Every question comes from `bot.planning.knowledge.load()`, so a change to a bound in questions.yaml that
breaks what users were promised shows up here.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.validators.domains import normalise_domain, registrable_domain
from bot.conversation.validators.kind import Invalid, Valid
from bot.planning.knowledge import load

KNOWLEDGE = load()
QUESTIONNAIRE = KNOWLEDGE.questionnaire
STRATEGY_IDS = list(KNOWLEDGE.strategies)

# The menu every strategy error offers, in knowledge order: "1 guest posting; 2 outreach; ...".
MENU = "; ".join(f"{n} {s.label}" for n, s in enumerate(KNOWLEDGE.strategies.values(), 1))

DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)


def q(question_id: str):
    return QUESTIONNAIRE.question(question_id)


def valid(question_id: str, text: str):
    result = q(question_id).parse(text)
    assert isinstance(result, Valid), f"{text!r} for {question_id}: {result}"
    return result.value


def invalid(question_id: str, text: str) -> str:
    result = q(question_id).parse(text)
    assert isinstance(result, Invalid), f"{text!r} for {question_id} should be invalid, got {result}"
    return result.reason


# --- the kinds the questionnaire names -----------------------------------------------------------


def test_every_question_uses_a_kind_tested_here():
    # If a new kind appears in questions.yaml, this file needs tests for it.
    assert {question.kind_name for question in QUESTIONNAIRE.questions} == {
        "domain",
        "integer",
        "number",
        "competitors",
        "choice",
        "choices",
    }


def bounds(question_id: str) -> dict:
    return {k: v for k, v in q(question_id).params.items() if k in ("min", "max", "max_count", "options", "min_count")}


def test_the_bounds_these_tests_rely_on():
    # The tables below assume these bounds from questions.yaml; say so loudly if they move.
    assert bounds("authority") == {"min": 0, "max": 100}
    assert bounds("referring_domains") == {"min": 0, "max": 100_000_000}
    assert bounds("horizon_months") == {"min": 1, "max": 60}
    assert bounds("content_quality") == {"min": 1, "max": 5}
    assert bounds("hours_per_month") == {"min": 0, "max": 10_000}
    assert bounds("competitors") == {"max_count": 10}
    assert bounds("strategies") == {"options": "strategies", "min_count": 1}
    assert bounds("site_kind") == {"options": "site_kinds"}


# --- integer -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        ("referring_domains", "140", 140),
        ("referring_domains", "0", 0),
        ("referring_domains", "  42 ", 42),
        ("referring_domains", "+5", 5),
        ("referring_domains", "7.0", 7),
        ("referring_domains", "1e3", 1000),
        ("referring_domains", "1,200", 1200),
        ("referring_domains", "12,345,678", 12_345_678),
        ("referring_domains", "1 200", 1200),
        ("referring_domains", "1\u00a0200", 1200),
        ("referring_domains", "1_200", 1200),
        ("referring_domains", "3k", 3000),
        ("referring_domains", "3K", 3000),
        ("referring_domains", "1.5k", 1500),
        ("referring_domains", "2 k", 2000),
        ("referring_domains", "2m", 2_000_000),
        ("referring_domains", "100,000,000", 100_000_000),
        # Thousands grouped with dots, as German and Spanish write them: a count has no decimals,
        # so "12.000" is twelve thousand (it was read as 12), "1.200" no longer "not whole".
        ("referring_domains", "1.200", 1200),
        ("referring_domains", "12.000", 12_000),
        ("referring_domains", "1.200.000", 1_200_000),
        ("referring_domains", "ca. 1.200", 1200),
        ("referring_domains", "1,5k", 1500),
        ("site_age_months", "2,5 Jahre", 30),
        ("authority", "0", 0),
        ("authority", "35", 35),
        ("authority", "100", 100),
        ("site_age_months", "600", 600),
        ("horizon_months", "1", 1),
        ("horizon_months", "60", 60),
        ("content_quality", "1", 1),
        ("content_quality", "5", 5),
        ("linkable_assets", "0", 0),
        ("posts_per_month", "4", 4),
        ("recent_monthly_rd", "6", 6),
    ],
)
def test_integer_accepts(question_id, text, expected):
    value = valid(question_id, text)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    ("question_id", "text", "must_mention"),
    [
        # Text is not a number: the reason quotes what was typed.
        ("referring_domains", "abc", ["“abc”", "not a number"]),
        ("referring_domains", "", ["not a number"]),
        ("referring_domains", "nan", ["“nan”", "not a number"]),
        ("referring_domains", "inf", ["“inf”", "not a number"]),
        ("referring_domains", "0x10", ["“0x10”", "not a number"]),
        # "1,20" is not a thousands separator but a decimal comma: a count refuses it, never guesses 120.
        ("referring_domains", "1,20", ["“1,20”", "not a whole number"]),
        ("referring_domains", "0.250", ["“0.250”", "not a whole number"]),  # a leading zero: no thousands
        ("referring_domains", "3kk", ["“3kk”", "not a number"]),
        # Decimals for a count.
        ("referring_domains", "12.5", ["“12.5”", "not a whole number"]),
        ("referring_domains", "1.2345k", ["“1.2345k”", "not a whole number"]),
        ("content_quality", "3.5", ["“3.5”", "not a whole number"]),
        ("authority", "-0.5", ["“-0.5”", "not a whole number"]),
        # Negative counts: the reason names the value and the floor.
        ("referring_domains", "-5", ["-5", "negative", "0"]),
        ("linkable_assets", "-1", ["-1", "negative", "0"]),
        ("posts_per_month", "-12", ["-12", "negative", "0"]),
        ("recent_monthly_rd", "-3", ["-3", "negative", "0"]),
        ("authority", "-1", ["-1", "negative", "0"]),
        # Out of range: the reason names the value and both bounds.
        ("authority", "150", ["150", "between 0 and 100"]),
        ("authority", "101", ["101", "between 0 and 100"]),
        ("referring_domains", "120000000", ["120,000,000", "between 0 and 100,000,000"]),
        ("horizon_months", "0", ["0", "between 1 and 60"]),
        ("horizon_months", "61", ["61", "between 1 and 60"]),
        ("content_quality", "0", ["0", "between 1 and 5"]),
        ("content_quality", "6", ["6", "between 1 and 5"]),
        ("site_age_months", "601", ["601", "between 0 and 600"]),
        ("authority", "1k", ["1,000", "between 0 and 100"]),
    ],
)
def test_integer_rejects_with_a_specific_reason(question_id, text, must_mention):
    reason = invalid(question_id, text)
    for fragment in must_mention:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"


def test_a_long_bad_answer_is_quoted_shortened_not_whole():
    reason = invalid("referring_domains", "x" * 200)
    assert "x" * 40 + "…" in reason
    assert "x" * 41 not in reason


@DETERMINISTIC
@given(data=st.data())
def test_integer_round_trips(data):
    question = q(data.draw(st.sampled_from([x.id for x in QUESTIONNAIRE.questions if x.kind_name == "integer"])))
    value = data.draw(st.integers(question.params["min"], question.params["max"]))
    assert question.parse(question.show(value)) == Valid(value)


# --- number (hours) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20", 20),
        ("1", 1),
        ("12.5", 12.5),
        ("2.0", 2),
        ("1.234", 1.23),
        ("1.239", 1.24),
        ("1,200", 1200),
        # A decimal comma (German, French, Spanish); dots or spaces grouping thousands before one.
        ("1,5", 1.5),
        ("2,5 Stunden", 2.5),
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        # Minutes where hours are asked ("90 min per week" was read as 90 hours a week, 390 a month).
        ("90 min per week", 6.5),
        ("30 min", 0.5),
        ("30 Minuten pro Tag", 15),
        ("3k", 3000),
        ("1.5k", 1500),
        ("10000", 10_000),
        ("1e4", 10_000),
        ("0", 0),
        ("0.5", 0.5),
    ],
)
def test_number_accepts(text, expected):
    value = valid("hours_per_month", text)
    assert value == expected
    # Whole numbers are stored as int, so they show back as "20", not "20.0".
    assert isinstance(value, int) == float(expected).is_integer()


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("twenty or so, maybe twelve", ["20 and 12", "which one"]),
        ("", ["not a number"]),
        ("-3", ["-3", "negative", "0"]),
        ("-0.5", ["-0.5", "negative", "0"]),
        ("10001", ["10,001", "between 0 and 10,000"]),
        ("50k", ["50,000", "between 0 and 10,000"]),
    ],
)
def test_number_rejects_with_a_specific_reason(text, must_mention):
    reason = invalid("hours_per_month", text)
    for fragment in must_mention:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"


@DETERMINISTIC
@given(cents=st.integers(100, 1_000_000))
def test_number_round_trips(cents):
    question = q("hours_per_month")
    value = valid("hours_per_month", f"{cents // 100}.{cents % 100:02d}")
    assert value == pytest.approx(cents / 100)
    assert question.parse(question.show(value)) == Valid(value)


# --- domain --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", "example.com"),
        ("Example.COM", "example.com"),
        ("  example.com  ", "example.com"),
        ("example.com.", "example.com"),
        ("www.example.com", "example.com"),
        ("WWW.Example.com", "example.com"),
        ("https://www.example.com/path?x=1#top", "example.com"),
        ("http://example.com", "example.com"),
        ("example.com/blog/post", "example.com"),
        ("example.com:8080", "example.com"),
        ("http://user@example.com:8080/", "example.com"),
        ("example.co.uk", "example.co.uk"),
        ("www.example.co.uk", "example.co.uk"),
        ("blog.example.com", "blog.example.com"),
        ("www.blog.example.com", "blog.example.com"),
        # "www" is the registrable name here, not a prefix to strip.
        ("www.com", "www.com"),
        # Only one www. goes.
        ("www.www.example.com", "www.example.com"),
        ("my-site.io", "my-site.io"),
        ("123.com", "123.com"),
        # Internationalised names are stored IDNA-encoded, whichever way they were typed.
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("MÜNCHEN.DE", "xn--mnchen-3ya.de"),
        ("https://münchen.de/über", "xn--mnchen-3ya.de"),
        ("www.münchen.de", "xn--mnchen-3ya.de"),
        ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
        ("例え.jp", "xn--r8jz45g.jp"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_domain_accepts(text, expected):
    assert valid("site", text) == expected
    assert normalise_domain(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "foo",  # no dot
        "example",  # no dot
        "foo.notatld",  # unknown TLD
        "foo.zz",  # unknown two-letter TLD
        "bücher.example",  # reserved, not a public suffix
        "com",  # a bare suffix
        "co.uk",  # a bare (two-label) suffix
        "exa mple.com",  # a space inside
        "example .com",
        "192.168.1.1",  # IPv4 address
        "https://127.0.0.1/",
        "10.0.0.1:8080",
        "[::1]",  # IPv6 address
        "http://[2001:db8::1]/",
        "localhost",
        "http://localhost:8000/",
        "localhost.localdomain",
        "-bad.com",  # label starts with a hyphen
        "bad-.com",  # label ends with a hyphen
        "a..com",  # empty label
        "foo_bar.com",  # underscore
        "a" * 64 + ".com",  # label over 63 characters
        "",
        "   ",
        "https://",
    ],
)
def test_domain_rejects_with_the_offending_text(text):
    reason = invalid("site", text)
    assert "is not a domain" in reason
    shown = " ".join(text.split())
    assert f"“{shown[:40]}" in reason
    assert normalise_domain(text) is None


def test_a_domain_in_a_few_words_is_read_and_said_back():
    result = KNOWLEDGE.questionnaire.question("site").parse("example.com extra")
    assert result == Valid("example.com") and result.loose  # "I read site as example.com …"


def test_domain_reason_shows_an_example_of_what_works():
    reason = invalid("site", "foo.notatld")
    assert reason.startswith("“foo.notatld” is not a domain")
    assert "example.com" in reason


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        ("exa\u202emple.com", "“exa<U+202E>mple.com”"),  # a right-to-left override
        ("exa\u202dmple\u202c.com", "“exa<U+202D>mple<U+202C>.com”"),  # a left-to-right override, popped
        ("\u2067example.com\u2069", "“<U+2067>example.com<U+2069>”"),  # a bidirectional isolate
    ],
)
def test_an_invisible_character_is_named_in_the_reason_not_echoed(typed, quoted):
    reason = invalid("site", typed)
    assert reason.startswith(f"{quoted} is not a domain")
    assert reason.isprintable()


def test_domain_keeps_sharp_s_as_idna_2008_does():
    assert valid("site", "straße.de") == "xn--strae-oqa.de"


def test_domain_never_stores_a_value_it_would_reject():
    value = valid("site", "www.co.uk")
    assert q("site").parse(q("site").show(value)) == Valid(value)


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_IDN_LABEL = st.text(alphabet="abcdeéüößçñжщ例え", min_size=1, max_size=8)
_SUFFIX = st.sampled_from(["com", "net", "org", "io", "de", "co.uk", "com.au", "jp", "xn--p1ai", "рф"])


@st.composite
def domain_texts(draw) -> str:
    labels = draw(st.lists(st.one_of(_LABEL, _IDN_LABEL), min_size=1, max_size=3))
    host = ".".join([*labels, draw(_SUFFIX)])
    if draw(st.booleans()):
        host = "www." + host
    if draw(st.booleans()):
        host = host.upper()
    return draw(st.sampled_from(["{}", "https://{}/", "http://{}/some/path?q=1", " {} "])).format(host)


@DETERMINISTIC
@given(text=domain_texts())
def test_domain_round_trips(text):
    question = q("site")
    result = question.parse(text)
    if isinstance(result, Invalid):
        # Only IDN labels the IDNA codec refuses may fail here, never a plain ASCII host.
        assert not text.strip().isascii(), result
        return
    value = result.value
    assert value == value.lower()
    assert value.isascii()
    assert question.parse(question.show(value)) == Valid(value)


# --- competitors ---------------------------------------------------------------------------------


def anonymous(*counts: int) -> list[dict]:
    return [{"domain": None, "referring_domains": c} for c in counts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("420", anonymous(420)),
        ("420, 610", anonymous(420, 610)),
        ("420 610", anonymous(420, 610)),
        ("420;610", anonymous(420, 610)),
        ("420,,610", anonymous(420, 610)),
        ("3k, 1.5k", anonymous(3000, 1500)),
        ("0", anonymous(0)),
        ("1,2,3,4,5,6,7,8,9,10", anonymous(*range(1, 11))),
        (
            "rival.com=420, other.net=610, 380",
            [
                {"domain": "rival.com", "referring_domains": 420},
                {"domain": "other.net", "referring_domains": 610},
                {"domain": None, "referring_domains": 380},
            ],
        ),
        ("rival.com = 420", [{"domain": "rival.com", "referring_domains": 420}]),
        ("rival.com: 420", [{"domain": "rival.com", "referring_domains": 420}]),
        ("rival.com:420", [{"domain": "rival.com", "referring_domains": 420}]),
        ("rival.com=1.5k", [{"domain": "rival.com", "referring_domains": 1500}]),
        ("https://rival.com/=420", [{"domain": "rival.com", "referring_domains": 420}]),
        ("https://www.rival.com/blog=7", [{"domain": "rival.com", "referring_domains": 7}]),
        ("http://x.com/a=b=5", [{"domain": "x.com", "referring_domains": 5}]),
        ("WWW.Rival.COM=9", [{"domain": "rival.com", "referring_domains": 9}]),
        ("münchen.de=5", [{"domain": "xn--mnchen-3ya.de", "referring_domains": 5}]),
        (  # thousands grouped with dots, as German writes them (2.500 was refused as "not whole")
            "konkurrenz.de=2.500, mitbewerber.de 1.800; 12.000",
            [
                {"domain": "konkurrenz.de", "referring_domains": 2500},
                {"domain": "mitbewerber.de", "referring_domains": 1800},
                {"domain": None, "referring_domains": 12_000},
            ],
        ),
        (
            "rival.com=420 other.net=610",
            [{"domain": "rival.com", "referring_domains": 420}, {"domain": "other.net", "referring_domains": 610}],
        ),
        (
            "rival.com=420;other.net=610",
            [{"domain": "rival.com", "referring_domains": 420}, {"domain": "other.net", "referring_domains": 610}],
        ),
    ],
)
def test_competitors_accepts(text, expected):
    assert valid("competitors", text) == expected


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        ("1,2,3,4,5,6,7,8,9,10,11", ["11 competitors", "at most 10"]),
        (", ".join(f"r{n}.com={n}" for n in range(12)), ["12 competitors", "at most 10"]),
        ("", ["one to 10"]),
        ("   ", ["one to 10"]),
        (" , ; ", ["one to 10"]),
        ("foo=12", ["“foo”", "not a domain", "domain count, like rival.com 420"]),
        ("foo.notatld=12", ["“foo.notatld”", "not a domain"]),
        ("192.168.1.1=12", ["“192.168.1.1”", "not a domain"]),
        ("localhost=12", ["“localhost”", "not a domain"]),
        ("rival.com=abc", ["“rival.com=abc”", "“abc” is not a number"]),
        ("rival.com=", ["“rival.com=”", "not a number"]),
        ("rival.com=-3", ["“rival.com=-3”", "-3", "negative"]),
        ("rival.com=1.5", ["“rival.com=1.5”", "not a whole number"]),
        ("1.5", ["“1.5”", "not a whole number"]),
        ("420, lots", ["“lots” is too vague", "e.g. rival.com=420"]),
        ("rival.com=100000001", ["100,000,001", "between 0 and 100,000,000"]),
        # A domain needs its count, and a word is neither.
        ("rival.com", ["“rival.com” has no count", "like rival.com 420"]),
        ("rival.com 420, other.net", ["“other.net” has no count"]),
        ("ahrefs 1200", ["“ahrefs” is neither a domain nor a count", "like rival.com 420"]),
    ],
)
def test_competitors_rejects_with_a_specific_reason(text, must_mention):
    reason = invalid("competitors", text)
    for fragment in must_mention:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"


def test_competitors_thousands_separator_after_a_domain_is_not_silently_split():
    result = q("competitors").parse("rival.com=1,200, other.net=3,400")
    assert isinstance(result, Invalid) or result.value == [
        {"domain": "rival.com", "referring_domains": 1200},
        {"domain": "other.net", "referring_domains": 3400},
    ]


_COMPETITOR = st.fixed_dictionaries(
    {
        "domain": st.one_of(st.none(), domain_texts().map(normalise_domain).filter(bool)),
        "referring_domains": st.integers(0, 100_000_000),
    }
)


@DETERMINISTIC
@given(
    value=st.lists(
        _COMPETITOR.flatmap(
            lambda c: st.one_of(st.just(c), st.integers(0, 10_000_000).map(lambda n: {**c, "monthly_new": n}))
        ),
        min_size=1,
        max_size=10,
    )
)
def test_competitors_round_trips(value):
    question = q("competitors")
    assert question.parse(question.show(value)) == Valid(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rival.com=420+12", [{"domain": "rival.com", "referring_domains": 420, "monthly_new": 12}]),
        (
            "rival.com = 1,200 + 30, 380",
            [
                {"domain": "rival.com", "referring_domains": 1200, "monthly_new": 30},
                {"domain": None, "referring_domains": 380},
            ],
        ),
        ("420+0", [{"domain": None, "referring_domains": 420, "monthly_new": 0}]),
    ],
)
def test_a_competitor_may_carry_its_own_monthly_pace(text, expected):
    assert valid("competitors", text) == expected


def test_a_competitors_pace_must_be_a_count():
    assert invalid("competitors", "rival.com=420+x") == (
        "In “rival.com=420+x”: “x” is not a number. "
        "Give a count for each competitor, e.g. rival.com=420, other.net=610, 380."
    )


def test_ranking_pages_speak_of_pages():
    assert valid("ranking_pages", "45, 60 38") == [{"domain": None, "referring_domains": n} for n in (45, 60, 38)]
    reason = invalid("ranking_pages", ", ".join(["5"] * 11))
    assert reason.startswith("That is 11 pages; give at most 10")
    assert "a page's referring domains" in invalid("ranking_pages", "-4")


# --- the kind of site (one choice) -------------------------------------------------------------


KINDS = "; ".join(f"{n} {k.label}" for n, k in enumerate(KNOWLEDGE.site_kinds.values(), 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local business", "local"),
        ("Local", "local"),
        ("bakery", "local"),
        ("1", "local"),
        ("e-commerce", "shop"),
        ("SaaS", "saas"),
        ("B2B SaaS", "saas"),
        ("news site", "publisher"),
        ("affiliate", "blog"),
        ("6", "other"),
    ],
)
def test_site_kind_accepts(text, expected):
    assert valid("site_kind", text) == expected


@pytest.mark.parametrize("text", ["a knitting circle", "7", "0"])
def test_site_kind_refuses_with_the_choices(text):
    reason = invalid("site_kind", text)
    assert "is not a kind of site I know" in reason and KINDS in reason


@pytest.mark.parametrize("text", ["a bakery shop", "local, shop"])
def test_site_kind_naming_two_kinds_is_asked_back(text):
    assert invalid("site_kind", text).endswith("could be local business or online shop; which one?")


def test_site_kind_round_trips_and_offers_a_menu():
    question = q("site_kind")
    for kind in KNOWLEDGE.site_kinds:
        assert question.parse(question.show(kind)) == Valid(kind)
    assert question.kind.options == tuple((k.id, k.label) for k in KNOWLEDGE.site_kinds.values())
    assert not question.kind.many and q("strategies").kind.many


# --- strategies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("guest posting, outreach", ["guest_posting", "outreach"]),
        ("guest_posting, outreach", ["guest_posting", "outreach"]),
        ("GUEST-POSTING / Outreach", ["guest_posting", "outreach"]),
        ("guest posts and PR", ["guest_posting", "digital_pr"]),
        ("guest posting and outreach", ["guest_posting", "outreach"]),
        ("haro + broken links", ["journalist_requests", "broken_link_building"]),
        ("journalists; digital PR & partners", ["journalist_requests", "digital_pr", "partnerships"]),
        ("skyscraper, reclamation", ["outreach", "unlinked_mentions"]),
        ("1, 2", ["guest_posting", "outreach"]),
        ("1 and 2", ["guest_posting", "outreach"]),
        ("3,5", ["digital_pr", "journalist_requests"]),
        ("8,7,6,5,4,3,2,1", list(reversed(STRATEGY_IDS[:8]))),
        ("local citations, chamber of commerce", ["local_citations", "local_community"]),
        # One strategy is accepted (the plan warns and names the best second one).
        ("outreach", ["outreach"]),
        ("1", ["guest_posting"]),
        ("outreach, 1", ["outreach", "guest_posting"]),
        # Duplicates (by name, alias or number) count once and keep the first position.
        ("guest posting, outreach, guest posts, 1", ["guest_posting", "outreach"]),
        ("outreach, outreach, PR", ["outreach", "digital_pr"]),
    ],
)
def test_strategies_accepts(text, expected):
    assert valid("strategies", text) == expected


@pytest.mark.parametrize(
    ("text", "offending"),
    [
        ("guest posting, knitting", "“knitting”"),
        ("buying links, outreach", "“buying links”"),
        ("11, 1", "“11”"),
        ("0, 1", "“0”"),
        ("1.5, 2", "“1.5”"),
        ("guest posting knitting", "“knitting”"),
        ("1 3 buying links", "“buying links”"),
    ],
)
def test_strategies_rejects_unknown_names_by_name(text, offending):
    reason = invalid("strategies", text)
    assert f"{offending} is not a strategy I know" in reason
    assert MENU in reason


@pytest.mark.parametrize("text", ["", ",", " ; "])
def test_strategies_needs_one(text):
    reason = invalid("strategies", text)
    assert "Pick one strategy" in reason
    assert MENU in reason


def test_strategy_menu_lists_every_strategy_by_number():
    assert MENU.startswith("1 guest posting; 2 outreach; 3 digital PR")
    assert MENU.count(";") == len(STRATEGY_IDS) - 1


@DETERMINISTIC
@given(value=st.lists(st.sampled_from(STRATEGY_IDS), min_size=1, max_size=len(STRATEGY_IDS), unique=True))
def test_strategies_round_trip(value):
    question = q("strategies")
    assert question.parse(question.show(value)) == Valid(value)


# --- the examples shown to users -----------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONNAIRE.questions, ids=lambda question: question.id)
def test_every_example_in_the_questionnaire_is_valid_and_round_trips(question):
    value = valid(question.id, question.example)
    assert question.parse(question.show(value)) == Valid(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bob.github.io", "bob.github.io"),  # the Public Suffix List's private section
        ("https://www.carol.github.io/post", "carol.github.io"),
        ("dave.blogspot.com", "dave.blogspot.com"),
        ("github.io", "github.io"),  # the private suffix alone is its operator's own site
        ("www.example.co.uk", "example.co.uk"),
        ("news.example.co.uk", "example.co.uk"),
        ("co.uk", None),
    ],
)
def test_registrable_domain_reads_private_suffixes(text, expected):
    assert registrable_domain(text) == expected


# --- answers as people type them (issue 13) ------------------------------------------------------

_RIVALS = [{"domain": "ahrefs.com", "referring_domains": 1200}, {"domain": "moz.com", "referring_domains": 900}]


@pytest.mark.parametrize(
    ("question_id", "text", "expected"),
    [
        # An authority score with its tool's name, filler or a scale around it.
        ("authority", "DR 35", 35),
        ("authority", "dr35", 35),
        ("authority", "DA: 40", 40),
        ("authority", "35 DR", 35),
        ("authority", "Ahrefs DR 35", 35),
        ("authority", "domain rating 35", 35),
        ("authority", "35/100", 35),
        ("authority", "about 40", 40),
        ("authority", "~40", 40),
        ("authority", "approx. 40", 40),
        ("authority", "around 40", 40),
        ("authority", "roughly 40", 40),
        ("authority", "40ish", 40),
        ("authority", "40-50", 45),
        ("authority", "none", 0),
        # Counts with their own noun, a "k" or a plus.
        ("referring_domains", "140 referring domains", 140),
        ("referring_domains", "about 1.2k RDs", 1200),
        ("referring_domains", "140+", 140),
        ("referring_domains", "zero", 0),
        ("lost_referring_domains", "nothing", 0),
        ("lost_referring_domains", "25 lost", 25),
        ("linkable_assets", "none", 0),
        ("linkable_assets", "no", 0),
        ("linkable_assets", "2 assets", 2),
        # Durations in months: years and weeks are converted.
        ("site_age_months", "2 years", 24),
        ("site_age_months", "2 years old", 24),
        ("site_age_months", "1.5 years", 18),
        ("site_age_months", "2y 3m", 27),
        ("site_age_months", "2 years and 3 months", 27),
        ("site_age_months", "a year", 12),
        ("site_age_months", "18 months", 18),
        ("site_age_months", "6 weeks", 1),
        ("horizon_months", "in 2 years", 24),
        ("horizon_months", "12 months", 12),
        # Rates a month: a week's and a year's are converted, "a month" is just a unit.
        ("posts_per_month", "4 a month", 4),
        ("posts_per_month", "4/mo", 4),
        ("posts_per_month", "4 per month", 4),
        ("posts_per_month", "4 monthly", 4),
        ("posts_per_month", "4 posts a month", 4),
        ("posts_per_month", "1 a week", 4),
        ("posts_per_month", "48 a year", 4),
        ("recent_monthly_rd", "about 6 a month", 6),
        ("recent_monthly_rd", "3-4/mo", 4),
        ("recent_monthly_rd", "2 new referring domains a week", 9),
        # Hours: "h", a week's hours → a month's, rounded as people plan (43, not 43.33).
        ("hours_per_month", "10h/week", 43),
        ("hours_per_month", "10 hours per week", 43),
        ("hours_per_month", "10 hrs a week", 43),
        ("hours_per_month", "2h a week", 8.7),
        ("hours_per_month", "40 hours a month", 40),
        ("hours_per_month", "40h", 40),
        ("hours_per_month", "20/mo", 20),
        ("hours_per_month", "about 20", 20),
        ("hours_per_month", "1 hour a day", 30),
        ("hours_per_month", "none", 0),
        # A rating out of five, written as people do, or by a level's name.
        ("content_quality", "4/5", 4),
        ("content_quality", "4 out of 5", 4),
        ("content_quality", "4 of 5", 4),
        ("content_quality", "8/10", 4),
        ("content_quality", "solid", 3),
        ("content_quality", "Strong", 4),
        # Competitors as pairs, the way people list them.
        ("competitors", "ahrefs.com 1.2k, moz.com=900", _RIVALS),
        ("competitors", "ahrefs.com: 1.2k\nmoz.com (900)", _RIVALS),
        ("competitors", "ahrefs.com (1,200), moz.com 900", _RIVALS),
        ("competitors", "ahrefs.com 1,200\nmoz.com 900", _RIVALS),
        ("competitors", "ahrefs.com 1200 moz.com 900", _RIVALS),
        ("competitors", "ahrefs.com ~1.2k; moz.com=900", _RIVALS),
        (
            "competitors",
            "rival.com 420+12, 380",
            [
                {"domain": "rival.com", "referring_domains": 420, "monthly_new": 12},
                {"domain": None, "referring_domains": 380},
            ],
        ),
        ("ranking_pages", "45 60 38", [{"domain": None, "referring_domains": n} for n in (45, 60, 38)]),
        # Strategies by number, separated by spaces, or by names run together.
        ("strategies", "1 3 5", ["guest_posting", "digital_pr", "journalist_requests"]),
        ("strategies", "1, 3 5", ["guest_posting", "digital_pr", "journalist_requests"]),
        ("strategies", "guest posting outreach", ["guest_posting", "outreach"]),
        ("strategies", "1 outreach digital pr", ["guest_posting", "outreach", "digital_pr"]),
        ("site_kind", "3", "saas"),
    ],
)
def test_natural_answers_are_read(question_id, text, expected):
    assert valid(question_id, text) == expected


@pytest.mark.parametrize(
    ("question_id", "text", "must_mention"),
    [
        # Vague amounts: a reason and an answer that works, in the question's units.
        ("referring_domains", "lots", ["“lots” is too vague to plan on", "Give a number, e.g. 140."]),
        ("linkable_assets", "a few", ["“a few” is too vague", "e.g. 2."]),
        ("authority", "many", ["“many” is too vague", "Give a number from 0 to 100, e.g. 35."]),
        ("site_age_months", "a few years", ["too vague", "e.g. 18, or years, e.g. 2 years."]),
        ("posts_per_month", "some", ["too vague", "Give a number a month, e.g. 4, or a week, e.g. 2 a week."]),
        ("hours_per_month", "lots of hours", ["too vague", "e.g. 20, or a week, e.g. 5h/week."]),
        ("content_quality", "pretty good", ["not a number", "Give a number from 1 to 5, e.g. 4."]),
        ("competitors", "lots", ["“lots” is too vague", "e.g. rival.com=420"]),
        # Numbers still out of bounds after reading their units, named in the question's words.
        ("site_age_months", "60 years", ["720", "site age in months must be between 0 and 600"]),
        ("content_quality", "6/5", ["6", "between 1 and 5"]),
        ("hours_per_month", "5000h/week", ["21,667", "between 0 and 10,000"]),
        # A competitor needs a count beside its domain, and a name is not a domain.
        ("competitors", "ahrefs.com", ["“ahrefs.com” has no count", "like rival.com 420"]),
        ("competitors", "ahrefs 1.2k", ["“ahrefs” is neither a domain nor a count", "like rival.com 420"]),
        ("competitors", "none", ["at least one competitor"]),
        ("strategies", "1 3 99", ["“99” is not a strategy I know", MENU]),
    ],
)
def test_unreadable_answers_get_a_reason_and_an_example(question_id, text, must_mention):
    reason = invalid(question_id, text)
    for fragment in must_mention:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"


def test_the_quality_scale_says_what_each_level_means():
    scale = q("content_quality").kind.scale
    assert len(scale) == 5 and scale[0].startswith("thin") and scale[-1].startswith("best")
