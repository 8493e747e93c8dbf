"""Answering an interaction: the engine's replies as its response, or as follow-ups once it was
answered or deferred, within Discord's three seconds.

The engine is given RESPOND_BUDGET_SECONDS: a reply ready in time is the interaction's response
itself; a later one follows a private "thinking…". A reply longer than one message goes out as
several, in order, its buttons under the last. A failure ends in a private message; an expired
interaction is logged, not a crash; an interaction delivered again, whose first delivery answered
it, is left to that one.

A part of BacklinksClient (adapters/discord/client.py).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.buttons import action_view
from adapters.discord.commands import locale_of
from adapters.discord.render import NO_MENTIONS, RENDERED_KEPT
from bot.core.events import ChannelKey, Event, Invoked, Pressed
from bot.core.replies import Reply
from bot.exports import too_big

if TYPE_CHECKING:
    from adapters.discord.render import DiscordRenderer
    from bot.engine import Engine

log = logging.getLogger(__name__)

EXPIRED = 10062  # Discord's "Unknown interaction": the three seconds (or fifteen minutes) ran out
ANSWERED = 40060  # "Interaction has already been acknowledged": a delivery of one answered before
# How long to wait for the engine before deferring (Discord wants a first answer within three seconds).
RESPOND_BUDGET_SECONDS = 1.5


class Interactions:
    engine: Engine
    renderer: DiscordRenderer
    _views: OrderedDict[int, tuple[Reply, discord.ui.View | None]]

    @staticmethod
    def key(interaction: discord.Interaction) -> ChannelKey:
        return ChannelKey("discord", str(interaction.guild_id or "dm"), str(interaction.channel_id))

    async def press(self, interaction: discord.Interaction, action: str, value: str = "") -> None:
        # Manage Server as it is at the press (a button may be pressed long after it was sent).
        manages = interaction.guild_id is not None and interaction.permissions.manage_guild
        user, request = str(interaction.user.id), str(interaction.id)  # a redelivered press changes nothing twice
        event = Pressed(
            self.key(interaction), user, action, value, manages=manages, request=request, locale=locale_of(interaction)
        )
        await self.handle(interaction, event)

    async def handle(
        self,
        interaction: discord.Interaction,
        event: Event,
        *,
        typed: Mapping[str, str] | None = None,
        arrived: float | None = None,
    ) -> None:
        """Answer an interaction; `arrived` (time.monotonic()) when it came in earlier than now (it
        waited in the intake's queue): the budget for answering before deferring runs from then."""
        # A stop (SIGTERM) waits for this, as for a stored form submission.
        work = self._handle(interaction, event, typed or {}, arrived or time.monotonic())
        await self.engine.intake.track(self._guard(interaction, work))

    async def _handle(
        self, interaction: discord.Interaction, event: Event, typed: Mapping[str, str], arrived: float
    ) -> None:
        budget = RESPOND_BUDGET_SECONDS - (time.monotonic() - arrived)
        if budget <= 0:  # it waited its budget away in the intake's queue
            await interaction.response.defer(ephemeral=True, thinking=True)
            replies = await self.engine.handle(event)
        else:
            replies = await self._within(interaction, event, budget)
        for reply in replies:
            if reply.form is not None:
                await self._open_form(interaction, reply.form, typed, notes=reply)
            else:
                await self._send(interaction, reply)

    async def _within(self, interaction: discord.Interaction, event: Event, budget: float) -> list[Reply]:
        """The engine's replies, run in this task; a private "thinking…" goes out if they take
        longer than the budget. A timer, not a task for the work and asyncio.wait over it: most
        answers come in a millisecond, and the task, the waiter and the timeout were a fifth of
        what `help` cost beyond a bare client's answer."""
        deferring: asyncio.Task | None = None

        def defer() -> None:
            nonlocal deferring
            deferring = asyncio.ensure_future(interaction.response.defer(ephemeral=True, thinking=True))

        timer = asyncio.get_running_loop().call_later(budget, defer)
        try:
            return await self.engine.handle(event)
        finally:
            timer.cancel()
            if deferring is not None:  # the replies follow up on the "thinking…", once it is sent
                await deferring

    async def _guard(self, interaction: discord.Interaction, work) -> None:
        """A failure ends in a private message; an expired interaction is logged, not a crash; an
        interaction delivered again, whose first delivery answered it, is left to that one."""
        try:
            await work
        except discord.NotFound as error:
            if error.code != EXPIRED:
                log.exception("handling an interaction failed")
                await self._tell_failure(interaction)
                return
            log.warning("an interaction expired before the bot answered it (Discord error %s)", EXPIRED)
        except discord.HTTPException as error:
            if error.code != ANSWERED:
                log.exception("handling an interaction failed")
                await self._tell_failure(interaction)
                return
            # Only a redelivery meets this (the engine did its change once): nothing to tell anyone.
            log.info("an interaction delivered again was already answered (Discord error %s)", ANSWERED)
        except Exception:
            log.exception("handling an interaction failed")
            await self._tell_failure(interaction)

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        """The reply as one message, or as several in order when its embeds exceed what one holds
        (the buttons go under the last)."""
        view = self._view(reply)
        messages = self.renderer.messages(reply)
        for n, embeds in enumerate(messages):
            options: dict[str, Any] = {"embeds": embeds, "allowed_mentions": NO_MENTIONS}
            if files := self.renderer.files(reply, embeds):  # the chart: the embed's image
                options["files"] = files
            if view is not None and n == len(messages) - 1:
                options["view"] = view
            await self._post(interaction, options, private=reply.private, first=n == 0)

    def _view(self, reply: Reply) -> discord.ui.View | None:
        """The reply's buttons, made once for a reply sent again (a burst of `show`). Stopped before
        it is sent: presses are matched by custom id (dynamic items), and discord.py keeps no
        stopped view in its store, so none is kept per message forever."""
        kept = self._views.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        view = action_view(reply, self.renderer)
        if view is not None:
            view.stop()
        self._views[id(reply)] = (reply, view)  # the reply held: its id stays its own
        if len(self._views) > RENDERED_KEPT:
            self._views.popitem(last=False)
        return view

    async def _post(
        self, interaction: discord.Interaction, options: dict[str, Any], *, private: bool, first: bool
    ) -> None:
        """The interaction's response if none was sent yet, else a follow-up."""
        if not interaction.response.is_done():
            await interaction.response.send_message(**options, ephemeral=private)
            return
        if (
            first
            and not private
            and interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        ):
            # The first follow-up after a private "thinking…" would only edit it, privately.
            await interaction.edit_original_response(content=self.renderer.plain.render("discord.posted"))
        await interaction.followup.send(**options, ephemeral=private)

    async def import_attachment(
        self, interaction: discord.Interaction, attachment: discord.Attachment, *, competitor: bool
    ) -> None:
        """Fetch the attachment (its size is checked first) and import it like the terminal's `import PATH`."""
        if reason := too_big(attachment.filename, attachment.size, self.engine.imports.max_bytes):
            said = (await self._speaking(interaction)).markdown.render("import.refused", {"reason": reason})
            await self._guard(
                interaction, interaction.response.send_message(said, ephemeral=True, allowed_mentions=NO_MENTIONS)
            )
            return
        # Downloading takes a moment: a private "thinking…", replaced by the answer.
        await self._guard(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            path = Path(folder) / Path(attachment.filename).name
            try:
                await attachment.save(path)
            except discord.HTTPException as error:
                said = (await self._speaking(interaction)).markdown.render(
                    "discord.fetch_failed", {"name": path.name, "error": str(error)}
                )
                await self._guard(interaction, interaction.followup.send(said, allowed_mentions=NO_MENTIONS))
                return
            event = Invoked(
                self.key(interaction),
                str(interaction.user.id),
                "import",
                "competitor" if competitor else "",
                file=str(path),
                request=str(interaction.id),
                locale=locale_of(interaction),  # the person's language, if the channel chose none
            )
            await self.handle(interaction, event)

    async def _speaking(self, interaction: discord.Interaction) -> DiscordRenderer:
        """The renderer in the channel's language (else the person's Discord language): for what the
        adapter says itself, before or besides the engine."""
        return self.renderer.speaking(await self.engine.languages.of(self.key(interaction), locale_of(interaction)))

    async def tell(self, interaction: discord.Interaction, template: str) -> None:
        """A short private message from a template (an adapter-level refusal, like a permission)."""
        text = (await self._speaking(interaction)).markdown.render(template)
        await self._guard(
            interaction,
            interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS),
        )

    async def _tell_failure(self, interaction: discord.Interaction) -> None:
        try:  # in the person's language, unless finding it out is what failed
            text = (await self._speaking(interaction)).plain.render("slack.failed")
        except Exception:  # noqa: BLE001 - the apology goes out all the same
            text = self.renderer.plain.render("slack.failed")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.exception("could not tell the user about a failure")

    async def on_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("a /backlinks command failed: %r", error)
        await self._tell_failure(interaction)
