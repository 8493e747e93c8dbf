"""Neutral replies → Discord embeds and buttons; forms → modals of one section (five inputs at most).

Discord's limits are kept here (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
an embed's title 256, description 4,096, 25 fields of 1,024 each; 10 embeds a message and 6,000
characters over all the embeds of one message. A reply longer than that goes out as several
messages (`fit_messages`), never cut. A modal's title 45, an input's label 45, its pre-filled value
no longer than its max_length. User text is escaped for markdown and mentions by the Discord
dialect, and every message is also sent with mentions disabled, so nobody can ping @everyone
through the bot.
"""

from __future__ import annotations

import io
import secrets
from collections import OrderedDict
from collections.abc import Iterable, Mapping

import discord

from adapters.discord.limits import (
    ATTACHMENT_DESCRIPTION,
    FIELD_NAME,
    FIELD_VALUE,
    MODAL_TITLE,
    TEXT_INPUT_LABEL,
    TEXT_INPUT_PLACEHOLDER,
)
from adapters.discord.limits import EMBED_DESCRIPTION as DESCRIPTION
from adapters.discord.limits import EMBED_FIELDS as FIELDS
from adapters.discord.limits import EMBED_TITLE as TITLE
from adapters.discord.limits import EMBEDS_TOTAL as EMBED_TOTAL
from adapters.discord.limits import MESSAGE_EMBEDS as EMBEDS
from bot.conversation.questionnaire import Section
from bot.conversation.rendering import PLAIN, Dialect, Renderer, Speaks
from bot.core.replies import Bullets, Buttons, Fields, File, Heading, Image, Item, Paragraph, Reply, files, images
from bot.planning.knowledge import Knowledge

FORM_PREFIX = "backlinks:form:"  # a modal's custom id: FORM_PREFIX + section id + ":" + a nonce
COLOUR = discord.Colour(0x1F3A5F)
INPUT_TEXT, INPUT_SHORT = 3000, 1000  # what a form's paragraph or one-line input holds
NO_MENTIONS = discord.AllowedMentions.none()


