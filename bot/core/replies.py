"""What the engine returns: neutral replies that each adapter renders in its platform's idiom.

Texts are references to templates in knowledge/messages.yaml plus their values, not finished
strings: escaping user text is the renderer's job, per platform (Slack mrkdwn, Discord markdown,
the terminal), so the engine never needs to know where a reply is going.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bot.core.events import ChannelKey

if TYPE_CHECKING:
    from bot.core.plan import Plan


@dataclass(frozen=True, slots=True)
class Text:
    template: str
    values: Mapping[str, Any] = field(default_factory=dict)


def text(template: str, **values: Any) -> Text:
    return Text(template, values)


@dataclass(frozen=True, slots=True)
class Heading:
    text: Text


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Text


@dataclass(frozen=True, slots=True)
class Fields:
    """Label/value pairs (Slack section fields, Discord embed fields)."""

    items: tuple[tuple[Text, Text], ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    title: Text | None
    items: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Button:
    action: str  # stable id: "replan", "details"; the console shows it as the word to type
    label: Text
    value: str = ""
    opens: ChannelKey | None = None  # a link that opens this channel (each platform's own URL), not an action


@dataclass(frozen=True, slots=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """A line with one button beside it (a channel on a page, and the button that opens it)."""

    text: Text
    button: Button


@dataclass(frozen=True, slots=True)
class Image:
    """A picture (a progress chart): Slack uploads it, Discord attaches it, the terminal saves it.
    `alt` says the same in words, for screen readers and wherever a picture can't go."""

    data: bytes = field(repr=False)
    filename: str
    alt: Text


@dataclass(frozen=True, slots=True)
class File:
    """A file that goes with the reply (a channel's history as CSV): Slack uploads it, Discord
    attaches it, the terminal saves it. `alt` says what it holds, in words."""

    data: bytes = field(repr=False)
    filename: str
    alt: Text


Block = Heading | Paragraph | Fields | Bullets | Buttons | Item | Image | File


def images(reply: Reply) -> list[Image]:
    return [block for block in reply.blocks if isinstance(block, Image)]


def files(reply: Reply) -> list[File]:
    return [block for block in reply.blocks if isinstance(block, File)]


@dataclass(frozen=True, slots=True)
class Form:
    """Ask for these questions at once (a Slack modal, Discord modals of one section each)."""

    question_ids: tuple[str, ...]
    values: Mapping[str, str]  # pre-filled text: inline answers, else the previous plan's
    errors: Mapping[str, str] = field(default_factory=dict)
    name: str = "plan"  # which form: "plan" (the questionnaire) or "log" (links built)


# "home": a person's own page (Slack's App Home), published there rather than posted.
Kind = Literal["info", "help", "question", "invalid", "plan", "why", "form", "field_errors", "home"]


@dataclass(frozen=True, slots=True)
class Reply:
    kind: Kind
    blocks: tuple[Block, ...] = ()
    private: bool = False  # only the person who asked sees it
    summary: Text | None = None  # plain text for notifications and fallbacks
    form: Form | None = None
    plan: Plan | None = None
    language: str = "en"  # what to render it in (bot/languages/): a code of bot/conversation/catalogs.LANGUAGES
