"""Running the Slack adapter: an HTTP server (events, OAuth, /healthz, /metrics) or a Socket Mode connection."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.app.async_server import AsyncSlackAppServer

from adapters.slack.app import SlackAdapter
from adapters.slack.guard import door
from bot.core.settings import Settings
from bot.status.pages import add_status_routes, serve_status
from bot.storage.store import Store

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def web_app(adapter: SlackAdapter, store: Store) -> web.Application:
    """The bot's aiohttp application: Slack's events through the door to Bolt (adapters/slack/guard.py),
    Bolt's install and redirect routes with OAuth, /healthz and /metrics."""
    app = web.Application()
    app.router.add_post(EVENTS_PATH, door(adapter.app, adapter.signing_secret, adapter.refusals))
    if (oauth := adapter.app.oauth_flow) is not None:
        # As Bolt's own web app serves them (slack_bolt.app.async_server).
        installer = AsyncSlackAppServer(port=0, path=EVENTS_PATH, app=adapter.app)
        app.router.add_get(oauth.install_path, installer.handle_get_requests)
        app.router.add_get(oauth.redirect_uri_path, installer.handle_get_requests)
    add_status_routes(app, store, adapter.engine.lookups)  # /healthz and /metrics
    app.on_startup.append(adapter.open)
    app.on_cleanup.append(adapter.close)
    return app


async def serve_http(adapter: SlackAdapter, store: Store, settings: Settings) -> None:
    # On a stop the listener closes first, requests in progress get a few seconds (Slack wants an
    # answer within three anyway), then the adapter's close drains the submissions already taken.
    runner = web.AppRunner(web_app(adapter, store), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    log.info(
        "Slack over HTTP: POST %s on %s:%s (and GET /healthz, /metrics)", EVENTS_PATH, settings.host, settings.port
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def serve_socket_mode(adapter: SlackAdapter, settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(adapter.app, settings.slack_app_token.get_secret_value())
    await adapter.open()
    try:  # closed even when stopped while still connecting (slack_sdk retries a refused connect)
        await handler.connect_async()
        log.info("Slack over Socket Mode: connected")
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
        await adapter.close()


class SlackStartError(RuntimeError):
    """Slack refuses a token or cannot be reached: stop with a clear message, not retry forever."""


async def check_tokens(settings: Settings) -> None:
    """Ask Slack once about each configured token, so a wrong one fails at start, not silently."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    checks = []
    if settings.slack_bot_token and not settings.slack_uses_oauth:
        checks.append(("SLACK_BOT_TOKEN", settings.slack_bot_token, "auth_test"))
    if settings.slack_uses_socket_mode:
        checks.append(("SLACK_APP_TOKEN", settings.slack_app_token, "apps_connections_open"))
    for name, token, method in checks:
        client = AsyncWebClient(token=token.get_secret_value(), base_url=settings.slack_api_url)
        try:
            await getattr(client, method)()
        except SlackApiError as error:
            raise SlackStartError(f"Slack refused {name}: {error.response.get('error')}") from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SlackStartError(f"cannot reach Slack's Web API at {settings.slack_api_url} ({error})") from None
        finally:
            if client.session is not None:
                await client.session.close()


async def serve(adapter: SlackAdapter, store: Store, settings: Settings) -> None:
    await check_tokens(settings)
    if not settings.slack_uses_socket_mode:
        await serve_http(adapter, store, settings)
    elif "port" in settings.model_fields_set:  # PORT was given: the platform checks it is bound
        await asyncio.gather(
            serve_socket_mode(adapter, settings), serve_status(store, settings, adapter.engine.lookups)
        )
    else:
        await serve_socket_mode(adapter, settings)
