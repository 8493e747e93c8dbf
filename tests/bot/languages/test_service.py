"""`language` per channel, on SQLite and PostgreSQL: chosen, shown, cleared, refused with the
languages there are; without a choice the platform's locale (Discord's interaction locale) decides;
every reply carries its language, check-ins included; a choice made in another process is seen
after the refresh."""

from __future__ import annotations

import datetime as dt

import pytest
from support import TYPED_ANSWERS, Clock, MemoryChat

from bot.core.events import ChannelKey, Invoked
from bot.engine import Engine
from bot.languages import service
from bot.languages.service import Languages, parse, supported
from bot.monthly.reminders import ReminderLoop
from bot.planning import knowledge
from bot.storage.store import Store

HERE = ChannelKey("memory", "team-1", "general")


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
async def store(store_url, clock):
    store = await Store.open(store_url, clock=clock)
    yield store
    await store.close()


@pytest.fixture
def engine(store):
    return Engine(knowledge=knowledge.default(), store=store)


def test_what_people_type_for_a_language_and_what_platforms_send():
    assert [parse(w) for w in ("de", "Deutsch", "german", "Français", "espanol", "English", "klingon")] == [
        "de", "de", "de", "fr", "es", "en", None,
    ]  # fmt: skip
    assert [supported(x) for x in ("de", "es-ES", "es-419", "fr_FR.UTF-8", "pt-BR", "", None)] == [
        "de", "es", "es", "fr", None, None, None,
    ]  # fmt: skip


async def test_a_channel_chooses_its_language_and_every_reply_carries_it(engine):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.say("help")
    assert chat.replies[-1].language == "en"
    assert "Languages: English, Deutsch, Français and Español" in await chat.say("language")
    assert "“klingon” is not a language I speak." in await chat.say("language klingon")
    await chat.say("language deutsch")
    assert chat.replies[-1].language == "de"
    await chat.say("help")
    assert chat.replies[-1].language == "de", "the channel's choice holds for every reply after it"
    other = MemoryChat(engine, ChannelKey("memory", "team-1", "random"), "alice")
    await other.say("help")
    assert other.replies[-1].language == "en", "one channel's choice is its own"
    await chat.say("language auto")
    await chat.say("help")
    assert chat.replies[-1].language == "en"


async def test_without_a_choice_the_platforms_locale_decides(engine):
    [reply] = await engine.handle(Invoked(HERE, "alice", "help", locale="es-ES"))
    assert reply.language == "es"
    [reply] = await engine.handle(Invoked(HERE, "alice", "help", locale="pt-BR"))  # one we do not speak
    assert reply.language == "en"
    chat = MemoryChat(engine, HERE, "alice")
    await chat.say("language fr")
    [reply] = await engine.handle(Invoked(HERE, "alice", "help", locale="es-ES"))
    assert reply.language == "fr", "a channel's choice wins over a person's app language"


async def test_check_ins_go_out_in_the_channels_language(engine, clock):
    chat = MemoryChat(engine, HERE, "alice")
    await chat.answer_all(TYPED_ANSWERS)
    await chat.say("language es")
    other = MemoryChat(engine, ChannelKey("memory", "team-1", "random"), "bob")
    await other.answer_all(TYPED_ANSWERS)

    class Recording:
        platform = "memory"
        sent: dict = {}

        async def send(self, channel, reply):
            self.sent[channel.channel] = reply

    notifier = Recording()
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert (await ReminderLoop(checkins=engine.monthly, notifiers=[notifier], clock=clock).run_once()).sent == 2
    assert notifier.sent["general"].language == "es" and notifier.sent["random"].language == "en"


async def test_a_choice_made_in_another_process_is_seen_after_the_refresh(store, monkeypatch):
    here, there = Languages(store=store), Languages(store=store)
    assert await there.of(HERE) == "en"  # read now: nothing chosen
    await here.store.choose(HERE, "de")
    assert await there.of(HERE) == "en", "kept in memory until the refresh"
    monkeypatch.setattr(service, "REFRESH_SECONDS", 0.0)
    assert await there.of(HERE) == "de"
