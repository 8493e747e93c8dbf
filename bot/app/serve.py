"""What a serving process runs, by role (the Procfile's process types).

- web: Slack over HTTP (`/slack/events`, OAuth routes, `/healthz`, `/metrics`) on PORT — scale it out freely;
- worker: the Discord gateway, Slack's Socket Mode connection, the monthly reminder loop, and the
  Slack forms web processes stored while their own workers were full (with PORT set, also
  `/healthz` and `/metrics` there);
- all (the default): both in one process, for a single machine.

Several web and worker processes can share one PostgreSQL database: drafts are versioned, plans
are stored once, and reminders are claimed with a lease (see bot/monthly/reminder_store.py).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import sys
from collections.abc import Awaitable, Iterator
from functools import partial
from pathlib import Path

from bot.app.build import running
from bot.core.settings import Settings
from bot.engine import Engine
from bot.lookups.service import Lookups
from bot.monthly.reminders import ReminderLoop
from bot.storage.store import Store

log = logging.getLogger(__name__)
ROLES = ("all", "web", "worker")
# How often (seconds) a worker looks for deletions whose grace period is over: days long, so an
# hour late is nothing, and the look is one indexed query.
DELETIONS_EVERY = 3600.0

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


async def check_database(url: str) -> None:
    """Connect once, changing nothing: a wrong or unreachable database raises the store's StoreError."""
    store = await Store.open(url, migrate=False)
    await store.close()


# What each Slack setting is and where it is found among the app's pages at https://api.slack.com/apps.
SLACK_WHERE = {
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) made under Basic Information → App-Level Tokens → "
    "Generate Token and Scopes, scope connections:write",
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) under Install App, after Install to Workspace",
    "SLACK_SIGNING_SECRET": "the Signing Secret under Basic Information → App Credentials",
    "SLACK_CLIENT_ID": "the Client ID under Basic Information → App Credentials",
    "SLACK_CLIENT_SECRET": "the Client Secret under Basic Information → App Credentials",
}
SLACK_PAGES = "at https://api.slack.com/apps → your app (README, Slack)"


