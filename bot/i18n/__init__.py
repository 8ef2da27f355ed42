"""Speaking the person's language: the message catalog, picking a locale, locale-aware formatting.

Plain Python (no discord import): the command translator in ``bot/command_translator.py`` and, in
the next slices, the cogs and the reminder renderers call into it.

English is the source language: a message's English text is its id (gettext's ``msgid``), so code
reads naturally and a missing translation falls back to the English it already holds. Each other
language is one ``.po`` file under ``bot/i18n/locales/<lang>/LC_MESSAGES/messages.po``, read
directly with Babel at start-up (no compile step, so a fresh ``pip install -e .`` works).
"""

from bot.i18n.catalog import (
    CatalogProblem,
    Message,
    MessageCatalog,
    catalog_problems,
    load_catalog,
    placeholders,
    translate,
)
from bot.i18n.formatting import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_time,
    format_weekday,
)
from bot.i18n.locales import ENGLISH, GERMAN, SUPPORTED, pick_locale
from bot.i18n.speech import N_, Speaker, marked_messages, speaker

__all__ = [
    "ENGLISH",
    "GERMAN",
    "N_",
    "SUPPORTED",
    "CatalogProblem",
    "Message",
    "MessageCatalog",
    "Speaker",
    "catalog_problems",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_number",
    "format_time",
    "format_weekday",
    "load_catalog",
    "marked_messages",
    "pick_locale",
    "placeholders",
    "speaker",
    "translate",
]
