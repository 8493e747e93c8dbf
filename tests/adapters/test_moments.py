"""A moment in a message (the next check-in) as each platform shows it: Slack's and Discord's
clients turn their markup into each reader's own time zone; the terminal names the channel's."""

from __future__ import annotations

import datetime as dt

from bot.conversation.rendering import MARKDOWN, PLAIN, Renderer
from bot.core.moments import Moment
from bot.core.replies import text
from bot.planning.knowledge import load

KNOWLEDGE = load()
DUE = dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 in Paris
EPOCH = 1801468800
GREETING = text("greeting.plan", site="example.com", target={"low": 6, "high": 8}, check_in=Moment(DUE, "Europe/Paris"))


def test_the_epoch_is_the_moment():
    assert Moment(DUE, "Europe/Paris").epoch == EPOCH == int(DUE.timestamp())


def test_the_terminal_and_markdown_name_the_channels_zone():
    for dialect in (PLAIN, MARKDOWN):
        assert "Next check-in: Mon 1 Feb 2027, 09:00 (Europe/Paris)." in Renderer(KNOWLEDGE, dialect).text(GREETING)


def test_slack_shows_it_in_each_readers_zone_with_the_channels_as_fallback():
    from adapters.slack.blocks import SlackRenderer

    said = SlackRenderer(KNOWLEDGE).mrkdwn.text(GREETING)
    fallback = "Mon 1 Feb 2027, 09:00 (Europe/Paris)"
    assert f"Next check-in: <!date^{EPOCH}^{{date_short_pretty}}, {{time}}|{fallback}>." in said
    # Plain-text fields (headers, buttons) cannot hold Slack's markup: the fallback is written.
    assert "Mon 1 Feb 2027, 09:00 (Europe/Paris)" in SlackRenderer(KNOWLEDGE).plain.text(GREETING)


def test_discord_shows_it_in_each_readers_zone():
    from adapters.discord.render import DiscordRenderer

    assert f"Next check-in: <t:{EPOCH}:f>." in DiscordRenderer(KNOWLEDGE).markdown.text(GREETING)
