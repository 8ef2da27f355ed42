"""Per-server settings chosen by moderators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.db.postgres import PostgresDatabase
from bot.db.sqlite import SqliteDatabase, from_epoch, to_epoch


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    reminder_channel_id: int | None = None
    timezone: str | None = None
    updated_at: datetime | None = None


class GuildSettingsRepository(Protocol):
    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings, or the defaults when nothing was configured."""
        ...

    async def set_reminder_channel(
        self, guild_id: int, channel_id: int | None, now: datetime
    ) -> GuildSettings: ...

    async def delete(self, guild_id: int) -> bool: ...


class SqliteGuildSettingsRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT guild_id, reminder_channel_id, timezone, updated_at "
                "FROM guild_settings WHERE guild_id = ?",
                (guild_id,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(row[0], row[1], row[2], from_epoch(row[3]))

    async def set_reminder_channel(
        self, guild_id: int, channel_id: int | None, now: datetime
    ) -> GuildSettings:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, reminder_channel_id, updated_at) "
                "VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
                "reminder_channel_id = excluded.reminder_channel_id, "
                "updated_at = excluded.updated_at",
                (guild_id, channel_id, to_epoch(now)),
            )
        return await self.get(guild_id)

    async def delete(self, guild_id: int) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            return cursor.rowcount > 0


class PostgresGuildSettingsRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                "SELECT guild_id, reminder_channel_id, timezone, updated_at "
                "FROM guild_settings WHERE guild_id = $1",
                guild_id,
            )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(row[0], row[1], row[2], row[3])

    async def set_reminder_channel(
        self, guild_id: int, channel_id: int | None, now: datetime
    ) -> GuildSettings:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, reminder_channel_id, updated_at) "
                "VALUES ($1, $2, $3) ON CONFLICT (guild_id) DO UPDATE SET "
                "reminder_channel_id = excluded.reminder_channel_id, "
                "updated_at = excluded.updated_at",
                guild_id,
                channel_id,
                now,
            )
        return await self.get(guild_id)

    async def delete(self, guild_id: int) -> bool:
        async with self._db.transaction() as conn:
            status = await conn.execute("DELETE FROM guild_settings WHERE guild_id = $1", guild_id)
        return bool(status != "DELETE 0")
