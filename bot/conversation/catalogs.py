"""The bot's words in other languages: gettext catalogs (Babel) beside the knowledge they translate.

Every text the knowledge holds for people to read — the message templates (knowledge/messages.yaml),
the refusals' reasons (reasons.yaml), the questions and their sections, the checklist, the
strategies' and kinds of site's labels, the labels of a question's own options ("yes", "my site"),
the planner's labels and assumptions (shown by `why`) — is
one catalog entry, its context naming where it is (`messages.yaml:plan.noted`,
`questions.yaml:site.prompt`), its id the English text. The words the renderer's filters put around
figures ("and", "about", "a month") are entries too (`words:…`).
Translations live in knowledge/locales/<language>/LC_MESSAGES/backlinks.po; a template's translation
is a jinja template like the English one, with the same values.

    python -m bot.conversation.catalogs      # re-extract knowledge/locales/backlinks.pot, update each .po

A test fails when an entry lacks a translation or a translation's placeholders differ.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.moments import Moment

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
# Discord's command picker shows descriptions the adapter declares (marked `described("…")`).
DISCORD_COMMANDS = KNOWLEDGE.parent / "adapters" / "discord" / "commands.py"
LOCALES = KNOWLEDGE / "locales"
DOMAIN = "backlinks"
LANGUAGES = ("en", "de", "fr", "es")  # English is the source; the others have catalogs
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}

# Keys whose string values people read, in the knowledge files other than messages.yaml (all of
# whose values are texts). Ids, kinds, validator parameters, sources and aliases are not.
# An example is left as it is: it shows what the validators read, and they read English words.
TEXT_KEYS = frozenset({"text", "title", "intro", "label", "name", "prompt", "why", "asset", "assumption"})
LIST_KEYS = frozenset({"levels"})  # lists of texts (a scale's steps)
TEMPLATE_FILES = ("messages.yaml", "reasons.yaml")  # every value a template (a refusal's reason, or a reply's)
NOT_TRANSLATED = frozenset({"sources.yaml", "export_formats.yaml"})  # titles of cited works; tools' columns

# The words the renderer's filters write themselves (bot/conversation/rendering.py).
WORDS = {
    "and": "and",
    "about": "about",
    "none": "none",
    "a month": "a month",
    "a quarter": "a quarter",
    "a year": "a year",
    "last day": "last day",  # of the month, as in "on the last day of each month"
}

# A day of the month as each language writes it before "of each month" ("1.", "1er", "1").
ORDINALS = {"de": "{}.", "fr": "{}", "es": "{}"}
FIRST = {"fr": "1er"}


def entries() -> Iterator[tuple[str, str, str]]:
    """(context, English text, file) for every translatable text of the knowledge, in file order."""
    for path in sorted(KNOWLEDGE.glob("*.yaml")):
        if path.name in NOT_TRANSLATED:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name in TEMPLATE_FILES:
            for key, value in data.items():
                yield f"{path.name}:{key}", str(value), path.name
            continue
        for where, value in _texts(data, ()):
            yield f"{path.name}:{where}", value, path.name
    for key, value in WORDS.items():
        yield f"words:{key}", value, "rendering.py"
    if DISCORD_COMMANDS.exists():  # (a plain install has the adapters too; a trimmed one may not)
        from babel.messages.extract import extract_from_file

        for _, text, _, _ in extract_from_file("python", str(DISCORD_COMMANDS), keywords={"described": None}):
            yield f"discord:{text}", text, "discord/commands.py"


def _texts(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        name = str(node.get("id", "")) if "id" in node else None
        here = (*path, name) if name else path
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str) and not _is_figure(value):
                yield ".".join((*here, key)), value
            elif key == "options" and isinstance(value, dict):  # a question's own options: their labels
                for option, names in value.items():
                    if isinstance(names, list) and names and isinstance(names[0], str):
                        yield ".".join((*here, "options", str(option))), names[0]
            elif key in LIST_KEYS and isinstance(value, list):
                for n, item in enumerate(value):
                    if isinstance(item, str):
                        yield ".".join((*here, key, str(n))), item
            elif isinstance(value, dict | list):
                yield from _texts(value, here if name else (*here, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, path)


def _is_figure(value: str) -> bool:
    """ "35", "420, 610": an example that is only figures reads the same in every language."""
    return not any(c.isalpha() for c in value)


@cache
def translations(language: str) -> dict[str, tuple[str, str]]:
    """context → (the English text, its translation), for one language (empty for English or a
    language without a catalog); entries without a translation (or marked fuzzy) are left out."""
    if language == "en":
        return {}
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        catalog = read_po(file, locale=language, domain=DOMAIN)
    return {m.context: (m.id, m.string) for m in catalog if m.id and m.context and m.string and not m.fuzzy}


def template_context(name: str) -> str:
    """Where a message template's translation is: a checklist item's text, or messages.yaml."""
    if name.startswith(("checklist.", "quality_bar.")):
        return f"checklist.yaml:{name}.text"
    if name.startswith("reason."):
        return f"reasons.yaml:{name}"
    return f"messages.yaml:{name}"


class Language:
    """One language's words, for a renderer: templates, knowledge texts, the filters' words, numbers
    and plural forms (Babel's CLDR data). English is the knowledge itself."""

    def __init__(self, code: str):
        self.code = code
        found = translations(code)
        self._found = {context: translated for context, (_, translated) in found.items()}
        # Knowledge texts arrive as values (a question's prompt, a strategy's label): by English
        # text, which each catalog entry holds as its id.
        self.texts = {
            english: translated
            for context, (english, translated) in found.items()
            if not context.startswith(("messages.yaml:", "reasons.yaml:", "words:", "checklist.yaml:"))
        }
        self.words = {key: self._found.get(f"words:{key}", value) for key, value in WORDS.items()}
        from babel import Locale

        self._locale = Locale.parse(code)

    def template(self, name: str) -> str | None:
        return self._found.get(template_context(name))

    def number(self, value: float, *, decimals: int) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0" + ("." + "#" * decimals if decimals else ""), locale=self._locale)

    def moment(self, moment: Moment) -> str:
        """ "ven. 1 janv. 2027, 09:00 (Europe/Paris)": in the channel's zone, named, in these words."""
        from zoneinfo import ZoneInfo

        from babel.dates import format_datetime

        local = moment.at.astimezone(ZoneInfo(moment.timezone))
        return f"{format_datetime(local, 'EEE d MMM y, HH:mm', locale=self._locale)} ({moment.timezone})"

    def month(self, key: str) -> str:
        """ "Dezember 2026", "décembre 2026": a month and its year in these words."""
        from babel.dates import format_date

        year, month = (int(p) for p in key.split("-"))
        return format_date(dt.date(year, month, 1), "LLLL y", locale=self._locale)

    def date(self, key: str) -> str:
        """ "30. Nov. 2026", "30 nov. 2026": a day (ISO key) in these words, as CLDR abbreviates it."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMMd", dt.date.fromisoformat(key), locale=self._locale)

    def day(self, day: int) -> str:
        """A day of the month: "15.", "1er", "último día" (0: the last)."""
        if day == 0:
            return self.words["last day"]
        if day == 1 and self.code in FIRST:
            return FIRST[self.code]
        return ORDINALS.get(self.code, "{}").format(day)

    def plural(self, value: float) -> str:
        """CLDR's plural category of a number in this language: "one" or "other" (French: 0 is one)."""
        return self._locale.plural_form(value)


@cache
def language(code: str) -> Language:
    return Language(code)


def extract() -> None:
    """Write the template (.pot) from the knowledge and bring each language's catalog up to it."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project="Backlinks bot", domain=DOMAIN)
    for context, text, source in entries():
        message = template.add(text, context=context, locations=[(source, 0)])
        message.flags.clear()  # Babel guesses "python-format" from a "%" or "{": these are jinja
    LOCALES.mkdir(exist_ok=True)
    with (LOCALES / f"{DOMAIN}.pot").open("wb") as file:
        write_po(file, template, omit_header=False, width=0, no_location=True)
    for language in LANGUAGES[1:]:
        path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as file:
                catalog = read_po(file, locale=language, domain=DOMAIN)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="Backlinks bot")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as file:
            write_po(file, catalog, width=0, no_location=True, ignore_obsolete=True)
        done = sum(1 for m in catalog if m.id and m.string)
        print(f"{path.relative_to(KNOWLEDGE.parent)}: {done} of {len(template)} translated")


if __name__ == "__main__":
    extract()
    sys.exit(0)
