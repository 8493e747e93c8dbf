"""Neutral replies → Discord embeds and buttons; forms → modals of one section (five inputs at most).

Discord's limits are kept here: an embed's title 256, description 4,096, 25 fields of 1,024 each,
6,000 characters in all, 10 embeds a message; a modal's title 45, an input's label 45. User text is
escaped for markdown and mentions by the Discord dialect, and every message is also sent with
mentions disabled, so nobody can ping @everyone through the bot.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import discord

from bot.knowledge import Knowledge
from bot.questionnaire import Section
from bot.rendering import PLAIN, Dialect, Renderer, chunk_lines
from bot.replies import Bullets, Buttons, Fields, Heading, Paragraph, Reply

FORM_PREFIX = "backlinks:form:"  # a modal's custom id: FORM_PREFIX + section id + ":" + a nonce
COLOUR = discord.Colour(0x1F3A5F)
EMBED_TOTAL, DESCRIPTION, FIELD_VALUE, FIELDS, EMBEDS = 6000, 4096, 1024, 25, 10
NO_MENTIONS = discord.AllowedMentions.none()


def _escape(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


DISCORD = Dialect(
    "discord",
    escape=_escape,
    bold=lambda s: f"**{s}**",
    code=lambda s: f"`{s}`",
    command_prefix="/backlinks ",
    # Discord shows a code span as typed (and never pings from one; mentions are off anyway).
    code_escape=lambda s: s.replace("`", "'"),
)


class DiscordRenderer:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.markdown = Renderer(knowledge, DISCORD)
        self.plain = Renderer(knowledge, PLAIN)

    def embeds(self, reply: Reply) -> list[discord.Embed]:
        embeds = [discord.Embed(colour=COLOUR)]
        for block in reply.blocks:
            match block:
                case Heading(text):
                    if _used(embeds[-1]):
                        embeds.append(discord.Embed(colour=COLOUR))
                    embeds[-1].title = self.plain.text(text)[:256]
                case Paragraph(text):
                    self._describe(embeds, self.markdown.text(text))
                case Bullets(title, items):
                    name = self.markdown.text(title) if title is not None else "\u200b"
                    lines = [f"• {self.markdown.text(i)}" for i in items]
                    for n, chunk in enumerate(chunk_lines(lines, FIELD_VALUE)):
                        self._field(embeds, name if n == 0 else f"{name} (continued)", chunk, inline=False)
                case Fields(items):
                    for label, value in items:
                        self._field(embeds, self.markdown.text(label), self.markdown.text(value), inline=True)
                case Buttons():
                    pass  # a view, see PlanButtons
        return [e for e in embeds if _used(e)][:EMBEDS]

    def _describe(self, embeds: list[discord.Embed], text: str) -> None:
        current = embeds[-1]
        joined = f"{current.description}\n\n{text}" if current.description else text
        if len(joined) <= DESCRIPTION and len(current) + len(text) + 2 <= EMBED_TOTAL:
            current.description = joined
        else:
            embeds.append(discord.Embed(colour=COLOUR, description=text[:DESCRIPTION]))

    def _field(self, embeds: list[discord.Embed], name: str, value: str, *, inline: bool) -> None:
        current = embeds[-1]
        if len(current.fields) >= FIELDS or len(current) + len(name) + len(value) > EMBED_TOTAL:
            current = discord.Embed(colour=COLOUR)
            embeds.append(current)
        current.add_field(name=name[:256], value=value[:FIELD_VALUE], inline=inline)

    def modal(self, section: Section, values: Mapping[str, str], questionnaire=None) -> discord.ui.Modal:
        sections = (questionnaire or self.knowledge.questionnaire).sections
        number = [s.id for s in sections].index(section.id) + 1
        title = self.plain.render(
            "discord.modal_title", {"title": section.title, "number": number, "total": len(sections)}
        )
        # A nonce keeps two people's open forms apart in discord.py's modal store.
        modal = _SectionModal(
            title=title[:45],
            custom_id=f"{FORM_PREFIX}{section.id}:{secrets.token_hex(4)}",
            # Forms are matched by custom id on submit, so discord.py need not hold one for long.
            timeout=900,
        )
        for question in section.questions:
            modal.add_item(
                discord.ui.TextInput(
                    label=question.label,
                    custom_id=question.id,
                    default=(values.get(question.id) or None),
                    placeholder=f"e.g. {question.example}"[:100],
                    required=not question.optional,
                    style=discord.TextStyle.paragraph
                    if question.kind_name in ("competitors", "text")
                    else discord.TextStyle.short,
                    max_length=3000 if question.kind_name == "text" else 1000,
                )
            )
        return modal


def action_view(reply: Reply, renderer: DiscordRenderer | None = None) -> discord.ui.View | None:
    """The reply's buttons (Re-plan, Details, Log links, …) as persistent Discord buttons."""
    from adapters.discord.buttons import ActionButton

    buttons = [b for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        label = renderer.plain.text(button.label) if renderer else button.action
        view.add_item(ActionButton(button.action, label, button.value))
    return view


class _SectionModal(discord.ui.Modal):
    """Submissions are handled in the client's on_interaction, by custom id, so a form still
    submits after the bot restarts (discord.py only remembers modals it sent itself)."""

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pass


def _used(embed: discord.Embed) -> bool:
    return bool(embed.title or embed.description or embed.fields)
