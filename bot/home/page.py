"""A person's page as neutral blocks: a pure function of what it lists (no I/O, no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.core.events import ChannelKey
from bot.core.moments import Moment, MonthName
from bot.core.replies import Button, Heading, Item, Paragraph, Reply, text
from bot.monthly.summary import ChannelSummary

# Slack's Home view holds 100 blocks; the page's own take about ten, one a channel: fifty channels
# (the most recently used) leave room, and a line says how many more there are.
MOST_CHANNELS = 50


@dataclass(frozen=True, slots=True)
class Provider:
    """The backlink data provider connected in the workspace: its name and its key's last 4 only."""

    label: str
    last4: str
    own: bool  # connected in this workspace (else the bot's own key)
    readable: bool = True  # False: stored sealed, and BACKLINKS_TOKEN_KEY no longer opens it


def page(
    channels: Sequence[tuple[ChannelKey, ChannelSummary | None]],
    *,
    total: int,
    provider: Provider | None,
    providers: bool,
) -> Reply:
    """The page: each channel's plan (None: no plan there yet) with a button that opens the channel,
    how to start, the provider connected (if this bot has any) and help. `total`: how many
    channels the person has used the bot in (the page lists at most MOST_CHANNELS)."""
    blocks: list = [Heading(text("home.heading")), Paragraph(text("welcome"))]
    shown = list(channels)[:MOST_CHANNELS]
    if shown:
        blocks.append(Heading(text("home.plans")))
        for channel, summary in shown:
            blocks.append(Item(_line(summary), Button("open_channel", text("button.open_channel"), opens=channel)))
        if total > len(shown):
            blocks.append(Paragraph(text("home.more", more=total - len(shown))))
    blocks.append(Heading(text("home.start")))
    blocks.append(Paragraph(text("welcome.steps")))
    if providers or provider is not None:
        values = asdict(provider) if provider else {}
        blocks.append(Paragraph(text("home.provider", connected=provider is not None, **values)))
    blocks.append(Heading(text("help.heading")))
    blocks.append(Paragraph(text("help.commands", forms=True)))
    return Reply("home", tuple(blocks), private=True, summary=text("home.heading"))


def welcome() -> Reply:
    """The one message a person gets when they install the bot or first open its page."""
    blocks = (Paragraph(text("welcome")), Paragraph(text("welcome.steps")))
    return Reply("info", blocks, private=True, summary=text("welcome"))


def _line(summary: ChannelSummary | None):
    if summary is None:
        return text("home.no_plan")
    return text(
        "home.plan",
        site=summary.site,
        target=summary.target,
        month=_month_name(summary.month),
        logged=summary.logged,
        build=summary.build,
        check_in=Moment(summary.next_check_in, summary.timezone) if summary.next_check_in else "",
    )


def _month_name(key: str) -> MonthName:
    return MonthName(key)  # "December 2026", said in the reader's language
