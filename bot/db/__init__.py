"""The database layer: two backends behind one set of repository interfaces.

Cogs and the engine only see :class:`Repositories`; which backend sits behind it is decided once, by
:func:`open_database`, from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.diary import DiaryRepository
from bot.db.diary_postgres import PostgresDiaryRepository
from bot.db.diary_sqlite import SqliteDiaryRepository
from bot.db.guild_settings import (
    GuildSettingsRepository,
    PostgresGuildSettingsRepository,
    SqliteGuildSettingsRepository,
)
from bot.db.migrations import MigrationError
from bot.db.mydata import (
    PostgresUserDataRepository,
    SqliteUserDataRepository,
    UserDataRepository,
)
from bot.db.postgres import PostgresDatabase
from bot.db.reminders import ReminderRepository
from bot.db.reminders_postgres import PostgresReminderRepository
from bot.db.reminders_sqlite import SqliteReminderRepository
from bot.db.sqlite import DatabaseOpenError, SqliteDatabase
from bot.db.tip_history import (
    PostgresTipHistoryRepository,
    SqliteTipHistoryRepository,
    TipHistoryRepository,
)
from bot.db.users import PostgresUserRepository, SqliteUserRepository, UserRepository
from bot.settings import Settings

Database = SqliteDatabase | PostgresDatabase

__all__ = [
    "Database",
    "DatabaseOpenError",
    "MigrationError",
    "Repositories",
    "build_repositories",
    "open_database",
]


@dataclass(frozen=True)
class Repositories:
    users: UserRepository
    guild_settings: GuildSettingsRepository
    reminders: ReminderRepository
    diary: DiaryRepository
    user_data: UserDataRepository
    tip_history: TipHistoryRepository


async def open_database(settings: Settings) -> Database:
    """Open the configured backend and bring its schema up to date."""
    db: Database
    if settings.database_url is not None:
        db = await PostgresDatabase.open(settings.database_url.get_secret_value())
    else:
        db = await SqliteDatabase.open(settings.database_path)
    try:
        await db.migrate()
    except BaseException:
        await db.close()
        raise
    return db


def build_repositories(db: Database) -> Repositories:
    if isinstance(db, PostgresDatabase):
        return Repositories(
            users=PostgresUserRepository(db),
            guild_settings=PostgresGuildSettingsRepository(db),
            reminders=PostgresReminderRepository(db),
            diary=PostgresDiaryRepository(db),
            user_data=PostgresUserDataRepository(db),
            tip_history=PostgresTipHistoryRepository(db),
        )
    return Repositories(
        users=SqliteUserRepository(db),
        guild_settings=SqliteGuildSettingsRepository(db),
        reminders=SqliteReminderRepository(db),
        diary=SqliteDiaryRepository(db),
        user_data=SqliteUserDataRepository(db),
        tip_history=SqliteTipHistoryRepository(db),
    )
