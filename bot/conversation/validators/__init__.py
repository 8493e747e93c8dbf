"""Answer validators: pure functions from the text a user typed to a value or a reason, one module
a kind of answer: `numbers` (integer, number), `domains`, `competitors`, `choices` (choice,
choices), `text` (text, file, secret), all built on `kind` (Valid, Invalid, Kind).

Every platform runs the same validators, so a bad answer gets the same message everywhere. A
question in knowledge/questions.yaml names its validator by `kind`; `KINDS` maps those names to
factories taking the question's parameters, so an unknown kind fails when the knowledge loads.
Each kind also knows how to show a stored value back as text (for defaults and answer files).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.conversation.validators.choices import choice, choices
from bot.conversation.validators.competitors import competitors
from bot.conversation.validators.domains import domain
from bot.conversation.validators.kind import Kind
from bot.conversation.validators.numbers import integer, number
from bot.conversation.validators.text import file, free_text, secret

# Kinds that pick from a list name the list (`options: strategies`); the knowledge passes the lists
# in, so a question can offer the strategies or the kinds of site without code knowing either.
OPTION_NOUNS = {"strategies": "strategy", "site_kinds": "site_kind"}  # as a refusal names them


def make_kind(
    name: str,
    params: Mapping[str, Any],
    option_sets: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    example: str | None = None,
    what: str | None = None,
) -> Kind:
    """Build the validator a question names; unknown names fail loudly at start-up.
    A figure's kind is told the question's example and name, so a refusal can show what works."""
    if name in ("choice", "choices") and isinstance(params.get("options"), str):
        listed = params["options"]
        if listed not in option_sets:
            raise ValueError(f"unknown option list {listed!r}; known: {', '.join(option_sets)}")
        noun = OPTION_NOUNS.get(listed, "choice")
        rest = {k: v for k, v in params.items() if k != "options"}
        if name == "choice":
            return choice(options=option_sets[listed], noun=noun, **rest)
        return choices(options=option_sets[listed], noun=noun, **rest)
    try:
        factory = KINDS[name]
    except KeyError:
        raise ValueError(f"unknown question kind {name!r}; known: {', '.join(KINDS)}") from None
    extra: dict[str, Any] = {}
    if name in _FIGURES:
        extra = {"example": example} | ({"what": what} if what and name != "competitors" else {})
    return factory(**params, **extra)


_FIGURES = {"integer", "number", "competitors"}  # the kinds whose refusals give an example


KINDS: dict[str, Callable[..., Kind]] = {
    "integer": integer,
    "number": number,
    "domain": domain,
    "competitors": competitors,
    "text": free_text,
    "file": file,
    "secret": secret,
    "choices": lambda *, options, min_count=0: choices(
        options={k: tuple(v) for k, v in options.items()}, min_count=min_count
    ),
    "choice": lambda *, options: choice(options={k: tuple(v) for k, v in options.items()}),
}
