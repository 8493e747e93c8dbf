"""A moment a message names (the next check-in, when an entry was logged), kept as a moment.

The core does not format it: each platform shows it its own way, so every reader sees it in their
own time zone — Slack's `<!date^…>` and Discord's `<t:…>` are turned into the reader's local time
by the client. Where the platform cannot (the terminal, Markdown, a plain-text field), it is written
in the channel's time zone, named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Moment:
    at: dt.datetime  # aware
    timezone: str  # the channel's zone: the fallback's

    @property
    def epoch(self) -> int:
        return int(self.at.timestamp())

    def local(self) -> str:
        """ "Fri 1 Jan 2027, 09:00 (Europe/London)": in the channel's zone, named."""
        local = self.at.astimezone(ZoneInfo(self.timezone))
        return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} ({self.timezone})"

    def __str__(self) -> str:
        return self.local()
