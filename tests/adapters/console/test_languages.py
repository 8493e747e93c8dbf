"""The terminal in German, French and Spanish: `language …` in the real console, then help and a
whole plan in that language; the check-in the console prints in it too."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from processes import console
from support import TYPED_ANSWERS, Clock, MemoryChat

from adapters.console.notify import ConsoleNotifier
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.reminders import ReminderLoop
from bot.storage.store import Store

SAID = {
    "de": ("Befehle von Backlinks bot", "Backlink-Plan für example.com", "Monatlicher Backlink-Check-in für"),
    "fr": ("Commandes de Backlinks bot", "Plan de backlinks pour example.com", "Point mensuel backlinks pour"),
    "es": ("Comandos de Backlinks bot", "Plan de backlinks para example.com", "Seguimiento mensual de backlinks para"),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_real_console_speaks_the_chosen_language(tmp_path, language):
    help_heading, plan_heading, _ = SAID[language]
    done = console(
        tmp_path / "chat.db", [f"language {language}", "help", "plan", *(t for _, t in TYPED_ANSWERS), "quit"]
    )
    assert done.returncode == 0, done.stderr
    assert help_heading in done.stdout and plan_heading in done.stdout
    assert "Backlink plan for" not in done.stdout


@pytest.mark.parametrize("language", ["de", "fr", "es"])
async def test_the_check_in_printed_in_the_terminal_is_in_the_channels_language(migrated_db, knowledge, language):
    clock = Clock(dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        engine.monthly.charts = False
        chat = MemoryChat(engine, ChannelKey("console", "local", "console"), "me")
        await chat.say(f"language {language}")
        await chat.answer_all(TYPED_ANSWERS)
        out = io.StringIO()
        clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        notifier = ConsoleNotifier.plain(knowledge, out)
        assert (await ReminderLoop(checkins=engine.monthly, notifiers=[notifier], clock=clock).run_once()).sent == 1
        assert SAID[language][2] in out.getvalue()
    finally:
        await store.close()
