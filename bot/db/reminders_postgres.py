"""PostgreSQL implementation of :class:`bot.db.reminders.ReminderRepository` (timestamptz instants).

Its twin is `reminders_sqlite.py`, mirrored method by method. The differences that matter: several
bot processes share this database, so the claim and the lease pick rows with `FOR UPDATE SKIP
LOCKED` (each process takes rows nobody else holds instead of queueing behind them), and the claim
writes its batch with set-based statements over `unnest` arrays instead of one statement per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from bot.db.postgres import PostgresDatabase
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

_SCHEDULE = "SELECT " + SCHEDULE_COLUMNS + " FROM schedules"
_DELIVERY = "SELECT " + DELIVERY_COLUMNS + " FROM deliveries"

# Leasing is one statement: pick (skipping rows another process is leasing right now), stamp the
# lease, and return each leased delivery with its schedule. A row another process leased and
# committed after our snapshot is re-checked against the WHERE clause on its new version, whose
# lease_until is no longer in the past, so it cannot be leased twice.
_LEASE = (
    "WITH picked AS ("
    "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 "
    "AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at LIMIT $3 "
    "FOR UPDATE SKIP LOCKED"
    "), leased AS ("
    "UPDATE deliveries d SET lease_until = $2, lease_owner = $4, attempts = d.attempts + 1 "
    "FROM picked "
    "WHERE d.id = picked.id RETURNING d.*"
    ") "
    "SELECT " + LEASED_COLUMNS + " FROM leased d JOIN schedules s ON s.id = d.schedule_id "
    "ORDER BY d.next_attempt_at, d.id"
)

# The schedule with what its status needs, in one statement: the lists travel as arrays (of
# anonymous records for the deliveries, which asyncpg reads as tuples).
_ACTIVITY = (
    "SELECT " + SCHEDULE_COLUMNS + ", "
    "ARRAY(SELECT ROW(" + DELIVERY_COLUMNS + ") FROM deliveries "
    "WHERE schedule_id = s.id ORDER BY due_at DESC, id DESC LIMIT $3), "
    "ARRAY(SELECT d.due_at FROM deliveries d JOIN schedules k ON k.id = d.schedule_id "
    "WHERE d.user_id = $1 AND k.kind = $2 AND d.done_at IS NOT NULL AND d.due_at >= $4 "
    "ORDER BY d.due_at), "
    "(SELECT count(*) FROM deliveries WHERE schedule_id = s.id AND status = 'skipped' "
    "AND due_at >= $5) "
    "FROM schedules s WHERE s.user_id = $1 AND s.kind = $2"
)


def _instant(value: datetime) -> datetime:
    """What SQLite's `to_epoch` does, so both backends store the same instant: asyncpg would read
    a naive datetime as local time, and timestamptz would keep the microseconds epoch seconds drop
    (which would let two snoozes a fraction of a second apart both pass the unique key)."""
    if value.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return value.replace(microsecond=0)


_PLACEHOLDERS = [f"${n}" for n in range(1, 11)]
_SAVE_USER_SCHEDULE = schedule_upsert_sql(_PLACEHOLDERS, USER_SCHEDULE)
_SAVE_SERVER_SCHEDULE = schedule_upsert_sql(_PLACEHOLDERS, SERVER_SCHEDULE)


def _opt_instant(value: datetime | None) -> datetime | None:
    return None if value is None else _instant(value)


def _as_is(value: datetime) -> datetime:
    return value  # asyncpg reads timestamptz as an aware UTC datetime already


def _schedule(row: Sequence[Any]) -> Schedule:
    return schedule_from_row(row, _as_is)


def _delivery(row: Sequence[Any]) -> Delivery:
    return delivery_from_row(row, _as_is)


class PostgresReminderRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    def atomic(self) -> AbstractAsyncContextManager[object]:
        return self._db.transaction()

    async def schedules_for_change(
        self, *, user_id: int | None = None, kind: str | None = None, guild_id: int | None = None
    ) -> list[ScheduleForChange]:
        params: tuple[Any, ...]
        if guild_id is not None:
            where, params = (
                "s.guild_id = $1 AND s.user_id IS NULL AND s.kind = $2",
                (guild_id, kind),
            )
        else:
            where, params = "s.user_id = $1 AND ($2::text IS NULL OR s.kind = $2)", (user_id, kind)
        async with self._db.connection() as conn:
            # FOR UPDATE: a claim in another process (FOR UPDATE SKIP LOCKED) passes these rows
            # by until the change commits, and the last claimed occurrence read here stays true.
            rows = await conn.fetch(
                "SELECT " + SCHEDULE_COLUMNS + ", " + LAST_CLAIMED + " FROM schedules s "
                "WHERE " + where + " ORDER BY s.kind FOR UPDATE OF s",
                *params,
            )
        return [
            ScheduleForChange(_schedule(row[:SCHEDULE_WIDTH]), row[SCHEDULE_WIDTH]) for row in rows
        ]

    async def cancel_pending(self, schedule_id: int, now: datetime) -> int:
        return await self._db.write(
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = $1, "
            "lease_until = NULL, lease_owner = NULL WHERE schedule_id = $2 AND status = 'pending'",
            _instant(now),
            schedule_id,
        )

    async def _one_schedule(self, sql: str, *params: Any) -> Schedule | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(sql, *params)
        return None if row is None else _schedule(row)

    async def save_schedule(
        self, spec: ScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        async with self._db.transaction() as conn:
            # A schedule belongs to a user profile; create one without a zone if needed.
            await conn.execute(
                "INSERT INTO users (id, timezone, created_at) VALUES ($1, NULL, $2) "
                "ON CONFLICT (id) DO NOTHING",
                spec.user_id,
                _instant(now),
            )
            row = await conn.fetchrow(
                _SAVE_USER_SCHEDULE, *schedule_values(spec, next_due, now, _instant)
            )
        assert row is not None
        return _schedule(row)

    async def get_schedule(self, user_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE user_id = $1 AND kind = $2", user_id, kind
        )

    async def get_schedule_by_id(self, schedule_id: int) -> Schedule | None:
        return await self._one_schedule(_SCHEDULE + " WHERE id = $1", schedule_id)

    async def user_schedules(self, user_id: int) -> list[Schedule]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(_SCHEDULE + " WHERE user_id = $1 ORDER BY kind", user_id)
        return [_schedule(row) for row in rows]

    async def delete_schedule(self, user_id: int, kind: str) -> bool:
        deleted = await self._db.write(
            "DELETE FROM schedules WHERE user_id = $1 AND kind = $2", user_id, kind
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
            "UPDATE schedules SET next_due = $1, paused_until = $2, pause_reason = $3, "
            "updated_at = $4 WHERE id = $5",
            _opt_instant(next_due),
            _opt_instant(paused_until),
            pause_reason,
            _instant(now),
            schedule_id,
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
            "UPDATE schedules SET guild_id = $1, channel_id = $2, notice = $3, updated_at = $4 "
            "WHERE id = $5",
            guild_id,
            channel_id,
            notice,
            _instant(now),
            schedule_id,
        )

    async def take_pause_notices(self, user_id: int, now: datetime) -> list[tuple[str, str]]:
        untold = (
            "user_id = $1 AND next_due IS NULL AND pause_reason IN " + TOLD_PAUSES + " "
            "AND (pause_told_at IS NULL OR pause_told_at < updated_at)"
        )
        # A read first: this runs on every command, and almost always finds nothing to write.
        async with self._db.connection() as conn:
            if await conn.fetchval("SELECT count(*) FROM schedules WHERE " + untold, user_id) == 0:
                return []
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                "UPDATE schedules SET pause_told_at = $2 WHERE "
                + untold
                + " RETURNING kind, pause_reason",
                user_id,
                _instant(now),
            )
        return sorted((row[0], row[1]) for row in rows)

    async def clear_notice(self, schedule_id: int, now: datetime) -> None:
        await self._db.write(
            "UPDATE schedules SET notice = NULL, updated_at = $1 WHERE id = $2",
            _instant(now),
            schedule_id,
        )

    async def reschedule_user(
        self, user_id: int, zone: str, plan: Reschedule, now: datetime
    ) -> list[Schedule]:
        async with self._db.transaction() as conn:
            # The UPDATE locks the user's rows first, so a claim running in another process
            # either finished before (and we plan from its advanced next_due) or skips them.
            await conn.execute(
                "UPDATE schedules SET timezone = $1, updated_at = $2 WHERE user_id = $3",
                zone,
                _instant(now),
                user_id,
            )
            rows = await conn.fetch(_SCHEDULE + " WHERE user_id = $1", user_id)
            schedules = [_schedule(row) for row in rows]
            await conn.executemany(
                "UPDATE schedules SET next_due = $1 WHERE id = $2",
                [(_opt_instant(plan(schedule)), schedule.id) for schedule in schedules],
            )
            rows = await conn.fetch(_SCHEDULE + " WHERE user_id = $1 ORDER BY kind", user_id)
        return [_schedule(row) for row in rows]

    async def claim_due(self, now: datetime, limit: int, decide: Decide) -> int:
        now_ts = _instant(now)
        async with self._db.transaction() as conn:
            # SKIP LOCKED: concurrent claimers each take a disjoint batch instead of waiting for
            # one another; a row another claimer advanced after our snapshot is re-checked on its
            # new next_due and drops out, so no schedule is claimed twice.
            rows = await conn.fetch(
                "SELECT id, user_id, local_time, days_mask, timezone, next_due FROM schedules "
                "WHERE next_due <= $1 ORDER BY next_due LIMIT $2 FOR UPDATE SKIP LOCKED",
                now_ts,
                limit,
            )
            if not rows:
                return 0
            ids: list[int] = []
            user_ids: list[int | None] = []
            due_ats: list[datetime] = []
            statuses: list[str] = []
            late: list[int] = []
            next_dues: list[datetime | None] = []
            pause_reasons: list[str | None] = []
            outbox: list[int] = []
            for schedule_id, user_id, local_time, days_mask, zone, next_due in rows:
                decision = decide(
                    DueSchedule(
                        schedule_id,
                        user_id,
                        read_local_time(local_time),
                        days_mask,
                        zone,
                        next_due,
                    )
                )
                ids.append(schedule_id)
                next_dues.append(_opt_instant(decision.next_due))
                pause_reasons.append(decision.pause_reason)
                if decision.status == "paused":
                    continue
                outbox.append(schedule_id)
                user_ids.append(user_id)
                due_ats.append(next_due)
                statuses.append(decision.status)
                late.append(decision.late_seconds)
            # Two set-based statements per batch, whatever its size: the batch travels as arrays.
            await conn.execute(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, status, "
                "next_attempt_at, late_seconds, created_at) "
                "SELECT v.schedule_id, v.user_id, v.due_at, 'scheduled', v.status, $6, "
                "v.late_seconds, $6 "
                "FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], "
                "$5::integer[]) AS v(schedule_id, user_id, due_at, status, late_seconds) "
                "ON CONFLICT (schedule_id, due_at, reason) DO NOTHING",
                outbox,
                user_ids,
                due_ats,
                statuses,
                late,
                now_ts,
            )
            await conn.execute(
                "UPDATE schedules s SET next_due = v.next_due, "
                "pause_reason = coalesce(v.pause_reason, s.pause_reason), "
                "updated_at = $3 "
                "FROM unnest($1::bigint[], $2::timestamptz[], $4::text[]) "
                "AS v(id, next_due, pause_reason) WHERE s.id = v.id",
                ids,
                next_dues,
                now_ts,
                pause_reasons,
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
            row = await conn.fetchrow(
                "INSERT INTO deliveries (schedule_id, user_id, due_at, reason, snoozed_from, "
                "status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $3, "
                "$6) ON CONFLICT DO NOTHING RETURNING " + DELIVERY_COLUMNS,
                schedule.id,
                schedule.member_id,
                _instant(due_at),
                reason,
                snoozed_from,
                _instant(now),
            )
        return None if row is None else _delivery(row)

    async def lease_pending(
        self, now: datetime, lease_until: datetime, limit: int, owner: str = "local"
    ) -> list[tuple[Delivery, Schedule]]:
        async with self._db.transaction() as conn:
            rows = await conn.fetch(_LEASE, _instant(now), _instant(lease_until), limit, owner)
        return [leased_from_row(row, _as_is) for row in rows]

    async def renew_lease(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        renewed = await self._db.write(
            "UPDATE deliveries SET lease_until = $1 "
            "WHERE id = $2 AND status = 'pending' AND lease_owner = $3",
            _instant(lease_until),
            delivery_id,
            owner,
        )
        return renewed == 1

    async def release_leases(self) -> int:
        # Safe for one process restarting; with several processes it also frees leases that live
        # senders still hold, so sharded deployments should let leases expire instead.
        return await self._db.write(
            "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL "
            "WHERE status = 'pending' AND lease_until IS NOT NULL"
        )

    async def _settle(self, delivery_id: int, assignments: str, *params: Any) -> None:
        """Record what became of a delivery that is still pending, and free its lease."""
        await self._db.write(
            "UPDATE deliveries SET " + assignments + ", lease_until = NULL, lease_owner = NULL "
            "WHERE id = $1 AND status = 'pending'",
            delivery_id,
            *params,
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
            "status = 'sent', sent_at = $2, channel_id = $3, message_id = $4, late_seconds = $5, "
            "error = NULL",
            _instant(sent_at),
            channel_id,
            message_id,
            late_seconds,
        )

    async def mark_failed(self, delivery_id: int, error: str, now: datetime) -> None:
        await self._settle(
            delivery_id, "status = 'failed', error = $2, next_attempt_at = $3", error, _instant(now)
        )

    async def mark_skipped(self, delivery_id: int, late_seconds: int, now: datetime) -> None:
        await self._settle(
            delivery_id,
            "status = 'skipped', late_seconds = $2, next_attempt_at = $3",
            late_seconds,
            _instant(now),
        )

    async def retry_later(self, delivery_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._settle(
            delivery_id, "error = $2, next_attempt_at = $3", error, _instant(next_attempt_at)
        )

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(_DELIVERY + " WHERE id = $1", delivery_id)
        return None if row is None else _delivery(row)

    async def mark_done(self, delivery_id: int, user_id: int, now: datetime) -> Delivery | None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET done_at = $1 "
                "WHERE id = $2 AND user_id = $3 AND done_at IS NULL",
                _instant(now),
                delivery_id,
                user_id,
            )
            row = await conn.fetchrow(
                _DELIVERY + " WHERE id = $1 AND user_id = $2", delivery_id, user_id
            )
        return None if row is None else _delivery(row)

    async def recent_deliveries(self, schedule_id: int, limit: int) -> list[Delivery]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                _DELIVERY + " WHERE schedule_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2",
                schedule_id,
                limit,
            )
        return [_delivery(row) for row in rows]

    async def done_due_times(self, user_id: int, kind: str, since: datetime) -> list[datetime]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT d.due_at FROM deliveries d JOIN schedules s ON s.id = d.schedule_id "
                "WHERE d.user_id = $1 AND s.kind = $2 AND d.done_at IS NOT NULL AND d.due_at >= $3 "
                "ORDER BY d.due_at",
                user_id,
                kind,
                _instant(since),
            )
        return [row[0] for row in rows]

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
            row = await conn.fetchrow(
                _ACTIVITY, user_id, kind, recent, _instant(done_since), _instant(skipped_since)
            )
        if row is None:
            return None
        recent_rows, done, skipped = row[SCHEDULE_WIDTH:]
        return activity_of(
            _schedule(row[:SCHEDULE_WIDTH]), [_delivery(r) for r in recent_rows], done, skipped
        )

    async def pending_count(self, now: datetime) -> int:
        async with self._db.connection() as conn:
            count = await conn.fetchval(
                "SELECT count(*) FROM deliveries "
                "WHERE status = 'pending' AND next_attempt_at <= $1",
                _instant(now),
            )
        return int(count)

    async def get_dm_channel(self, user_id: int) -> int | None:
        async with self._db.connection() as conn:
            channel_id = await conn.fetchval(
                "SELECT channel_id FROM dm_channels WHERE user_id = $1", user_id
            )
        return None if channel_id is None else int(channel_id)

    async def save_dm_channel(self, user_id: int, channel_id: int) -> None:
        await self._db.write(
            "INSERT INTO dm_channels (user_id, channel_id) VALUES ($1, $2) "
            "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
            user_id,
            channel_id,
        )

    async def forget_dm_channel(self, user_id: int) -> None:
        await self._db.write("DELETE FROM dm_channels WHERE user_id = $1", user_id)

    async def clear_guild_targets(self, guild_id: int, notice: str, now: datetime) -> int:
        return await self._db.write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = $1, "
            "updated_at = $2 WHERE guild_id = $3 AND user_id IS NOT NULL",
            notice,
            _instant(now),
            guild_id,
        )

    async def clear_channel_targets(self, channel_id: int, notice: str, now: datetime) -> int:
        return await self._db.write(
            "UPDATE schedules SET guild_id = NULL, channel_id = NULL, notice = $1, "
            "updated_at = $2 WHERE channel_id = $3 AND user_id IS NOT NULL",
            notice,
            _instant(now),
            channel_id,
        )

    async def move_channel_targets(
        self, old_channel_id: int, new_channel_id: int, notice: str, now: datetime
    ) -> int:
        return await self._db.write(
            "UPDATE schedules SET channel_id = $1, notice = $2, updated_at = $3 "
            "WHERE channel_id = $4 AND user_id IS NOT NULL",
            new_channel_id,
            notice,
            _instant(now),
            old_channel_id,
        )

    async def save_server_schedule(
        self, spec: ServerScheduleSpec, next_due: datetime | None, now: datetime
    ) -> Schedule:
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                _SAVE_SERVER_SCHEDULE, *schedule_values(spec, next_due, now, _instant)
            )
        assert row is not None
        return _schedule(row)

    async def get_server_schedule(self, guild_id: int, kind: str) -> Schedule | None:
        return await self._one_schedule(
            _SCHEDULE + " WHERE guild_id = $1 AND kind = $2 AND user_id IS NULL", guild_id, kind
        )

    async def delete_server_schedules(self, guild_id: int, kind: str | None = None) -> int:
        return await self._db.write(
            "DELETE FROM schedules WHERE guild_id = $1 AND user_id IS NULL "
            "AND ($2::text IS NULL OR kind = $2)",
            guild_id,
            kind,
        )
