"""Buttons with stable custom ids, registered at start-up, so they work on messages sent before a
restart (discord.py's dynamic items match custom ids by template, not by a view kept in memory)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

import discord

from adapters.discord.limits import BUTTON_LABEL, CUSTOM_ID
from bot.core.replies import Buttons, Reply

if TYPE_CHECKING:
    from adapters.discord.render import DiscordRenderer

ACTIONS = "replan|details|log|skip_month|pause|confirm_log|forget_confirm"


class Presses(Protocol):
    """What a button asks of the client it is pressed in (the BacklinksClient)."""

    async def press(self, interaction: discord.Interaction, action: str, value: str = "") -> None: ...

    async def open_section(self, interaction: discord.Interaction, section_id: str, *, as_typed: bool) -> None: ...


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=rf"backlinks:(?P<action>{ACTIONS})(?::(?P<value>.+))?$"
):
    """A button under a plan or a reminder: Re-plan, Details, Log links, Skip this month, Pause; or
    Confirm under a log far above the plan, its custom id carrying what to log; or the confirmation
    of `forget`, carrying where, for whom and when it was offered."""

    def __init__(self, action: str, label: str = "", value: str = "") -> None:
        primary = action in ("replan", "log", "confirm_log")
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        if action == "forget_confirm":
            style = discord.ButtonStyle.danger  # it deletes a channel's data
        custom_id = f"backlinks:{action}:{value}" if value else f"backlinks:{action}"
        super().__init__(
            discord.ui.Button(label=(label or action)[:BUTTON_LABEL], style=style, custom_id=custom_id[:CUSTOM_ID])
        )
        self.action = action
        self.value = value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]):
        return cls(match["action"], item.label or "", match["value"] or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        client: Presses = interaction.client  # type: ignore[assignment]
        await client.press(interaction, self.action, self.value)


class SectionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"backlinks:(?P<kind>continue|fix):(?P<section>[a-z_]+)"
):
    """Opens one section's form: "Continue" between sections, "Fix" after refused answers. Its
    label is rendered by the caller, in the channel's language (discord.continue, discord.fix)."""

    def __init__(self, section: str, kind: str, label: str = "") -> None:
        label = label or ("Continue" if kind == "continue" else "Fix these answers")  # (as pressed: Discord's)
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL], style=discord.ButtonStyle.primary, custom_id=f"backlinks:{kind}:{section}"
            )
        )
        self.section = section
        self.kind = kind

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]):
        return cls(match["section"], match["kind"], item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        client: Presses = interaction.client  # type: ignore[assignment]
        await client.open_section(interaction, self.section, as_typed=self.kind == "fix")


def action_view(reply: Reply, renderer: DiscordRenderer | None = None) -> discord.ui.View | None:
    """The reply's buttons (Re-plan, Details, Log links, …) as persistent Discord buttons."""
    buttons = [b for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        label = renderer.plain.text(button.label) if renderer else button.action
        view.add_item(ActionButton(button.action, label, button.value))
    return view
