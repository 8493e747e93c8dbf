"""A provider key connected in a workspace, then the bot restarted with BACKLINKS_TOKEN_KEY changed
or removed: the key can't be opened. Plans still come, saying once why and what to do; `connect`
says it too and takes a new key; `serve` warns at start.

The terminal tests run the real `backlinks console` on one SQLite file, restarted between runs with
another environment, and the real DataForSEO client against its loopback stand-in."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess

from counting_provider import KEY, CountingProvider
from cryptography.fernet import Fernet
from dataforseo_standin import DataForSEOStandIn
from processes import BACKLINKS, CLEAN, backlinks, free_port, wait_for_healthz
from support import TYPED_ANSWERS, Clock, MemoryChat, Recording, rows

from bot.core.events import ChannelKey, Invoked
from bot.engine import Engine
from bot.home.service import Home
from bot.home.store import Person
from bot.lookups.service import Lookups
from bot.monthly.reminders import ReminderLoop
from bot.storage.secrets import Sealer
from bot.storage.store import Store

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
CHANGED = (
    "The DataForSEO key connected here (ending a7b8) can't be opened, so plans go on without looking figures up: "
    "it is stored encrypted with the bot's BACKLINKS_TOKEN_KEY, which has changed since. To fix it, set the old "
    "BACKLINKS_TOKEN_KEY back (to move to a new one, put it first: NEW,OLD), or connect the key again: "
    "connect dataforseo LOGIN:PASSWORD."
)
MISSING = CHANGED.replace("which has changed since", "which is not set now")
# A plan started with its site and its competitors as bare domains (to be looked up); without
# lookups every other question is asked, the competitors' counts too, and answered as typed.
INLINE = "plan site=example-shop.com competitors=rival.com, other.net"
REST = [typed for question, typed in TYPED_ANSWERS if question != "site"]


async def console(standin: DataForSEOStandIn, db, lines: list[str], token_key: str | None) -> str:
    """One run of the real terminal chat (a restart between runs), with this BACKLINKS_TOKEN_KEY."""
    env = {"BACKLINKS_PROVIDER_URL": standin.url}
    if token_key is not None:
        env["BACKLINKS_TOKEN_KEY"] = token_key
    chat = "\n".join([*lines, "quit"]) + "\n"
    return await backlinks("console", "--database", str(db), "--channel", "shop", stdin=chat, env=env, timeout=90)


async def test_after_the_token_key_changed_a_whole_plan_is_made_and_says_once_why_then_connect_takes_a_new_key(
    dataforseo, tmp_path
):
    db = tmp_path / "bot.db"
    connected = await console(dataforseo, db, [f"connect dataforseo {dataforseo.key}"], KEY_A)
    assert "Connected DataForSEO (key ending a7b8)" in connected
    dataforseo.calls.clear()

    # Restarted with another key: a whole plan, then a second one started and cancelled.
    out = await console(dataforseo, db, [INLINE, *REST, "plan site=example-shop.com", "cancel"], KEY_B)
    assert "Traceback" not in out and "went wrong" not in out
    assert "Backlink plan for example-shop.com" in out
    assert out.count(CHANGED) == 1, out  # at the first lookup, not at the competitors' nor the next plan
    assert "Couldn't look the figures up" not in out
    assert dataforseo.calls == []  # no lookup tried with a key it doesn't have
    assert len(rows(db, "SELECT id FROM plans")) == 1

    # `connect` says it whenever asked; a new key replaces the one that can't be opened.
    out = await console(
        dataforseo, db, ["connect", f"connect dataforseo {dataforseo.key}", "plan site=example-shop.com"], KEY_B
    )
    status, rest = out.split("Connected DataForSEO (key ending a7b8)", 1)
    assert CHANGED in status
    assert "Looked up example-shop.com" in rest and CHANGED not in rest
    ((secret,),) = rows(db, "SELECT secret FROM provider_keys")
    assert Sealer(KEY_B).open(secret) == dataforseo.key  # sealed with the key the bot runs with now


async def test_with_the_token_key_removed_a_whole_plan_is_made_and_says_once_that_it_is_not_set(dataforseo, tmp_path):
    db = tmp_path / "bot.db"
    await console(dataforseo, db, [f"connect dataforseo {dataforseo.key}"], KEY_A)
    out = await console(dataforseo, db, [INLINE, *REST, "show"], None)
    assert "Traceback" not in out
    assert out.count(MISSING) == 1, out
    assert "Backlink plan for example-shop.com" in out and "This month's target" not in out.split(MISSING)[0]
    assert len(rows(db, "SELECT id FROM plans")) == 1


async def test_moving_to_a_new_token_key_as_the_readme_says_keeps_the_provider_key_readable(dataforseo, tmp_path):
    db = tmp_path / "bot.db"
    await console(dataforseo, db, [f"connect dataforseo {dataforseo.key}"], KEY_A)

    def encrypt(token_key: str) -> subprocess.CompletedProcess:
        command = [BACKLINKS, "db", "encrypt-tokens", "--database", str(db)]
        env = {**CLEAN, "BACKLINKS_TOKEN_KEY": token_key}
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    refused = encrypt(KEY_B)  # the new key alone opens nothing the old one sealed
    assert refused.returncode == 1
    assert "the data provider key of console local can't be decrypted" in refused.stderr
    assert "Nothing was changed." in refused.stderr
    moved = encrypt(f"{KEY_B},{KEY_A}")  # the new key first, the old one after it
    assert moved.returncode == 0, moved.stderr
    assert "Encrypted 1 stored data provider key with the first key." in moved.stdout
    out = await console(dataforseo, db, ["plan site=example-shop.com"], KEY_B)  # the old key dropped
    assert "Looked up example-shop.com" in out and "can't be opened" not in out


async def test_slack_and_discord_say_who_fixes_it_and_the_connect_form_still_opens(knowledge, db_path):
    store = await Store.open(f"sqlite:///{db_path}")
    try:
        sealed_with_a = Lookups(store=store, clients=_clients, providers=("dataforseo",), sealer=Sealer(KEY_A))
        discord = ChannelKey("discord", "G1", "C1")
        await sealed_with_a.connect(discord, "U1", "dataforseo", KEY)
        lookups = Lookups(
            store=store,
            clients=_clients,
            providers=("dataforseo",),
            sealer=Sealer(KEY_B),
            labels={"dataforseo": "DataForSEO"},
        )
        engine = Engine(knowledge=knowledge, store=store, lookups=lookups)
        chat = MemoryChat(engine, discord, "U2")

        (form,) = await engine.handle(Invoked(discord, "U1", "plan", "site=example.com competitors=rival.com"))
        said = [chat.renderer.text(block.text) for block in form.blocks]
        assert form.kind == "form" and said == [
            "The DataForSEO key connected here (ending 9a7f) can't be opened, so plans go on without looking "
            "figures up: it is stored encrypted with the bot's BACKLINKS_TOKEN_KEY, which has changed since. To fix "
            "it, whoever runs the bot sets the old BACKLINKS_TOKEN_KEY back, or someone who manages this server "
            "connects the key again with connect.",
            # With no lookup, a competitor named without its count is no answer: said, not dropped.
            "Competitors' referring domains was left out of the form: “rival.com” has no count; write each "
            "competitor as domain count, like rival.com 420.",
        ]
        (again,) = await engine.handle(Invoked(discord, "U2", "plan", "site=example.com"))
        assert again.blocks == ()  # said once in this channel
        # The connect form opens for who manages the server, the provider chosen, with why above it.
        (connect,) = await engine.handle(Invoked(discord, "U1", "connect", manages=True))
        assert connect.form.name == "connect" and connect.form.values == {"connect_provider": "dataforseo"}
        assert "can't be opened" in chat.renderer.text(connect.blocks[0].text)
        # The Home page says it too, instead of failing to draw.
        page = await Home(store=store, summaries=engine.monthly, lookups=lookups).page(Person("discord", "G1", "U2"))
        assert any("its key can't be opened" in chat.renderer.text(b.text) for b in page.blocks if hasattr(b, "text"))
    finally:
        await store.close()


async def test_a_check_in_goes_out_unmeasured_when_the_key_cant_be_opened(knowledge, db_path):
    clock = Clock(dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{db_path}", clock=clock)
    try:
        here = ChannelKey("console", "local", "shop")
        await Lookups(store=store, clients=_clients, providers=("dataforseo",), sealer=Sealer(KEY_A)).connect(
            here, "alice", "dataforseo", KEY
        )
        lookups = Lookups(store=store, clients=_clients, providers=("dataforseo",), sealer=Sealer(None))
        engine = Engine(knowledge=knowledge, store=store, lookups=lookups)
        chat = MemoryChat(engine, here, "alice")
        await chat.answer_all()
        await chat.say("log 2")
        assert "November 2026: 2 / " in await chat.say("show")  # no measured figures beside it, no failure
        clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
        platform = Recording()
        report = await ReminderLoop(checkins=engine.monthly, notifiers=[platform], clock=clock).run_once()
        assert report.sent == 1 and "reminder.measured" not in str(platform.sent[0][1])
    finally:
        await store.close()


def test_serve_warns_once_at_start_naming_the_workspaces_never_a_key(tmp_path):
    db = tmp_path / "bot.db"
    secret = "me@example.com:a1b2c3d4e5f6a7b8"
    sealed = Sealer(KEY_A).seal(secret)
    subprocess.run([BACKLINKS, "db", "upgrade", "--database", str(db)], env=CLEAN, check=True, capture_output=True)
    with sqlite3.connect(db) as connection:
        for workspace in ("T1", "T2"):
            connection.execute(
                "INSERT INTO provider_keys (platform, workspace, provider, secret, last4, added_by, added_at) "
                "VALUES ('slack', ?, 'dataforseo', ?, 'a7b8', 'U1', '2026-11-30 12:00:00')",
                (workspace, sealed),
            )
    port = free_port()
    env = {**CLEAN, "PORT": str(port), "BACKLINKS_HOST": "127.0.0.1", "DATABASE_URL": f"sqlite:///{db}"}
    env["BACKLINKS_TOKEN_KEY"] = KEY_B
    process = subprocess.Popen([BACKLINKS, "serve", "--role", "web"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_healthz(port, process)
        process.terminate()
        _, errors = process.communicate(timeout=30)
    finally:
        process.kill()
    warnings = [line for line in errors.splitlines() if "can't be opened" in line]
    assert len(warnings) == 1, errors
    assert (
        "2 data provider key(s) connected in workspaces can't be opened (BACKLINKS_TOKEN_KEY does not open them): "
        "slack T1, slack T2. Their plans go on without lookups and say why. Set the old BACKLINKS_TOKEN_KEY back"
    ) in warnings[0]
    for never in (secret, "a1b2c3d4", sealed, KEY_A, KEY_B):
        assert never not in errors


def _clients(name: str, key: str) -> CountingProvider:
    return CountingProvider(key)
