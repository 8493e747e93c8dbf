"""The deployment's own provider key (BACKLINKS_PROVIDER_KEY) has one monthly cap for every workspace
together (BACKLINKS_PROVIDER_KEY_MONTHLY_CAP): two processes (two stores on one database) and two
workspaces planning at once pay for at most the cap, past it plans go on and say why, and the
figure is in /healthz and `backlinks lookups status`.

The real engine and the real DataForSEO client, composed as `backlinks serve` composes them
(bot/app/lookups.py), against the loopback stand-in of DataForSEO's API, which counts the calls."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess

import sqlalchemy as sa
from processes import BACKLINKS, CLEAN, free_port, wait_for_healthz
from support import MemoryChat

from bot.app.lookups import lookups_for
from bot.core.events import ChannelKey, Said
from bot.core.settings import Settings
from bot.engine import Engine
from bot.storage.store import Store

CAP = 7
PAID = ("backlinks/summary/live", "backlinks/history/live")  # a site's figures, and its history
WORKSPACES = (ChannelKey("slack", "T1", "C1"), ChannelKey("discord", "G1", "C1"))
CAP_REACHED = (
    "Couldn't look the figures up: the bot's shared DataForSEO key has made all {cap} of its lookups this month "
    "(every {where} using it counts), so please type them."
)


def settings_for(dataforseo, cap: int) -> Settings:
    return Settings(
        provider="dataforseo",
        provider_key=dataforseo.key,
        provider_url=dataforseo.url,
        provider_key_monthly_cap=cap,
    )


async def said(engine: Engine, channel: ChannelKey, user: str, line: str, **options) -> str:
    """A line of chat through the real engine; the replies as plain text."""
    replies = await engine.handle(Said(channel, user, line, **options))
    renderer = MemoryChat(engine, channel, user).renderer
    return "\n".join(renderer.text(b.text) for r in replies for b in r.blocks if hasattr(b, "text"))


async def test_two_workspaces_in_two_processes_pay_for_at_most_the_cap_and_plans_go_on(
    dataforseo, knowledge, store_url
):
    settings = settings_for(dataforseo, CAP)
    stores = [await Store.open(store_url) for _ in range(2)]  # as two processes have
    try:
        engines = [Engine(knowledge=knowledge, store=s, lookups=lookups_for(s, settings)) for s in stores]

        async def plan(number: int) -> tuple[str, str]:
            here = WORKSPACES[number // 2 % 2]
            channel = ChannelKey(here.platform, here.workspace, f"c{number}")
            # Each plan a site of its own (nothing cached for another): its figures, then its history.
            out = await said(engines[number % 2], channel, f"u{number}", f"plan site=site{number}.com")
            where = "server" if here.platform == "discord" else "workspace"
            return CAP_REACHED.format(cap=CAP, where=where), out

        planned = await asyncio.gather(*(plan(n) for n in range(20)))  # 40 lookups wanted

        paid = [c for c in dataforseo.calls if c.path in PAID]
        assert len(paid) == CAP, [c.path for c in paid]  # one target each: CAP paid lookups, no more
        async with stores[0].reader.connect() as connection:
            budget = (await connection.execute(sa.text("SELECT platform, workspace, used FROM lookup_budget"))).all()
        assert [tuple(row) for row in budget if row.platform == "*"] == [("*", "deployment", CAP)]
        assert sum(row.used for row in budget if row.platform != "*") == CAP  # each workspace's share, counted too
        for reached, out in planned:  # every plan went on: its questions asked, saying why if capped
            assert "2/17  What kind of site is it?" in out
            assert reached in out or "DataForSEO, " in out, out  # the cap, or what the lookup found
        assert sum(reached in out for reached, out in planned) >= 20 - CAP

        # A workspace's own key is its own to spend: the shared cap doesn't stop it.
        own = ChannelKey("slack", "T2", "C1")
        connect = f"connect dataforseo {dataforseo.key}"
        assert "Connected DataForSEO" in await said(engines[0], own, "admin", connect, manages=True)
        assert "Looked up example-shop.com" in await said(engines[0], own, "admin", "plan site=example-shop.com")
        status = await said(engines[1], WORKSPACES[0], "u0", "connect")
        assert f"The bot's key: {CAP} of {CAP} this month, every workspace using it together." in status
    finally:
        for store in stores:
            await store.close()


async def test_the_operator_reads_the_month_in_healthz_and_lookups_status(dataforseo, knowledge, db_path):
    store = await Store.open(f"sqlite:///{db_path}")
    try:
        engine = Engine(knowledge=knowledge, store=store, lookups=lookups_for(store, settings_for(dataforseo, 3)))
        first = await said(engine, WORKSPACES[0], "u1", "plan site=example-shop.com")  # its figures and history: 2
        second = await said(engine, WORKSPACES[1], "u2", "plan site=rival.com")  # its figures: 3, its history: past
        assert "Looked up example-shop.com" in first
        assert CAP_REACHED.format(cap=3, where="server") in second
    finally:
        await store.close()
    env = {
        **CLEAN,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "BACKLINKS_PROVIDER": "dataforseo",
        "BACKLINKS_PROVIDER_KEY": dataforseo.key,
        "BACKLINKS_PROVIDER_KEY_MONTHLY_CAP": "3",
    }
    month = f"{dt.datetime.now(dt.UTC):%Y-%m}"
    port = free_port()
    process = subprocess.Popen(
        [BACKLINKS, "serve", "--role", "web"],
        env={**env, "PORT": str(port), "BACKLINKS_HOST": "127.0.0.1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = await asyncio.to_thread(wait_for_healthz, port, process)
        process.terminate()
        process.communicate(timeout=30)
    finally:
        process.kill()
    assert health == {"ok": True, "database": "ok", "provider_key_lookups": {"month": month, "used": 3, "cap": 3}}

    status = subprocess.run([BACKLINKS, "lookups", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == [
        f"BACKLINKS_PROVIDER_KEY (DataForSEO), {month}: 3 of 3 lookups used, every workspace together "
        "(the cap is BACKLINKS_PROVIDER_KEY_MONTHLY_CAP).",
        "The cap is reached: plans on this key ask for the figures until next month.",
        "Keys connected in workspaces: 0.",
    ]
    assert dataforseo.key not in status.stdout
