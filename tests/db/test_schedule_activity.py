"""schedule_activity, the one query behind /stretch status, against the four queries it replaces.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.db import Repositories
from bot.db.reminders import ClaimDecision, DueSchedule, ScheduleSpec, ServerScheduleSpec

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
USER = 11
BIG = 1_234_567_890_123_456_789  # a Discord id past 2**53 must survive the JSON on SQLite
SPEC = ScheduleSpec(USER, "stretch", time(17, 0), 0b1111111, "Europe/Berlin", guild_id=BIG)


async def fill(repos: Repositories) -> int:
    """A schedule with deliveries in every state, some sharing a due time; returns its id."""
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW - timedelta(days=30))
    for days in range(12):
        due = NOW - timedelta(days=days)

        def skip_or_send(s: DueSchedule, days: int = days) -> ClaimDecision:
            if days % 4 == 1:
                return ClaimDecision("skipped", days * 60, s.next_due + timedelta(days=1))
            return ClaimDecision("pending", days * 60, s.next_due + timedelta(days=1))

        await repos.reminders.set_next_due(schedule.id, due, due)
        await repos.reminders.claim_due(due, 10, skip_or_send)
        # A send-now at the same due time: ties on due_at are ordered by id.
        extra = await repos.reminders.add_delivery(schedule, due, "now", due)
        assert extra is not None
        if days % 3 == 0:
            await repos.reminders.mark_done(extra.id, USER, due + timedelta(minutes=5))
    [(leased, _)] = await repos.reminders.lease_pending(NOW, NOW + timedelta(minutes=1), 1)
    await repos.reminders.mark_sent(leased.id, BIG, BIG + 1, NOW, 0)
    await repos.reminders.retry_later(leased.id + 1, 'HTTP 503 ünïcode "quoted"', NOW)
    # Neighbours that must not leak in: another kind, another user, a server's own schedule.
    other = await repos.reminders.save_schedule(
        ScheduleSpec(USER, "other", time(9), 127, "UTC"), NOW, NOW
    )
    stranger = await repos.reminders.save_schedule(
        ScheduleSpec(USER + 1, "stretch", time(9), 127, "UTC"), NOW, NOW
    )
    for neighbour in (other, stranger):
        extra = await repos.reminders.add_delivery(neighbour, NOW, "now", NOW)
        assert extra is not None
        await repos.reminders.mark_done(extra.id, neighbour.user_id, NOW)
    await repos.reminders.save_server_schedule(
        ServerScheduleSpec(5, 6, "stretch", time(9), 127, "UTC"), NOW, NOW
    )
    return schedule.id


async def test_activity_is_what_the_separate_queries_return(repos: Repositories) -> None:
    schedule_id = await fill(repos)
    for recent, done_days, skipped_days in [(20, 28, 7), (5, 3, 1), (0, 0, 0), (100, 400, 400)]:
        done_since = NOW - timedelta(days=done_days)
        skipped_since = NOW - timedelta(days=skipped_days)
        activity = await repos.reminders.schedule_activity(
            USER, "stretch", recent=recent, done_since=done_since, skipped_since=skipped_since
        )
        assert activity is not None
        assert activity.schedule == await repos.reminders.get_schedule(USER, "stretch")
        assert activity.recent == await repos.reminders.recent_deliveries(schedule_id, recent)
        assert activity.done_due_times == await repos.reminders.done_due_times(
            USER, "stretch", done_since
        )
        every = await repos.reminders.recent_deliveries(schedule_id, 1000)
        assert activity.skipped == sum(
            1 for d in every if d.status == "skipped" and d.due_at >= skipped_since
        )
    # Looking far enough back sees every kind of row.
    activity = await repos.reminders.schedule_activity(
        USER,
        "stretch",
        recent=100,
        done_since=NOW - timedelta(days=400),
        skipped_since=NOW - timedelta(days=400),
    )
    assert activity is not None
    assert len(activity.recent) == 24 and activity.skipped == 3
    assert {d.status for d in activity.recent} == {"pending", "sent", "skipped"}
    assert any(d.error and "ünïcode" in d.error for d in activity.recent)
    assert activity.schedule.guild_id == BIG
    assert any(d.message_id == BIG + 1 for d in activity.recent)
    assert len(activity.done_due_times) == 4


async def test_activity_of_a_schedule_without_deliveries(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    activity = await repos.reminders.schedule_activity(
        USER, "stretch", recent=20, done_since=NOW, skipped_since=NOW
    )
    assert activity is not None
    assert (activity.schedule, activity.recent, activity.done_due_times, activity.skipped) == (
        schedule,
        [],
        [],
        0,
    )


async def test_no_activity_without_a_schedule(repos: Repositories) -> None:
    await repos.reminders.save_server_schedule(
        ServerScheduleSpec(5, 6, "stretch", time(9), 127, "UTC"), NOW, NOW
    )
    await repos.reminders.save_schedule(SPEC, NOW, NOW)
    for user, kind in [(USER, "other"), (USER + 1, "stretch")]:
        assert (
            await repos.reminders.schedule_activity(
                user, kind, recent=20, done_since=NOW, skipped_since=NOW
            )
            is None
        )


async def test_activity_brings_time_auto_minutes_and_sees_each_change(
    repos: Repositories,
) -> None:
    # /stretch status shows time:auto with the schedule: read in the same statement, so the
    # status never needs a second trip, and a set or clear shows at the next read.
    await repos.reminders.save_schedule(SPEC, NOW, NOW)

    async def before() -> int | None:
        activity = await repos.reminders.schedule_activity(
            USER, "stretch", recent=5, done_since=NOW, skipped_since=NOW
        )
        assert activity is not None
        return activity.auto_before

    assert await before() is None
    await repos.auto_times.set(USER + 1, "stretch", 10, NOW)  # someone else's
    await repos.auto_times.set(USER, "sleep", 20, NOW)  # another kind
    assert await before() is None
    await repos.auto_times.set(USER, "stretch", 45, NOW)
    assert await before() == 45 == await repos.auto_times.get(USER, "stretch")
    await repos.auto_times.set(USER, "stretch", 30, NOW)
    assert await before() == 30
    await repos.auto_times.clear(USER, "stretch")
    assert await before() is None
