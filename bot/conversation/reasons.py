"""Why something typed was refused, as data: a template of knowledge/reasons.yaml and its values.

A `Reason` is also the English text itself (a str), so whatever reads a reason as text — a log
line, a CLI's problem list, a form check that can't know the reader — keeps working unchanged;
a renderer that meets one as a value says it again from its template, in its own language and
markup (bot/conversation/rendering.py). A reason's values may be reasons too (a hint after it).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import yaml

from bot.conversation.catalogs import KNOWLEDGE

FILE = "reasons.yaml"


@cache
def templates() -> Mapping[str, str]:
    """The reasons' templates by id (English), read once."""
    return yaml.safe_load((KNOWLEDGE / FILE).read_text(encoding="utf-8"))


class Reason(str):
    """A refusal's reason: its English text, plus the template and values it was made from."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Reason:
        made = super().__new__(cls, _english().render(template, values))
        made.template = template
        made.values = values
        return made

    def __reduce__(self):  # copied or pickled as what it was made from, not its text
        return _again, (self.template, dict(self.values))


def _again(template: str, values: Mapping[str, Any]) -> Reason:
    return Reason(template, **values)


class _Reasons:
    """What the English renderer needs of the knowledge: the reasons' templates (none names a strategy)."""

    strategies: Mapping[str, Any] = {}

    @property
    def templates(self) -> Mapping[str, str]:
        return templates()


@cache
def _english():
    from bot.conversation.rendering import PLAIN, Renderer  # (rendering knows reasons as values)

    return Renderer(_Reasons(), PLAIN)
