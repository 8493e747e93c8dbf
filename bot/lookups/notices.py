"""What people are told when figures can't be looked up here (knowledge/messages.yaml, `lookup.*`):
the plan goes on and the questions are asked; the words say why, and what would put it right."""

from __future__ import annotations

from bot.core.events import ChannelKey
from bot.core.replies import Text, text
from bot.lookups.failures import OverCap, UnreadableKey
from bot.lookups.provider import LookupFailed, reason


def unreadable(error: UnreadableKey, channel: ChannelKey) -> Text:
    """The key connected here can't be opened: why, and the two ways back (the operator's old
    BACKLINKS_TOKEN_KEY, or the key connected again)."""
    return text(
        "lookup.key_unreadable",
        provider=error.label,
        name=error.provider,
        last4=error.last4,
        missing=error.missing,
        platform=channel.platform,
    )


def failed(error: LookupFailed, channel: ChannelKey) -> Text:
    """One sentence for a lookup that could not be made."""
    if isinstance(error, UnreadableKey):
        return unreadable(error, channel)
    if isinstance(error, OverCap):
        return text("lookup.cap_reached", provider=error.label, cap=error.cap, platform=channel.platform)
    return text("lookup.failed", reason=reason(error))
