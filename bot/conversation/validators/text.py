"""Free answers: text of a bounded length, a file, a secret key (never shown again in full)."""

from __future__ import annotations

from bot.conversation.rendering import Reason
from bot.conversation.validators.kind import Invalid, Kind, Result, Valid


def free_text(*, max_length: int) -> Kind:
    def parse(text: str) -> Result:
        text = text.strip()
        if len(text) > max_length:
            return Invalid(Reason("reason.text.too_long", length=len(text), limit=max_length))
        return Valid(text)

    return Kind(parse, lambda value: value)


def file() -> Kind:
    """A file the adapter stored locally (its path): forms with a file input."""

    def parse(text: str) -> Result:
        return Valid(text.strip()) if text.strip() else Invalid(Reason("reason.file.missing"))

    return Kind(parse, lambda value: value)


def secret(*, max_length: int) -> Kind:
    """A key or password: one word, never quoted back in a refusal and never shown again (a form
    never pre-fills it; shown, it is its last 4 characters)."""

    def parse(text: str) -> Result:
        text = text.strip()
        if not text:
            return Invalid(Reason("reason.secret.missing"))
        if len(text) > max_length:
            return Invalid(Reason("reason.secret.too_long", length=len(text), limit=max_length))
        if any(c.isspace() for c in text):
            return Invalid(Reason("reason.secret.spaces"))
        return Valid(text)

    return Kind(parse, lambda value: f"…{value[-4:]}")
