"""Reminders in the terminal: printed where the console chat (or `reminders run-once`) runs."""

from __future__ import annotations

import sys
from typing import TextIO

from adapters.console.layout import terminal_width
from adapters.console.output import TERMINAL, write
from adapters.console.text import render
from bot.conversation.rendering import Renderer
from bot.core.events import ChannelKey
from bot.core.replies import Reply


class ConsoleNotifier:
    platform = "console"

    def __init__(self, renderer: Renderer, out: TextIO = sys.stdout):
        self.renderer = renderer
        self.out = out

    async def send(self, channel: ChannelKey, reply: Reply) -> None:
        # Every console channel on this database shows here, so say which one it is for.
        write(self.out, f"\n[{channel.channel}]\n{render(reply, self.renderer, terminal_width(self.out))}\n\n")

    @classmethod
    def plain(cls, knowledge, out: TextIO = sys.stdout) -> ConsoleNotifier:
        return cls(Renderer(knowledge, TERMINAL), out)
