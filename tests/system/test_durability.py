"""Acknowledged means stored, proven by stopping the real process: `backlinks serve` (Slack over
HTTP) is flooded with valid plan forms, stopped with SIGTERM or killed with SIGKILL, restarted, and
every acknowledged form must end as exactly one stored plan (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import aiohttp
import pytest
import sqlalchemy as sa
from processes import free_port
from slack_client import SlackBot, serve_process
from slack_standin import SlackStandIn
from support import TYPED_ANSWERS

from bot.storage.store import Store

ANSWERS = dict(TYPED_ANSWERS)
ANSWERS["strategies"] = "guest_posting, outreach"
CONCURRENT = 8
FLOOD_SECONDS = 3.0


def start(url: str, standin: SlackStandIn, port: int) -> subprocess.Popen:
    # A short lease: what a killed process left is taken over within seconds of the restart.
    return serve_process(url, standin, port, BACKLINKS_INBOX_LEASE_SECONDS="2")


async def healthy(process: subprocess.Popen, session: aiohttp.ClientSession, port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "no /healthz within 30 s"
        await asyncio.sleep(0.1)


async def flood(bot: SlackBot, view: dict, seconds: float) -> tuple[set[str], int]:
    """Submit plan forms, CONCURRENT at a time, for `seconds`: the keys Slack saw acknowledged
    (an empty 200) and how many were answered "busy" (the form stays open: not acknowledged)."""
    acked: set[str] = set()
    busy = 0
    stop = time.monotonic() + seconds

    async def one_sender(n: int) -> None:
        nonlocal busy
        i = 0
        while time.monotonic() < stop:
            i += 1
            view_id = f"V{n}x{i}"
            try:
                response = await bot.interaction(bot.submission(view, ANSWERS, view_id=view_id))
            except aiohttp.ClientError:
                return  # the server went away: this one was never acknowledged
            text = await response.text()
            if response.status == 200 and text == "":
                acked.add(f"slack:T1:{view_id}:h-{view_id}")
            elif "response_action" in text:
                busy += 1

    await asyncio.gather(*(one_sender(n) for n in range(CONCURRENT)))
    return acked, busy


async def stored(url: str) -> list[str]:
    store = await Store.open(url, migrate=False)
    try:
        async with store.engine.connect() as connection:
            return list((await connection.execute(sa.text("SELECT request FROM plans"))).scalars())
    finally:
        await store.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_every_acknowledged_plan_form_is_stored_once_after_a_stop_and_a_restart(store_url, stop):
    standin = SlackStandIn()
    await standin.start()
    port = free_port()
    process = start(store_url, standin, port)
    session = aiohttp.ClientSession()
    try:
        await healthy(process, session, port)
        bot = SlackBot(port, standin, None, session)
        await bot.command("plan")
        [call] = await standin.wait_for("views.open", timeout=10)
        # Let some submissions be in flight (acked, not yet worked) at the moment of the stop.
        flooding = asyncio.ensure_future(flood(bot, call.body["view"], FLOOD_SECONDS + 5))
        await asyncio.sleep(FLOOD_SECONDS)
        began = time.monotonic()
        process.send_signal(stop)
        _, errors = await asyncio.to_thread(process.communicate, timeout=40)
        took = time.monotonic() - began
        acked, busy = await flooding
        assert len(acked) >= 10, f"the flood hardly got going ({len(acked)} acknowledged)"
        if stop == signal.SIGTERM:
            assert process.returncode == 0, errors[-3000:]
            assert "Traceback" not in errors, errors[-3000:]  # a clean stop, not requests cut off
            assert took < 30, f"SIGTERM took {took:.1f} s (platforms kill at about 30)"
        else:
            # A kill leaves whatever was in flight in the inbox: a restart works it after the lease.
            process = start(store_url, standin, port)
            await healthy(process, session, port)
            deadline = time.monotonic() + 60
            while len(set(await stored(store_url)) & acked) < len(acked) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.communicate, timeout=40)
        requests = await stored(store_url)
        lost = acked - set(requests)
        assert not lost, f"{len(lost)} of {len(acked)} acknowledged plans were never stored"
        assert len(requests) == len(set(requests)), "a submission made two plans"
        print(f"{stop.name}: {len(acked)} acknowledged, {busy} told busy, all stored; stopped in {took:.2f} s")
    finally:
        if process.poll() is None:
            process.kill()
        await session.close()
        await standin.stop()


async def test_a_procfile_worker_plans_the_forms_a_full_web_process_shares_even_after_the_web_dies(store_url):
    """`serve --role web` with one intake worker, and `serve --role worker` beside it: under a flood
    the web process acknowledges and shares (stores unclaimed) what its one worker cannot take, the
    worker process claims and plans it. Then the web process is killed: every acknowledged form is
    still planned and stored once — the worker alone finishes the shared ones and, after the short
    lease, the one or two the web process held."""
    # (the worker's quick look at shared rows is what is tested; the lease only covers the web's own)
    standin = SlackStandIn()
    await standin.start()
    port = free_port()
    settings = {"BACKLINKS_INBOX_LEASE_SECONDS": "2", "BACKLINKS_INTAKE_WORKERS": "1"}
    web = serve_process(store_url, standin, port, **settings)
    worker = serve_process(store_url, standin, free_port(), role="worker", **settings)
    session = aiohttp.ClientSession()
    try:
        await healthy(web, session, port)
        bot = SlackBot(port, standin, None, session)
        await bot.command("plan")
        [call] = await standin.wait_for("views.open", timeout=10)
        acked, busy = await flood(bot, call.body["view"], FLOOD_SECONDS)
        # (One worker here and a short lease make the web's bound tight — half the lease, counted at
        # its own worker's pace — so some forms are told "busy" and sent again: none is lost.)
        assert len(acked) >= 10, f"{len(acked)} acknowledged, {busy} told busy"
        web.send_signal(signal.SIGKILL)
        web.wait(timeout=10)
        deadline = time.monotonic() + 60
        while len(set(await stored(store_url)) & acked) < len(acked) and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read()[-3000:]
            await asyncio.sleep(0.3)
        requests = await stored(store_url)
        lost = acked - set(requests)
        assert not lost, f"{len(lost)} of {len(acked)} acknowledged plans were never stored by the worker"
        assert len(requests) == len(set(requests)), "a submission made two plans"
        worker.send_signal(signal.SIGTERM)
        _, errors = await asyncio.to_thread(worker.communicate, timeout=40)
        assert worker.returncode == 0 and "Traceback" not in errors, errors[-3000:]
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.kill()
        await session.close()
        await standin.stop()
