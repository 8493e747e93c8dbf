"""The `/backlinks` application-command group, built from the questionnaire.

`plan` takes one typed option per question (integer options carry the knowledge's bounds, so
Discord itself refuses 150 for an authority score); every option pre-fills the forms. The other
sub-commands are the engine's commands; a new one (`log`, `remind`, `import`) is one more entry.

Who may change the server's settings (`remind` with options, `connect`, `disconnect`) or delete a
channel's data (`forget`) is Manage Server: Discord sets default permissions only on the whole
/backlinks group, so each handler reads `interaction.permissions.manage_guild` itself and the
engine gets it as `manages`.
"""

from __future__ import annotations

import inspect
import shlex
from typing import TYPE_CHECKING, Any, Optional, Protocol

import discord
from discord import app_commands

from adapters.discord.limits import CHOICE_NAME, COMMAND_CHOICES
from bot.conversation.questionnaire import Question
from bot.core.events import Invoked

if TYPE_CHECKING:
    from bot.core.events import ChannelKey, Event
    from bot.engine import Engine


def described(text: str) -> str:
    """A description Discord shows in its command picker, as it is: marked so the catalogs take it
    (bot/conversation/catalogs.py), and Discord gets it in every language the bot speaks
    (adapters/discord/translator.py)."""
    return text


# Sub-commands without options: name → description.
SIMPLE = {
    "show": described("This channel's current backlink plan"),
    "why": described("Every figure behind the plan, with its source or its assumption label (only to you)"),
    "export": described("This channel's history as a CSV: the target and the links built, month by month"),
    "help": described("What the bot can do (only to you)"),
}


class CommandsClient(Protocol):
    """What the commands ask of the client they are registered on (the BacklinksClient)."""

    engine: Engine

    def key(self, interaction: discord.Interaction) -> ChannelKey: ...

    async def handle(self, interaction: discord.Interaction, event: Event) -> None: ...

    async def tell(self, interaction: discord.Interaction, template: str) -> None: ...

    async def import_attachment(
        self, interaction: discord.Interaction, attachment: discord.Attachment, *, competitor: bool
    ) -> None: ...


def backlinks_group(client: CommandsClient) -> app_commands.Group:
    group = app_commands.Group(
        name="backlinks", description=described("How many backlinks to build each month, and keeping at it")
    )
    group.add_command(_plan_command(client))
    for name, description in SIMPLE.items():
        group.add_command(_simple_command(client, name, description))
    group.add_command(_log_command(client))
    group.add_command(_remind_command(client))
    group.add_command(_language_command(client))
    group.add_command(_import_command(client))
    for name, description in MANAGED.items():
        group.add_command(_managed_command(client, name, description))
    return group


# Sub-commands without options that change the server's settings: name → description.
MANAGED = {
    "connect": described("Connect a backlink data provider for this server, in a private form (Manage Server)"),
    "disconnect": described("Forget this server's backlink data provider key (Manage Server)"),
    "forget": described(
        "Delete this channel's plans, history, reminder and progress, after a confirmation (Manage Server)"
    ),
}


def _managed_command(client: CommandsClient, name: str, description: str) -> app_commands.Command:
    async def callback(interaction: discord.Interaction) -> None:
        manages = interaction.guild_id is not None and interaction.permissions.manage_guild
        await client.handle(interaction, _invoked(client, interaction, name, manages=manages))

    return app_commands.Command(name=name, description=description, callback=callback)


def _import_command(client: CommandsClient) -> app_commands.Command:
    @app_commands.describe(
        file=described("A backlink export: Ahrefs, Semrush, Moz, Majestic, or Search Console (CSV or its zip)"),
        competitor=described("True when it is a competitor's export (it then fills your competitors)"),
    )
    async def import_(interaction: discord.Interaction, file: discord.Attachment, competitor: bool = False) -> None:
        await client.import_attachment(interaction, file, competitor=competitor)

    return app_commands.Command(
        name="import", description=described("Profile a backlink export and fill your plan"), callback=import_
    )


def _log_command(client: CommandsClient) -> app_commands.Command:
    @app_commands.describe(
        links=described("URLs of the links you built (each referring domain counts once)"),
        count=described("How many links, when you don't give URLs"),
        month=described("Another month than this one: October, or 2026-10"),
    )
    async def log(
        interaction: discord.Interaction,
        links: str | None = None,
        count: app_commands.Range[int, 1, 1000] | None = None,
        month: str | None = None,
    ) -> None:
        argument = " ".join(str(p) for p in (links, count, month) if p)
        await client.handle(interaction, _invoked(client, interaction, "log", argument))

    return app_commands.Command(name="log", description=described("Log the links you built this month"), callback=log)


