"""The catalogs of the bot's words (knowledge/locales): up to date with the knowledge, and every
language complete, each translation a template with the English one's values."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment, meta

from bot.conversation import catalogs
from bot.planning import knowledge

ENTRIES = {context: text for context, text, _ in catalogs.entries()}


def test_every_template_and_knowledge_text_is_an_entry():
    loaded = knowledge.default()
    for name, source in loaded.templates.items():
        assert ENTRIES[catalogs.template_context(name)] == source, name
    for question in loaded.questionnaire.questions:
        assert question.prompt in ENTRIES.values() and question.why in ENTRIES.values()
    for strategy in loaded.strategies.values():
        assert strategy.label in ENTRIES.values()


def test_the_template_file_is_up_to_date_with_the_knowledge():
    """English changed without `python -m bot.conversation.catalogs`: the catalogs would miss it."""
    with (catalogs.LOCALES / f"{catalogs.DOMAIN}.pot").open("rb") as file:
        template = read_po(file)
    assert {m.context: m.id for m in template if m.id} == ENTRIES


COMMAND = re.compile(r'"([^"]+)"\|command')


def _catalog(language: str):
    with (catalogs.LOCALES / language / "LC_MESSAGES" / f"{catalogs.DOMAIN}.po").open("rb") as file:
        return {m.context: m for m in read_po(file, locale=language) if m.id}


@pytest.mark.parametrize("language", catalogs.LANGUAGES[1:])
def test_every_entry_is_translated_with_the_english_ones_values_and_commands(language):
    env = Environment()  # the renderer's filters, as names: parsing checks they exist
    env.filters.update({n: str for n in ("bold", "code", "command", "pct", "strategy", "join_and", "span", "s", "per")})
    env.filters["count"] = str
    found = _catalog(language)
    missing = [c for c in ENTRIES if c not in found or not found[c].string or found[c].fuzzy]
    assert missing == [], f"{language}: {len(missing)} entries lack a translation (python -m bot.conversation.catalogs)"
    for context, english in ENTRIES.items():
        translated = found[context].string
        want = meta.find_undeclared_variables(env.parse(english))
        assert meta.find_undeclared_variables(env.parse(translated)) == want, f"{language} {context}: other values"
        # Commands are typed as they are shown: a translation keeps them in English.
        assert sorted(COMMAND.findall(translated)) == sorted(COMMAND.findall(english)), f"{language} {context}"


def test_an_option_is_accepted_by_the_name_a_menu_in_another_language_shows():
    """A German menu offers "lokales Unternehmen": typed back, it is the local business."""
    loaded = knowledge.default()
    for language in catalogs.LANGUAGES[1:]:
        texts = catalogs.language(language).texts
        kind, strategies = loaded.questionnaire.question("site_kind"), loaded.questionnaire.question("strategies")
        for option_id, label in kind.kind.options:
            assert kind.parse(texts[label]).value == option_id, (language, label)
        both = ", ".join(texts[label] for _, label in strategies.kind.options[:2])
        assert strategies.parse(both).value == [o for o, _ in strategies.kind.options[:2]], (language, both)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        *((w, "yes") for w in ("ja", "Ja, absichtlich", "oui", "oui, volontairement", "sí", "si, a propósito")),
        *((w, "no") for w in ("nein", "nein, nicht absichtlich", "non", "non, pas exprès", "no a propósito")),
        *((w, "no") for w in ("no", "no, natural", "n")),
        ("yes", "yes"),
    ],
)
def test_the_yes_no_question_understands_yes_and_no_in_every_language(typed, expected):
    assert knowledge.default().questionnaire.question("lost_on_purpose").parse(typed).value == expected


def test_a_questions_own_options_are_entries_shown_in_each_language():
    """ "yes"/"no" and the log form's checks are labels of options written in the question itself."""
    question = knowledge.default().questionnaire.question("lost_on_purpose")
    assert ENTRIES["questions.yaml:sections.momentum.lost_on_purpose.options.yes"] == "yes"
    shown = {
        language: [catalogs.language(language).texts[label] for _, label in question.kind.options]
        for language in ("de", "fr", "es")
    }
    assert shown == {"de": ["ja", "nein"], "fr": ["oui", "non"], "es": ["sí", "no"]}
    assert ENTRIES["log_form.yaml:sections.log.log_checks.options.relevant"] == "relevant to my page"
