"""SQLite implementation of :class:`bot.db.reminders.ReminderRepository` (instants as epoch seconds).

Its twin is `reminders_postgres.py`; the SQL differs mostly in placeholders and in the claim, where
one process holding `BEGIN IMMEDIATE` is SQLite's answer to PostgreSQL's `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from bot.db.reminders import (
    DELIVERY_COLUMNS,
    LAST_CLAIMED,
    LEASED_COLUMNS,
    SCHEDULE_COLUMNS,
    SCHEDULE_WIDTH,
    SERVER_SCHEDULE,
    TOLD_PAUSES,
    USER_SCHEDULE,
    Decide,
    Delivery,
    DeliveryReason,
    DueSchedule,
    Reschedule,
    Schedule,
    ScheduleActivity,
    ScheduleForChange,
    ScheduleSpec,
    ServerScheduleSpec,
    activity_of,
    delivery_from_row,
    leased_from_row,
    read_local_time,
    schedule_from_row,
    schedule_upsert_sql,
    schedule_values,
)
from bot.db.sqlite import SqliteDatabase, fetch_all, fetch_one, fetch_value, from_epoch, to_epoch

_SCHEDULE = "SELECT " + SCHEDULE_COLUMNS + " FROM schedules"
_DELIVERY = "SELECT " + DELIVERY_COLUMNS + " FROM deliveries"
_LEASED = "SELECT " + LEASED_COLUMNS + " FROM deliveries d JOIN schedules s ON s.id = d.schedule_id"

# The schedule with what its status needs, in one statement: the lists travel as JSON arrays
# (integers and text survive the round trip unchanged).
_ACTIVITY = (
    "SELECT " + SCHEDULE_COLUMNS + ", "
    "(SELECT json_group_array(json_array("
    + DELIVERY_COLUMNS
    + ")) FROM ("
    + _DELIVERY
    + " WHERE schedule_id = s.id ORDER BY due_at DESC, id DESC LIMIT :recent)), "
    "(SELECT json_group_array(d.due_at) FROM deliveries d JOIN schedules k ON k.id = d.schedule_id "
    "WHERE d.user_id = :user AND k.kind = :kind AND d.done_at IS NOT NULL "
    "AND d.due_at >= :done_since), "
    "(SELECT count(*) FROM deliveries WHERE schedule_id = s.id AND status = 'skipped' "
    "AND due_at >= :skipped_since) "
    "FROM schedules s WHERE s.user_id = :user AND s.kind = :kind"
)


_SAVE_USER_SCHEDULE = schedule_upsert_sql(["?"] * 10, USER_SCHEDULE)
_SAVE_SERVER_SCHEDULE = schedule_upsert_sql(["?"] * 10, SERVER_SCHEDULE)


def _opt_epoch(value: datetime | None) -> int | None:
    return None if value is None else to_epoch(value)


def _schedule(row: Sequence[Any]) -> Schedule:
    return schedule_from_row(row, from_epoch)


def _delivery(row: Sequence[Any]) -> Delivery:
    return delivery_from_row(row, from_epoch)


class SqliteReminderRepository:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def atomic(self) -> AbstractAsyncContextManager[object]:
        return self._db.transaction()

    async def schedules_for_change(
        self, *, user_id: int | None = None, kind: str | None = None, guild_id: int | None = None
    ) -> list[ScheduleForChange]:
        # Inside atomic() BEGIN IMMEDIATE already holds the only write lock: nothing to lock.
        params: tuple[Any, ...]
        if guild_id is not None:
            where, params = "s.guild_id = ? AND s.user_id IS NULL AND s.kind = ?", (guild_id, kind)
        else:
            where, params = "s.user_id = ? AND (? IS NULL OR s.kind = ?)", (user_id, kind, kind)
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                "SELECT " + SCHEDULE_COLUMNS + ", " + LAST_CLAIMED + " FROM schedules s "
                "WHERE " + where + " ORDER BY s.kind",
                params,
            )
        return [
            ScheduleForChange(
                _schedule(row[:SCHEDULE_WIDTH]),
                None if row[SCHEDULE_WIDTH] is None else from_epoch(row[SCHEDULE_WIDTH]),
            )
            for row in rows
        ]

    async def cancel_pending(self, schedule_id: int, now: datetime) -> int:
        return await self._db.write(
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = ?, "
            "lease_until = NULL, lease_owner = NULL WHERE schedule_id = ? AND status = 'pending'",
            (to_epoch(now), schedule_id),
        )

    async def _one_schedule(self, sql: str, params: tuple[Any, ...]) -> Schedule | None:
        async with self._db.connection() as conn:
            row = await fetch_one(conn, sql, params)
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
            row = await fetch_one(
                conn, _SAVE_USER_SCHEDULE, schedule_values(spec, next_due, now, to_epoch)
            )
        assert row is not None
        return _schedule(row)

    async def get_schedule(self, user_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE user_id = ? AND kind = ?", (user_id, kind)
        )

    async def get_schedule_by_id(self, schedule_id: int) -> Schedule | None:
        return await self._one_schedule(_SCHEDULE + " WHERE id = ?", (schedule_id,))

    async def user_schedules(self, user_id: int) -> list[Schedule]:
        async with self._db.connection() as conn:
            rows = await fetch_all(conn, _SCHEDULE + " WHERE user_id = ? ORDER BY kind", (user_id,))
        return [_schedule(row) for row in rows]

    async def delete_schedule(self, user_id: int, kind: str) -> bool:
        deleted = await self._db.write(
            "DELETE FROM schedules WHERE user_id = ? AND kind = ?", (user_id, kind)
        )
        return deleted > 0

    async def set_next_due(
        self,
        schedule_id: int,
        next_due: datetime | None,
        now: datetime,
        *,
        paused_until: datetime | None = None,
        pause_reason: str | None = None,
    ) -> None:
        await self._db.write(
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
        await self._db.write(
            "UPDATE schedules SET guild_id = ?, channel_id = ?, notice = ?, updated_at = ? "
            "WHERE id = ?",
            (guild_id, channel_id, notice, to_epoch(now), schedule_id),
        )

    async def take_pause_notices(self, user_id: int, now: datetime) -> list[tuple[str, str]]:
        untold = (
            "user_id = ? AND next_due IS NULL AND pause_reason IN " + TOLD_PAUSES + " "
            "AND (pause_told_at IS NULL OR pause_told_at < updated_at)"
        )
        # A read first: this runs on every command, and almost always finds nothing to write.
        async with self._db.connection() as conn:
            if not await fetch_all(conn, "SELECT 1 FROM schedules WHERE " + untold, (user_id,)):
                return []
        async with self._db.transaction() as conn:
            rows = await fetch_all(
                conn,
                "UPDATE schedules SET pause_told_at = ? WHERE "
                + untold
                + " RETURNING kind, pause_reason",
                (to_epoch(now), user_id),
            )
        return sorted((row[0], row[1]) for row in rows)

    async def clear_notice(self, schedule_id: int, now: datetime) -> None:
        await self._db.write(
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
            rows = await fetch_all(conn, _SCHEDULE + " WHERE user_id = ?", (user_id,))
            schedules = [_schedule(row) for row in rows]
            await conn.executemany(
                "UPDATE schedules SET next_due = ? WHERE id = ?",
                [(_opt_epoch(plan(schedule)), schedule.id) for schedule in schedules],
            )
            rows = await fetch_all(conn, _SCHEDULE + " WHERE user_id = ? ORDER BY kind", (user_id,))
        return [_schedule(row) for row in rows]

    async def claim_due(self, now: datetime, limit: int, decide: Decide) -> int:
        now_s = to_epoch(now)
        async with self._db.transaction() as conn:
            rows = await fetch_all(
                conn,
                "SELECT id, user_id, local_time, days_mask, timezone, next_due FROM schedules "
                "WHERE next_due <= ? ORDER BY next_due LIMIT ?",
                (now_s, limit),
            )
            if not rows:
                return 0
            outbox: list[tuple[Any, ...]] = []
            advances: list[tuple[Any, ...]] = []
            for schedule_id, user_id, local_time, days_mask, zone, next_due in rows:
                decision = decide(
                    DueSchedule(
                        schedule_id,
                        user_id,
                        read_local_time(local_time),
                        days_mask,
                        zone,
                        from_epoch(next_due),
                    )
                )
                if decision.status != "paused":
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
                advances.append(
                    (
                        _opt_epoch(decision.next_due),
                        decision.pause_reason,
                        now_s,
                        schedule_id,
                    )
                )
            await conn.executemany(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, status, "
                "next_attempt_at, late_seconds, created_at) VALUES (?, ?, ?, 'scheduled', ?, ?, "
                "?, ?) ON CONFLICT (schedule_id, due_at, reason) DO NOTHING",
                outbox,
            )
            await conn.executemany(
                "UPDATE schedules SET next_due = ?, pause_reason = coalesce(?, pause_reason), "
                "updated_at = ? WHERE id = ?",
                advances,
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
            # No conflict target: a duplicate occurrence and a second snooze of the same original
            # (snoozed_from is UNIQUE) both mean "already there".
            row = await fetch_one(
                conn,
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, snoozed_from, "
                "status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING " + DELIVERY_COLUMNS,
                (
                    schedule.id,
                    schedule.member_id,
                    to_epoch(due_at),
                    reason,
                    snoozed_from,
                    to_epoch(due_at),
                    to_epoch(now),
                ),
            )
        return None if row is None else _delivery(row)

    async def lease_pending(
        self, now: datetime, lease_until: datetime, limit: int, owner: str = "local"
    ) -> list[tuple[Delivery, Schedule]]:
        now_s = to_epoch(now)
        async with self._db.transaction() as conn:
            rows = await fetch_all(
                conn,
                "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?",
                (now_s, now_s, limit),
            )
            ids = [row[0] for row in rows]
            if not ids:
                return []
            await conn.executemany(
                "UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                [(to_epoch(lease_until), owner, i) for i in ids],
            )
            rows = await fetch_all(
                conn,
                _LEASED
                + " WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at",
                (json.dumps(ids),),
            )
        return [leased_from_row(row, from_epoch) for row in rows]

    async def renew_lease(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        renewed = await self._db.write(
            "UPDATE deliveries SET lease_until = ? "
            "WHERE id = ? AND status = 'pending' AND lease_owner = ?",
            (to_epoch(lease_until), delivery_id, owner),
        )
        return renewed == 1

    async def release_leases(self) -> int:
        return await self._db.write(
            "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL "
            "WHERE status = 'pending' AND lease_until IS NOT NULL"
        )

    async def _settle(self, delivery_id: int, assignments: str, params: tuple[Any, ...]) -> None:
        """Record what became of a delivery that is still pending, and free its lease."""
        await self._db.write(
            "UPDATE deliveries SET " + assignments + ", lease_until = NULL, lease_owner = NULL "
            "WHERE id = ? AND status = 'pending'",
            (*params, delivery_id),
        )

    async def mark_sent(
        self,
        delivery_id: int,
        channel_id: int,
        message_id: int,
        sent_at: datetime,
        late_seconds: int,
    ) -> None:
        await self._settle(
            delivery_id,
            "status = 'sent', sent_at = ?, channel_id = ?, message_id = ?, late_seconds = ?, "
            "error = NULL",
            (to_epoch(sent_at), channel_id, message_id, late_seconds),
        )

    async def mark_failed(self, delivery_id: int, error: str, now: datetime) -> None:
        await self._settle(
            delivery_id, "status = 'failed', error = ?, next_attempt_at = ?", (error, to_epoch(now))
        )

    async def mark_skipped(self, delivery_id: int, late_seconds: int, now: datetime) -> None:
        await self._settle(
            delivery_id,
            "status = 'skipped', late_seconds = ?, next_attempt_at = ?",
            (late_seconds, to_epoch(now)),
        )

    async def retry_later(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._settle(
            delivery_id, "error = ?, next_attempt_at = ?", (error, to_epoch(next_attempt_at))
        )

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._db.connection() as conn:
            row = await fetch_one(conn, _DELIVERY + " WHERE id = ?", (delivery_id,))
        return None if row is None else _delivery(row)

    async def mark_done(self, delivery_id: int, user_id: int, now: datetime) -> Delivery | None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET done_at = ? "
                "WHERE id = ? AND user_id = ? AND done_at IS NULL",
                (to_epoch(now), delivery_id, user_id),
            )
            row = await fetch_one(
                conn, _DELIVERY + " WHERE id = ? AND user_id = ?", (delivery_id, user_id)
            )
        return None if row is None else _delivery(row)

    async def recent_deliveries(self, schedule_id: int, limit: int) -> list[Delivery]:
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                _DELIVERY + " WHERE schedule_id = ? ORDER BY due_at DESC, id DESC LIMIT ?",
                (schedule_id, limit),
            )
        return [_delivery(row) for row in rows]

    async def done_due_times(self, user_id: int, kind: str, since: datetime) -> list[datetime]:
        async with self._db.connection() as conn:
            rows = await fetch_all(
                conn,
                "SELECT d.due_at FROM deliveries d JOIN schedules s ON s.id = d.schedule_id "
                "WHERE d.user_id = ? AND s.kind = ? AND d.done_at IS NOT NULL AND d.due_at >= ? "
                "ORDER BY d.due_at",
                (user_id, kind, to_epoch(since)),
            )
        return [from_epoch(row[0]) for row in rows]

    async def schedule_activity(
        self,
        user_id: int,
        kind: str,
        *,
        recent: int,
        done_since: datetime,
        skipped_since: datetime,
    ) -> ScheduleActivity | None:
        async with self._db.connection() as conn:
            row = await fetch_one(
                conn,
                _ACTIVITY,
                {
                    "user": user_id,
                    "kind": kind,
                    "recent": recent,
                    "done_since": to_epoch(done_since),
                    "skipped_since": to_epoch(skipped_since),
                },
            )
        if row is None:
            return None
        recent_json, done_json, skipped = row[SCHEDULE_WIDTH:]
        return activity_of(
            _schedule(row[:SCHEDULE_WIDTH]),
            [_delivery(r) for r in json.loads(recent_json)],
            [from_epoch(t) for t in json.loads(done_json)],
            skipped,
        )

    async def pending_count(self, now: datetime) -> int:
        async with self._db.connection() as conn:
            count = await fetch_value(
                conn,
                "SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
                (to_epoch(now),),
            )
        return int(count)

    async def get_dm_channel(self, user_id: int) -> int | None:
        async with self._db.connection() as conn:
            row = await fetch_one(
                conn, "SELECT channel_id FROM dm_channels WHERE user_id = ?", (user_id,)
            )
        return None if row is None else int(row[0])

    async def save_dm_channel(self, user_id: int, channel_id: int) -> None:
        await self._db.write(
            "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
            (user_id, channel_id),
        )

    async def forget_dm_channel(self, user_id: int) -> None:
        await self._db.write("DELETE FROM dm_channels WHERE user_id = ?", (user_id,))

    async def clear_guild_targets(self, guild_id: int, notice: str, now: datetime) -> int:
        return await self._db.write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
            "updated_at = ? WHERE guild_id = ? AND user_id IS NOT NULL",
            (notice, to_epoch(now), guild_id),
        )

    async def clear_channel_targets(self, channel_id: int, notice: str, now: datetime) -> int:
        return await self._db.write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = ?, "
            "updated_at = ? WHERE channel_id = ? AND user_id IS NOT NULL",
            (notice, to_epoch(now), channel_id),
        )

    async def move_channel_targets(
        self, old_channel_id: int, new_channel_id: int, notice: str, now: datetime
    ) -> int:
        return await self._db.write(
            "UPDATE schedules SET channel_id = ?, notice = ?, updated_at = ? "
            "WHERE channel_id = ? AND user_id IS NOT NULL",
            (new_channel_id, notice, to_epoch(now), old_channel_id),
        )

    async def save_server_schedule(
        self, spec: ServerScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        async with self._db.transaction() as conn:
            row = await fetch_one(
                conn, _SAVE_SERVER_SCHEDULE, schedule_values(spec, next_due, now, to_epoch)
            )
        assert row is not None
        return _schedule(row)

    async def get_server_schedule(self, guild_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE guild_id = ? AND kind = ? AND user_id IS NULL", (guild_id, kind)
        )

    async def delete_server_schedules(self, guild_id: int, kind: str | None = None) -> int:
        return await self._db.write(
            "DELETE FROM schedules WHERE guild_id = ? AND user_id IS NULL "
            "AND (? IS NULL OR kind = ?)",
            (guild_id, kind, kind),
        )
