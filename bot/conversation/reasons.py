"""Why something typed was refused, as data: the templates of knowledge/reasons.yaml, by id.

A validator (or the log and remind commands) names one with its values as a `Reason`
(bot/conversation/rendering.py), which is the English text too; a renderer says it again in its
own language and markup. A reason's values may be reasons too (a hint after it).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import yaml

from bot.conversation.catalogs import KNOWLEDGE

FILE = "reasons.yaml"


@cache
def templates() -> Mapping[str, str]:
    """The reasons' templates by id (English), read once."""
    return yaml.safe_load((KNOWLEDGE / FILE).read_text(encoding="utf-8"))
