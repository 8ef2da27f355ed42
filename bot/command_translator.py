"""Slash command names, descriptions, options and choices in the person's language.

discord.py asks an ``app_commands.Translator`` for every string of every command, once per Discord
locale, when the commands are registered (``rls-companion sync-commands``); the answers become the
``name_localizations``/``description_localizations`` Discord shows to people whose client is set
to that language. Our answers come from the message catalog (bot/i18n), keyed by the English
string and the place it appears (``command_name``, ``parameter_description``, ...).

``python -m bot.command_translator`` rewrites ``bot/i18n/locales/messages.pot`` from the command
tree and the replies marked ``tr(...)`` in the source after either changes; tests/i18n fails until
it is run and every new string is translated.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from discord import Locale, app_commands
from discord.app_commands import locale_str
from discord.app_commands.translator import TranslationContextTypes

from bot.i18n import ENGLISH, Message, load_catalog, marked_messages, pick_locale
from bot.i18n.catalog import TEMPLATE

# The places whose strings a person types or reads back in our replies ("use /stretch remind
# where:channel"): names of commands, groups, options and choices.
NAME_LOCATIONS = frozenset(
    {
        app_commands.TranslationContextLocation.command_name,
        app_commands.TranslationContextLocation.group_name,
        app_commands.TranslationContextLocation.parameter_name,
        app_commands.TranslationContextLocation.choice_name,
    }
)


class CatalogTranslator(app_commands.Translator):
    """Answers from the catalog; ``None`` (Discord shows the English) when it has no translation.

    With ``names=False`` only descriptions are translated and every name stays English. The bot
    translates names: its German replies name commands as a German client shows them ("nutze
    ``/dehnen erinnern``"), which tests/i18n keeps true, since a reply saying "use ``/stretch
    remind``" beside a picker showing ``/dehnen erinnern`` sends a tired person looking for a
    command they cannot see.
    """

    def __init__(self, *, names: bool = True) -> None:
        super().__init__()
        self.names = names

    async def translate(
        self, string: locale_str, locale: Locale, context: TranslationContextTypes
    ) -> str | None:
        language = pick_locale(locale.value)
        if language == ENGLISH or (not self.names and context.location in NAME_LOCATIONS):
            return None
        return load_catalog(language).lookup(string.message, context.location.name)


class _Recorder(app_commands.Translator):
    """Notes every string discord.py would ask about, so the template lists exactly those."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Message] = set()

    async def translate(
        self, string: locale_str, locale: Locale, context: TranslationContextTypes
    ) -> str | None:
        self.seen.add(Message(context.location.name, string.message))
        return None


async def command_messages(tree: app_commands.CommandTree) -> list[Message]:
    """Every string of every registered command, with the place it is used."""
    recorder = _Recorder()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, recorder)
    return sorted(recorder.seen)


def template_for(messages: Iterable[Message], other: Iterable[Message] = ()) -> Catalog:
    # Fixed header values: the file changes only when a message does.
    catalog = Catalog(
        project="rls-companion",
        version="",
        domain="messages",
        fuzzy=False,
        copyright_holder="rls-companion contributors",
        msgid_bugs_address="",
        creation_date=datetime(2026, 12, 4, tzinfo=UTC),
    )
    for message in sorted({*messages, *other}, key=lambda m: (m.context or "", m.text)):
        catalog.add(message.text, context=message.context)
    return catalog


def write_template(catalog: Catalog, path: Path = TEMPLATE) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


async def _regenerate() -> int:
    from bot.client import RlsBot
    from bot.extensions import walk_extensions
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "unused.sqlite3"
        bot = RlsBot(Settings(_env_file=None, database_path=database), background_jobs=False)  # type: ignore[call-arg]
        # Cogs register their renderers with the reminder engine as they load, so it must exist.
        await bot.open_storage()
        try:
            for extension in walk_extensions():
                await bot.load_extension(extension)
            commands = set(await command_messages(bot.tree))
        finally:
            await bot.db.close()
    # The replies: every message marked tr(...)/N_(...) in the source (bot/i18n/speech.py).
    others = set(marked_messages())
    write_template(template_for(commands, others))
    print(f"wrote {TEMPLATE} ({len(commands)} command strings, {len(others)} replies)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_regenerate()))
