"""`language`: the language the bot speaks in a channel (English, German, French, Spanish).

A channel's choice wins; without one, the language the platform says the person uses (Discord's
interaction locale; the terminal's LC_ALL, LC_MESSAGES or LANG), else English. Every reply carries the
language it is to be rendered in (bot/core/replies.Reply.language), and each adapter renders it so.

The chosen languages are few rows, kept in memory and read again every REFRESH_SECONDS, so a reply
costs no database read for this (a choice made in another process shows within that time)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

from bot.conversation.catalogs import LANGUAGE_NAMES, LANGUAGES
from bot.core.events import ChannelKey
from bot.core.feature import Plugs, Request
from bot.core.replies import Paragraph, Reply, text
from bot.languages.store import LanguageStore
from bot.storage.store import Store

REFRESH_SECONDS = 60.0

# What people type for each language: its code, its own name and its English one.
NAMES = {
    "en": ("en", "english", "englisch", "anglais", "inglés", "ingles"),
    "de": ("de", "deutsch", "german", "allemand", "alemán", "aleman"),
    "fr": ("fr", "français", "francais", "french", "französisch", "franzosisch", "francés", "frances"),
    "es": ("es", "español", "espanol", "spanish", "spanisch", "espagnol"),
}
AUTO = ("auto", "default", "reset")


def supported(locale: str | None) -> str | None:
    """ "de", "de-DE", "es-419", "fr_FR.UTF-8" → the language we speak; None if not one of ours."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].split(".")[0].lower()
    return code if code in LANGUAGES else None


def parse(word: str) -> str | None:
    said = word.strip().lower()
    return next((code for code, names in NAMES.items() if said in names), None)


class Languages:
    def __init__(self, *, store: Store):
        self.store = LanguageStore.on(store)
        self._chosen: dict[ChannelKey, tuple[int, str]] = {}
        self._read_at = -REFRESH_SECONDS

    def plugs(self) -> Plugs:
        return Plugs(commands={"language": self.language}, changes=frozenset({"language"}))

    async def of(self, channel: ChannelKey, locale: str | None = None) -> str:
        """The language to speak in this channel, to a person whose platform says `locale`."""
        await self._fresh()
        chosen = self._chosen.get(channel)
        return chosen[1] if chosen else supported(locale) or "en"

    async def chosen(self, channel: ChannelKey) -> str | None:
        """The language this channel chose (None: it follows each person's), with no database read
        most of the time: an adapter asks before it spends a call on learning a person's locale."""
        await self._fresh()
        chosen = self._chosen.get(channel)
        return chosen[1] if chosen else None

    async def of_ids(self, channel_ids: Iterable[int]) -> dict[int, str]:
        """The chosen language of each of these channels that chose one (a check-in batch)."""
        await self._fresh()
        by_id = {channel_id: language for channel_id, language in self._chosen.values()}
        return {i: by_id[i] for i in channel_ids if i in by_id}

    async def _fresh(self) -> None:
        if time.monotonic() - self._read_at >= REFRESH_SECONDS:
            self._chosen = await self.store.chosen()
            self._read_at = time.monotonic()

    async def language(self, request: Request) -> list[Reply]:
        said = request.argument.strip()
        names = [LANGUAGE_NAMES[c] for c in LANGUAGES]
        if not said:
            await self._fresh()
            chosen = self._chosen.get(request.channel)
            current = LANGUAGE_NAMES[chosen[1]] if chosen else None
            return [_info("language.status", current=current, languages=names, terminal=_terminal(request))]
        if said.lower() in AUTO:
            await self.store.choose(request.channel, None)
            self._chosen.pop(request.channel, None)
            return [_info("language.auto", terminal=_terminal(request))]
        code = parse(said)
        if code is None:
            return [_info("language.unknown", said=said, languages=names)]
        channel_id = await self.store.choose(request.channel, code)
        self._chosen[request.channel] = (channel_id, code)
        return [replace(_info("language.set", language=LANGUAGE_NAMES[code]), language=code)]


def spoken(replies: list[Reply], language: str) -> list[Reply]:
    """The replies, each to be rendered in `language` (a reply that names its own keeps it)."""
    if language == "en":
        return replies
    return [reply if reply.language != "en" else replace(reply, language=language) for reply in replies]


def _terminal(request: Request) -> bool:
    """In the terminal the language comes from its locale settings, not from an app's."""
    return request.channel.platform == "console"


def _info(template: str, **values) -> Reply:
    return Reply("info", (Paragraph(text(template, **values)),), private=True)