def _remind_command(client: CommandsClient) -> app_commands.Command:
    @app_commands.describe(
        day=described("Day of the month, 1-31 or last (29-31 fall back to a short month's last day)"),
        time=described("Time of day, 24-hour, like 09:30"),
        timezone=described("IANA time zone, like Europe/Berlin"),
        state=described("Turn reminders on or off, or skip the next month"),
    )
    @app_commands.choices(state=[app_commands.Choice(name=n, value=n) for n in ("on", "off", "skip")])
    async def remind(
        interaction: discord.Interaction,
        day: str | None = None,
        time: str | None = None,
        timezone: str | None = None,
        state: app_commands.Choice[str] | None = None,
    ) -> None:
        parts = [f"day={day}" if day else "", f"time={time}" if time else "", f"tz={timezone}" if timezone else ""]
        argument = " ".join(p for p in [*parts, state.value if state else ""] if p)
        # Anyone may look; changing a server's reminders takes Manage Server. (Discord can only set
        # a default permission on the whole /backlinks group, so it is checked here.)
        if argument and not interaction.permissions.manage_guild:
            await client.tell(interaction, "remind.forbidden")
            return
        await client.handle(interaction, _invoked(client, interaction, "remind", argument))

    return app_commands.Command(
        name="remind", description=described("When the monthly check-in is posted here"), callback=remind
    )


def _language_command(client: CommandsClient) -> app_commands.Command:
    @app_commands.describe(
        language=described("The language I speak in this channel (auto: each person's Discord language)")
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name=n, value=v)
            for n, v in (("English", "en"), ("Deutsch", "de"), ("Français", "fr"), ("Español", "es"), ("auto", "auto"))
        ]
    )
    async def language(interaction: discord.Interaction, language: app_commands.Choice[str] | None = None) -> None:
        # Anyone may look; choosing a channel's language takes Manage Server, as its reminders do.
        if language is not None and not interaction.permissions.manage_guild:
            await client.tell(interaction, "language.forbidden")
            return
        argument = language.value if language else ""
        await client.handle(interaction, _invoked(client, interaction, "language", argument))

    return app_commands.Command(
        name="language", description=described("The language I speak in this channel"), callback=language
    )


def _simple_command(client: CommandsClient, name: str, description: str) -> app_commands.Command:
    async def callback(interaction: discord.Interaction) -> None:
        await client.handle(interaction, _invoked(client, interaction, name))

    return app_commands.Command(name=name, description=description, callback=callback)


def _plan_command(client: CommandsClient) -> app_commands.Command:
    questions = client.engine.knowledge.questionnaire.questions

    async def plan(interaction: discord.Interaction, **options: Any) -> None:
        # Options become inline answers (`rd=140`), one quoted token each, so the engine reads
        # them exactly as it reads `/backlinks plan rd=140` on other platforms.
        text = shlex.join(f"{name}={_as_text(value)}" for name, value in options.items() if value is not None)
        await client.handle(interaction, _invoked(client, interaction, "plan", text))

    # discord.py reads a command's options from its callback's signature: declare one per question.
    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)
    ]
    parameters += [
        inspect.Parameter(q.id, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Optional[_option_type(q)])  # noqa: UP045
        for q in questions
    ]
    plan.__signature__ = inspect.Signature(parameters)
    plan.__discord_app_commands_param_description__ = {q.id: q.label for q in questions}
    # A question with one answer from a short list (the kind of site) is a menu in Discord too.
    plan.__discord_app_commands_param_choices__ = {
        q.id: [app_commands.Choice(name=label[:CHOICE_NAME], value=option) for option, label in q.kind.options]
        for q in questions
        if q.kind.options and not q.kind.many and len(q.kind.options) <= COMMAND_CHOICES
    }
    return app_commands.Command(
        name="plan", description=described("Answer a few questions and get a monthly backlink target"), callback=plan
    )


def _invoked(
    client: CommandsClient, interaction: discord.Interaction, command: str, argument: str = "", **extra
) -> Invoked:
    """The command as the engine takes it, named by the interaction's id: Discord may deliver one
    interaction twice, and the change it asks for is made once (the engine claims the id)."""
    user = str(interaction.user.id)
    key, request = client.key(interaction), str(interaction.id)
    return Invoked(key, user, command, argument, request=request, locale=locale_of(interaction), **extra)


def locale_of(interaction: discord.Interaction) -> str | None:
    """The language Discord says the person uses (every interaction carries it), else the server's."""
    found = interaction.locale or interaction.guild_locale
    return found.value if found is not None else None


def _option_type(question: Question) -> Any:
    params = question.params
    if question.kind_name == "integer":
        return app_commands.Range[int, params["min"], params["max"]]
    if question.kind_name == "number":
        return app_commands.Range[float, params["min"], params["max"]]
    return str


def _as_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
