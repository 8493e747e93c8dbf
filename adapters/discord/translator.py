"""Discord's command picker in every language the bot speaks: descriptions and menu choices from
the catalogs (bot/conversation/catalogs.py), synced with the commands as Discord's localisations.
Command and option names stay English: they are typed as the help shows them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.conversation import catalogs
from bot.languages.service import supported

TRANSLATED = {
    Where.group_description,
    Where.command_description,
    Where.parameter_description,
    Where.choice_name,
}
DESCRIPTION = 100  # Discord's limit for a description (and a choice's name)


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContext
    ) -> str | None:
        language = supported(locale.value)
        if context.location not in TRANSLATED or language in (None, "en"):
            return None
        found = catalogs.language(language).texts.get(string.message)
        return found[:DESCRIPTION] if found else None
