"""`connect` and `disconnect`: a backlink data provider's key for this workspace.

`connect` alone says which provider is connected (the key shown only as its last 4 characters)
and how much of the month's lookup budget is used; `connect dataforseo LOGIN:PASSWORD` checks the
key with one cheap call and keeps it, sealed; `disconnect` forgets it. Changing the key takes
someone who manages the workspace (`Request.manages`, decided by the adapter: the console's own
user, a Slack workspace admin or the installer, a Discord member with Manage Server).

Where there are forms (Slack, Discord), `connect` alone opens the connect form (provider and key,
knowledge/connect_form.yaml) for those who may change the key, and shows everyone else the status
and who can; the form's submission does what `connect NAME KEY` does. The key is never put in a
reply: only its last 4 characters, and the line that carries it is declared secret (`Plugs.secrets`)
so a terminal keeps it out of its history.

A key stored sealed that BACKLINKS_TOKEN_KEY no longer opens is said as such by `connect` every
time (it is what `connect` is asked about), and a new key connected replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.conversation import views
from bot.conversation.questionnaire import Draft, Questionnaire, apply
from bot.conversation.rendering import Reason
from bot.core.events import ChannelKey
from bot.core.feature import Plugs, Request
from bot.core.replies import Form, Paragraph, Reply, Text, text
from bot.lookups import notices
from bot.lookups.failures import UnreadableKey
from bot.lookups.provider import LookupFailed, OutOfCredit, RefusedKey, reason
from bot.lookups.service import Lookups

FORM = "connect"  # knowledge/connect_form.yaml


class Connections:
    def __init__(self, *, lookups: Lookups, form: Questionnaire | None = None):
        self.lookups = lookups
        self.form = form  # the connect form (knowledge/connect_form.yaml), where there are forms

    def plugs(self) -> Plugs:
        forms = {FORM: self._submitted} if self.form is not None else {}
        commands = {"connect": self._connect, "disconnect": self._disconnect}
        # The provider connected is shown on the pages of those who use the bot here. `connect NAME
        # KEY` carries a key (like its form's `secret` field): never kept where lines are kept.
        return Plugs(
            commands=commands,
            forms=forms,
            changes=frozenset({"connect", "disconnect"}),
            secrets=frozenset({"connect"}),
        )

    async def _connect(self, request: Request) -> list[Reply]:
        words = request.argument.split()
        if not words:
            if request.manages and not request.conversational and self.lookups.providers and self.form:
                ids = tuple(q.id for q in self.form.questions)
                notes: tuple[Paragraph, ...] = ()
                try:
                    connected = await self.lookups.connected(request.channel)
                    values = {"connect_provider": connected.name} if connected and connected.own else {}
                except UnreadableKey as unreadable:  # said above the form that replaces it
                    values = {"connect_provider": unreadable.provider}
                    notes = (Paragraph(self._unreadable(request.channel, unreadable)),)
                return [Reply("form", notes, form=Form(ids, values, name=FORM), private=True)]
            return [await self._status(request)]
        if not request.manages:
            return [views.info("connect.not_allowed", platform=request.channel.platform)]
        if len(words) != 2:
            return [views.info("connect.usage", providers=list(self.lookups.providers))]
        return await self._change(request, words[0].lower(), words[1])

    async def _submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        """The connect form: a provider and its key, read as `connect NAME KEY` is. Who submits it
        is checked again here (a form stays open a while; an admin may have been demoted)."""
        if not request.manages:
            return [views.info("connect.not_allowed", platform=request.channel.platform)]
        questions = self.form.questions
        draft, errors = apply(self.form, Draft(), {q.id: values.get(q.id, "") for q in questions})
        if errors:  # the adapters check the form first; this is a submission they could not
            return [views.info("connect.refused", reason=Reason("reason.connect.form", reasons=list(errors.values())))]
        return await self._change(request, draft.answers["connect_provider"], draft.answers["connect_key"])

    async def _change(self, request: Request, name: str, key: str) -> list[Reply]:
        try:
            connection = await self.lookups.connect(request.channel, request.user, name, key)
        except ValueError as wrong:  # an unknown provider, a key of the wrong shape: a sentence
            why = reason(wrong) if isinstance(reason(wrong), Reason) else f"{reason(wrong)}."
        except RefusedKey:
            why = Reason("reason.connect.refused_key", provider=name)
        except OutOfCredit as empty:
            why = Reason("reason.connect.no_credit", reason=reason(empty))
        except LookupFailed as failed:
            why = Reason("reason.connect.unchecked", reason=reason(failed))
        else:
            return [views.info("connect.done", provider=connection.label, last4=connection.last4)]
        return [views.info("connect.refused", reason=why)]

    async def _disconnect(self, request: Request) -> list[Reply]:
        if not request.manages:
            return [views.info("connect.not_allowed", platform=request.channel.platform)]
        if not await self.lookups.disconnect(request.channel):
            return [views.info("connect.none_to_remove")]
        fallback = await self.lookups.connected(request.channel)  # the deployment's, if it has one
        return [views.info("connect.removed", fallback=fallback.label if fallback else "")]

    async def _status(self, request: Request) -> Reply:
        blocks = [Paragraph(await self._state(request))]
        if not request.manages and self.lookups.providers:  # and who can change it
            blocks.append(Paragraph(text("connect.not_allowed", platform=request.channel.platform)))
        return Reply("info", tuple(blocks), private=True)

    async def _state(self, request: Request) -> Text:
        """Which provider is connected here, and the month's lookups (the shared key's too, if it is that)."""
        try:
            connection = await self.lookups.connected(request.channel)
        except UnreadableKey as unreadable:
            return self._unreadable(request.channel, unreadable)
        if connection is None:
            return text("connect.none", providers=list(self.lookups.providers), forms=not request.conversational)
        shared = None if connection.own else await self.lookups.shared_usage()
        return text(
            "connect.status",
            provider=connection.label,
            last4=connection.last4,
            own=connection.own,
            used=await self.lookups.used(request.channel),
            budget=self.lookups.budget,
            manages=request.manages,
            shared_used=shared.used if shared else None,
            shared_cap=shared.cap if shared else None,
        )

    def _unreadable(self, channel: ChannelKey, unreadable: UnreadableKey) -> Text:
        """Said by `connect` whenever asked; a plan here then needn't say it again."""
        self.lookups.told(channel, unreadable.state)
        return notices.unreadable(unreadable, channel)
