"""What refuses an export, a data provider's key or a lookup is worded by a reason
(knowledge/reasons.yaml), never by an English string in the code: the code is read for any such
refusal made from a text, and each reason is said in German, French and Spanish, with its values."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.conversation import reasons
from bot.conversation.rendering import PLAIN, Reason, Renderer
from bot.core.replies import text
from bot.planning import knowledge

ROOT = Path(__file__).resolve().parents[3]
# The failures people read (an import refused, a key refused, a lookup that could not be made).
SAID = {"ExportError", "LookupFailed", "RefusedKey", "OutOfCredit", "OverBudget"}
# Where a ValueError is a refusal people read: a provider unknown, a key of the wrong shape.
VALUE_ERRORS = ("bot/lookups/service.py", "providers/moz.py", "providers/dataforseo/connection.py")
FILES = ["bot/exports", "bot/lookups", "providers"]


def _wording(node: ast.AST) -> bool:
    """A text made in the code: a literal, an f-string, or texts added together."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_wording(node.left) or _wording(node.right))


def test_no_refusal_people_read_is_an_english_string_in_the_code():
    offenders = []
    for top in FILES:
        for path in sorted((ROOT / top).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            said = SAID | ({"ValueError"} if where in VALUE_ERRORS else set())
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in said
                    and node.args
                    and _wording(node.args[0])
                ):
                    offenders.append(f"{where}:{node.lineno} {node.func.id}")
    assert offenders == [], "word it in knowledge/reasons.yaml and raise it with a Reason"


# Values each reason may take, as unlike any word as can be, so each is found again in every language.
VALUES = {
    "name": "Qx-Export.csv", "error": "Errno-Qx", "size": 2.5, "limit": 1.5, "unzipped": 3.5, "ratio": 1234,
    "skipped": 7, "format": "Qx backlinks", "first": "Qx,Zy", "files": ["qa.csv"], "more": True,
    "known": ["Qx backlinks"], "sheets": ["QxSheet"], "members": ["qx.csv"], "providers": ["qxprov"],
    "provider": "QxProv", "reason": "Qx-detail", "reasons": [], "spaces": True, "seconds": 10, "budget": 50,
    "domains": ["qx.example"], "count": 3, "code": "",
}  # fmt: skip
# Each of a reason's alternatives (codes), so a branch left in English shows too.
CODES = {
    "reason.lookup.refused_key": ["verify", "paused", "ip", "key", "login"],
    "reason.lookup.no_credit": ["daily_limit", "no_subscription", "low_balance", "no_rows", "no_money"],
}
SHOWN = {  # a figure in each language's format
    "de": {2.5: "2,5", 1.5: "1,5", 3.5: "3,5", 1234: "1.234"},
    "fr": {2.5: "2,5", 1.5: "1,5", 3.5: "3,5", 1234: "1\u202f234"},
    "es": {2.5: "2,5", 1.5: "1,5", 3.5: "3,5", 1234: "1.234"},
}
PREFIXES = ("reason.import.", "reason.connect.", "reason.key.", "reason.lookup.")
SAME_IN_EVERY_LANGUAGE = {"reason.connect.form"}  # only joins other reasons


def _cases():
    for template in reasons.templates():
        if template.startswith(PREFIXES) and template not in SAME_IN_EVERY_LANGUAGE:
            for code in CODES.get(template, [""]):
                yield template, code


@pytest.mark.parametrize("language", ["de", "fr", "es"])
@pytest.mark.parametrize(("template", "code"), list(_cases()))
def test_each_refusal_is_said_in_the_language_with_its_values(template, code, language):
    reason = Reason(template, **{**VALUES, "code": code})
    english = str(reason)
    said = Renderer(knowledge.default(), PLAIN).speaking(language).text(text("question.invalid", reason=reason))
    assert said != english
    for value in VALUES.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and item in english:
                assert item in said, item  # which file, provider, detail
            elif isinstance(item, int | float) and not isinstance(item, bool) and f"{item:,}" in english:
                assert SHOWN[language].get(item, str(item)) in said, item
