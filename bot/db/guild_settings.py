"""Per-server settings chosen by moderators, the audit of every change, and the server's tip history.

One aggregate, one repository: a change to the settings and its audit rows are written in the same
transaction, so the audit can never miss a change or record one that did not happen. Changes are
made by an ``edit`` function applied to the settings as they are *inside* that transaction, so two
moderators changing different settings at once cannot undo each other's change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from bot.db.engines import Column, Row, Session
from bot.db.locales import KeepsLocale
from bot.db.reminders import format_local_time, parse_local_time

# Who changed a setting when no moderator did (a configured channel was deleted).
BOT_ITSELF = 0
# A moderator who has since deleted their data (/mydata delete); Discord ids are positive.
FORMER_MEMBER = -1
# Enough to avoid repeating a tip for weeks of daily posts, small enough that the table stays tiny.
KEEP_TIPS = 30

REMINDER_CHANNEL = "reminder_channel"
TIPS_CHANNEL = "tips_channel"
TIPS_TIME = "tips_time"
TIMEZONE = "timezone"
SETTINGS = (REMINDER_CHANNEL, TIPS_CHANNEL, TIPS_TIME, TIMEZONE)
# The daily tip's schedule (a server schedule on the reminder engine) and its time when none is chosen.
TIP_KIND = "server_tip"
DEFAULT_TIP_TIME = time(17, 0)


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    reminder_channel_id: int | None = None
    timezone: str | None = None
    updated_at: datetime | None = None
    # The daily tip's channel and time are read from its schedule row (the one source of truth,
    # the row the engine runs on); the repository never stores them itself.
    tips_channel_id: int | None = None  # None: no daily tip
    tips_time: time | None = None  # None: the default time


@dataclass(frozen=True)
class AuditEntry:
    id: int
    guild_id: int
    moderator_id: int  # BOT_ITSELF when the bot made the change
    setting: str  # one of SETTINGS
    old_value: str | None  # None: not set
    new_value: str | None
    changed_at: datetime


@dataclass(frozen=True)
class SettingsUpdate:
    before: GuildSettings
    after: GuildSettings
    changes: list[AuditEntry]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


Edit = Callable[[GuildSettings], GuildSettings]
PickTip = Callable[[list[str]], str]


def setting_values(settings: GuildSettings) -> dict[str, str | None]:
    """Each setting as the text the audit stores."""

    def text(value: int | str | None) -> str | None:
        return None if value is None else str(value)

    return {
        REMINDER_CHANNEL: text(settings.reminder_channel_id),
        TIPS_CHANNEL: text(settings.tips_channel_id),
        TIPS_TIME: None if settings.tips_time is None else format_local_time(settings.tips_time),
        TIMEZONE: settings.timezone,
    }


def setting_changes(
    before: GuildSettings, after: GuildSettings
) -> list[tuple[str, str | None, str | None]]:
    """(setting, old, new) for every setting that differs, in SETTINGS order."""
    old, new = setting_values(before), setting_values(after)
    return [(name, old[name], new[name]) for name in SETTINGS if old[name] != new[name]]


def _apply(edit: Edit, before: GuildSettings) -> GuildSettings:
    after = edit(before)
    if after.guild_id != before.guild_id:
        raise ValueError("an edit cannot move settings to another server")
    if after.tips_time == DEFAULT_TIP_TIME:
        # The schedule row stores a time, not whether one was chosen: 17:00 reads back as the
        # default, so it is the default here too and never audited as a change.
        after = replace(after, tips_time=None)
    return after


_COLUMNS = "guild_id, reminder_channel_id, timezone, updated_at"
# The daily tip's channel and time come from its schedule row. Scalar subqueries (not a join) so
# PostgreSQL's FOR UPDATE still locks just the settings row. (guild_settings' own copies of them
# were dropped by migration 0010.)
_TIP = (
    "(SELECT {column} FROM schedules WHERE schedules.guild_id = guild_settings.guild_id "
    "AND schedules.user_id IS NULL AND schedules.kind = '" + TIP_KIND + "')"
)
_READ_COLUMNS = (
    _COLUMNS + ", " + _TIP.format(column="channel_id") + ", " + _TIP.format(column="local_time")
)
_AUDIT_COLUMNS = "id, guild_id, moderator_id, setting, old_value, new_value, changed_at"


def _opt_time(text: str | None) -> time | None:
    if text is None:
        return None
    chosen = parse_local_time(text)
    return None if chosen == DEFAULT_TIP_TIME else chosen


def _settings_from_row(row: Any, instant: Callable[[Any], datetime]) -> GuildSettings:
    """A row of _READ_COLUMNS (or of _COLUMNS: no daily tip); `instant` reads the backend's
    stored instant."""
    return GuildSettings(
        guild_id=row[0],
        reminder_channel_id=row[1],
        timezone=row[2],
        updated_at=instant(row[3]),
        tips_channel_id=row[4] if len(row) > 4 else None,
        tips_time=_opt_time(row[5]) if len(row) > 4 else None,
    )


def _audit_from_row(row: Any, instant: Callable[[Any], datetime]) -> AuditEntry:
    """A row of _AUDIT_COLUMNS."""
    return AuditEntry(row[0], row[1], row[2], row[3], row[4], row[5], instant(row[6]))


_AUDITED: list[Column] = [("setting", "text"), ("old_value", "text"), ("new_value", "text")]


class GuildSettingsRepository(
    KeepsLocale, table="guild_settings", key="guild_id", stamp="updated_at"
):
    def _settings(self, row: Row) -> GuildSettings:
        return _settings_from_row(row, self._e.from_instant)

    def _audit(self, row: Row) -> AuditEntry:
        return _audit_from_row(row, self._e.from_instant)

    async def _row(self, s: Session, guild_id: int, *, lock: bool = False) -> GuildSettings | None:
        sql = "SELECT " + _READ_COLUMNS + " FROM guild_settings WHERE guild_id = ?"
        row = await s.fetch_one(sql + (self._e.for_update if lock else ""), guild_id)
        return None if row is None else self._settings(row)

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings, or the defaults when nothing was configured."""
        async with self._db.read() as s:
            return await self._row(s, guild_id) or GuildSettings(guild_id)

    async def set_reminder_channel(
        self, guild_id: int, channel_id: int | None, now: datetime
    ) -> GuildSettings:
        """Set the reminder channel without an audit entry (tests and tools; /config uses update)."""
        async with self._db.atomic() as s:
            await s.execute(
                "INSERT INTO guild_settings (guild_id, reminder_channel_id, updated_at) "
                "VALUES (?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
                "reminder_channel_id = excluded.reminder_channel_id, "
                "updated_at = excluded.updated_at",
                guild_id,
                channel_id,
                self._e.instant(now),
            )
            saved = await self._row(s, guild_id)
        assert saved is not None
        return saved

    async def update(
        self, guild_id: int, edit: Edit, moderator_id: int, now: datetime
    ) -> SettingsUpdate:
        """Apply ``edit`` to the current settings and record each changed setting in the audit,
        in one transaction. Nothing is written when nothing changes. ``edit`` must be a pure
        function of the settings it is given: it may be called more than once."""
        stamp = self._e.instant(now)
        async with self._db.atomic() as s:
            # The row is locked before the read (PostgreSQL; SQLite's BEGIN IMMEDIATE already took
            # the only write lock), so the edit sees the latest settings.
            before = await self._row(s, guild_id, lock=True)
            if before is None:
                default = GuildSettings(guild_id)
                if not setting_changes(default, _apply(edit, default)):
                    return SettingsUpdate(default, default, [])
                # No row to lock yet: create one (this waits for a concurrent creator to commit),
                # then lock it, so the edit starts from whatever that creator saved.
                await s.execute(
                    "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) "
                    "ON CONFLICT (guild_id) DO NOTHING",
                    guild_id,
                    stamp,
                )
                before = await self._row(s, guild_id, lock=True)
                assert before is not None
            after = _apply(edit, before)
            changes = setting_changes(before, after)
            if not changes:
                return SettingsUpdate(before, before, [])
            # The daily tip's channel and time are not stored here: the caller saves the tip's
            # schedule from `after` in this same transaction (bot/guild_config.change_settings).
            row = await s.fetch_one(
                "UPDATE guild_settings SET reminder_channel_id = ?, timezone = ?, "
                "updated_at = ? WHERE guild_id = ? RETURNING " + _COLUMNS,
                after.reminder_channel_id,
                after.timezone,
                stamp,
                guild_id,
            )
            # One statement for every changed setting, in SETTINGS order, so the ids follow it.
            rows = await s.insert_many(
                "guild_config_audit",
                _AUDITED,
                changes,
                fixed={
                    "guild_id": ("bigint", guild_id),
                    "moderator_id": ("bigint", moderator_id),
                    "changed_at": ("timestamptz", stamp),
                },
                returning=_AUDIT_COLUMNS,
            )
        assert row is not None
        entries = sorted((self._audit(r) for r in rows), key=lambda e: e.id)
        saved = self._settings(row)
        after = replace(
            after, reminder_channel_id=saved.reminder_channel_id, timezone=saved.timezone
        )
        return SettingsUpdate(before, replace(after, updated_at=saved.updated_at), entries)

    async def recent_changes(self, guild_id: int, limit: int) -> list[AuditEntry]:
        """Newest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT " + _AUDIT_COLUMNS + " FROM guild_config_audit WHERE guild_id = ? "
                "ORDER BY id DESC LIMIT ?",
                guild_id,
                max(limit, 0),
            )
        return [self._audit(row) for row in rows]

    async def choose_tip(
        self, guild_id: int, delivery_id: int, pick: PickTip, now: datetime
    ) -> str:
        """The tip for this daily post: the one already chosen for the delivery (a resend posts
        the same tip), else ``pick(recent tip ids, newest first)``, remembered."""
        chosen_sql = "SELECT tip_id FROM guild_tip_posts WHERE delivery_id = ?"
        async with self._db.atomic() as s:
            chosen = await s.fetch_value(chosen_sql, delivery_id)
            if chosen is not None:
                return str(chosen)
            rows = await s.fetch_all(
                "SELECT tip_id FROM guild_tip_posts WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
                guild_id,
                KEEP_TIPS,
            )
            # Two senders never hold the same delivery (leases), but if one ever did, the unique
            # delivery_id keeps the first choice and both post it.
            inserted = await s.fetch_value(
                "INSERT INTO guild_tip_posts (guild_id, delivery_id, tip_id, chosen_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING RETURNING tip_id",
                guild_id,
                delivery_id,
                pick([row[0] for row in rows]),
                self._e.instant(now),
            )
            if inserted is None:
                inserted = await s.fetch_value(chosen_sql, delivery_id)
            await s.execute(
                "DELETE FROM guild_tip_posts WHERE guild_id = ? AND id NOT IN ("
                "SELECT id FROM guild_tip_posts WHERE guild_id = ? ORDER BY id DESC LIMIT ?)",
                guild_id,
                guild_id,
                KEEP_TIPS,
            )
        return str(inserted)

    async def recent_tips(self, guild_id: int, limit: int = KEEP_TIPS) -> list[str]:
        """Tip ids posted in the server, newest first."""
        async with self._db.read() as s:
            rows = await s.fetch_all(
                "SELECT tip_id FROM guild_tip_posts WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
                guild_id,
                max(limit, 0),
            )
        return [row[0] for row in rows]

    async def delete(self, guild_id: int) -> bool:
        """Forget the server: settings, audit and tip history. True if it had settings."""
        async with self._db.atomic() as s:
            await s.execute("DELETE FROM guild_config_audit WHERE guild_id = ?", guild_id)
            await s.execute("DELETE FROM guild_tip_posts WHERE guild_id = ?", guild_id)
            return await s.execute("DELETE FROM guild_settings WHERE guild_id = ?", guild_id) > 0
