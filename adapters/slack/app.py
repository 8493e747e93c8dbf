"""The Slack adapter: `/backlinks`, the plan modal and the plan's buttons on slack-bolt's AsyncApp.

Thin by design: acknowledge first, translate the payload into a core event, `await
engine.handle(event)`, translate the neutral replies into Block Kit. What to answer is decided by
the engine; which sub-commands exist is the engine's command table, so new ones need no change
here. Every failure after the ack ends in a clear private message, never Slack's bare
"dispatch_failed".

Who may change the workspace's settings (`connect`, `disconnect`: a data provider's key) or delete a
channel's data (`forget`) is decided here, where Slack is known, and handed to the engine as
`manages`: a workspace admin or owner, or the person who installed the bot (OAuth installs record
them). It is checked again when the connect form is submitted and when forget's button is pressed.

Uninstalling the app (`app_uninstalled`), or revoking its bot token (`tokens_revoked`), deletes
every row of the workspace: plans, drafts, reminders, progress, submissions, the provider key, the
installation (bot/storage/tenants.py), in one transaction.

The connect form's key is never stored in the inbox (it would sit there in clear): the form is
acked, then worked at once; a stop in between loses it, and it is typed again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from cachetools import TTLCache
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import CALLBACK_PREFIX, SlackRenderer
from adapters.slack.guard import RefusalLog
from adapters.slack.home import SlackPages
from adapters.slack.installations import installation_store
from adapters.slack.listeners.actions import Actions
from adapters.slack.listeners.commands import Commands
from adapters.slack.listeners.context import (
    BUTTON_ACTIONS,
    NOT_POSTABLE,
    OAUTH_STATE_SECONDS,
    OPEN_CHANNEL,
    ZONE_CACHE_SECONDS,
    ZONE_CACHE_USERS,
    _default_failure,
    _post_to_response_url,
    _quietly,
    _Where,
    log,
)
from adapters.slack.listeners.events import Events
from adapters.slack.listeners.home import HomeListeners
from adapters.slack.listeners.views import Views
from adapters.slack.payloads import MalformedPayload
from adapters.slack.upload import post_with_image
from bot.core.events import Event
from bot.core.replies import Reply, files, images
from bot.core.settings import Settings
from bot.engine import Engine


class SlackAdapter(Commands, Actions, Views, Events, HomeListeners):
    def __init__(self, *, engine: Engine, settings: Settings):
        self.engine = engine
        self.drain_seconds = settings.drain_seconds
        self.renderer = SlackRenderer(engine.knowledge, command=settings.slack_command)
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        _sdk_logs_only_when_shown()
        client = AsyncWebClient(token=None if settings.slack_uses_oauth else token, base_url=settings.slack_api_url)
        self.signing_secret = secret
        self.refusals = RefusalLog()  # refused and malformed requests: one short line, rate-limited
        # With a secret, every HTTP request passes the door (adapters/slack/guard.py), which checks
        # the signature and hands Bolt the payload already decoded: Bolt's second check would be
        # over a body it no longer has. Socket Mode requests are not signed (Bolt skips them anyway).
        options: dict[str, Any] = {
            "client": client,
            "signing_secret": secret,
            "request_verification_enabled": secret is None,
        }
        self.installations = None
        if settings.slack_uses_oauth:
            # Many workspaces: installations and OAuth state live in our own database.
            self.installations = installation_store(settings, engine.store.engine)
            options["oauth_settings"] = AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value(),
                scopes=[s.strip() for s in settings.slack_scopes.split(",") if s.strip()],
                redirect_uri=settings.slack_redirect_uri,
                installation_store=self.installations,
                state_store=AsyncSQLAlchemyOAuthStateStore(
                    expiration_seconds=OAUTH_STATE_SECONDS, engine=engine.store.engine
                ),
                # A successful install also welcomes the installer (once, ever), then shows Bolt's page.
                callback_options=AsyncCallbackOptions(success=self.on_installed, failure=_default_failure),
            )
        self.app = AsyncApp(**options)
        self._listening: set[asyncio.Task] = set()  # listeners Bolt runs after its ack (see close)
        # In place of Bolt's own listeners (which delete the installation only): everything goes.
        self.app.event("app_uninstalled")(self._tracked(self.on_uninstalled))
        self.app.event("tokens_revoked")(self._tracked(self.on_tokens_revoked))
        self.app.command(settings.slack_command)(self._tracked(self.on_command))
        self.app.view(re.compile(f"^{CALLBACK_PREFIX}(plan|log|import|connect)$"))(
            self._tracked(self.on_form_submitted)
        )
        self.app.event("file_shared")(self._tracked(self.on_file_shared))
        self.app.event("app_home_opened")(self._tracked(self.on_home_opened))
        self.app.action(OPEN_CHANNEL)(self._tracked(self.on_link))
        # Pages kept current after a plan, a log or a check-in are published from here.
        engine.home.serve(SlackPages(renderer=self.renderer, client_for=self._client_for))
        for action in BUTTON_ACTIONS:
            self.app.action(action)(self._tracked(self.on_button))
        # user id → (IANA zone, locale), as Slack's profile says: bounded, and read again after a while
        # (people travel and move; a big workspace must not grow the process without end).
        self._zones: TTLCache[str, tuple] = TTLCache(maxsize=ZONE_CACHE_USERS, ttl=ZONE_CACHE_SECONDS)
        self._rendered: OrderedDict[int, tuple[Reply, list[dict[str, Any]]]] = OrderedDict()  # see _messages
        engine.intake.serve("slack", self._perform)
        self.app.error(self.on_error)

    # One HTTP session for every Web API call and response_url POST: a new TCP connection per
    # reply (Bolt's default) costs more than handling the request itself.

    async def open(self, *_: Any) -> None:
        if self.app.client.session is None:
            self.app.client.session = aiohttp.ClientSession()

    async def working_forms(self) -> None:
        """Work the forms Slack's web processes stored (bot/intake/) until stopped: a Procfile worker
        beside them, with no HTTP server of its own."""
        await self.open()
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def close(self, *_: Any) -> None:
        # Submissions already acknowledged are finished (within the deadline) while the session
        # they post with is still open; what is left is worked after the restart. So are the
        # listeners Bolt runs in tasks of their own after its ack (a command's reply, a button) and
        # the Home pages being published again: left running, they were cut off mid-query when the
        # store closed (a pooled connection dropped unclosed, its aiosqlite thread answering a loop
        # already closed).
        deadline = asyncio.get_running_loop().time() + self.drain_seconds
        await self.engine.intake.drain(self.drain_seconds)
        if self._listening:
            await asyncio.wait(set(self._listening), timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
        try:
            await asyncio.wait_for(self.engine.home.settle(), max(0.0, deadline - asyncio.get_running_loop().time()))
        except TimeoutError:
            log.warning("stopping: Home pages still being published at the drain's deadline were left")
        session, self.app.client.session = self.app.client.session, None
        if session is not None:
            await session.close()

    def _tracked(self, listener: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """The listener as Bolt calls it (it reads the wrapped one's parameters), its task known to
        `close` while it runs."""

        @functools.wraps(listener)
        async def tracked(*args: Any, **kwargs: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._listening.add(task)
            try:
                return await listener(*args, **kwargs)
            finally:
                self._listening.discard(task)

        return tracked

    # Listeners.

    async def _client_for(self, team: str) -> AsyncWebClient | None:
        """A Web API client with the workspace's bot token (a submission is worked outside its
        request, perhaps after a restart); None once the app was uninstalled there."""
        if self.installations is None:
            return self.app.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None:
            return None
        return AsyncWebClient(token=bot.bot_token, base_url=self.app.client.base_url, session=self.app.client.session)

    async def on_error(self, error: Exception, body: Mapping[str, Any], response) -> BoltResponse | None:
        if isinstance(error, MalformedPayload):
            # Signed, but not of a shape Slack sends: 400 with the short reason (Slack shows the user
            # its own error), one rate-limited line in the log, no traceback.
            self.refusals.note(f"malformed {body.get('type', 'slash command')} payload ({error})")
            return None if response is None else BoltResponse(status=400, body=str(error))
        log.error("unhandled error for a %s request: %r", body.get("type", "slash command"), error)
        return None

    # Delivery.

    async def _run(
        self, event: Event, where: _Where, client: AsyncWebClient, work: Awaitable[list[Reply]] | None = None
    ) -> None:
        # Acked already: a stop (SIGTERM) waits for this like for a stored submission.
        await self.engine.intake.track(self._deliver(event, where, client, work))

    async def _deliver(
        self, event: Event, where: _Where, client: AsyncWebClient, work: Awaitable[list[Reply]] | None
    ) -> None:
        try:
            for reply in await (work if work is not None else self.engine.handle(event)):
                await self._post(reply, where, client, user=event.user)
        except Exception:
            log.exception("handling %s in %s failed", type(event).__name__, where.key)
            failure = {"text": await self._failure_text(event), "response_type": "ephemeral", "replace_original": False}
            await _quietly(self._respond(client, where, failure, user=event.user))

    async def _post(self, reply: Reply, where: _Where, client: AsyncWebClient, *, user: str) -> None:
        if reply.form is not None:
            view = self.renderer.speaking(reply.language).modal(reply.form, where.metadata(), reply.blocks)
            await client.views_open(trigger_id=where.trigger_id, view=view)
        elif reply.private:
            for message in self.renderer.messages(reply):
                message = {**message, "response_type": "ephemeral", "replace_original": False}
                await self._respond(client, where, message, user=user)
        else:
            *before, last = self.renderer.messages(reply)
            for message in before:
                await self._post_in_channel(message, where, client)
            # The picture (a chart) or the file (a CSV) goes with the reply's last message.
            if attached := [*images(reply), *files(reply)]:
                await self._post_with_image(last, attached[0], where, client, title=self.renderer.fallback(reply))
            else:
                await self._post_in_channel(last, where, client)

    async def _respond(self, client: AsyncWebClient, where: _Where, message: dict[str, Any], *, user: str) -> None:
        """Only to the person who asked: through the request's response_url, else as an ephemeral."""
        if where.response_url:
            await _post_to_response_url(client, where.response_url, message)
        else:
            text, blocks = message.get("text", ""), message.get("blocks")
            await client.chat_postEphemeral(channel=where.channel, user=user, text=text, blocks=blocks)

    async def _post_in_channel(self, message: dict[str, Any], where: _Where, client: AsyncWebClient) -> None:
        try:
            await client.chat_postMessage(channel=where.channel, **message)
        except SlackApiError as error:
            # A private channel or DM the bot is not in: the command's response_url still works.
            if error.response.get("error") not in NOT_POSTABLE or not where.response_url:
                raise
            await _post_to_response_url(client, where.response_url, {**message, "response_type": "in_channel"})

    async def _post_with_image(
        self, message: dict[str, Any], image, where: _Where, client: AsyncWebClient, *, title: str
    ) -> None:
        alt = self.renderer.plain.text(image.alt)
        try:
            await post_with_image(client, where.channel, message, image, alt=alt, title=title)
        except SlackApiError as error:
            # Not a member here: the response_url still carries the message, without its picture.
            if error.response.get("error") not in NOT_POSTABLE or not where.response_url:
                raise
            await _post_to_response_url(client, where.response_url, {**message, "response_type": "in_channel"})

    async def _busy(self, ack, field: str | None) -> None:
        # On the form's first field: the form stays open with what was typed; nothing was taken.
        await ack(response_action="errors", errors={field: self.renderer.plain.render("busy")} if field else {})

    async def _failure_text(self, event: Event) -> str:
        """The apology, in the channel's language (else the person's), unless finding it out is what failed."""
        try:
            return self.renderer.speaking(await self.engine.languages.of(event.channel, event.locale)).plain.render(
                "slack.failed"
            )
        except Exception:  # noqa: BLE001 - the apology goes out all the same
            return self.renderer.plain.render("slack.failed")


def _sdk_logs_only_when_shown() -> None:
    """slack_sdk writes its debug line of every Web API call (the whole message sent, ~5 kB for a
    plan, and the answer) when its logger's own level is unset - it tests `logger.level`, not the
    level in effect - and the line is then dropped by ours: its level set to the one in effect
    (DEBUG still shows them) skips that work, ~0.05 ms a call."""
    sdk = logging.getLogger("slack_sdk.web.async_base_client")  # AsyncWebClient's logger
    if sdk.level == logging.NOTSET:
        sdk.setLevel(sdk.getEffectiveLevel())
