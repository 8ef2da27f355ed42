"""The database layer: one repository per aggregate over two backends (see bot.db.engines).

Cogs and the engine only see :class:`Repositories`; which backend sits behind it is decided once, by
:func:`open_database`, from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.auto_times import AutoTimesRepository
from bot.db.diary import DiaryRepository
from bot.db.guild_settings import GuildSettingsRepository
from bot.db.labs import LabsRepository
from bot.db.meds import MedsRepository
from bot.db.migrations import MigrationError
from bot.db.mydata import UserDataRepository
from bot.db.postgres import PostgresDatabase
from bot.db.reminder_store import ReminderRepository
from bot.db.sqlite import DatabaseOpenError, SqliteDatabase
from bot.db.tip_history import TipHistoryRepository
from bot.db.users import UserRepository
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
        users=UserRepository(db),
        guild_settings=GuildSettingsRepository(db),
        reminders=ReminderRepository(db),
        diary=DiaryRepository(db),
        user_data=UserDataRepository(db),
        tip_history=TipHistoryRepository(db),
        labs=LabsRepository(db),
        meds=MedsRepository(db),
        auto_times=AutoTimesRepository(db),
    )
