"""Contract tests for the tip history: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.db import Repositories
from bot.db.tip_history import KEEP

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_a_user_with_no_history_has_no_recent_tips(repos: Repositories) -> None:
    assert await repos.tip_history.recent(42) == []


async def test_recent_is_most_recent_first_and_creates_the_user(repos: Repositories) -> None:
    for minutes, tip_id in enumerate(["massage-aims", "sleep-diary", "causes-iron"]):
        await repos.tip_history.record(42, tip_id, NOW + timedelta(minutes=minutes))
    assert await repos.tip_history.recent(42) == ["causes-iron", "sleep-diary", "massage-aims"]
    assert await repos.tip_history.recent(42, limit=2) == ["causes-iron", "sleep-diary"]
    profile = await repos.users.get(42)
    assert profile is not None and profile.timezone is None and profile.created_at == NOW


async def test_recording_keeps_an_existing_profile(repos: Repositories) -> None:
    await repos.users.set_timezone(42, "Europe/Berlin", NOW)
    await repos.tip_history.record(42, "massage-aims", NOW + timedelta(days=1))
    profile = await repos.users.get(42)
    assert profile is not None and profile.timezone == "Europe/Berlin" and profile.created_at == NOW


async def test_order_follows_recording_even_within_one_second(repos: Repositories) -> None:
    # A fake clock (or a fast user) records several views with the same timestamp.
    for tip_id in ["a", "b", "c", "d"]:
        await repos.tip_history.record(42, tip_id, NOW)
    assert await repos.tip_history.recent(42) == ["d", "c", "b", "a"]


async def test_seeing_a_tip_again_moves_it_to_the_front_without_a_duplicate(
    repos: Repositories,
) -> None:
    for tip_id in ["a", "b", "c", "a"]:
        await repos.tip_history.record(42, tip_id, NOW)
    assert await repos.tip_history.recent(42) == ["a", "c", "b"]


async def test_only_the_newest_entries_are_kept(repos: Repositories) -> None:
    ids = [f"tip-{n}" for n in range(KEEP + 5)]
    for tip_id in ids:
        await repos.tip_history.record(42, tip_id, NOW)
    kept = await repos.tip_history.recent(42, limit=KEEP + 10)
    assert kept == list(reversed(ids))[:KEEP]


async def test_seeing_a_tip_again_when_the_history_is_full(repos: Repositories) -> None:
    ids = [f"tip-{n}" for n in range(KEEP + 5)]
    for tip_id in ids:
        await repos.tip_history.record(42, tip_id, NOW)
    expected = list(reversed(ids))[:KEEP]
    # Still kept: it moves to the front and the oldest kept tip stays (nothing else is lost).
    again = expected[KEEP // 2]
    await repos.tip_history.record(42, again, NOW)
    expected = [again] + [t for t in expected if t != again]
    assert await repos.tip_history.recent(42, limit=KEEP + 10) == expected
    # Already dropped: it comes back at the front and the oldest kept tip goes.
    await repos.tip_history.record(42, ids[0], NOW)
    expected = [ids[0], *expected[: KEEP - 1]]
    assert await repos.tip_history.recent(42, limit=KEEP + 10) == expected
    # The newest again: nothing changes.
    await repos.tip_history.record(42, ids[0], NOW)
    assert await repos.tip_history.recent(42, limit=KEEP + 10) == expected
    # Another user's history is never trimmed by this one's.
    await repos.tip_history.record(7, "massage-aims", NOW)
    for tip_id in ids:
        await repos.tip_history.record(42, tip_id, NOW)
    assert await repos.tip_history.recent(7) == ["massage-aims"]


async def test_histories_are_per_user(repos: Repositories) -> None:
    await repos.tip_history.record(1, "massage-aims", NOW)
    await repos.tip_history.record(2, "sleep-diary", NOW)
    assert await repos.tip_history.recent(1) == ["massage-aims"]
    assert await repos.tip_history.recent(2) == ["sleep-diary"]


async def test_large_discord_ids_round_trip(repos: Repositories) -> None:
    big = 1_234_567_890_123_456_789
    await repos.tip_history.record(big, "massage-aims", NOW)
    assert await repos.tip_history.recent(big) == ["massage-aims"]


async def test_deleting_the_user_deletes_their_history(repos: Repositories) -> None:
    await repos.tip_history.record(1, "massage-aims", NOW)
    await repos.tip_history.record(2, "sleep-diary", NOW)
    assert await repos.users.delete(1) is True
    assert await repos.tip_history.recent(1) == []
    assert await repos.tip_history.recent(2) == ["sleep-diary"]


async def test_concurrent_records_for_one_user_all_land(repos: Repositories) -> None:
    # On PostgreSQL these run on separate pooled connections, like two shards at once; the same
    # tip twice at once must not trip the unique (user, tip) pair.
    ids = [f"tip-{n}" for n in range(8)]
    await asyncio.gather(*(repos.tip_history.record(42, tip_id, NOW) for tip_id in ids + ids))
    assert sorted(await repos.tip_history.recent(42)) == sorted(ids)
