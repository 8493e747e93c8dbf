"""What adapters hand to the engine: small, platform-neutral events.

Adapters translate a platform payload into one of these (opsdroid's table of event types) and
`await engine.handle(event)`. A channel is keyed explicitly as (platform, workspace, channel);
an answer session in progress is that key plus the user, so two people never mix answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ChannelKey:
    platform: str  # "console", "slack", "discord", "memory"
    workspace: str  # Slack team id, Discord guild id, "local" for the console
    channel: str


@dataclass(frozen=True, slots=True)
class Said:
    """A line of chat: a command (`plan rd=140`) or the answer to the question last asked.

    For platforms that converse one question at a time (the terminal, a chat thread)."""

    channel: ChannelKey
    user: str
    text: str
    timezone: str | None = None  # the user's IANA time zone, where the platform knows it
    file: str | None = None  # a local copy of a file the user handed over (`import`)
    manages: bool = False  # may change this workspace's settings (the console's own user; a server manager)
    locale: str | None = None  # the language the platform says the person uses ("de", "es-ES")


@dataclass(frozen=True, slots=True)
class Invoked:
    """A slash command (`/backlinks plan rd=140`) on a platform that shows forms for questions."""

    channel: ChannelKey
    user: str
    command: str
    text: str = ""
    timezone: str | None = None
    file: str | None = None
    manages: bool = False
    # The platform's id of this request (Discord's interaction id, Slack's trigger id): a change it
    # asks for is made once however often it is delivered. None where there is none (the terminal).
    request: str | None = None
    locale: str | None = None  # the language the platform says the person uses ("de", "es-ES")


@dataclass(frozen=True, slots=True)
class Submitted:
    """Values typed into a form: one section (a Discord modal) or all of them (a Slack modal)."""

    channel: ChannelKey
    user: str
    values: Mapping[str, str] = field(default_factory=dict)
    timezone: str | None = None
    form: str = "plan"  # "plan", "log", "import" or "connect"
    request: str | None = None  # the submission's identity: worked twice, it still makes one plan
    manages: bool = False  # may change this workspace's settings (checked again at submission)
    locale: str | None = None  # the language the platform says the person uses ("de", "es-ES")
    # The answers as read when the form was checked before its ack (Engine.read), or None: parsed
    # here. A stored submission carries them, so its worker does not parse every answer again.
    read: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Pressed:
    """A button on one of the bot's messages (`replan`, `details`)."""

    channel: ChannelKey
    user: str
    action: str
    value: str = ""
    manages: bool = False  # may change this workspace's settings (read again at the press)
    request: str | None = None  # the platform's id of this press: a change it asks for is made once
    locale: str | None = None  # the language the platform says the person uses ("de", "es-ES")


@dataclass(frozen=True, slots=True)
class Opened:
    """Someone opened the bot's own page in a workspace (Slack's App Home tab)."""

    channel: ChannelKey  # the workspace, and the bot's direct conversation with the user (Slack's D…)
    user: str


@dataclass(frozen=True, slots=True)
class Installed:
    """Someone installed the bot in a workspace (Slack's OAuth install)."""

    channel: ChannelKey  # the workspace, and where to write to the installer (Slack: their user id)
    user: str


Event = Said | Invoked | Submitted | Pressed | Opened | Installed
