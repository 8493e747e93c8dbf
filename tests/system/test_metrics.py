"""/metrics of the real `backlinks serve` (Slack over HTTP, against the loopback stand-in of Slack):
scraped before and after a plan and a check-in, its counters moved by exactly what happened, the
inbox gauges read from the database. Parsed with prometheus-client's own parser: the page is the
Prometheus text format."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal

import aiohttp
import sqlalchemy as sa
from processes import free_port
from prometheus_client.parser import text_string_to_metric_families
from slack_client import SlackBot, serve_process
from slack_standin import SlackStandIn
from support import TYPED_ANSWERS

from bot.storage.schema import reminders
from bot.storage.store import Store

ANSWERS = dict(TYPED_ANSWERS)
ANSWERS["strategies"] = "guest_posting, outreach"


async def scrape(session: aiohttp.ClientSession, port: int) -> dict[tuple[str, tuple], float]:
    """Every sample of the page: (name, sorted labels) → value."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        page = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def moved(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def healthy(process, session: aiohttp.ClientSession, port: int) -> None:
    for _ in range(300):
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert process.poll() is None, process.stderr.read()
        await asyncio.sleep(0.1)
    raise AssertionError("no /healthz within 30 s")


async def test_a_plan_and_a_check_in_move_the_counters_of_the_running_bot(migrated_db):
    url = f"sqlite:///{migrated_db}"
    standin = SlackStandIn()
    await standin.start()
    port = free_port()
    # One process doing everything (the reminder loop looks twice a second), its log as JSON lines.
    process = serve_process(
        url,
        standin,
        port,
        role="all",
        BACKLINKS_REMINDER_EVERY="0.5",
        BACKLINKS_LOG_FORMAT="json",
        BACKLINKS_LOG_LEVEL="INFO",
    )
    session = aiohttp.ClientSession()
    try:
        await healthy(process, session, port)
        before = await scrape(session, port)
        bot = SlackBot(port, standin, None, session)
        await bot.command("plan")
        [opened] = await standin.wait_for("views.open", timeout=10)
        response = await bot.submit(opened.body["view"], ANSWERS)
        assert response.status == 200
        await standin.wait_until("chat.postMessage", "Backlink plan for example.com", timeout=20)
        # The plan's first check-in, brought forward to now: the running loop sends it.
        store = await Store.open(url, migrate=False)
        try:
            async with store.engine.begin() as connection:
                due = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
                assert (await connection.execute(sa.update(reminders).values(next_due_at=due))).rowcount == 1
        finally:
            await store.close()
        await standin.wait_for("chat.postMessage", count=2, timeout=20)
        after = await scrape(session, port)
        process.send_signal(signal.SIGTERM)
        _, errors = await asyncio.to_thread(process.communicate, timeout=40)
    finally:
        if process.poll() is None:
            process.kill()
        await session.close()
        await standin.stop()

    assert moved(before, after, "backlinks_requests_total", platform="slack", command="plan") == 1
    assert moved(before, after, "backlinks_requests_total", platform="slack", command="form:plan") == 1
    assert moved(before, after, "backlinks_request_seconds_count", platform="slack") == 2
    assert moved(before, after, "backlinks_submissions_total", platform="slack", outcome="accepted") == 1
    assert moved(before, after, "backlinks_plans_stored_total") == 1
    assert moved(before, after, "backlinks_checkins_total", platform="slack", outcome="sent") == 1
    assert moved(before, after, "backlinks_checkins_total", platform="slack", outcome="failed") == 0
    assert after[("backlinks_inbox_depth", ())] == 0  # the form was worked: nothing waits
    assert after[("backlinks_inbox_oldest_seconds", ())] == 0
    assert not any(name.startswith("backlinks_provider_key") for name, _ in after)  # no key of its own: no budget
    assert process.returncode == 0
    # Its log: JSON lines only, no token.
    lines = [line for line in errors.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") and line.endswith("}") for line in lines), errors[-2000:]
    assert "xoxb-T1" not in errors and "signing-secret" not in errors
