"""Free answers: text of a bounded length, a file, a secret key (never shown again in full)."""

from __future__ import annotations

from bot.conversation.validators.kind import Invalid, Kind, Result, Valid


def free_text(*, max_length: int) -> Kind:
    def parse(text: str) -> Result:
        text = text.strip()
        if len(text) > max_length:
            return Invalid(f"That is {len(text):,} characters; keep it under {max_length:,}.")
        return Valid(text)

    return Kind(parse, lambda value: value)


def file() -> Kind:
    """A file the adapter stored locally (its path): forms with a file input."""

    def parse(text: str) -> Result:
        return Valid(text.strip()) if text.strip() else Invalid("Choose a file.")

    return Kind(parse, lambda value: value)


def secret(*, max_length: int) -> Kind:
    """A key or password: one word, never quoted back in a refusal and never shown again (a form
    never pre-fills it; shown, it is its last 4 characters)."""

    def parse(text: str) -> Result:
        text = text.strip()
        if not text:
            return Invalid("Paste the key.")
        if len(text) > max_length:
            return Invalid(f"That is {len(text):,} characters; a key is at most {max_length:,}.")
        if any(c.isspace() for c in text):
            return Invalid("A key has no spaces or line breaks in it; paste it again.")
        return Valid(text)

    return Kind(parse, lambda value: f"…{value[-4:]}")
