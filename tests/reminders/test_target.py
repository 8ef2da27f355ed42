"""A delivery's target is named once from its schedule row: a DM to the member, a channel post that
pings the member it reminds, or a server's own post that pings no one."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.db.reminders import Delivery, Schedule, ServerOwnedError
from bot.reminders.target import ChannelTarget, DmTarget, delivery_target
from bot.reminders.transport import Outgoing

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def schedule(
    member_id: int | None, guild_id: int | None = None, channel_id: int | None = None
) -> Schedule:
    return Schedule(
        id=1,
        member_id=member_id,
        kind="stretch",
        local_time=time(17, 30),
        days_mask=127,
        timezone="Europe/Berlin",
        guild_id=guild_id,
        channel_id=channel_id,
        next_due=NOW,
        paused_until=None,
        pause_reason=None,
        notice=None,
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_members_reminder_without_a_channel_is_a_dm_with_no_fallback() -> None:
    target = delivery_target(schedule(42))
    assert target == DmTarget(42)
    assert target.fallback is None


def test_a_members_reminder_in_a_channel_pings_them_and_falls_back_to_their_dms() -> None:
    target = delivery_target(schedule(42, guild_id=9, channel_id=90))
    assert target == ChannelTarget(guild_id=9, channel_id=90, mention_user_id=42)
    assert target.fallback == DmTarget(42)


def test_a_servers_own_post_pings_no_one_and_has_no_fallback() -> None:
    target = delivery_target(schedule(None, guild_id=9, channel_id=700))
    assert target == ChannelTarget(guild_id=9, channel_id=700, mention_user_id=None)
    assert target.fallback is None


def test_a_servers_schedule_without_a_channel_never_becomes_a_dm() -> None:
    with pytest.raises(ServerOwnedError):
        delivery_target(schedule(None, guild_id=9))


def delivery(row: Schedule, due_at: datetime = NOW) -> Delivery:
    """A pending delivery of `row`, due at `due_at`."""
    return Delivery(
        id=7, schedule_id=row.id, member_id=row.member_id, due_at=due_at, reason="scheduled",
        snoozed_from=None, status="pending", attempts=1, next_attempt_at=due_at, sent_at=None,
        channel_id=None, message_id=None, late_seconds=None, error=None, done_at=None,
        created_at=due_at,
    )  # fmt: skip


def test_the_outgoing_delivery_carries_its_schedules_target() -> None:
    row = schedule(42, guild_id=9, channel_id=90)
    assert Outgoing(delivery(row), row, 0, False).target == delivery_target(row)


ids = st.integers(min_value=1, max_value=2**63 - 1)


@given(member=st.none() | ids, guild=st.none() | ids, channel=st.none() | ids)
def test_every_row_names_one_target_from_its_channel_and_member(
    member: int | None, guild: int | None, channel: int | None
) -> None:
    row = schedule(member, guild_id=guild, channel_id=channel)
    if channel is None and member is None:
        with pytest.raises(ServerOwnedError):
            delivery_target(row)
        return
    target = delivery_target(row)
    if channel is None:
        assert target == DmTarget(member) and target.fallback is None  # type: ignore[arg-type]
    else:
        assert target == ChannelTarget(guild, channel, member)
        assert target.fallback == (None if member is None else DmTarget(member))
