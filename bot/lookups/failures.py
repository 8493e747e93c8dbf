"""Why the service looked nothing up, besides a provider's own failure (`LookupFailed`): this
workspace's budget is spent, the deployment's shared key reached its monthly cap, or the key
connected here can't be opened. Each is said to the user (bot/lookups/notices.py), never raised
past a reply."""

from __future__ import annotations

import hashlib

from bot.lookups.provider import LookupFailed
from bot.lookups.store import StoredKey


class OverBudget(LookupFailed):
    """This workspace's lookups for the month are spent."""


class OverCap(LookupFailed):
    """The deployment's own key has made its lookups for the month, every workspace's together."""

    def __init__(self, label: str, cap: int):
        super().__init__(f"the bot's shared {label} key has made its {cap} lookups this month")
        self.label = label
        self.cap = cap


class UnreadableKey(LookupFailed):
    """The key connected in this workspace is stored sealed, and BACKLINKS_TOKEN_KEY does not open
    it: not set (`missing`), or changed without the old key kept after the new one. Its message
    names the provider and the key's last 4 characters, never more."""

    def __init__(self, stored: StoredKey, label: str, *, missing: bool):
        why = "BACKLINKS_TOKEN_KEY is not set" if missing else "it does not open with BACKLINKS_TOKEN_KEY"
        super().__init__(f"the {label} key connected here (ending {stored.last4}) can't be opened: {why}")
        self.provider = stored.provider
        self.label = label
        self.last4 = stored.last4
        self.missing = missing
        # What a notice about it is said once for: this stored key (a new `connect` is a new one),
        # as a digest of its sealed form. The token key is the process's own: a restart may change it.
        self.state = "unreadable:" + hashlib.sha256(stored.secret.encode()).hexdigest()[:16]
