"""SQLite implementation of :class:`bot.db.reminders.ReminderRepository` (instants as epoch seconds).

Its twin is `reminders_postgres.py`; the SQL differs mostly in placeholders and in the claim, where
one process holding `BEGIN IMMEDIATE` is SQLite's answer to PostgreSQL's `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.db.reminders import (
    Decide,
    Delivery,
    DeliveryReason,
    DueSchedule,
    Reschedule,
    Schedule,
    ScheduleSpec,
    ServerScheduleSpec,
    format_local_time,
    parse_local_time,
)
from bot.db.sqlite import SqliteDatabase, from_epoch, to_epoch

_SCHEDULE = (
    "SELECT id, user_id, kind, local_time, days_mask, timezone, guild_id, channel_id, next_due, "
    "paused_until, pause_reason, notice, created_at, updated_at FROM schedules"
)
_DELIVERY = (
    "SELECT id, schedule_id, user_id, due_at, reason, snoozed_from, status, attempts, "
    "next_attempt_at, sent_at, channel_id, message_id, late_seconds, error, done_at, created_at "
    "FROM deliveries"
)


_LEASED = (
    "SELECT d.id, d.schedule_id, d.user_id, d.due_at, d.reason, d.snoozed_from, d.status, "
    "d.attempts, d.next_attempt_at, d.sent_at, d.channel_id, d.message_id, d.late_seconds, "
    "d.error, d.done_at, d.created_at, s.id, s.user_id, s.kind, s.local_time, s.days_mask, "
    "s.timezone, s.guild_id, s.channel_id, s.next_due, s.paused_until, s.pause_reason, s.notice, "
    "s.created_at, s.updated_at FROM deliveries d JOIN schedules s ON s.id = d.schedule_id"
)


def _opt_time(value: int | None) -> datetime | None:
    return None if value is None else from_epoch(value)


def _opt_epoch(value: datetime | None) -> int | None:
    return None if value is None else to_epoch(value)


def _schedule(row: Iterable[Any]) -> Schedule:
    r = tuple(row)
    return Schedule(
        id=r[0],
        member_id=r[1],
        kind=r[2],
        local_time=parse_local_time(r[3]),
        days_mask=r[4],
        timezone=r[5],
        guild_id=r[6],
        channel_id=r[7],
        next_due=_opt_time(r[8]),
        paused_until=_opt_time(r[9]),
        pause_reason=r[10],
        notice=r[11],
        created_at=from_epoch(r[12]),
        updated_at=from_epoch(r[13]),
    )


def _delivery(row: Iterable[Any]) -> Delivery:
    r = tuple(row)
    return Delivery(
        id=r[0],
        schedule_id=r[1],
        member_id=r[2],
        due_at=from_epoch(r[3]),
        reason=r[4],
        snoozed_from=r[5],
        status=r[6],
        attempts=r[7],
        next_attempt_at=from_epoch(r[8]),
        sent_at=_opt_time(r[9]),
        channel_id=r[10],
        message_id=r[11],
        late_seconds=r[12],
        error=r[13],
        done_at=_opt_time(r[14]),
        created_at=from_epoch(r[15]),
    )


class SqliteReminderRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def _one_schedule(self, sql: str, params: tuple[Any, ...]) -> Schedule | None:
        async with self._db.connection() as conn, conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _schedule(row)

    async def save_schedule(
        self, spec: ScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        async with self._db.transaction() as conn:
            # A schedule belongs to a user profile; create one without a zone if needed.
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, NULL, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (spec.user_id, to_epoch(now)),
            )
            await conn.execute(
                "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, guild_id, "
                "channel_id, next_due, paused_until, pause_reason, notice, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?) "
                "ON CONFLICT (user_id, kind) DO UPDATE SET local_time = excluded.local_time, "
                "days_mask = excluded.days_mask, timezone = excluded.timezone, "
                "guild_id = excluded.guild_id, channel_id = excluded.channel_id, "
                "next_due = excluded.next_due, paused_until = NULL, pause_reason = NULL, "
                "notice = NULL, updated_at = excluded.updated_at",
                (
                    spec.user_id,
                    spec.kind,
                    format_local_time(spec.local_time),
                    spec.days_mask,
                    spec.timezone,
                    spec.guild_id,
                    spec.channel_id,
                    _opt_epoch(next_due),
                    to_epoch(now),
                    to_epoch(now),
                ),
            )
            async with conn.execute(
                _SCHEDULE + " WHERE user_id = ? AND kind = ?", (spec.user_id, spec.kind)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _schedule(row)

    async def get_schedule(self, user_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE user_id = ? AND kind = ?", (user_id, kind)
        )

    async def get_schedule_by_id(self, schedule_id: int) -> Schedule | None:
        return await self._one_schedule(_SCHEDULE + " WHERE id = ?", (schedule_id,))

    async def user_schedules(self, user_id: int) -> list[Schedule]:
        async with (
            self._db.connection() as conn,
            conn.execute(_SCHEDULE + " WHERE user_id = ? ORDER BY kind", (user_id,)) as cursor,
        ):
            return [_schedule(row) async for row in cursor]

    async def delete_schedule(self, user_id: int, kind: str) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM schedules WHERE user_id = ? AND kind = ?", (user_id, kind)
            )
            return cursor.rowcount > 0

    async def set_next_due(
        self,
        schedule_id: int,
        next_due: datetime | None,
        now: datetime,
        *,
        paused_until: datetime | None = None,
        pause_reason: str | None = None,
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET next_due = ?, paused_until = ?, pause_reason = ?, "
                "updated_at = ? WHERE id = ?",
                (
                    _opt_epoch(next_due),
                    _opt_epoch(paused_until),
                    pause_reason,
                    to_epoch(now),
                    schedule_id,
                ),
            )

    async def set_target(
        self,
        schedule_id: int,
        guild_id: int | None,
        channel_id: int | None,
        notice: str | None,
        now: datetime,
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET guild_id = ?, channel_id = ?, notice = ?, updated_at = ? "
                "WHERE id = ?",
                (guild_id, channel_id, notice, to_epoch(now), schedule_id),
            )

    async def clear_notice(self, schedule_id: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET notice = NULL, updated_at = ? WHERE id = ?",
                (to_epoch(now), schedule_id),
            )

    async def reschedule_user(
        self, user_id: int, zone: str, plan: Reschedule, now: datetime
    ) -> list[Schedule]:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET timezone = ?, updated_at = ? WHERE user_id = ?",
                (zone, to_epoch(now), user_id),
            )
            async with conn.execute(_SCHEDULE + " WHERE user_id = ?", (user_id,)) as cursor:
                schedules = [_schedule(row) async for row in cursor]
            for schedule in schedules:
                await conn.execute(
                    "UPDATE schedules SET next_due = ? WHERE id = ?",
                    (_opt_epoch(plan(schedule)), schedule.id),
                )
            async with conn.execute(
                _SCHEDULE + " WHERE user_id = ? ORDER BY kind", (user_id,)
            ) as cursor:
                return [_schedule(row) async for row in cursor]

    async def claim_due(self, now: datetime, limit: int, decide: Decide) -> int:
        now_s = to_epoch(now)
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT id, user_id, local_time, days_mask, timezone, next_due FROM schedules "
                "WHERE next_due <= ? ORDER BY next_due LIMIT ?",
                (now_s, limit),
            ) as cursor:
                rows = list(await cursor.fetchall())
            if not rows:
                return 0
            outbox: list[tuple[Any, ...]] = []
            advances: list[tuple[Any, ...]] = []
            for schedule_id, user_id, local_time, days_mask, zone, next_due in rows:
                decision = decide(
                    DueSchedule(
                        schedule_id,
                        user_id,
                        parse_local_time(local_time),
                        days_mask,
                        zone,
                        from_epoch(next_due),
                    )
                )
                outbox.append(
                    (
                        schedule_id,
                        user_id,
                        next_due,
                        decision.status,
                        now_s,
                        decision.late_seconds,
                        now_s,
                    )
                )
                advances.append((_opt_epoch(decision.next_due), now_s, schedule_id))
            await conn.executemany(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, status, "
                "next_attempt_at, late_seconds, created_at) VALUES (?, ?, ?, 'scheduled', ?, ?, "
                "?, ?) ON CONFLICT (schedule_id, due_at, reason) DO NOTHING",
                outbox,
            )
            await conn.executemany(
                "UPDATE schedules SET next_due = ?, updated_at = ? WHERE id = ?", advances
            )
        return len(rows)

    async def add_delivery(
        self,
        schedule: Schedule,
        due_at: datetime,
        reason: DeliveryReason,
        now: datetime,
        *,
        snoozed_from: int | None = None,
    ) -> Delivery | None:
        async with self._db.transaction() as conn:
            async with conn.execute(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, snoozed_from, "
                "status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING id",
                (
                    schedule.id,
                    schedule.member_id,
                    to_epoch(due_at),
                    reason,
                    snoozed_from,
                    to_epoch(due_at),
                    to_epoch(now),
                ),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            async with conn.execute(_DELIVERY + " WHERE id = ?", (row[0],)) as cursor:
                created = await cursor.fetchone()
        assert created is not None
        return _delivery(created)

    async def lease_pending(
        self, now: datetime, lease_until: datetime, limit: int, owner: str = "local"
    ) -> list[tuple[Delivery, Schedule]]:
        now_s = to_epoch(now)
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?",
                (now_s, now_s, limit),
            ) as cursor:
                ids = [row[0] async for row in cursor]
            if not ids:
                return []
            await conn.executemany(
                "UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                [(to_epoch(lease_until), owner, i) for i in ids],
            )
            async with conn.execute(
                _LEASED
                + " WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at",
                (json.dumps(ids),),
            ) as cursor:
                return [(_delivery(row[:16]), _schedule(row[16:])) async for row in cursor]

    async def renew_lease(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE deliveries SET lease_until = ? "
                "WHERE id = ? AND status = 'pending' AND lease_owner = ?",
                (to_epoch(lease_until), delivery_id, owner),
            )
            return cursor.rowcount == 1

    async def release_leases(self) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL "
                "WHERE status = 'pending' AND lease_until IS NOT NULL"
            )
            return cursor.rowcount

    async def mark_sent(
        self,
        delivery_id: int,
        channel_id: int,
        message_id: int,
        sent_at: datetime,
        late_seconds: int,
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, channel_id = ?, "
                "message_id = ?, late_seconds = ?, "
                "lease_until = NULL, lease_owner = NULL, error = NULL WHERE id = ? "
                "AND status = 'pending'",
                (to_epoch(sent_at), channel_id, message_id, late_seconds, delivery_id),
            )

    async def mark_failed(self, delivery_id: int, error: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'failed', error = ?, "
                "lease_until = NULL, lease_owner = NULL, "
                "next_attempt_at = ? WHERE id = ? "
                "AND status = 'pending'",
                (error, to_epoch(now), delivery_id),
            )

    async def mark_skipped(self, delivery_id: int, late_seconds: int, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'skipped', late_seconds = ?, "
                "lease_until = NULL, lease_owner = NULL, "
                "next_attempt_at = ? WHERE id = ? "
                "AND status = 'pending'",
                (late_seconds, to_epoch(now), delivery_id),
            )

    async def retry_later(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET error = ?, next_attempt_at = ?, "
                "lease_until = NULL, lease_owner = NULL "
                "WHERE id = ? "
                "AND status = 'pending'",
                (error, to_epoch(next_attempt_at), delivery_id),
            )

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with (
            self._db.connection() as conn,
            conn.execute(_DELIVERY + " WHERE id = ?", (delivery_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return None if row is None else _delivery(row)

    async def mark_done(self, delivery_id: int, user_id: int, now: datetime) -> Delivery | None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET done_at = ? "
                "WHERE id = ? AND user_id = ? AND done_at IS NULL",
                (to_epoch(now), delivery_id, user_id),
            )
            async with conn.execute(
                _DELIVERY + " WHERE id = ? AND user_id = ?", (delivery_id, user_id)
            ) as cursor:
                row = await cursor.fetchone()
        return None if row is None else _delivery(row)

    async def recent_deliveries(self, schedule_id: int, limit: int) -> list[Delivery]:
        async with (
            self._db.connection() as conn,
            conn.execute(
                _DELIVERY + " WHERE schedule_id = ? ORDER BY due_at DESC, id DESC LIMIT ?",
                (schedule_id, limit),
            ) as cursor,
        ):
            return [_delivery(row) async for row in cursor]

    async def done_due_times(self, user_id: int, kind: str, since: datetime) -> list[datetime]:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT d.due_at FROM deliveries d JOIN schedules s ON s.id = d.schedule_id "
                "WHERE d.user_id = ? AND s.kind = ? AND d.done_at IS NOT NULL AND d.due_at >= ? "
                "ORDER BY d.due_at",
                (user_id, kind, to_epoch(since)),
            ) as cursor,
        ):
            return [from_epoch(row[0]) async for row in cursor]

    async def count_skipped(self, schedule_id: int, since: datetime) -> int:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT count(*) FROM deliveries WHERE schedule_id = ? AND status = 'skipped' "
                "AND due_at >= ?",
                (schedule_id, to_epoch(since)),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def pending_count(self, now: datetime) -> int:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
                (to_epoch(now),),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def get_dm_channel(self, user_id: int) -> int | None:
        async with (
            self._db.connection() as conn,
            conn.execute(
                "SELECT channel_id FROM dm_channels WHERE user_id = ?", (user_id,)
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return None if row is None else int(row[0])

    async def save_dm_channel(self, user_id: int, channel_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
                (user_id, channel_id),
            )

    async def forget_dm_channel(self, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM dm_channels WHERE user_id = ?", (user_id,))

    async def clear_guild_targets(self, guild_id: int, notice: str, now: datetime) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
                "updated_at = ? WHERE guild_id = ? AND user_id IS NOT NULL",
                (notice, to_epoch(now), guild_id),
            )
            return cursor.rowcount

    async def clear_channel_targets(self, channel_id: int, notice: str, now: datetime) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
                "updated_at = ? WHERE channel_id = ? AND user_id IS NOT NULL",
                (notice, to_epoch(now), channel_id),
            )
            return cursor.rowcount

    async def move_channel_targets(
        self, old_channel_id: int, new_channel_id: int, notice: str, now: datetime
    ) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE schedules SET channel_id = ?, notice = ?, updated_at = ? "
                "WHERE channel_id = ? AND user_id IS NOT NULL",
                (new_channel_id, notice, to_epoch(now), old_channel_id),
            )
            return cursor.rowcount

    async def save_server_schedule(
        self, spec: ServerScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        async with self._db.transaction() as conn:
            # The conflict target names the partial unique index on server-owned rows.
            await conn.execute(
                "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, guild_id, "
                "channel_id, next_due, paused_until, pause_reason, notice, created_at, updated_at) "
                "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?) "
                "ON CONFLICT (guild_id, kind) WHERE user_id IS NULL DO UPDATE SET "
                "local_time = excluded.local_time, days_mask = excluded.days_mask, "
                "timezone = excluded.timezone, channel_id = excluded.channel_id, "
                "next_due = excluded.next_due, paused_until = NULL, pause_reason = NULL, "
                "notice = NULL, updated_at = excluded.updated_at",
                (
                    spec.kind,
                    format_local_time(spec.local_time),
                    spec.days_mask,
                    spec.timezone,
                    spec.guild_id,
                    spec.channel_id,
                    _opt_epoch(next_due),
                    to_epoch(now),
                    to_epoch(now),
                ),
            )
            async with conn.execute(
                _SCHEDULE + " WHERE guild_id = ? AND kind = ? AND user_id IS NULL",
                (spec.guild_id, spec.kind),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _schedule(row)

    async def get_server_schedule(self, guild_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE guild_id = ? AND kind = ? AND user_id IS NULL", (guild_id, kind)
        )

    async def delete_server_schedules(self, guild_id: int, kind: str | None = None) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM schedules WHERE guild_id = ? AND user_id IS NULL "
                "AND (? IS NULL OR kind = ?)",
                (guild_id, kind, kind),
            )
            return cursor.rowcount
