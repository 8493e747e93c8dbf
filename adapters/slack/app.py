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
import dataclasses
import logging
import re
import tempfile
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from cachetools import TTLCache
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import CALLBACK_PREFIX, SlackRenderer, escape
from adapters.slack.guard import RefusalLog
from adapters.slack.home import SlackPages
from adapters.slack.installations import installation_store
from adapters.slack.payloads import Action, ButtonPress, Command, MalformedPayload, Submission, read
from adapters.slack.upload import post_with_image
from bot.core.events import ChannelKey, Event, Installed, Invoked, Opened, Pressed, Submitted
from bot.core.replies import Reply, files, images
from bot.core.settings import Settings
from bot.engine import Engine
from bot.exports import EXPORT_SUFFIXES, megabytes, too_big
from bot.intake import Busy, Entry

log = logging.getLogger(__name__)


class _QuietTokenWarning(logging.Filter):
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client we pass (which carries the Web API
    # base URL setting) wins over it; it does, with that very token, so the warning only confuses.
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_QuietTokenWarning())

# Chat.postMessage errors after which the response_url (which needs no membership) is used.
NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived"}
OAUTH_STATE_SECONDS = 600
# How long a slash command may wait for the engine before acking empty (Slack allows three seconds).
ACK_BUDGET_SECONDS = 1.0
# The buttons the engine's replies carry (under a plan and under a monthly reminder).
BUTTON_ACTIONS = ("replan", "details", "log", "skip_month", "pause", "confirm_log", "forget_confirm")
# Commands that change the workspace's settings or delete data: only for those who manage it (`_manages`).
MANAGED_COMMANDS = {"connect", "disconnect", "forget"}
# Buttons whose press is such a change: who presses is asked again (never taken from the message).
MANAGED_BUTTONS = {"forget_confirm"}
# Forms whose values are never stored in the inbox (a data provider's key): worked at once after the ack.
UNSTORED_FORMS = {"connect"}
# The App Home's buttons that open a channel: links, whose press Slack reports all the same.
OPEN_CHANNEL = "open_channel"
# Users whose time zone is remembered, and for how long (a first reminder's default time zone).
ZONE_CACHE_USERS = 10_000
ZONE_CACHE_SECONDS = 6 * 3600
RENDERED_KEPT = 64  # replies whose Block Kit is kept, the most recent (see _messages)
_UNKNOWN = object()


