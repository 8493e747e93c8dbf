"""The Discord adapter: a discord.py client that owns the `/backlinks` command tree.

Thin by design: answer or defer first, translate the interaction into a core event, `await
engine.handle(event)`, translate the neutral replies into embeds, buttons and modals. Discord
can't open a modal from a modal, so the questionnaire goes a section at a time with a Continue
button in between; invalid answers come back privately with a button that reopens the section
with what was typed. Buttons have stable custom ids and are registered at start-up, and form
submissions are matched by custom id too, so both keep working after a restart.

When the bot is removed from a server (GUILD_DELETE for a server it was in: discord.py calls
`on_guild_remove` only then, not for an outage, which comes with `unavailable: true` and calls
`on_guild_unavailable`), the server's data is deleted after a grace period
(BACKLINKS_REMOVAL_GRACE_DAYS); added back within it (`on_guild_join`), it keeps everything.

The connect form carries a data provider's key: it is not stored in the inbox (it would sit there
in clear) but worked at once, with Manage Server read again from the submission; a refused form
reopens without the key (it is never sent back to Discord).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from adapters.discord.buttons import ActionButton, SectionButton, action_view
from adapters.discord.commands import backlinks_group, locale_of
from adapters.discord.limits import MESSAGE_CONTENT
from adapters.discord.render import FORM_PREFIX, NO_MENTIONS, DiscordRenderer
from adapters.discord.translator import CatalogTranslator
from bot.core.events import ChannelKey, Event, Invoked, Pressed, Submitted
from bot.core.replies import Form, Reply
from bot.core.settings import Settings
from bot.engine import Engine
from bot.exports import too_big
from bot.intake import Busy, Entry

log = logging.getLogger(__name__)

# The bot never joins a voice channel: discord.py's start-up warnings that voice support is missing
# (PyNaCl, davey) would only worry whoever reads the logs.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

EXPIRED = 10062  # Discord's "Unknown interaction": the three seconds (or fifteen minutes) ran out
ANSWERED = 40060  # "Interaction has already been acknowledged": a delivery of one answered before
# How long to wait for the engine before deferring (Discord wants a first answer within three seconds).
RESPOND_BUDGET_SECONDS = 1.5
# Forms whose values are never stored in the inbox (a data provider's key): worked at once.
UNSTORED_FORMS = {"connect"}


class BacklinksClient(discord.Client):
    def __init__(self, *, engine: Engine, settings: Settings):
        # Only the guilds intent (not privileged): interactions arrive whatever the intents, and
        # discord.py keeps its guild state consistent with it.
        super().__init__(intents=discord.Intents(guilds=True), allowed_mentions=NO_MENTIONS)
        self.engine = engine
        self.settings = settings
        self.renderer = DiscordRenderer(engine.knowledge)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(backlinks_group(self))
        self.tree.on_error = self.on_command_error
        # What someone typed into a form that was refused, so "Fix" reopens it as they left it.
        self.typed: dict[tuple[ChannelKey, str, str], dict[str, str]] = {}
        engine.intake.serve("discord", self._perform)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton, SectionButton)
        await self.tree.set_translator(CatalogTranslator())  # descriptions in every language we speak
        await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        if self.settings.discord_guild_id:  # a development guild sees changes at once
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            return await self.tree.sync(guild=guild)
        return await self.tree.sync()

    @staticmethod
    def key(interaction: discord.Interaction) -> ChannelKey:
        return ChannelKey("discord", str(interaction.guild_id or "dm"), str(interaction.channel_id))

    # Events in.

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        custom_id = (interaction.data or {}).get("custom_id", "")
        if interaction.type is discord.InteractionType.modal_submit and custom_id.startswith(FORM_PREFIX):
            await self.on_form_submitted(interaction, custom_id.removeprefix(FORM_PREFIX).split(":")[0])

    async def on_form_submitted(self, interaction: discord.Interaction, section_id: str) -> None:
        arrived = time.monotonic()  # Discord's three seconds run from here, however long the queue
        if self.engine.intake.busy:  # said before anything is spent on the form
            await self.tell(interaction, "busy")
            return
        values = _submitted_values((interaction.data or {}).get("components", []))
        key, user = self.key(interaction), str(interaction.user.id)
        form = self.engine.knowledge.form_of_section(section_id)
        errors = self.engine.check(values, form)  # pure: the reasons go back before any work
        if errors:
            secrets = {q.id for q in self.engine.knowledge.form(form).questions if q.kind_name == "secret"}
            self.typed[(key, user, section_id)] = {q: v for q, v in values.items() if q not in secrets}
            await self._guard(interaction, self._refuse(interaction, section_id, errors))
            return
        self.typed.pop((key, user, section_id), None)
        if form in UNSTORED_FORMS:
            manages = interaction.guild_id is not None and interaction.permissions.manage_guild
            event = Submitted(key, user, values, form=form, manages=manages, locale=locale_of(interaction))
            await self.handle(interaction, event)
            return
        # Stored before Discord hears anything back (bot/intake/): once answered, never lost. Then
        # worked from the intake's queue, answering this interaction (or deferring it in time).
        submission = {
            "form": form,
            "guild": key.workspace,
            "channel": key.channel,
            "user": user,
            "values": values,
            "application_id": str(interaction.application_id),
            "token": interaction.token,  # follow-ups work for fifteen minutes
            "locale": locale_of(interaction),  # the language to answer in, if the channel chose none
        }
        request = f"discord:{interaction.id}"
        event = Submitted(key, user, values, form=form, request=request, locale=submission["locale"])
        try:  # an interaction seen before is stored already: nothing to do
            await self.engine.intake.accept(
                "discord",
                request,
                submission,
                channel=key,
                perform=lambda _: self.handle(interaction, event, arrived=arrived),
            )
        except Busy:
            await self.tell(interaction, "busy")

    async def _perform(self, entry: Entry) -> None:
        """Work a submission a stopped process took: answer through the interaction's follow-up
        webhook while it lasts (fifteen minutes), else post the public replies in the channel."""
        submission = entry.payload
        key = ChannelKey("discord", submission["guild"], submission["channel"])
        event = Submitted(
            key,
            submission["user"],
            submission["values"],
            form=submission["form"],
            request=entry.key,
            locale=submission.get("locale"),  # (absent from what an older version stored)
        )
        replies = await self.engine.handle(event)  # a failure here is tried again later: nothing was stored
        try:
            await self._follow_up(submission, replies)
        except Exception:  # stored, but not told: the log says so (trying again would log twice)
            log.exception("a plan form finished after a restart could not be posted")

    async def _follow_up(self, submission: Mapping[str, Any], replies: list[Reply]) -> None:
        webhook = discord.Webhook.partial(int(submission["application_id"]), submission["token"], client=self)
        for reply in replies:
            if reply.form is not None:
                continue  # a form can't be opened without the person's click: they press Continue again
            for embeds in self.renderer.messages(reply):  # several, in order, when one would be too long
                await self._follow_up_one(webhook, submission, embeds, private=reply.private, reply=reply)

    async def _follow_up_one(
        self, webhook, submission: Mapping[str, Any], embeds, *, private: bool, reply: Reply
    ) -> None:
        try:
            files = self.renderer.files(reply, embeds)
            await webhook.send(embeds=embeds, files=files, ephemeral=private, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            # The fifteen minutes ran out (401), or the interaction was never answered (404): what
            # is for everyone goes in the channel; a private note has nowhere to go.
            if error.status not in (401, 404):
                raise
            if not private:
                channel = self.get_partial_messageable(int(submission["channel"]))
                files = self.renderer.files(reply, embeds)  # read once: new ones for this second try
                await channel.send(embeds=embeds, files=files, allowed_mentions=NO_MENTIONS)

    async def close(self) -> None:
        # Submissions already answered are finished (within the deadline) while the HTTP session
        # is still open; what is left stays in the inbox for the next start.
        await self.engine.intake.drain(self.settings.drain_seconds)
        await super().close()

    async def press(self, interaction: discord.Interaction, action: str, value: str = "") -> None:
        # Manage Server as it is at the press (a button may be pressed long after it was sent).
        manages = interaction.guild_id is not None and interaction.permissions.manage_guild
        user, request = str(interaction.user.id), str(interaction.id)  # a redelivered press changes nothing twice
        event = Pressed(
            self.key(interaction), user, action, value, manages=manages, request=request, locale=locale_of(interaction)
        )
        await self.handle(interaction, event)

    # The bot removed from a server, and added back.

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        after = dt.timedelta(days=self.settings.removal_grace_days)
        await self.engine.store.tenants.schedule_deletion("discord", str(guild.id), after=after, reason="removed")

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.engine.store.tenants.cancel_deletion("discord", str(guild.id))

    async def open_section(self, interaction: discord.Interaction, section_id: str, *, as_typed: bool) -> None:
        key, user = self.key(interaction), str(interaction.user.id)
        typed = self.typed.get((key, user, section_id), {}) if as_typed else {}
        form = self.engine.knowledge.form_of_section(section_id)
        if form != "plan":
            # The log and connect forms are one section each: "Fix" reopens it as typed (a key never
            # was kept); only the plan's sections come from the engine, with the draft's answers.
            ids = tuple(q.id for q in self.engine.knowledge.form(form).questions)
            await self._guard(interaction, self._open_form(interaction, Form(ids, {}, name=form), typed))
            return
        await self.handle(interaction, Pressed(key, user, "section", section_id), typed=typed)

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
        work = asyncio.ensure_future(self.engine.handle(event))
        budget = RESPOND_BUDGET_SECONDS - (time.monotonic() - arrived)
        # asyncio.wait, unlike wait_for over a shield, leaves the work running when the budget is
        # out without two more futures and a timeout task per interaction.
        await asyncio.wait((work,), timeout=max(0.0, budget))
        if not work.done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        replies = await work
        for reply in replies:
            if reply.form is not None:
                await self._open_form(interaction, reply.form, typed, notes=reply)
            else:
                await self._send(interaction, reply)

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

    # Replies out.

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        """The reply as one message, or as several in order when its embeds exceed what one holds
        (the buttons go under the last)."""
        view = action_view(reply, self.renderer)
        messages = self.renderer.messages(reply)
        try:
            for n, embeds in enumerate(messages):
                options: dict[str, Any] = {"embeds": embeds, "allowed_mentions": NO_MENTIONS}
                if files := self.renderer.files(reply, embeds):  # the chart: the embed's image
                    options["files"] = files
                if view is not None and n == len(messages) - 1:
                    options["view"] = view
                await self._post(interaction, options, private=reply.private, first=n == 0)
        finally:
            if view is not None:
                # Presses are matched by custom id (dynamic items); don't keep a view per message forever.
                view.stop()

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

    async def _open_form(
        self, interaction: discord.Interaction, form: Form, typed: Mapping[str, str], *, notes: Reply | None = None
    ) -> None:
        questionnaire = self.engine.knowledge.form(form.name)
        section = questionnaire.section_of(form.question_ids[0])
        values = {**form.values, **typed}
        can_open = interaction.type is not discord.InteractionType.modal_submit
        said = notes is not None and bool(notes.blocks)  # what was looked up, and where from
        renderer = self.renderer.speaking(notes.language) if notes is not None else self.renderer  # the channel's
        if can_open and not interaction.response.is_done() and not said:
            await interaction.response.send_modal(renderer.modal(section, values, questionnaire))
            return
        # From a form (or after deferring) no form can open, and a modal has no room for notes: a
        # private message (with the notes) offers a button that opens it.
        label = renderer.plain.render("discord.continue", {"title": section.title})
        view = discord.ui.View(timeout=None).add_item(SectionButton(section.id, "continue", label))
        text = renderer.markdown.render("plan.form_next", {"title": section.title})
        embeds = renderer.embeds(notes) if said else []
        extra = {"view": view, "embeds": embeds, "ephemeral": True, "allowed_mentions": NO_MENTIONS}
        if not interaction.response.is_done():
            await interaction.response.send_message(text, **extra)
        else:
            await interaction.followup.send(text, **extra)

    async def _refuse(self, interaction: discord.Interaction, section_id: str, errors: Mapping[str, str]) -> None:
        questionnaire = self.engine.knowledge.form(self.engine.knowledge.form_of_section(section_id))
        language = await self.engine.languages.of(self.key(interaction), locale_of(interaction))
        markdown = self.renderer.speaking(language).markdown  # the reasons in the channel's (or person's) language
        lines = [
            markdown.render(
                "discord.form_error",
                {"label": questionnaire.question(q).label if questionnaire.resolve(q) else q, "reason": reason},
            )
            for q, reason in errors.items()
        ]
        text = "\n".join([markdown.render("discord.form_errors"), *lines])[:MESSAGE_CONTENT]
        view = discord.ui.View(timeout=None).add_item(SectionButton(section_id, "fix", markdown.render("discord.fix")))
        await interaction.response.send_message(text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def import_attachment(
        self, interaction: discord.Interaction, attachment: discord.Attachment, *, competitor: bool
    ) -> None:
        """Fetch the attachment (its size is checked first) and import it like the terminal's `import PATH`."""
        if text := too_big(attachment.filename, attachment.size, self.engine.imports.max_bytes):
            await self._guard(interaction, interaction.response.send_message(text, ephemeral=True))
            return
        # Downloading takes a moment: a private "thinking…", replaced by the answer.
        await self._guard(interaction, interaction.response.defer(ephemeral=True, thinking=True))
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            path = Path(folder) / Path(attachment.filename).name
            try:
                await attachment.save(path)
            except discord.HTTPException as error:
                await self._guard(interaction, interaction.followup.send(f"Could not fetch {path.name}: {error}"))
                return
            event = Invoked(
                self.key(interaction),
                str(interaction.user.id),
                "import",
                "competitor" if competitor else "",
                file=str(path),
                request=str(interaction.id),
            )
            await self.handle(interaction, event)

    async def tell(self, interaction: discord.Interaction, template: str) -> None:
        """A short private message from a template (an adapter-level refusal, like a permission)."""
        text = self.renderer.markdown.render(template)
        await self._guard(
            interaction,
            interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS),
        )

    async def _tell_failure(self, interaction: discord.Interaction) -> None:
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


def _submitted_values(components: list[Mapping[str, Any]]) -> dict[str, str]:
    """Modal components (action rows, or labels, around text inputs) → {question id: text}."""
    values: dict[str, str] = {}
    for component in components:
        if "components" in component:
            values.update(_submitted_values(component["components"]))
        elif "component" in component:
            values.update(_submitted_values([component["component"]]))
        elif component.get("custom_id"):
            values[component["custom_id"]] = component.get("value") or ""
    return values
