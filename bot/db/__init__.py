"""The database layer: one repository per aggregate over two backends (see bot.db.engines).

Cogs and the engine only see :class:`Repositories`; which backend sits behind it is decided once, by
:func:`open_database`, from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.auto_times import AutoTimesRepository, SqlAutoTimesRepository
from bot.db.diary import DiaryRepository, SqlDiaryRepository
from bot.db.guild_settings import GuildSettingsRepository, SqlGuildSettingsRepository
from bot.db.labs import LabsRepository, SqlLabsRepository
from bot.db.meds import MedsRepository, SqlMedsRepository
from bot.db.migrations import MigrationError
from bot.db.mydata import SqlUserDataRepository, UserDataRepository
from bot.db.postgres import PostgresDatabase
from bot.db.reminder_store import SqlReminderRepository
from bot.db.reminders import ReminderRepository
from bot.db.sqlite import DatabaseOpenError, SqliteDatabase
from bot.db.tip_history import SqlTipHistoryRepository, TipHistoryRepository
from bot.db.users import SqlUserRepository, UserRepository
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
    labs: LabsRepository
    meds: MedsRepository
    auto_times: AutoTimesRepository


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
    """One implementation per aggregate, whichever the backend: its engine does the rest."""
    return Repositories(
        users=SqlUserRepository(db),
        guild_settings=SqlGuildSettingsRepository(db),
        reminders=SqlReminderRepository(db),
        diary=SqlDiaryRepository(db),
        user_data=SqlUserDataRepository(db),
        tip_history=SqlTipHistoryRepository(db),
        labs=SqlLabsRepository(db),
        meds=SqlMedsRepository(db),
        auto_times=SqlAutoTimesRepository(db),
    )