class SlackAdapter:
    def __init__(self, *, engine: Engine, settings: Settings):
        self.engine = engine
        self.drain_seconds = settings.drain_seconds
        self.renderer = SlackRenderer(engine.knowledge, command=settings.slack_command)
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
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
        # In place of Bolt's own listeners (which delete the installation only): everything goes.
        self.app.event("app_uninstalled")(self.on_uninstalled)
        self.app.event("tokens_revoked")(self.on_tokens_revoked)
        self.app.command(settings.slack_command)(self.on_command)
        self.app.view(re.compile(f"^{CALLBACK_PREFIX}(plan|log|import|connect)$"))(self.on_form_submitted)
        self.app.event("file_shared")(self.on_file_shared)
        self.app.event("app_home_opened")(self.on_home_opened)
        self.app.action(OPEN_CHANNEL)(self.on_link)
        # Pages kept current after a plan, a log or a check-in are published from here.
        engine.home.serve(SlackPages(renderer=self.renderer, client_for=self._client_for))
        for action in BUTTON_ACTIONS:
            self.app.action(action)(self.on_button)
        # user id → IANA zone, as Slack's profile says: bounded, and read again after a while (people
        # travel and move; a big workspace must not grow the process without end).
        self._zones: TTLCache[str, str | None] = TTLCache(maxsize=ZONE_CACHE_USERS, ttl=ZONE_CACHE_SECONDS)
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
        # they post with is still open; what is left is worked after the restart.
        await self.engine.intake.drain(self.drain_seconds)
        session, self.app.client.session = self.app.client.session, None
        if session is not None:
            await session.close()

    # Listeners.

    async def on_command(self, ack, command: Mapping[str, Any], client: AsyncWebClient) -> None:
        """Ack at once; a reply the engine has ready within the budget rides on the ack itself
        (Slack shows an ack's body as the answer), which spares an outbound request per command."""
        command = read(Command, command)  # MalformedPayload → on_error answers 400 (not acked yet)
        name, _, rest = command.text.strip().partition(" ")
        where = _Where(command.team_id, command.channel_id, command.response_url, command.trigger_id)
        # Only `remind` needs the user's time zone (a first reminder's default): ask Slack just then.
        zone = await self._user_zone(client, command.user_id) if name.lower() == "remind" else None
        # The trigger id names this request: a replay of it changes nothing twice (the engine).
        event = Invoked(where.key, command.user_id, name or "help", rest, zone, request=command.trigger_id or None)
        work = asyncio.ensure_future(self._invoked(event, client))
        # asyncio.wait, unlike wait_for, leaves the work running when the budget is out.
        await asyncio.wait((work,), timeout=ACK_BUDGET_SECONDS)
        if not work.done():
            await ack()
            await self._run(event, where, client, work)
            return
        try:
            replies = work.result()
        except Exception:
            log.exception("handling %s in %s failed", type(event).__name__, where.key)
            await ack(text=self._failure_text(), response_type="ephemeral")
            return
        # A reply with a picture or a file is uploaded (the files API), and a long one is several
        # messages: neither can ride on the ack.
        attached = replies and (images(replies[0]) or files(replies[0]))
        first = replies[0] if replies and replies[0].form is None and not attached else None
        messages = self._messages(first) if first is not None else []
        if len(messages) != 1:
            await ack()
        else:
            visibility = "ephemeral" if first.private else "in_channel"
            await ack(**messages[0], response_type=visibility)
            replies = replies[1:]
        await self._run(event, where, client, _done(replies))

    def _messages(self, reply: Reply) -> list[dict[str, Any]]:
        """The reply as Block Kit messages. The engine answers a burst of `show` with one reply
        object: rendered once (the messages are only read, never changed)."""
        kept = self._rendered.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        messages = self.renderer.messages(reply)
        self._rendered[id(reply)] = (reply, messages)  # the reply held: its id stays its own
        if len(self._rendered) > RENDERED_KEPT:
            self._rendered.popitem(last=False)
        return messages

    async def _invoked(self, event: Invoked, client: AsyncWebClient) -> list[Reply]:
        if event.command.lower() in MANAGED_COMMANDS:  # asked only for them: users.info is a call
            event = dataclasses.replace(event, manages=await self._manages(client, event.channel.workspace, event.user))
        return await self.engine.handle(event)

    async def _manages(self, client: AsyncWebClient, team: str, user: str) -> bool:
        """May this user change the workspace's settings? A workspace admin or owner (users.info),
        or the person who installed the bot in this workspace (the installation store, with OAuth).
        Asked each time, never cached: someone demoted loses it at once."""
        if self.installations is not None:
            installed = await self.installations.async_find_installation(enterprise_id=None, team_id=team, user_id=user)
            if installed is not None and installed.user_id == user:
                return True
        try:
            found = (await client.users_info(user=user)).get("user") or {}
        except SlackApiError:  # no users:read scope, or a deleted user: not known to manage it
            return False
        return bool(found.get("is_admin") or found.get("is_owner") or found.get("is_primary_owner"))

    async def _user_zone(self, client: AsyncWebClient, user: str) -> str | None:
        zone = self._zones.get(user, _UNKNOWN)
        if zone is _UNKNOWN:
            try:
                zone = (await client.users_info(user=user)).get("user", {}).get("tz")
            except SlackApiError:  # no users:read scope, or a deleted user: UTC it is
                zone = None
            self._zones[user] = zone
        return zone

    async def on_button(self, ack, body: Mapping[str, Any], action: Mapping[str, Any], client) -> None:
        press = read(ButtonPress, body)  # read before the ack, so a malformed one gets its 400
        pressed = read(Action, action)
        where = _Where(press.workspace, press.channel.id, press.response_url, press.trigger_id)
        await ack()
        event = Pressed(where.key, press.user.id, pressed.action_id, pressed.value, request=press.trigger_id or None)
        await self._run(event, where, client, self._pressed(event, client))

    async def _pressed(self, event: Pressed, client: AsyncWebClient) -> list[Reply]:
        if event.action in MANAGED_BUTTONS:  # asked only for them: users.info is a call
            event = dataclasses.replace(event, manages=await self._manages(client, event.channel.workspace, event.user))
        return await self.engine.handle(event)

    async def on_uninstalled(self, body: Mapping[str, Any], context) -> None:
        """The app was removed from a workspace: every row of that workspace is deleted."""
        if team := context.team_id or body.get("team_id"):
            await self.engine.store.tenants.delete_workspace("slack", team, why="the app was uninstalled")

    async def on_tokens_revoked(self, body: Mapping[str, Any], event: Mapping[str, Any], context) -> None:
        """The bot's token revoked: the bot can do nothing more there, so its data goes as on an
        uninstall. Users' tokens revoked: nothing to delete (the app asks for no user scopes, so it
        keeps no user token), and the workspace's data stays."""
        team = context.team_id or body.get("team_id")
        if (event.get("tokens") or {}).get("bot") and team:
            await self.engine.store.tenants.delete_workspace("slack", team, why="the bot token was revoked")

    async def on_form_submitted(
        self, ack, body: Mapping[str, Any], view: Mapping[str, Any], client: AsyncWebClient
    ) -> None:
        """Errors must travel on the ack (`response_action: errors`), so validate first — a pure
        check, no I/O. Then store the submission (bot/intake/) and only then ack: once Slack closes
        the form it is never lost. Planning, storing and posting follow, from the intake's queue.
        The connect form is not stored (its key): acked, then worked at once."""
        if self.engine.intake.busy:  # say so before spending anything on the form
            await self._busy(ack, _first_field(body))
            return
        payload = read(Submission, body)  # MalformedPayload → on_error answers 400 (not acked yet)
        form = payload.view.callback_id.removeprefix(CALLBACK_PREFIX)
        meta, team = payload.view.private_metadata, payload.workspace
        values = payload.view.state.answers()
        files = payload.view.state.files()
        errors = self.engine.check(values, form)
        errors.update({q: reason for q, f in files.items() if (reason := self._too_big(f))})
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        if form in UNSTORED_FORMS:
            await ack()
            where = _Where(team, meta.channel, meta.response_url, "")
            await self._run(
                Submitted(where.key, payload.user.id, form=form),
                where,
                client,
                self._submitted(where, payload.user.id, values, form, client),
            )
            return
        submission = {
            "form": form,
            "team": team,
            "channel": meta.channel,
            "response_url": meta.response_url,
            "user": payload.user.id,
            "values": values,
            "files": files,
        }
        # A replay of the same submission (same view, same hash) is recognised by its key.
        key = f"slack:{team}:{view['id']}:{view.get('hash', '')}" if view.get("id") else f"slack:{uuid.uuid4()}"
        try:  # queued for the intake's workers once stored (a replay: stored before, nothing to do)
            await self.engine.intake.accept("slack", key, submission, channel=ChannelKey("slack", team, meta.channel))
        except Busy:
            await self._busy(ack, next(iter(values), None))
            return
        await ack()

    async def _perform(self, entry: Entry) -> None:
        """Work a stored submission: fetch its files, plan (or log, or import), store and post."""
        submission = entry.payload
        where = _Where(submission["team"], submission["channel"], submission["response_url"], "")
        client = await self._client_for(submission["team"])
        if client is None:
            log.warning("a submission from workspace %s was dropped: the app is no longer installed there", where.key)
            return
        user, form, values = submission["user"], submission["form"], dict(submission["values"])
        zone = await self._user_zone(client, user) if form == "plan" else None  # for a first reminder
        event = Submitted(where.key, user, values, zone, form, entry.key)
        if not submission["files"]:
            await self._run(event, where, client)
            return
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            try:
                for question, file in submission["files"].items():  # a local copy for the engine
                    values[question] = await self._download(client, file, Path(folder))
            except DownloadError as error:
                await _quietly(
                    self._respond(client, where, {"text": str(error), "response_type": "ephemeral"}, user=user)
                )
                return
            await self._run(event, where, client)

    async def _submitted(
        self, where: _Where, user: str, values: Mapping[str, str], form: str, client: AsyncWebClient
    ) -> list[Reply]:
        """A form not stored in the inbox, worked now: who submits it is asked again first."""
        manages = await self._manages(client, where.key.workspace, user)
        return await self.engine.handle(Submitted(where.key, user, dict(values), form=form, manages=manages))

    async def _client_for(self, team: str) -> AsyncWebClient | None:
        """A Web API client with the workspace's bot token (a submission is worked outside its
        request, perhaps after a restart); None once the app was uninstalled there."""
        if self.installations is None:
            return self.app.client
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None:
            return None
        return AsyncWebClient(token=bot.bot_token, base_url=self.app.client.base_url, session=self.app.client.session)

    async def on_file_shared(
        self, body: Mapping[str, Any], event: Mapping[str, Any], client: AsyncWebClient, context
    ) -> None:
        """An export shared in a channel the bot is in is imported like `/backlinks import` (once:
        Slack retries an event it thinks was missed with the same event id)."""
        info = (await client.files_info(file=event["file_id"]))["file"]
        if Path(info.get("name", "")).suffix.lower() not in EXPORT_SUFFIXES or not event.get("channel_id"):
            return  # a picture or a document: not for us
        where = _Where(context.team_id or event.get("team_id", ""), event["channel_id"], "", "")
        user = event.get("user_id", "")
        if (reason := self._too_big(info)) is not None:  # it names the file: escaped like any user text
            await client.chat_postEphemeral(channel=where.channel, user=user, text=escape(reason))
            return
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            try:
                path = await self._download(client, info, Path(folder))
            except DownloadError as error:
                await client.chat_postEphemeral(channel=where.channel, user=user, text=str(error))
                return
            event_id = body.get("event_id") or None
            await self._run(Invoked(where.key, user, "import", "", None, path, request=event_id), where, client)

    def _too_big(self, file: Mapping[str, Any]) -> str | None:
        return too_big(file.get("name", "The file"), int(file.get("size") or 0), self.engine.imports.max_bytes)

    async def _download(self, client: AsyncWebClient, file: Mapping[str, Any], folder: Path) -> str:
        """Fetch a Slack file with the bot's token into `folder`, never past the size limit."""
        if "url_private_download" not in file:
            file = (await client.files_info(file=file["id"]))["file"]
        path = folder / Path(file.get("name") or "export.csv").name
        limit = self.engine.imports.max_bytes
        headers = {"Authorization": f"Bearer {client.token}"}
        session = client.session or aiohttp.ClientSession()
        try:
            async with session.get(file["url_private_download"], headers=headers) as response:
                if response.status != 200:
                    raise DownloadError(self._say("slack.download_refused", name=path.name, status=response.status))
                written = 0
                with open(path, "wb") as out:
                    async for chunk in response.content.iter_chunked(1 << 16):
                        written += len(chunk)
                        if written > limit:
                            raise DownloadError(
                                self._say("slack.download_too_big", name=path.name, limit=megabytes(limit))
                            )
                        out.write(chunk)
        finally:
            if client.session is None:
                await session.close()
        return str(path)

    # The App Home and the welcome.

    async def on_home_opened(self, event: Mapping[str, Any], client: AsyncWebClient, context) -> None:
        """The Home tab opened: publish the person's page; on their first visit ever, welcome them
        in the app's Messages tab (`channel` is that conversation: chat:write covers it)."""
        if event.get("tab") != "home":
            return  # the Messages tab (or the About tab) was opened: nothing to publish
        user, conversation, team = event.get("user"), event.get("channel"), context.team_id or ""
        if not isinstance(user, str) or not user or not isinstance(conversation, str) or not conversation:
            self.refusals.note("malformed app_home_opened event (no user or channel)")
            return
        where = ChannelKey("slack", team, conversation)
        try:
            replies = await self.engine.handle(Opened(where, user))
            for reply in replies:
                if reply.kind == "home":
                    await client.views_publish(user_id=user, view=self.renderer.home(reply))
                else:
                    await self._welcome(client, where, user, reply)
        except Exception:
            log.exception("publishing the App Home of %s in %s failed", user, team)

    async def on_installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        """Installed: welcome the installer in the app's Messages tab (chat.postMessage to a user id
        posts there), once; then Bolt's own success page. A failed welcome never fails the install."""
        installed = args.installation
        if installed.team_id and installed.user_id and installed.bot_token:
            client = AsyncWebClient(
                token=installed.bot_token, base_url=self.app.client.base_url, session=self.app.client.session
            )
            where = ChannelKey("slack", installed.team_id, installed.user_id)
            try:
                for reply in await self.engine.handle(Installed(where, installed.user_id)):
                    await self._welcome(client, where, installed.user_id, reply)
            except Exception:
                log.exception("welcoming the installer of %s failed", installed.team_id)
        return await args.default.success(args)

    async def _welcome(self, client: AsyncWebClient, where: ChannelKey, user: str, reply: Reply) -> None:
        try:
            for message in self.renderer.messages(reply):
                await client.chat_postMessage(channel=where.channel, **message)
        except SlackApiError as error:
            # Not sent: the next visit tries again (a welcome is once, but not never).
            log.warning("could not welcome %s in %s: %s", user, where.workspace, error.response.get("error"))
            await self.engine.home.not_welcomed(where, user)

    async def on_link(self, ack) -> None:
        await ack()  # a link button: Slack opened the channel; there is nothing to do

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
            failure = {"text": self._failure_text(), "response_type": "ephemeral", "replace_original": False}
            await _quietly(self._respond(client, where, failure, user=event.user))

    async def _post(self, reply: Reply, where: _Where, client: AsyncWebClient, *, user: str) -> None:
        if reply.form is not None:
            view = self.renderer.modal(reply.form, where.metadata(), reply.blocks)
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

    def _say(self, template: str, **values: Any) -> str:
        """A message of our own as mrkdwn: the values (a file's name) are escaped, so a file named
        `<!channel>` can't notify a whole channel."""
        return self.renderer.mrkdwn.render(template, values)

    def _failure_text(self) -> str:
        return self.renderer.plain.render("slack.failed")


