"""A refusal's reason is data (knowledge/reasons.yaml): its English text wherever a reason is read as
text, and said again in the reader's language by a renderer, plural forms and numbers included."""

from __future__ import annotations

import copy
import pickle

import pytest

from bot.conversation import reasons
from bot.conversation.rendering import MARKDOWN, PLAIN, Reason, Renderer
from bot.core.replies import text
from bot.planning import knowledge


def _said(reason: Reason, language: str, dialect=PLAIN) -> str:
    renderer = Renderer(knowledge.default(), dialect).speaking(language)
    return renderer.text(text("question.invalid", reason=reason))


def test_a_reason_is_its_english_text_and_what_it_was_made_from():
    reason = knowledge.default().questionnaire.question("authority").parse("ganz viele")
    assert reason.reason == "“ganz viele” is not a number. Give a number from 0 to 100, e.g. 35."
    assert reason.reason.template == "reason.number.not_a_number"
    again = pickle.loads(pickle.dumps(reason.reason))
    assert again == reason.reason and again.template == reason.reason.template
    assert copy.deepcopy(reason.reason).values["said"] == "“ganz viele”"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "Das sind 1.201 Zeichen; bleib unter 1.200."),
        ("fr", "Cela fait 1\u202f201 caractères ; restez sous 1\u202f200."),
        ("es", "Son 1.201 caracteres; no pases de 1.200."),
    ],
)
def test_a_count_in_a_reason_takes_the_languages_plural_and_numbers(language, said):
    assert _said(Reason("reason.text.too_long", length=1201, limit=1200), language) == said


def test_a_single_one_is_singular_in_every_language():
    assert _said(Reason("reason.secret.too_long", length=1, limit=0), "fr") == (
        "Cela fait 1 caractère ; une clé en compte au plus 0."
    )


def test_a_reason_inside_a_reason_is_said_in_the_same_language():
    competitors = knowledge.default().questionnaire.question("competitors")
    reason = competitors.parse("rival.com=viele, other.net=610").reason
    assert reason.startswith("In “rival.com=viele”: “viele” is not a number.")
    assert _said(reason, "de") == (
        "In “rival.com=viele”: “viele” ist keine Zahl. Gib für jeden Wettbewerber eine Anzahl an, "
        "z. B. rival.com=420, other.net=610, 380."
    )


def test_what_was_typed_is_escaped_for_the_platform_and_the_prose_is_not():
    reason = Reason("reason.log.unknown", token="*bold*_x_")
    assert _said(reason, "es", MARKDOWN) == "«\\*bold\\*\\_x\\_» no es un enlace, ni una cifra, ni un mes."


def test_every_reason_template_renders_in_every_language():
    """Each template with values of its own kind, so a translation's syntax error shows here."""
    values = {
        "why": "w", "example": "e", "error": "x", "name": "n", "known": "k", "token": "t", "said": "“s”",
        "noun": "strategy", "options": ["a", "b"], "least": 2, "named": ["a", "b", "c"], "length": 3, "limit": 2,
        "value": -1, "what": "w", "low": 0, "high": 9, "hint": "", "figures": [1, 2], "hours": True, "page": True,
        "most": 10, "shape": "s", "found": 11, "reason": "r", "month": "m", "total": "t", "rels": ["a"],
        "count": 2000, "reasons": ["a", "b"], "year": "2019", "files": ["a.csv"], "more": True, "size": 2.5,
        "unzipped": 300, "ratio": 120, "skipped": 3, "format": "f", "first": "x,y", "sheets": ["s"],
        "members": ["m"], "providers": ["p"], "domains": ["d"], "seconds": 10, "budget": 50, "provider": "P",
        "spaces": True, "code": "c",
    }  # fmt: skip
    for name in reasons.templates():
        for language in ("en", "de", "fr", "es"):
            assert _said(Reason(name, **values), language).strip(), (name, language)


@pytest.mark.parametrize("typed", ["since 2019", "2019", "seit 2019"])
def test_a_year_given_for_the_sites_age_is_named_as_a_year_not_out_of_range(typed):
    reason = knowledge.default().questionnaire.question("site_age_months").parse(typed).reason
    assert _said(reason, "en").startswith("2019 looks like a year: give site age in months instead.")
    assert "2,019" not in _said(reason, "en") and "out of range" not in _said(reason, "en")
    assert _said(reason, "de").startswith("2019 sieht nach einer Jahreszahl aus")
