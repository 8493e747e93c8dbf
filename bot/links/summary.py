"""What the last checks found, as a check-in and `show` say it (templates links.* in
knowledge/messages.yaml): "11 of 12 links you logged are live; lost: yell.com (404),
localpaper.co.uk (now nofollow)". Pure."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.replies import Text, text
from bot.links.store import CheckedLink


def _why(link: CheckedLink) -> str:
    return f"now {link.detail}" if link.state == "not_followed" else link.detail


def lost(links: Sequence[CheckedLink]) -> list[CheckedLink]:
    """Links the site answered for sure are gone or no longer followed: worth reclaiming."""
    return [link for link in links if link.state in ("lost", "not_followed")]


def checked(links: Sequence[CheckedLink]) -> Text | None:
    """The check-in's line; None when no logged link was checked yet."""
    if not links:
        return None
    return text(
        "links.checked",
        live=sum(link.state == "live" for link in links),
        total=len(links),
        lost=[f"{link.domain} ({_why(link)})" for link in lost(links)],
        unchecked=sum(link.state == "unchecked" for link in links),
    )


def states(links: Sequence[CheckedLink]) -> Text | None:
    """`show`'s line: each checked link's state."""
    if not links:
        return None
    shown = {"live": "live", "unchecked": "not checked ({})", "lost": "lost ({})", "not_followed": "now {}"}
    return text("links.states", links=[f"{link.domain} {shown[link.state].format(link.detail)}" for link in links])
