"""Picking from a list, by name or by number: one (`choice`) or several (`choices`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.conversation import catalogs, prose
from bot.conversation.rendering import Labels, Reason
from bot.conversation.validators.kind import Invalid, Kind, Result, Valid, quote


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


def _menu(options: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The options' labels, in order: a refusal numbers them, in the reader's language."""
    return tuple(names[0] for names in options.values())


def _lookup(options: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup = {_key(name): option for option, names in options.items() for name in (option, *names)}
    lookup.update({str(n): option for n, option in enumerate(options, 1)})
    return lookup


class _Names:
    """The names an option is known by: its English ones, and — read from the catalogs the first time
    an English name misses, so an English session never loads them — its label in every language the
    bot speaks, as a menu in that language shows it ("lokales Unternehmen")."""

    def __init__(self, options: Mapping[str, Sequence[str]]):
        self.options = options
        self.english = _lookup(options)
        self._all: dict[str, str] | None = None

    def everywhere(self) -> dict[str, str]:
        if self._all is None:
            found = dict(self.english)
            for language in catalogs.LANGUAGES[1:]:
                texts = catalogs.language(language).texts
                for option, names in self.options.items():
                    if (label := texts.get(names[0])) is not None:
                        found.setdefault(_key(label), option)
            self._all = found
        return self._all


def _read_options(words: Sequence[str], lookup: Mapping[str, str]) -> tuple[list[str], str]:
    """Options named in a run of words, longest name first: "1 3 5", "guest posting outreach".
    Returns them and the words from the first one that names nothing ("" if none)."""
    found: list[str] = []
    at = 0
    while at < len(words):
        end = next((e for e in range(len(words), at, -1) if _key(" ".join(words[at:e])) in lookup), None)
        if end is None:
            return found, " ".join(words[at:])
        found.append(lookup[_key(" ".join(words[at:end]))])
        at = end
    return found, ""


def choices(*, options: Mapping[str, Sequence[str]], min_count: int, noun: str = "choice") -> Kind:
    """Several of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu, names = _lookup(options), _menu(options), _Names(options)

    def parse(text: str) -> Result:
        picked: list[str] = []
        loose = False
        for chunk in (t for t in re.split(r"[,;/+&]|\band\b", text) if t.strip()):
            options, unknown = _read_options(chunk.split(), lookup)
            if unknown:  # named as a menu in another language shows it ("Gastbeiträge")?
                translated, untranslated = _read_options(chunk.split(), names.everywhere())
                options, unknown = (translated, "") if not untranslated else (options, unknown)
            if unknown and any(c.isdigit() for c in unknown):  # a number off the list: "11", "1.5"
                return Invalid(Reason("reason.choice.unknown", said=quote(unknown), noun=noun, options=menu))
            if unknown:  # "maybe some PR": the options a sentence names, its filler words aside
                # (by any name, in any language the bot speaks: "surtout des citations locales")
                options, unnamed = prose.options_in(chunk, names.everywhere())  # none: it only left some out ("no PR")
                if unnamed:
                    said = quote(" ".join(unnamed))
                    return Invalid(Reason("reason.choice.unknown", said=said, noun=noun, options=menu))
                loose = True
            picked += [option for option in options if option not in picked]
        if len(picked) < min_count:
            return Invalid(Reason("reason.choice.pick", least=min_count, noun=noun, options=menu))
        return Valid(picked, loose=loose)

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: Labels(tuple(options[v][0] for v in value)), labels, many=True)


def choice(*, options: Mapping[str, Sequence[str]], noun: str = "choice") -> Kind:
    """One of `options` (id -> names it is known by), by name or by number in the list."""
    lookup, menu, names = _lookup(options), _menu(options), _Names(options)

    def parse(text: str) -> Result:
        option = lookup.get(_key(text)) or names.everywhere().get(_key(text))
        if option is not None:
            return Valid(option)
        # "it's a local bakery", "eine Bäckerei mit Onlineshop": the other words aside
        named, _ = prose.options_in(text, names.everywhere())
        if len(named) == 1:
            return Valid(named[0], loose=True)
        if named:
            return Invalid(Reason("reason.choice.either", said=quote(text), named=[options[o][0] for o in named]))
        return Invalid(Reason("reason.choice.unknown", said=quote(text), noun=noun, options=menu))

    labels = tuple((option, names[0]) for option, names in options.items())
    return Kind(parse, lambda value: options[value][0], labels)
