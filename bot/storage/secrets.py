"""Secrets at rest (provider keys; the Slack adapter's tokens use the same format): sealed with
BACKLINKS_TOKEN_KEY, so a copy of the database (a backup, a leaked dump) holds no usable key.

A sealed value is stored as `fernet:<token>`; a value without the prefix was stored while no key
was set and is read as it is. The first key seals; every key opens (rotation: the new key first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

PREFIX = "fernet:"


class TokenKeyError(RuntimeError):
    """A stored secret can't be opened with the configured keys: `missing` when no key is set at
    all, else the key was changed without keeping the old one after it (NEW,OLD)."""

    def __init__(self, message: str, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing


def cipher(keys: str) -> MultiFernet:
    """The first key encrypts; every key decrypts (rotation: put the new key first)."""
    from cryptography.fernet import Fernet, MultiFernet  # imported when a key is set, not at every start

    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])


class Sealer:
    def __init__(self, keys: str | None):
        self.fernet = cipher(keys) if keys else None

    def seal(self, value: str) -> str:
        return value if self.fernet is None else PREFIX + self.fernet.encrypt(value.encode()).decode()

    def reseal(self, stored: str) -> str:
        """A stored value sealed with the first key: a plain one sealed, one under an older key
        rotated to the first (so the old key can then be dropped). Raises TokenKeyError if no key
        opens it."""
        if self.fernet is None:
            raise TokenKeyError("BACKLINKS_TOKEN_KEY is not set", missing=True)
        if not stored.startswith(PREFIX):
            return self.seal(stored)
        self.open(stored)
        return PREFIX + self.fernet.rotate(stored[len(PREFIX) :].encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored
        if self.fernet is None:
            raise TokenKeyError("a stored key is encrypted but BACKLINKS_TOKEN_KEY is not set", missing=True)
        from cryptography.fernet import InvalidToken

        try:
            return self.fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise TokenKeyError("a stored key does not open with BACKLINKS_TOKEN_KEY (was the key changed?)") from None