class DownloadError(RuntimeError):
    """A shared file could not be fetched; the message is for the user."""


class _Where:
    """Where a request came from and how to answer it."""

    def __init__(self, team: str, channel: str, response_url: str, trigger_id: str):
        self.key = ChannelKey("slack", team, channel)
        self.channel = channel
        self.response_url = response_url
        self.trigger_id = trigger_id

    def metadata(self) -> dict[str, str]:
        # Carried through the modal: view_submission payloads name neither channel nor response_url.
        return {"channel": self.channel, "response_url": self.response_url}


async def _post_to_response_url(client: AsyncWebClient, url: str, body: dict[str, Any]) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    response = await AsyncWebhookClient(url, session=client.session).send_dict(body)
    if response.status_code != 200:
        raise RuntimeError(f"response_url answered {response.status_code}")


async def _default_failure(args: AsyncFailureArgs) -> BoltResponse:
    return await args.default.failure(args)


async def _done(replies: list[Reply]) -> list[Reply]:
    return replies


async def _quietly(call: Awaitable[Any]) -> None:
    try:
        await call
    except Exception:  # the failure message itself could not be sent; the log has the cause
        log.exception("could not tell the user about a failure")


def _first_field(body: Mapping[str, Any]) -> str | None:
    """The first field of a submitted form, read off the raw body without validating it (a "busy"
    answer is shown there, and must cost next to nothing)."""
    try:
        return next(iter(body["view"]["state"]["values"]), None)
    except (KeyError, TypeError):
        return None
