"""What a serving process runs, by role (the Procfile's process types).

- web: Slack over HTTP (`/slack/events`, OAuth routes, `/healthz`) on PORT — scale it out freely;
- worker: the Discord gateway, Slack's Socket Mode connection and the monthly reminder loop;
- all (the default): both in one process, for a single machine.

Several web and worker processes can share one PostgreSQL database: drafts are versioned, plans
are stored once, and reminders are claimed with a lease (see bot/reminder_store.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Awaitable, Iterator

from bot import knowledge as knowledge_module
from bot.engine import Engine
from bot.inbox import Inbox
from bot.reminders import ReminderLoop
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)
ROLES = ("all", "web", "worker")

# Set by platforms whose disk is wiped on every restart or deploy.
EPHEMERAL_DISK_MARKERS = ("DYNO", "RENDER", "RAILWAY_ENVIRONMENT", "FLY_APP_NAME", "K_SERVICE", "KOYEB_APP_NAME")


class StartError(RuntimeError):
    """A platform refused our credentials, or something could not be reached at start."""


def nothing_to_serve(settings: Settings, role: str) -> str | None:
    """Why this role has nothing to run with these settings (None when it has)."""
    slack = settings.slack_configured
    if role == "web" or slack or settings.discord_token:
        return None  # a web process with no Slack over HTTP still answers /healthz
    return (
        "no chat platform is configured. For Slack set SLACK_APP_TOKEN and SLACK_BOT_TOKEN (Socket Mode), "
        "or SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
        "SLACK_CLIENT_SECRET (many workspaces) for HTTP; for Discord set DISCORD_TOKEN. See the README."
    )


def warn_if_ephemeral(settings: Settings) -> None:
    markers = [m for m in EPHEMERAL_DISK_MARKERS if os.environ.get(m)]
    if settings.database_url.startswith("sqlite") and markers:
        log.warning(
            "\n%s\nThe database is a SQLite FILE (%s) on a platform whose disk is wiped on every restart or deploy\n"
            "(%s is set): every plan, reminder and Slack installation will be LOST. Set DATABASE_URL to a\n"
            "PostgreSQL database (see README, Deploying).\n%s",
            "!" * 100,
            settings.database_url,
            ", ".join(markers),
            "!" * 100,
        )


async def run(settings: Settings, role: str) -> None:
    store = await Store.open(settings.database_url, pool_size=settings.db_pool_size)
    try:
        warn_if_ephemeral(settings)
        inbox = Inbox(store, capacity=settings.inbox_capacity, lease=settings.inbox_lease_seconds)
        engine = Engine(
            knowledge=knowledge_module.default(),
            store=store,
            import_max_bytes=settings.import_max_bytes,
            inbox=inbox,
        )
        # Start-up objects (imports, knowledge) live for good: keep them out of the collector.
        gc.freeze()
        notifiers = _notifiers(engine, settings) if role != "web" else []
        try:
            await _together(_parts(engine, store, settings, role, notifiers))
        finally:
            # Whatever an adapter's own stop did not finish (bot/inbox.py): a last chance, then the
            # rest stays in the inbox for the next start.
            await engine.inbox.drain(settings.drain_seconds)
            for notifier in notifiers:
                if hasattr(notifier, "close"):
                    await notifier.close()
    finally:
        await store.close()


async def _together(parts: Iterator[Awaitable[None]]) -> None:
    """Run the parts until one fails or the process is stopped, and wait for every part's own
    clean-up either way. (asyncio.gather would return at the first cancelled part, and the process
    would exit while the HTTP server was still finishing requests it had acknowledged.)"""
    try:
        async with asyncio.TaskGroup() as group:
            for part in parts:
                group.create_task(part)
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the first part that failed (StartError, StoreError)


def _parts(engine: Engine, store: Store, settings: Settings, role: str, notifiers) -> Iterator[Awaitable[None]]:
    web, worker = role in ("all", "web"), role in ("all", "worker")
    slack_http = settings.slack_configured and not settings.slack_uses_socket_mode
    slack_here = (web and slack_http) or (worker and settings.slack_configured and settings.slack_uses_socket_mode)
    if slack_here or (worker and settings.discord_token):
        # Submissions a stopped or killed process left: this one works them once their lease is out.
        yield engine.inbox.run_forever(every=max(0.5, min(30.0, settings.inbox_lease_seconds / 4)))
    if slack_here:
        from adapters.slack.app import SlackAdapter
        from adapters.slack.server import SlackStartError
        from adapters.slack.server import serve as serve_slack

        adapter = SlackAdapter(engine=engine, settings=settings)
        yield _translated(serve_slack(adapter, store, settings), SlackStartError)
    elif role == "web":
        from adapters.slack.server import serve_health

        yield serve_health(store, settings)
    if worker and settings.discord_token:
        from adapters.discord.server import DiscordStartError
        from adapters.discord.server import serve as serve_discord

        yield _translated(serve_discord(engine, settings), DiscordStartError)
    if worker:
        yield ReminderLoop(engine=engine, notifiers=notifiers).run_forever(settings.reminder_every)


def _notifiers(engine: Engine, settings: Settings, *, console: bool = False) -> list:
    """A notifier for each platform this process can post reminders to."""
    notifiers = []
    if console:
        from adapters.console.notify import ConsoleNotifier

        notifiers.append(ConsoleNotifier.plain(engine.knowledge))
    if settings.slack_configured and (settings.slack_bot_token or settings.slack_uses_oauth):
        from adapters.slack.notify import SlackNotifier

        notifiers.append(SlackNotifier(settings=settings, knowledge=engine.knowledge, engine=engine))
    if settings.discord_token:
        from adapters.discord.notify import DiscordNotifier

        notifiers.append(DiscordNotifier(token=settings.discord_token.get_secret_value(), knowledge=engine.knowledge))
    return notifiers


async def _translated(work: Awaitable[None], error_type: type[Exception]) -> None:
    try:
        await work
    except error_type as error:
        raise StartError(str(error)) from None
