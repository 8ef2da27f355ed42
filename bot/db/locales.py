"""The Discord locale kept on a person's and on a server's row (``users.locale``,
``guild_settings.locale``): what reminders and server posts are worded in, where no interaction
says it (bot.i18n.memory decides when to write it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from bot.db.engines import Repository


class KeepsLocale(Repository):
    """A repository whose TABLE keeps one locale per row, found by its KEY column; a row that
    does not exist yet is created with the instant of the write in its STAMP column."""

    _remember_locale_sql: ClassVar[str]
    _locale_sql: ClassVar[str]

    def __init_subclass__(cls, *, table: str, key: str, stamp: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._remember_locale_sql = (
            f"INSERT INTO {table} ({key}, {stamp}, locale) VALUES (?, ?, ?) "
            f"ON CONFLICT ({key}) DO UPDATE SET locale = excluded.locale "
            f"WHERE {table}.locale IS NULL OR {table}.locale <> excluded.locale"
        )
        cls._locale_sql = f"SELECT locale FROM {table} WHERE {key} = ?"

    async def remember_locale(self, key: int, locale: str, now: datetime) -> None:
        """Note the locale of the latest interaction of the person or server (creating its row
        if needed); a write only when it differs from the stored one."""
        # One statement with every parameter known: one trip to SQLite's thread (atomic_batch).
        await self._db.atomic_batch(
            [(self._remember_locale_sql, (key, self._e.instant(now), locale))]
        )

    async def locale(self, key: int) -> str | None:
        """The stored Discord locale code (``de``, ``en-US``), None when not known."""
        async with self._db.read() as s:
            value = await s.fetch_value(self._locale_sql, key)
        return None if value is None else str(value)
