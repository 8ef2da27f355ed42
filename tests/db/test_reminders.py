"""Contract tests for the reminder repository: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.db import Repositories
from bot.db.reminders import ClaimDecision, Decide, DueSchedule, ScheduleSpec

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
SPEC = ScheduleSpec(
    user_id=11,
    kind="stretch",
    local_time=time(17, 0),
    days_mask=0b1111111,
    timezone="Europe/Berlin",
)


def pending(next_due: datetime | None) -> Decide:
    def decide(schedule: DueSchedule) -> ClaimDecision:
        return ClaimDecision(status="pending", late_seconds=0, next_due=next_due)

    return decide


async def test_save_creates_profile_and_schedule_then_replaces_it(repos: Repositories) -> None:
    saved = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    assert saved.user_id == 11 and saved.local_time == time(17, 0) and saved.next_due == NOW
    assert (await repos.users.get(11)) is not None
    await repos.reminders.set_next_due(saved.id, None, NOW, pause_reason="user")
    replaced = await repos.reminders.save_schedule(
        ScheduleSpec(11, "stretch", time(18, 30), 0b11111, "UTC", guild_id=5, channel_id=6),
        NOW + timedelta(hours=1),
        NOW + timedelta(minutes=1),
    )
    assert replaced.id == saved.id
    assert replaced.local_time == time(18, 30)
    assert (replaced.guild_id, replaced.channel_id) == (5, 6)
    assert replaced.pause_reason is None
    assert replaced.created_at == NOW
    assert await repos.reminders.get_schedule(11, "stretch") == replaced
    assert await repos.reminders.get_schedule_by_id(saved.id) == replaced
    assert await repos.reminders.user_schedules(11) == [replaced]


async def test_claim_writes_one_outbox_row_and_advances(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW - timedelta(days=1))
    tomorrow = NOW + timedelta(days=1)
    assert await repos.reminders.claim_due(NOW - timedelta(seconds=1), 100, pending(tomorrow)) == 0
    assert await repos.reminders.claim_due(NOW, 100, pending(tomorrow)) == 1
    assert (await repos.reminders.get_schedule(11, "stretch")).next_due == tomorrow  # type: ignore[union-attr]
    assert await repos.reminders.claim_due(NOW, 100, pending(tomorrow)) == 0
    [delivery] = await repos.reminders.recent_deliveries(schedule.id, 10)
    assert (
        delivery.due_at == NOW and delivery.status == "pending" and delivery.reason == "scheduled"
    )


async def test_claiming_the_same_occurrence_twice_creates_one_row(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    # A decide that does not advance (as if a crash lost the advance) cannot double the outbox.
    await repos.reminders.claim_due(NOW, 100, pending(NOW))
    await repos.reminders.claim_due(NOW, 100, pending(NOW + timedelta(days=1)))
    assert len(await repos.reminders.recent_deliveries(schedule.id, 10)) == 1


async def test_claim_respects_limit_and_due_order(repos: Repositories) -> None:
    for user in range(5):
        await repos.reminders.save_schedule(
            ScheduleSpec(user + 100, "stretch", time(17), 127, "UTC"),
            NOW - timedelta(minutes=user),
            NOW,
        )
    assert await repos.reminders.claim_due(NOW, 2, pending(None)) == 2
    leased = await repos.reminders.lease_pending(NOW, NOW + timedelta(minutes=1), 10)
    assert sorted(d.user_id for d, _ in leased) == [103, 104]


async def test_skipped_claims_are_not_leased_and_are_counted(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)

    def skip(s: DueSchedule) -> ClaimDecision:
        return ClaimDecision(status="skipped", late_seconds=9000, next_due=NOW + timedelta(days=1))

    await repos.reminders.claim_due(NOW + timedelta(hours=3), 10, skip)
    assert await repos.reminders.lease_pending(NOW + timedelta(hours=3), NOW, 10) == []
    for since, skipped in ((NOW - timedelta(days=1), 1), (NOW + timedelta(minutes=1), 0)):
        activity = await repos.reminders.schedule_activity(
            SPEC.user_id, SPEC.kind, recent=0, done_since=since, skipped_since=since
        )
        assert activity is not None and activity.schedule.id == schedule.id
        assert activity.skipped == skipped


async def test_lease_hides_rows_until_it_expires_or_is_released(repos: Repositories) -> None:
    await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    first = await repos.reminders.lease_pending(NOW, NOW + timedelta(seconds=60), 10)
    assert len(first) == 1
    delivery, schedule = first[0]
    assert schedule.kind == "stretch" and delivery.attempts == 1
    assert await repos.reminders.lease_pending(NOW + timedelta(seconds=30), NOW, 10) == []
    again = await repos.reminders.lease_pending(
        NOW + timedelta(seconds=61), NOW + timedelta(seconds=120), 10
    )
    assert [d.id for d, _ in again] == [delivery.id]
    assert again[0][0].attempts == 2
    assert await repos.reminders.release_leases() == 1
    assert len(await repos.reminders.lease_pending(NOW + timedelta(seconds=62), NOW, 10)) == 1


async def test_sent_failed_and_retry_states(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    [(delivery, _)] = await repos.reminders.lease_pending(NOW, NOW + timedelta(minutes=1), 10)

    await repos.reminders.retry_later(delivery.id, "HTTP 503", NOW + timedelta(seconds=30))
    assert await repos.reminders.lease_pending(NOW + timedelta(seconds=10), NOW, 10) == []
    assert await repos.reminders.pending_count(NOW + timedelta(seconds=30)) == 1
    [(retried, _)] = await repos.reminders.lease_pending(
        NOW + timedelta(seconds=30), NOW + timedelta(minutes=2), 10
    )
    assert retried.error == "HTTP 503"

    await repos.reminders.mark_sent(delivery.id, 555, 777, NOW + timedelta(seconds=31), 31)
    sent = await repos.reminders.get_delivery(delivery.id)
    assert sent is not None
    assert (sent.status, sent.channel_id, sent.message_id, sent.late_seconds) == (
        "sent",
        555,
        777,
        31,
    )
    assert sent.sent_at == NOW + timedelta(seconds=31)
    assert await repos.reminders.pending_count(NOW + timedelta(hours=1)) == 0

    late = await repos.reminders.add_delivery(schedule, NOW + timedelta(minutes=1), "snooze", NOW)
    assert late is not None
    await repos.reminders.mark_skipped(late.id, 9000, NOW)
    skipped = await repos.reminders.get_delivery(late.id)
    assert skipped is not None and (skipped.status, skipped.late_seconds) == ("skipped", 9000)
    assert await repos.reminders.pending_count(NOW + timedelta(hours=1)) == 0

    extra = await repos.reminders.add_delivery(schedule, NOW + timedelta(hours=1), "now", NOW)
    assert extra is not None
    await repos.reminders.mark_failed(extra.id, "dm_closed", NOW)
    failed = await repos.reminders.get_delivery(extra.id)
    assert failed is not None and failed.status == "failed" and failed.error == "dm_closed"


async def test_snooze_is_one_extra_delivery_per_original(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(NOW + timedelta(days=1)))
    [original] = await repos.reminders.recent_deliveries(schedule.id, 10)
    later = NOW + timedelta(minutes=15)
    snooze = await repos.reminders.add_delivery(
        schedule, later, "snooze", NOW, snoozed_from=original.id
    )
    assert snooze is not None and snooze.due_at == later and snooze.snoozed_from == original.id
    assert snooze.next_attempt_at == later
    twice = await repos.reminders.add_delivery(
        schedule, later + timedelta(seconds=5), "snooze", NOW, snoozed_from=original.id
    )
    assert twice is None
    # The daily schedule did not move.
    assert (await repos.reminders.get_schedule(11, "stretch")).next_due == NOW + timedelta(days=1)  # type: ignore[union-attr]


async def test_done_is_recorded_only_for_the_owner_and_first_press_wins(
    repos: Repositories,
) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    [delivery] = await repos.reminders.recent_deliveries(schedule.id, 1)
    assert await repos.reminders.mark_done(delivery.id, 999, NOW) is None
    done = await repos.reminders.mark_done(delivery.id, 11, NOW + timedelta(minutes=5))
    assert done is not None and done.done_at == NOW + timedelta(minutes=5)
    again = await repos.reminders.mark_done(delivery.id, 11, NOW + timedelta(minutes=9))
    assert again is not None and again.done_at == NOW + timedelta(minutes=5)
    assert await repos.reminders.done_due_times(11, "stretch", NOW - timedelta(days=1)) == [NOW]
    assert await repos.reminders.done_due_times(11, "stretch", NOW + timedelta(seconds=1)) == []
    assert await repos.reminders.done_due_times(11, "other", NOW - timedelta(days=1)) == []


async def test_changing_zone_reschedules_every_schedule_of_the_user(repos: Repositories) -> None:
    await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.save_schedule(
        ScheduleSpec(11, "sleep", time(8), 127, "Europe/Berlin"), NOW, NOW
    )
    other = await repos.reminders.save_schedule(
        ScheduleSpec(12, "stretch", time(8), 127, "Europe/Berlin"), NOW, NOW
    )
    moved = await repos.reminders.reschedule_user(
        11,
        "America/New_York",
        lambda s: NOW + timedelta(hours=6) if s.timezone == "America/New_York" else None,
        NOW,
    )
    assert [(s.kind, s.timezone, s.next_due) for s in moved] == [
        ("sleep", "America/New_York", NOW + timedelta(hours=6)),
        ("stretch", "America/New_York", NOW + timedelta(hours=6)),
    ]
    assert await repos.reminders.get_schedule(12, "stretch") == other


async def test_dm_channel_cache(repos: Repositories) -> None:
    assert await repos.reminders.get_dm_channel(11) is None
    await repos.reminders.save_dm_channel(11, 1000)
    await repos.reminders.save_dm_channel(11, 1001)
    assert await repos.reminders.get_dm_channel(11) == 1001
    await repos.reminders.forget_dm_channel(11)
    assert await repos.reminders.get_dm_channel(11) is None


async def test_guild_and_channel_targets_fall_back_to_dm_with_notice(repos: Repositories) -> None:
    in_guild = await repos.reminders.save_schedule(
        ScheduleSpec(11, "stretch", time(17), 127, "UTC", guild_id=5, channel_id=50), NOW, NOW
    )
    await repos.reminders.save_schedule(
        ScheduleSpec(12, "stretch", time(17), 127, "UTC", guild_id=6, channel_id=60), NOW, NOW
    )
    assert await repos.reminders.clear_guild_targets(5, "server left", NOW) == 1
    moved = await repos.reminders.get_schedule_by_id(in_guild.id)
    assert moved is not None
    assert (moved.guild_id, moved.channel_id, moved.notice) == (None, None, "server left")
    assert await repos.reminders.clear_channel_targets(60, "channel gone", NOW) == 1
    assert (await repos.reminders.get_schedule(12, "stretch")).notice == "channel gone"  # type: ignore[union-attr]
    await repos.reminders.clear_notice(in_guild.id, NOW)
    assert (await repos.reminders.get_schedule_by_id(in_guild.id)).notice is None  # type: ignore[union-attr]
    await repos.reminders.set_target(in_guild.id, 7, 70, None, NOW)
    assert (await repos.reminders.get_schedule_by_id(in_guild.id)).channel_id == 70  # type: ignore[union-attr]


async def test_deleting_a_user_removes_schedules_and_deliveries(repos: Repositories) -> None:
    schedule = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    assert await repos.users.delete(11)
    assert await repos.reminders.get_schedule_by_id(schedule.id) is None
    assert await repos.reminders.recent_deliveries(schedule.id, 10) == []
    assert await repos.reminders.delete_schedule(11, "stretch") is False


async def test_a_delivery_already_recorded_cannot_be_overwritten(repos: Repositories) -> None:
    """A sender whose lease expired mid-send must not undo what another sender recorded."""
    await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    [(delivery, _)] = await repos.reminders.lease_pending(NOW, NOW + timedelta(minutes=1), 10)
    await repos.reminders.mark_sent(delivery.id, 1, 2, NOW, 0)
    await repos.reminders.mark_failed(delivery.id, "late sender", NOW)
    await repos.reminders.retry_later(delivery.id, "late sender", NOW)
    await repos.reminders.mark_skipped(delivery.id, 99, NOW)
    await repos.reminders.mark_sent(delivery.id, 3, 4, NOW, 0)
    after = await repos.reminders.get_delivery(delivery.id)
    assert after is not None
    assert (after.status, after.channel_id, after.message_id, after.error) == ("sent", 1, 2, None)


async def test_only_the_current_lease_owner_may_send(repos: Repositories) -> None:
    await repos.reminders.save_schedule(SPEC, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(None))
    minute = timedelta(minutes=1)
    [(delivery, _)] = await repos.reminders.lease_pending(NOW, NOW + minute, 10, "sender-a")
    assert await repos.reminders.renew_lease(delivery.id, "sender-b", NOW + minute) is False
    assert await repos.reminders.renew_lease(delivery.id, "sender-a", NOW + minute) is True
    # Sender A stalls past its lease; B takes the delivery over.
    later = NOW + 2 * minute
    [(taken, _)] = await repos.reminders.lease_pending(later, later + minute, 10, "sender-b")
    assert taken.id == delivery.id
    assert await repos.reminders.renew_lease(delivery.id, "sender-a", later + minute) is False
    assert await repos.reminders.renew_lease(delivery.id, "sender-b", later + minute) is True
    await repos.reminders.mark_sent(delivery.id, 1, 2, later, 0)
    assert await repos.reminders.renew_lease(delivery.id, "sender-b", later + minute) is False


async def test_each_pause_the_engine_makes_is_told_once(repos: Repositories) -> None:
    saved = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    assert await repos.reminders.take_pause_notices(11, NOW) == []
    await repos.reminders.set_next_due(saved.id, None, NOW, pause_reason="user")
    assert await repos.reminders.take_pause_notices(11, NOW) == []  # the user's own pause
    await repos.reminders.set_next_due(saved.id, None, NOW, pause_reason="dm_closed")
    assert await repos.reminders.take_pause_notices(11, NOW) == [("stretch", "dm_closed")]
    assert await repos.reminders.take_pause_notices(11, NOW) == []
    # Resumed, then paused again: a new pause, told again.
    later = NOW + timedelta(hours=1)
    await repos.reminders.set_next_due(saved.id, later, later)
    await repos.reminders.set_next_due(saved.id, None, later, pause_reason="dm_closed")
    assert await repos.reminders.take_pause_notices(11, later) == [("stretch", "dm_closed")]


async def test_cancel_pending_and_schedules_for_change(repos: Repositories) -> None:
    saved = await repos.reminders.save_schedule(SPEC, NOW, NOW)
    [found] = await repos.reminders.schedules_for_change(user_id=11, kind="stretch")
    assert found.schedule.id == saved.id and found.last_claimed is None
    assert await repos.reminders.claim_due(NOW, 10, pending(NOW + timedelta(days=1))) == 1
    async with repos.reminders.atomic():
        [found] = await repos.reminders.schedules_for_change(user_id=11)
        assert found.last_claimed == NOW
        assert await repos.reminders.cancel_pending(saved.id, NOW) == 1
    [found] = await repos.reminders.schedules_for_change(user_id=11, kind="stretch")
    assert found.last_claimed is None  # cancelled: that day was never sent
    [delivery] = await repos.reminders.recent_deliveries(saved.id, 5)
    assert delivery.status == "cancelled"
