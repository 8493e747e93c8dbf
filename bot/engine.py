"""The engine: events in, neutral replies out. It never sends anything itself.

It is a router. Each capability (planning, the monthly check-ins, exports) is built with the
services it needs and plugs its commands, forms and buttons into the engine's tables (see
`bot/core/feature.py`); the engine turns an event into a `Request` and looks its handler up. A new
command is a row in its capability's `plugs()`, not a branch here.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from bot.conversation import views
from bot.conversation.questionnaire import Draft, apply
from bot.core import logs, metrics
from bot.core.events import ChannelKey, Event, Invoked, Pressed, Said, Submitted
from bot.core.feature import Plugs, Request, merged
from bot.core.replies import Reply
from bot.exports.commands import Imports
from bot.exports.history import History
from bot.home.service import Home
from bot.intake import Intake
from bot.languages.service import Languages, spoken
from bot.lookups.commands import Connections
from bot.lookups.service import Lookups
from bot.monthly.commands import Monthly
from bot.planning.commands import Planning
from bot.planning.knowledge import Knowledge
from bot.privacy.commands import Forgetting
from bot.storage.drafts import DraftConflict
from bot.storage.store import Store

log = logging.getLogger(__name__)
_HELP = {chat: views.help_reply(conversational=chat) for chat in (False, True)}

# Asking for help in words, or in the languages the bot speaks: the commands themselves are English.
_ASKS_FOR_HELP = (
    r"[¿¡]?(?:help me|what can you do|commands|hilfe|befehle|was kannst du|aide|commandes|ayuda|comandos)\s*[?!.]*\s*$"
)
ASK_AGAIN_AFTER = {"help", "show", "why"}  # commands a chat may use mid-plan without leaving it
CONFLICT_RETRIES = 5
NEAR_CUTOFF = 0.75  # how alike a word and a command must be to read it as a typo of that command


class Engine:
    def __init__(
        self,
        *,
        knowledge: Knowledge,
        store: Store,
        import_max_bytes: int = 100_000_000,
        intake: Intake | None = None,
        lookups: Lookups | None = None,
    ):
        self.knowledge = knowledge
        self.store = store
        self.intake = intake or Intake(store)  # what adapters take in (form submissions) before their ack
        self.lookups = lookups or Lookups(store=store)  # none connected unless the app hands clients in
        self.monthly = Monthly(store=store, knowledge=knowledge, lookups=self.lookups)
        self.imports = Imports(store=store, knowledge=knowledge, max_bytes=import_max_bytes)
        self.planning = Planning(store=store, knowledge=knowledge, checkins=self.monthly, lookups=self.lookups)
        self.connections = Connections(lookups=self.lookups, form=knowledge.connect_form)
        self.forgetting = Forgetting(store=store)
        self.home = Home(store=store, summaries=self.monthly, lookups=self.lookups)
        self.history = History(summary=self.monthly.summary)
        self.languages = Languages(store=store)
        self.monthly.checkins.languages = self.languages  # check-ins go out in each channel's language
        self.monthly.summary.languages = self.languages  # and `show`'s chart is drawn in it
        # A new capability: one more here.
        capabilities = (
            *(self.planning, self.monthly, self.imports, self.history),
            *(self.connections, self.forgetting, self.home, self.languages),
        )
        # Every capability's commands, forms, checks, buttons and notices, as one set of tables.
        self.tables = merged(
            [Plugs(commands={"help": self._help}, sayings={_ASKS_FOR_HELP: "help"}), *(c.plugs() for c in capabilities)]
        )
        self.commands = self.tables.commands
        # Each (platform, name)'s metric series, looked up once: `labels()` takes a lock and builds
        # a key on every call (~5 µs a request, a tenth of `help`'s own cost on Discord).
        self._series: dict[tuple[str, str], tuple[Any, Any]] = {}

    def check(self, values: Mapping[str, str], form: str = "plan") -> dict[str, str]:
        """Validate form values without touching storage: {question id: reason} for the bad ones.

        For platforms that must answer a form before doing any work (Slack's modal ack)."""
        return self.read(values, form)[1]

    def carries_secrets(self, form: str) -> bool:
        """A form whose values hold a secret (`connect`'s provider key): never stored in the inbox,
        worked at once. The capabilities declare it, as for the chat lines that carry one."""
        return form in self.tables.secrets

    def read(self, values: Mapping[str, str], form: str = "plan") -> tuple[dict[str, Any] | None, dict[str, str]]:
        """`check`, and the answers as read (JSON), None when any is bad. A submission queued after
        its ack carries them (`Submitted.read`), so its worker does not parse every answer again."""
        draft, errors = apply(self.knowledge.form(form), Draft(), values, self.store.clock().date())
        if not errors and form in self.tables.checks:
            errors = self.tables.checks[form](values)
        return (None if errors else draft.to_json()), errors

    async def handle(self, event: Event) -> list[Reply]:
        """Handle an event.

        A change asked for by a platform request (a command or a button, with the platform's id for
        it) is made once: the request is claimed in the database first, so a second delivery of it,
        here or in another process, changes nothing and gets no reply — the first delivery answers
        (Discord refuses a second answer to one interaction anyway). A failed change releases the
        claim, so the same request can be tried again.

        If another process saved the same user's draft meanwhile, start over from what is stored
        now (optimistic concurrency), so no answer is lost or counted twice."""
        platform, name = event.channel.platform, _metric_name(event, self.tables)
        series = self._series.get((platform, name))
        if series is None:  # names are bounded (_metric_name), so is this
            series = self._series[platform, name] = (
                metrics.REQUESTS.labels(platform, name),
                metrics.REQUEST_SECONDS.labels(platform),
            )
        counted, timed = series
        counted.inc()
        with logs.handling(event.channel, getattr(event, "request", None)):
            started = time.perf_counter()
            try:
                replies = await self._handled(event)
                return spoken(replies, await self.languages.of(event.channel, getattr(event, "locale", None)))
            finally:
                took = time.perf_counter() - started
                timed.observe(took)
                log.debug("%s: %s answered in %.1f ms", platform, name, took * 1000)

    async def _handled(self, event: Event) -> list[Reply]:
        if isinstance(event, Said | Invoked | Submitted | Pressed):
            await self.home.used(event.channel, event.user)
        changes = bool(_changes(event, self.commands) & self.tables.changes)
        once = _once_key(event) if changes else None
        if once is not None and not await self.store.requests.claim(once):
            return []  # delivered before: done, or being done, by the delivery that claimed it
        try:
            replies = await self._retried(event)
        except BaseException:
            if once is not None:
                await self._release(once)
            raise
        if replies is None:  # every try met another process's save: nothing changed
            if once is not None:
                await self._release(once)
            return [views.info("plan.busy")]
        if changes:
            self.changed([event.channel])
        return replies

    def changed(self, channels: list[ChannelKey]) -> None:
        """These channels changed: what shows them is composed afresh (`show` at once; the Home's
        pages in the background, the replies don't wait for them)."""
        self.planning.changed(channels)
        self.home.changed(channels)

    async def _retried(self, event: Event) -> list[Reply] | None:
        for _ in range(CONFLICT_RETRIES):
            try:
                return await self._handle(event)
            except DraftConflict:
                continue
        return None

    async def _release(self, once: str) -> None:
        try:
            await asyncio.shield(self.store.requests.release(once))
        except Exception:  # the failure itself is what the caller hears about
            log.exception("could not release the claim on request %s; it is refused for a day", once)

    async def _handle(self, event: Event) -> list[Reply]:
        match event:
            case Said(channel, user, said, timezone, file, manages):
                return await self._noticed(channel, await self._said(channel, user, said, timezone, file, manages))
            case Invoked(channel, user, command, argument, timezone, file, manages):
                handler = self.commands.get(command.strip().lower())
                if handler is None:
                    unknown = views.info("help.unknown_command", command=command, suggestion=self._near(command))
                    return [unknown, views.help_reply(conversational=False)]
                request = Request(channel, user, argument, False, timezone, file, manages=manages)
                return await self._noticed(channel, await handler(request))
            case Submitted(channel, user, values, timezone, form, submission, manages, _, read):
                request = Request(channel, user, "", False, timezone, submission=submission, manages=manages, read=read)
                return await self.tables.forms.get(form, self.tables.forms["plan"])(request, values)
            case Pressed(channel, user, action, value, manages):
                pressed = self.tables.buttons.get(action)
                if pressed is None:
                    return [views.help_reply(conversational=False)]
                return await pressed(Request(channel, user, conversational=False, manages=manages), value)
        handler = self.tables.events.get(type(event))
        if handler is not None:
            return await handler(event)
        raise TypeError(f"not an event: {event!r}")

    async def _noticed(self, channel: ChannelKey, replies: list[Reply]) -> list[Reply]:
        """What a capability has to say once, before the replies (reminders paused, say)."""
        for notice in self.tables.notices:
            replies = [*await notice(channel), *replies]
        return replies

    async def _said(
        self, channel: ChannelKey, user: str, said: str, timezone: str | None, file: str | None, manages: bool
    ) -> list[Reply]:
        """A line of chat: a command, or the answer to the question waiting for this user."""
        head, _, rest = said.strip().partition(" ")
        if head.endswith(":") and head[:-1].lower() in self.commands:  # "log: 2"
            head = head[:-1]
        handler = self.commands.get(head.lower())
        if handler is not None:
            replies = await handler(Request(channel, user, rest, True, timezone, file, manages=manages))
            if head.lower() in ASK_AGAIN_AFTER:  # the question still waiting is the last thing said
                replies += await self.planning.pending_question(channel, user)
            return replies
        replies = await self.planning.answer(channel, user, said, timezone, lambda typed: self._near(typed, chat=True))
        if replies is not None:
            return replies
        if not said.strip():
            return []
        for saying, command in self.tables.sayings.items():  # "I built 2 links": `log 2 links`
            if meant := re.match(saying, said.strip(), re.IGNORECASE):
                request = Request(channel, user, said.strip()[meant.end() :], True, timezone, file, manages=manages)
                return await self.commands[command](request)
        quoted = head if self.carries_secret(said) else said.strip()  # a mistyped `connect` keeps its key unsaid
        return [views.info("help.unknown", text=quoted, suggestion=self._near(head, chat=True))]

    async def _help(self, request: Request) -> list[Reply]:
        # The same reply object each time (replies are never changed): an adapter that keeps what it
        # rendered for a reply (Slack's, Discord's) renders help once.
        return [_HELP[request.conversational]]

    def carries_secret(self, line: str) -> bool:
        """Whether a line of chat may carry a secret: words after a command that declares its words
        secret (`connect dataforseo LOGIN:PASSWORD`), or after a typo of one (`conect …`), which
        holds the key all the same. Such a line is never to be kept (a terminal's history)."""
        head, _, rest = line.strip().partition(" ")
        head, secret = head.lower(), self.tables.secrets
        if not rest.strip() or (head in self.commands and head not in secret):  # `disconnect now` is no typo
            return False
        return head in secret or bool(difflib.get_close_matches(head, secret, n=1, cutoff=NEAR_CUTOFF))

    def _near(self, typed: str, *, chat: bool = False) -> str | None:
        """The command a typo most likely meant (`shwo` → show), if one is close enough."""
        words = typed.strip().lower().split()
        if len(words) != 1:
            return None
        commands = [*self.commands, *(["quit"] if chat else [])]  # quit is the terminal's own
        found = difflib.get_close_matches(words[0], commands, n=1, cutoff=NEAR_CUTOFF)
        return found[0] if found and found[0] != words[0] else None

    async def greeting(self, channel: ChannelKey, user: str) -> Reply:
        """Where this user stands in this channel, for a chat's first screen."""
        return await self.planning.greeting(channel, user)


def _once_key(event: Event) -> str | None:
    """The key a platform request is claimed by. Form submissions have their own (the inbox's key,
    and `plans.request`), which a submission worked again after a crash must be able to reuse."""
    match event:
        case Invoked(request=str(request)) | Pressed(request=str(request)):
            return f"{event.channel.platform}:{request}"
    return None


def _changes(event: Event, commands: Mapping[str, object]) -> set[str]:
    """The command, form or button an event names, as the capabilities' `changes` list them. A line
    of chat that is no command answers a question: the last answer makes a plan."""
    match event:
        case Said(text=said):
            head = said.strip().partition(" ")[0].lower()
            return {head if head in commands else "plan"}
        case Invoked(command=command):
            return {command.strip().lower()}
        case Submitted(form=form):
            return {form}
        case Pressed(action=action):
            return {action}
    return set()


def _metric_name(event: Event, tables: Plugs) -> str:
    """The command, form or button an event names, as a metrics label: a known name or a fixed
    word, never what someone typed (each label value is a series Prometheus keeps)."""
    match event:
        case Said(text=said):
            head = said.strip().partition(" ")[0].lower()
            return head if head in tables.commands else "answer"
        case Invoked(command=command):
            name = command.strip().lower()
            return name if name in tables.commands else "unknown"
        case Submitted(form=form):
            return f"form:{form if form in tables.forms else 'plan'}"
        case Pressed(action=action):
            return f"button:{action if action in tables.buttons else 'unknown'}"
    return type(event).__name__.lower()  # opened, installed