def _escape(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


RENDERED_KEPT = 64  # replies whose embeds are kept, the most recent (see messages)

DISCORD = Dialect(
    "discord",
    escape=_escape,
    bold=lambda s: f"**{s}**",
    code=lambda s: f"`{s}`",
    command_prefix="/backlinks ",
    # Discord shows a code span as typed (and never pings from one; mentions are off anyway).
    code_escape=lambda s: s.replace("`", "'"),
    # Discord's timestamp markup: each reader's client shows it in their own zone and language
    # ("f": short date and time). https://discord.com/developers/docs/reference#message-formatting
    moment=lambda moment: f"<t:{moment.epoch}:f>",
)


ATTACHED = "Attached: "  # a file's footer, which ties it to its message


class DiscordRenderer(Speaks):
    def __init__(self, knowledge: Knowledge, language: str = "en"):
        self.knowledge = knowledge
        self.language = language
        self.markdown = Renderer(knowledge, DISCORD, language)
        self.plain = Renderer(knowledge, PLAIN, language)
        self._rendered: OrderedDict[int, tuple[Reply, list[list[discord.Embed]]]] = OrderedDict()

    def _in(self, language: str) -> DiscordRenderer:
        return DiscordRenderer(self.knowledge, language)

    def messages(self, reply: Reply) -> list[list[discord.Embed]]:
        """The reply's embeds as the messages to send, in order (one message even without embeds).
        A reply the engine hands out again (help; `show` in a burst) is rendered once: the embeds
        are only read when sent (to_dict), never changed."""
        kept = self._rendered.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        continued = self.speaking(reply.language).plain.render("discord.continued")
        fitted = fit_messages(self.embeds(reply), continued=continued)
        messages = [[SentEmbed.of(e) for e in embeds] for embeds in fitted] or [[]]
        self._rendered[id(reply)] = (reply, messages)  # the reply held: its id stays its own
        if len(self._rendered) > RENDERED_KEPT:
            self._rendered.popitem(last=False)
        return messages

    def embeds(self, reply: Reply) -> list[discord.Embed]:
        """Every embed of the reply, in order; `fit_messages` makes them what Discord accepts."""
        if reply.language != self.language:
            return self.speaking(reply.language).embeds(reply)
        embeds = [discord.Embed(colour=COLOUR)]
        for block in reply.blocks:
            match block:
                case Heading(text):
                    if _used(embeds[-1]):
                        embeds.append(discord.Embed(colour=COLOUR))
                    embeds[-1].title = self.plain.text(text)[:TITLE]
                case Paragraph(text):
                    self._describe(embeds, self.markdown.text(text))
                case Bullets(title, items):
                    name = self.markdown.text(title) if title is not None else "\u200b"
                    lines = "\n".join(f"• {self.markdown.text(i)}" for i in items)
                    for n, chunk in enumerate(split_text(lines, FIELD_VALUE)):
                        more = _continued(name, self.plain.render("discord.continued"))
                        _add_field(embeds, name if n == 0 else more, chunk, inline=False)
                case Fields(items):
                    for label, value in items:
                        _add_field(embeds, self.markdown.text(label), self.markdown.text(value), inline=True)
                case Item(text, _):
                    self._describe(embeds, self.markdown.text(text))  # a page's line: its link is Slack's
                case Buttons():
                    pass  # a view, see action_view
                case Image(_, filename):
                    # The picture is attached to the message (`files`) and shown as this embed's image.
                    embeds[-1].set_image(url=f"attachment://{filename}")
                case File(_, filename):
                    # A file (a CSV) is attached to the message whose embed names it in its footer.
                    embeds[-1].set_footer(text=f"{ATTACHED}{filename}")
        return [e for e in embeds if _used(e)]

    def files(self, reply: Reply, embeds: list[discord.Embed]) -> list[discord.File]:
        """The attachments one message of the reply needs: the pictures its embeds show. New
        objects each time (a discord.File is read once, when sent)."""
        if not reply.blocks or not (images(reply) or files(reply)):  # most replies: nothing attached
            return []
        if reply.language != self.language:
            return self.speaking(reply.language).files(reply, embeds)
        shown = {e.image.url for e in embeds if e.image and e.image.url}
        named = {e.footer.text for e in embeds if e.footer and e.footer.text}
        return [
            discord.File(
                io.BytesIO(block.data),
                filename=block.filename,
                description=self.plain.text(block.alt)[:ATTACHMENT_DESCRIPTION],
            )
            for block in [*images(reply), *files(reply)]
            if f"attachment://{block.filename}" in shown or f"{ATTACHED}{block.filename}" in named
        ]

    def _describe(self, embeds: list[discord.Embed], text: str) -> None:
        current = embeds[-1]
        joined = f"{current.description}\n\n{text}" if current.description else text
        if len(joined) <= DESCRIPTION and len(current) + len(text) + 2 <= EMBED_TOTAL:
            current.description = joined
        else:
            embeds.append(discord.Embed(colour=COLOUR, description=text))  # fit_messages splits a long one

    def modal(self, section: Section, values: Mapping[str, str], questionnaire=None) -> discord.ui.Modal:
        sections = (questionnaire or self.knowledge.questionnaire).sections
        number = [s.id for s in sections].index(section.id) + 1
        title = self.plain.render(
            "discord.modal_title", {"title": section.title, "number": number, "total": len(sections)}
        )
        # A nonce keeps two people's open forms apart in discord.py's modal store.
        modal = _SectionModal(
            title=_cut(title, MODAL_TITLE),
            custom_id=f"{FORM_PREFIX}{section.id}:{secrets.token_hex(4)}",
            # Forms are matched by custom id on submit, so discord.py need not hold one for long.
            timeout=900,
        )
        for question in section.questions:
            limit = INPUT_TEXT if question.kind_name == "text" else INPUT_SHORT
            # A key (a `secret`) is never sent back to Discord, not even to the person who typed it.
            value = None if question.kind_name == "secret" else values.get(question.id) or None
            placeholder = self.plain.render("form.example", {"example": question.example})
            if value is not None and len(value) > limit:
                # Discord refuses a pre-fill longer than the input holds, and a cut one would look
                # like what was typed: leave it empty and say why.
                note = {"length": len(value), "limit": limit}
                value, placeholder = None, self.plain.render("discord.prefill_too_long", note)
            modal.add_item(
                discord.ui.TextInput(
                    label=_cut(self.plain.said(question.label), TEXT_INPUT_LABEL),
                    custom_id=question.id,
                    default=value,
                    placeholder=_cut(placeholder, TEXT_INPUT_PLACEHOLDER),
                    required=not question.optional,
                    style=discord.TextStyle.paragraph
                    if question.kind_name in ("competitors", "text")
                    else discord.TextStyle.short,
                    max_length=limit,
                )
            )
        return modal


class SentEmbed(discord.Embed):
    """An embed as it is sent, finished: its payload made once. discord.py's `to_dict` probes every
    slot of an embed with hasattr (an AttributeError raised and caught for each one unset) each time
    the embed is sent: about a tenth of a millisecond per message, paid again for each `help` and
    each `show` of a burst, which send the same embeds."""

    __slots__ = ("_payload",)

    @classmethod
    def of(cls, embed: discord.Embed) -> SentEmbed:
        payload = embed.to_dict()
        sent = cls.from_dict(payload)
        sent._payload = payload
        return sent

    def to_dict(self):  # the same dict each time: discord.py only reads it, to serialise it
        return self._payload


class _SectionModal(discord.ui.Modal):
    """Submissions are handled in the client's on_interaction, by custom id, so a form still
    submits after the bot restarts (discord.py only remembers modals it sent itself)."""

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pass


def _cut(text: str, limit: int) -> str:
    """A form's text within its Discord limit: a translation may run longer than the English."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _used(embed: discord.Embed) -> bool:
    return bool(embed.title or embed.description or embed.fields)


def _add_field(embeds: list[discord.Embed], name: str, value: str, *, inline: bool) -> None:
    """A field on the last embed, or on a new one past 25 fields or 6,000 characters."""
    current = embeds[-1]
    if len(current.fields) >= FIELDS or len(current) + len(name) + len(value) > EMBED_TOTAL:
        current = discord.Embed(colour=current.colour)
        embeds.append(current)
    current.add_field(name=name[:FIELD_NAME], value=value, inline=inline)


def _continued(name: str, continued: str = "(continued)") -> str:
    """A field name again, on the field its value goes on in ("(continued)" in the reply's language)."""
    return f"{name[: FIELD_NAME - len(continued) - 1]} {continued}"


def split_text(text: str, limit: int) -> list[str]:
    """The text in pieces of at most `limit` characters, cut at a line break, else between words
    (only a word longer than `limit` is cut). Only the whitespace at a cut is dropped."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = max(text.rfind(" ", 0, limit + 1), text.rfind("\t", 0, limit + 1))
        if cut <= 0:
            cut = limit  # one word longer than the limit: nothing else to do
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            pieces.append(head)
    if text.strip():
        pieces.append(text)
    return pieces


def fit_messages(embeds: Iterable[discord.Embed], *, continued: str = "(continued)") -> list[list[discord.Embed]]:
    """Embeds → the messages Discord accepts, in order and with nothing cut off: each embed within
    its own limits (a long description or field value goes on in the next embed or field), each
    message at most 10 embeds and 6,000 characters over all of them.

    Titles, field names, author names and footers must already be within their own limits (they are
    short labels, cut where they are made); descriptions and field values may be of any length.
    """
    messages: list[list[discord.Embed]] = []
    for piece in (piece for embed in embeds for piece in _fit_embed(embed, continued)):
        if not messages or len(messages[-1]) == EMBEDS or sum(map(len, messages[-1])) + len(piece) > EMBED_TOTAL:
            messages.append([])
        messages[-1].append(piece)
    return messages


def _within_limits(embed: discord.Embed) -> bool:
    fields = embed.fields
    return (
        len(embed) <= EMBED_TOTAL
        and len(embed.description or "") <= DESCRIPTION
        and len(fields) <= FIELDS
        and all(len(field.value or "") <= FIELD_VALUE for field in fields)
    )


def _fit_embed(embed: discord.Embed, continued: str = "(continued)") -> list[discord.Embed]:
    """One embed → embeds each within an embed's limits and 6,000 characters."""
    if _within_limits(embed):  # most are (help, a plan): kept as they are, not copied piece by piece
        return [embed]
    data = embed.to_dict()
    description, fields, footer = data.pop("description", ""), data.pop("fields", []), data.pop("footer", None)
    pieces = [discord.Embed.from_dict(data)]  # the title, author, colour, images stay on the first
    for n, text in enumerate(split_text(description, DESCRIPTION)):
        if n:
            pieces.append(discord.Embed(colour=embed.colour))
        pieces[-1].description = text
    for field in fields:
        for n, value in enumerate(split_text(field["value"], FIELD_VALUE) or [field["value"]]):
            _add_field(
                pieces,
                field["name"] if n == 0 else _continued(field["name"], continued),
                value,
                inline=field.get("inline", False),
            )
    if footer:
        if len(pieces[-1]) + len(footer.get("text", "")) > EMBED_TOTAL:
            pieces.append(discord.Embed(colour=embed.colour))
        pieces[-1].set_footer(text=footer.get("text"), icon_url=footer.get("icon_url"))
    return [p for p in pieces if set(p.to_dict()) - {"type", "color"}]
