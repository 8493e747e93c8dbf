"""The catalogs of the bot's words (knowledge/locales): up to date with the knowledge, and every
language complete, each translation a template with the English one's values."""

from __future__ import annotations

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
