"""How a capability plugs into the engine: the request its handlers receive and the tables it fills.

A capability (planning, the monthly check-ins, exports) is built with the services it needs
(store, knowledge, clock) and hands the engine a `Plugs`: its commands by name, its form
handlers and extra form checks by form name, its buttons by action, and any notice to show first.
It never imports the engine; the engine merges every capability's tables and routes events
through them, so adding a command or a button is a row in one capability, not a new branch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.events import ChannelKey, Event
from bot.core.replies import Reply


@dataclass(frozen=True, slots=True)
class Request:
    """A command as handlers see it, whichever event carried it."""

    channel: ChannelKey
    user: str
    argument: str = ""
    conversational: bool = True  # questions one at a time (a chat), or forms (Slack, Discord)
    timezone: str | None = None
    file: str | None = None  # a local copy of a file the user handed over
    submission: str | None = None  # a form submission's identity: worked twice, it still counts once
    manages: bool = False  # may change the workspace's settings (a data provider's key)
    read: Mapping[str, Any] | None = None  # a form's answers already read at its ack (Engine.read)


Command = Callable[[Request], Awaitable[list[Reply]]]
FormHandler = Callable[[Request, Mapping[str, str]], Awaitable[list[Reply]]]
FormCheck = Callable[[Mapping[str, str]], dict[str, str]]  # pure: {field: reason} for the bad ones
ButtonHandler = Callable[[Request, str], Awaitable[list[Reply]]]  # the request and the button's value
Notice = Callable[[ChannelKey], Awaitable[list[Reply]]]  # said before a command's replies, if any
EventHandler = Callable[[Any], Awaitable[list[Reply]]]  # an event that is no command (a page opened)


@dataclass(frozen=True)
class Plugs:
    commands: Mapping[str, Command] = field(default_factory=dict)
    forms: Mapping[str, FormHandler] = field(default_factory=dict)
    checks: Mapping[str, FormCheck] = field(default_factory=dict)
    buttons: Mapping[str, ButtonHandler] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    events: Mapping[type[Event], EventHandler] = field(default_factory=dict)
    # Commands, forms and buttons (by name) after which a channel's plan, progress or check-in may
    # have changed: the pages that show it (Slack's App Home) are brought up to date.
    changes: frozenset[str] = frozenset()
    # Commands whose words carry a secret (`connect dataforseo LOGIN:PASSWORD`): a line of chat
    # naming one is never kept where lines are kept (a terminal's history).
    secrets: frozenset[str] = frozenset()
    # Lines of chat said as a sentence that mean a command ("I built 2 links" is `log 2 links`):
    # a pattern matched at the start of the line → the command, given the rest of the line.
    sayings: Mapping[str, str] = field(default_factory=dict)


class Capability(Protocol):
    def plugs(self) -> Plugs: ...


def merged(all_plugs: Iterable[Plugs]) -> Plugs:
    """Every capability's tables as one; a name claimed twice is a mistake found at start-up."""
    tables: dict[str, dict] = {"commands": {}, "forms": {}, "checks": {}, "buttons": {}, "events": {}, "sayings": {}}
    notices: list[Notice] = []
    changes: set[str] = set()
    secrets: set[str] = set()
    for plugs in all_plugs:
        for kind, table in tables.items():
            for name, handler in getattr(plugs, kind).items():
                if name in table:
                    raise ValueError(f"two capabilities claim the {kind[:-1]} {name!r}")
                table[name] = handler
        notices += plugs.notices
        changes |= plugs.changes
        secrets |= plugs.secrets
    return Plugs(**tables, notices=tuple(notices), changes=frozenset(changes), secrets=frozenset(secrets))
