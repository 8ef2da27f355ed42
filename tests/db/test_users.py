"""Contract tests: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Repositories

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_unknown_user_has_no_profile(repos: Repositories) -> None:
    assert await repos.users.get(42) is None


async def test_set_timezone_creates_then_updates_keeping_created_at(repos: Repositories) -> None:
    created = await repos.users.set_timezone(42, "Europe/Berlin", NOW)
    assert created.id == 42
    assert created.timezone == "Europe/Berlin"
    assert created.created_at == NOW

    updated = await repos.users.set_timezone(42, "America/New_York", NOW + timedelta(days=1))
    assert updated.timezone == "America/New_York"
    assert updated.created_at == NOW
    assert await repos.users.get(42) == updated


async def test_large_discord_ids_round_trip(repos: Repositories) -> None:
    big = 1_234_567_890_123_456_789
    await repos.users.set_timezone(big, "UTC", NOW)
    profile = await repos.users.get(big)
    assert profile is not None and profile.id == big


async def test_delete_removes_only_that_user(repos: Repositories) -> None:
    await repos.users.set_timezone(1, "UTC", NOW)
    await repos.users.set_timezone(2, "UTC", NOW)
    assert await repos.users.delete(1) is True
    assert await repos.users.delete(1) is False
    assert await repos.users.get(1) is None
    assert await repos.users.get(2) is not None


async def test_the_locale_is_remembered_created_if_needed_and_kept_beside_the_zone(
    repos: Repositories,
) -> None:
    assert await repos.users.locale(7) is None
    await repos.users.remember_locale(7, "de", NOW)
    assert await repos.users.locale(7) == "de"
    profile = await repos.users.set_timezone(7, "Europe/Berlin", NOW + timedelta(days=1))
    assert profile.created_at == NOW and await repos.users.locale(7) == "de"
    await repos.users.remember_locale(7, "en-US", NOW + timedelta(days=2))
    await repos.users.remember_locale(7, "en-US", NOW + timedelta(days=3))
    assert await repos.users.locale(7) == "en-US"
    assert (await repos.users.get(7)) == profile
    assert await repos.users.delete(7) is True
    assert await repos.users.locale(7) is None
