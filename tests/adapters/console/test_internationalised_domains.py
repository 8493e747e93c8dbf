"""An internationalised domain (bäckerei-koch.de) is kept in punycode but shown as typed, in the real
console (English and German), in its check-in, and in `backlinks plan`'s JSON and Markdown."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import yaml
from processes import backlinks, console
from support import TYPED_ANSWERS, Clock, MemoryChat, rows

from adapters.console.notify import ConsoleNotifier
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.reminders import ReminderLoop
from bot.storage.store import Store

SITE = "https://bäckerei-koch.de/?utm_source=newsletter"
COMPETITORS = "wettbewerber-müller.de=420, other.net=610, 380"
ANSWERS = [("site", SITE), *TYPED_ANSWERS[1:9], ("competitors", COMPETITORS), *TYPED_ANSWERS[10:]]

HEADING = {"en": "Backlink plan for bäckerei-koch.de", "de": "Backlink-Plan für bäckerei-koch.de"}
NOTED = "Noted site: bäckerei-koch.de"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_console_says_an_internationalised_domain_as_typed(tmp_path, language):
    lines = [f"language {language}", "plan", *(typed for _, typed in ANSWERS)]
    lines += ["show", "why", "log https://blog.straße.de/rezept", "plan", "", "cancel", "quit"]
    done = console(tmp_path / "chat.db", lines)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "xn--" not in out
    assert HEADING[language] in out
    assert "wettbewerber-müller.de=420" in out  # the competitors' answer, said back by `why`
    assert "(straße.de)" in out  # the referring domain logged
    # Stored in its canonical form all the same, so it matches what the providers and exports say.
    [(answers,)] = rows(tmp_path / "chat.db", "SELECT answers FROM plans")
    assert json.loads(answers)["site"] == "xn--bckerei-koch-gcb.de"


def test_the_echo_of_an_internationalised_domain_is_in_unicode(tmp_path):
    done = console(tmp_path / "chat.db", ["plan", SITE, "quit"])
    assert done.returncode == 0, done.stderr
    assert NOTED in done.stdout
    assert "xn--" not in done.stdout


def test_a_second_plan_offers_the_site_as_typed(tmp_path):
    lines = ["plan", *(typed for _, typed in ANSWERS), "plan", "quit"]
    done = console(tmp_path / "chat.db", lines)
    assert done.returncode == 0, done.stderr
    assert "Enter keeps bäckerei-koch.de" in done.stdout


async def test_the_check_in_names_the_site_as_typed(migrated_db, knowledge):
    clock = Clock(dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        engine.monthly.charts = False
        chat = MemoryChat(engine, ChannelKey("console", "local", "console"), "me")
        await chat.say("language de")
        await chat.answer_all(ANSWERS)
        out = io.StringIO()
        clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        notifier = ConsoleNotifier.plain(knowledge, out)
        assert (await ReminderLoop(checkins=engine.monthly, notifiers=[notifier], clock=clock).run_once()).sent == 1
        assert "Monatlicher Backlink-Check-in für bäckerei-koch.de" in out.getvalue()
        assert "xn--" not in out.getvalue()
    finally:
        await store.close()


async def test_plan_from_a_file_shows_the_site_as_typed_and_keeps_its_canonical_form(tmp_path):
    answers = dict(TYPED_ANSWERS) | {"site": SITE, "competitors": COMPETITORS}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    plan = json.loads(await backlinks("plan", "--answers", str(path), "--format", "json"))
    assert (plan["site"], plan["site_shown"]) == ("xn--bckerei-koch-gcb.de", "bäckerei-koch.de")
    markdown = await backlinks("plan", "--answers", str(path), "--format", "markdown")
    assert markdown.startswith("# Backlink plan for bäckerei-koch.de\n")
    assert "wettbewerber-müller.de=420" in markdown and "xn--" not in markdown