def slack_settings_problem(settings: Settings) -> str | None:
    """What a half-set Slack configuration lacks, and where to get it (None when Slack is unset or complete).

    Bolt would stop with a traceback instead, and a lone SLACK_BOT_TOKEN would read as "no chat
    platform is configured" - both right after someone copied a token from Slack's pages."""
    values = {
        "SLACK_APP_TOKEN": settings.slack_app_token,
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
        "SLACK_CLIENT_ID": settings.slack_client_id,
        "SLACK_CLIENT_SECRET": settings.slack_client_secret,
    }
    given = [name for name, value in values.items() if value]
    if wrong := _slack_token_kind_problem(values):
        return wrong
    missing = _slack_missing(settings, values) if given else []
    if not missing:
        return None
    what = f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} set"
    if missing == ["SLACK_APP_TOKEN or SLACK_SIGNING_SECRET"]:  # only a bot token: either mode would do
        return (
            f"Slack is half set up: {what}, but it needs SLACK_APP_TOKEN too for Socket Mode, "
            f"{SLACK_WHERE['SLACK_APP_TOKEN']}; or SLACK_SIGNING_SECRET for HTTP mode, "
            f"{SLACK_WHERE['SLACK_SIGNING_SECRET']}; {SLACK_PAGES}."
        )
    where = "; ".join(f"{name} is {SLACK_WHERE[name]}" for name in missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"Slack is half set up: {what}, but {' and '.join(missing)} {verb} missing. {where}; {SLACK_PAGES}."


# Slack's tokens say what they are in their first characters.
SLACK_TOKEN_PREFIXES = {"SLACK_APP_TOKEN": "xapp-", "SLACK_BOT_TOKEN": "xoxb-"}


def _slack_token_kind_problem(values: dict) -> str | None:
    """A token of the wrong kind (the two swapped, or a user token) is named before Slack refuses it."""
    for name, prefix in SLACK_TOKEN_PREFIXES.items():
        token = values[name].get_secret_value() if values[name] else ""
        if token and not token.startswith(prefix):
            swapped = [other for other, p in SLACK_TOKEN_PREFIXES.items() if other != name and token.startswith(p)]
            hint = f" (it looks like the {swapped[0]}: are the two swapped?)" if swapped else ""
            return f"{name} does not start with {prefix}{hint}. {name} is {SLACK_WHERE[name]}; {SLACK_PAGES}."
    return None


def _slack_missing(settings: Settings, values: dict) -> list[str]:
    """The Slack settings this configuration still needs, by the mode it is heading for."""
    if bool(values["SLACK_CLIENT_ID"]) != bool(values["SLACK_CLIENT_SECRET"]):
        return ["SLACK_CLIENT_SECRET" if values["SLACK_CLIENT_ID"] else "SLACK_CLIENT_ID"]
    workspace_token = values["SLACK_BOT_TOKEN"] or settings.slack_uses_oauth
    if settings.slack_mode == "socket" or (settings.slack_mode == "auto" and values["SLACK_APP_TOKEN"]):
        needed = ("SLACK_APP_TOKEN", values["SLACK_APP_TOKEN"]), ("SLACK_BOT_TOKEN", workspace_token)
    elif settings.slack_mode == "http" or values["SLACK_SIGNING_SECRET"] or settings.slack_uses_oauth:
        needed = ("SLACK_SIGNING_SECRET", values["SLACK_SIGNING_SECRET"]), ("SLACK_BOT_TOKEN", workspace_token)
    else:
        return ["SLACK_APP_TOKEN or SLACK_SIGNING_SECRET"]
    return [name for name, value in needed if not value]


# What each extra of pyproject.toml brings, as people know it.
EXTRA_LIBRARIES = {"slack": "slack-bolt", "discord": "discord.py", "postgres": "asyncpg (PostgreSQL)"}
OUR_PACKAGES = ("adapters", "bot", "knowledge")


def missing_library(settings: Settings, role: str) -> str | None:
    """One line naming the install command when a library this start needs is not installed (a
    platform's, or PostgreSQL's driver), instead of a ModuleNotFoundError traceback from deep inside
    an adapter's imports."""
    for extra, why, modules in _imports_needed(settings, role):
        for module in modules:
            try:
                importlib.import_module(module)
            except ImportError as error:
                if (error.name or "").partition(".")[0] in OUR_PACKAGES:
                    raise  # our own import mistake, not a missing extra
                return (
                    f"{why}, but {EXTRA_LIBRARIES[extra]} is not installed. Install it with: {install_command(extra)}"
                )
    return None


def missing_database_driver(url: str) -> str | None:
    """The same line for a PostgreSQL database URL without its driver."""
    if not url.startswith("postgres"):
        return None
    try:
        importlib.import_module("asyncpg")
    except ImportError:
        return (
            f"the database is PostgreSQL, but {EXTRA_LIBRARIES['postgres']} is not installed. "
            f"Install it with: {install_command('postgres')}"
        )
    return None


def _imports_needed(settings: Settings, role: str) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    worker = role in ("all", "worker")
    if settings.slack_configured:
        yield "slack", "Slack is configured", ("adapters.slack.server", "adapters.slack.notify")
    if worker and settings.discord_token:
        yield "discord", "DISCORD_TOKEN is set", ("adapters.discord.server", "adapters.discord.notify")


def install_command(extra: str) -> str:
    """The pip command that installs an extra into the environment running the bot (a bare `pip`
    may belong to another one), from the checkout when the bot runs from one."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists():
        return f"{sys.executable} -m pip install -e '{checkout}[{extra}]'"
    # Installed with `pip install .` (the package is not on PyPI): from the checkout it came from.
    return f"{sys.executable} -m pip install '.[{extra}]' (in the bot's checkout)"


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


UNREADABLE_NAMED = 10  # workspaces named in the start-up warning; the rest are counted


async def warn_if_keys_unreadable(lookups: Lookups) -> None:
    """One warning at start when keys connected in workspaces don't open with this process's
    BACKLINKS_TOKEN_KEY: how many, which workspaces, and the two ways back. Never a key, nor part of one."""
    unreadable = await lookups.unreadable()
    if not unreadable:
        return
    named = ", ".join(f"{platform} {workspace}" for (platform, workspace), _ in unreadable[:UNREADABLE_NAMED])
    if len(unreadable) > UNREADABLE_NAMED:
        named += f" and {len(unreadable) - UNREADABLE_NAMED} more"
    why = "BACKLINKS_TOKEN_KEY is not set" if unreadable[0][1].missing else "BACKLINKS_TOKEN_KEY does not open them"
    log.warning(
        "%d data provider key(s) connected in workspaces can't be opened (%s): %s. Their plans go on without "
        "lookups and say why. Set the old BACKLINKS_TOKEN_KEY back (to move to a new key: NEW,OLD), or have "
        "each workspace connect its key again.",
        len(unreadable),
        why,
        named,
    )


async def run(settings: Settings, role: str) -> None:
    async with running(settings) as engine:
        warn_if_ephemeral(settings)
        await warn_if_keys_unreadable(engine.lookups)
        # Start-up objects (imports, knowledge) live for good: keep them out of the collector.
        gc.freeze()
        notifiers = _notifiers(engine, settings) if role != "web" else []
        try:
            await _together(_parts(engine, engine.store, settings, role, notifiers))
        finally:
            # Whatever an adapter's own stop did not finish (bot/intake/): a last chance, then the
            # rest stays in the inbox for the next start.
            await engine.intake.drain(settings.drain_seconds)
            for notifier in notifiers:
                if hasattr(notifier, "close"):
                    await notifier.close()


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
    # A worker beside Slack's web processes works the plan forms they store while their own workers
    # are full (bot/intake/service.py): a flood is acknowledged on one core and planned on another.
    slack_forms = role == "worker" and slack_http
    if slack_here or slack_forms or (worker and settings.discord_token):
        # Submissions shared by a full process, or left by a stopped or killed one.
        yield engine.intake.run_forever(every=max(0.1, min(1.0, settings.inbox_lease_seconds / 4)))
    if slack_forms:
        from adapters.slack.app import SlackAdapter

        yield SlackAdapter(engine=engine, settings=settings).working_forms()
    if slack_here:
        from adapters.slack.app import SlackAdapter
        from adapters.slack.server import SlackStartError
        from adapters.slack.server import serve as serve_slack

        adapter = SlackAdapter(engine=engine, settings=settings)
        yield _translated(serve_slack(adapter, store, settings), SlackStartError)
    # Slack's HTTP server serves /healthz and /metrics too (and Socket Mode does when PORT is given).
    # Otherwise a web process serves only those on PORT, and so does a worker given a PORT: a
    # container's health check and Prometheus ask each process on its own port (README, Metrics).
    slack_serves_status = slack_here and (slack_http or "port" in settings.model_fields_set)
    if not slack_serves_status and (role == "web" or "port" in settings.model_fields_set):
        from bot.status.pages import serve_status  # aiohttp's server: not loaded by `reminders run-once`

        yield serve_status(store, settings, engine.lookups)
    if worker and settings.discord_token:
        from adapters.discord.server import DiscordStartError
        from adapters.discord.server import serve as serve_discord

        yield _translated(serve_discord(engine, settings), DiscordStartError)
    if worker:
        loop = ReminderLoop(checkins=engine.monthly, notifiers=notifiers, checked_in=engine.changed)
        yield loop.run_forever(settings.reminder_every)
        # Workspaces whose grace period after a removal is over (bot/storage/tenants.py).
        yield store.tenants.run_forever(every=DELETIONS_EVERY)
        if settings.link_check_every:  # logged links fetched again before their check-ins (bot/links/)
            yield _link_checks(store, settings)


def _link_checks(store: Store, settings: Settings) -> Awaitable[None]:
    from bot.links.checker import LinkChecker
    from bot.links.service import run_forever
    from bot.links.store import LinkStore

    checker = partial(LinkChecker, allow_private=settings.link_check_private)
    return run_forever(LinkStore.on(store), checker, every=settings.link_check_every, clock=store.clock)


def _notifiers(engine: Engine, settings: Settings, *, console: bool = False) -> list:
    """A notifier for each platform this process can post reminders to."""
    notifiers = []
    if console:
        from adapters.console.notify import ConsoleNotifier

        notifiers.append(ConsoleNotifier.plain(engine.knowledge))
    if settings.slack_configured and (settings.slack_bot_token or settings.slack_uses_oauth):
        from adapters.slack.notify import SlackNotifier

        notifiers.append(SlackNotifier(settings=settings, knowledge=engine.knowledge, engine=engine, home=engine.home))
    if settings.discord_token:
        from adapters.discord.notify import DiscordNotifier

        notifiers.append(DiscordNotifier(token=settings.discord_token.get_secret_value(), knowledge=engine.knowledge))
    return notifiers


async def _translated(work: Awaitable[None], error_type: type[Exception]) -> None:
    try:
        await work
    except error_type as error:
        raise StartError(str(error)) from None
