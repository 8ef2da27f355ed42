"""Remembering the language of each person's (and each server's) latest interaction, cheaply.

Reminders and server posts have no interaction to read a locale from, so the locale of the latest
one is stored (``users.locale``, ``guild_settings.locale``). Every interaction carries it, but it
almost never changes: this process keeps what it last wrote per id and writes only when the new
value differs, so a person's second command costs no trip to the database at all.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)

# Enough ids for a large bot's active people; past it the memory starts over (one write each).
MAX_REMEMBERED = 200_000


class LocaleStore(Protocol):
    async def remember_locale(self, key: int, locale: str, now: datetime, /) -> None: ...


class LocaleMemory:
    def __init__(self, store: LocaleStore) -> None:
        self._store = store
        self._written: dict[int, str] = {}

    async def note(self, key: int, locale: str | None, now: datetime) -> bool:
        """Store ``locale`` for ``key`` unless it is what was last stored; True when it wrote."""
        if not locale or self._written.get(key) == locale:
            return False
        if len(self._written) >= MAX_REMEMBERED:
            self._written.clear()
        self._written[key] = locale
        try:
            await self._store.remember_locale(key, locale, now)
        except Exception:
            # Not worth failing a command over; the next interaction tries again.
            self._written.pop(key, None)
            log.warning("could not store locale %r for %s", locale, key, exc_info=True)
            return False
        return True
