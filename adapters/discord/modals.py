"""Forms on Discord: a section of the questionnaire at a time, as modals (Discord can't open a modal
from a modal, so a Continue button goes in between), and their submissions.

A submission is matched by its custom id (FORM_PREFIX + section id), not by a modal discord.py
holds, so a form opened before a restart still submits. Its values are checked first (pure, no
I/O): refused answers come back privately with a button that reopens the section as typed (a
secret never kept). Then it is handed to the engine's intake (bot/intake/), stored before Discord
hears anything back, and worked from the intake's queue, answering this interaction. The connect
form carries a data provider's key: it is not stored in the inbox (it would sit there in clear) but
worked at once, with Manage Server read again from the submission.

A part of BacklinksClient (adapters/discord/client.py).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.buttons import SectionButton
from adapters.discord.commands import locale_of
from adapters.discord.limits import MESSAGE_CONTENT
from adapters.discord.render import FORM_PREFIX, NO_MENTIONS
from bot.core.events import ChannelKey, Pressed, Submitted
from bot.core.replies import Form, Reply
from bot.intake import Busy

if TYPE_CHECKING:
    from adapters.discord.render import DiscordRenderer
    from bot.engine import Engine


class Modals:
    engine: Engine
    renderer: DiscordRenderer
    # What someone typed into a form that was refused, so "Fix" reopens it as they left it.
    typed: dict[tuple[ChannelKey, str, str], dict[str, str]]

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
        if self.engine.carries_secrets(form):
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
