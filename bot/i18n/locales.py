"""Which of our languages a Discord locale string gets.

Discord sends locales such as ``de``, ``en-US``, ``en-GB``, ``fr``, ``pt-BR``. German is ``de``
(Discord has no regional German variants, but ``de-AT``/``de_CH`` are read as German too, in case a
caller passes a POSIX or browser locale). Everything else, and nothing at all, is English.
"""

from __future__ import annotations

from pathlib import Path

ENGLISH = "en"
GERMAN = "de"
_CATALOGS = Path(__file__).resolve().parent / "locales"
# English (the source, no catalog) and every language with a catalog: adding a language is adding
# its catalog (and content files), no code change.
SUPPORTED: tuple[str, ...] = (
    ENGLISH,
    *sorted(path.parents[1].name for path in _CATALOGS.glob("*/LC_MESSAGES/messages.po")),
)


def pick_locale(discord_locale: object) -> str:
    """``"de"`` for a German Discord locale, ``"en"`` for any other value (or None).

    Takes ``object`` so that discord.py's ``Locale`` enum (whose ``str()`` is the locale code) and
    plain strings both work without this module importing discord.
    """
    if discord_locale is None:
        return ENGLISH
    code = str(getattr(discord_locale, "value", discord_locale)).strip().lower()
    primary = code.replace("_", "-").split("-", 1)[0]
    return primary if primary in SUPPORTED else ENGLISH
