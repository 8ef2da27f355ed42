"""Faults from Discord and the disk, with the in-process bot and a fake clock: the bot stays up,
answers, retries within Discord's rules, delivers each reminder once, and adds no invalid requests
(401/403/429) of its own beyond those the fault itself produced."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.client import RlsBot
from bot.clock import FakeClock
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator, EmuUser

MESSAGES = "/channels/{channel_id}/messages"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
INVALID = (401, 403, 429)
DUE = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 17:30 in Berlin on the fixture's Monday
APOLOGY = "Sorry, something went wrong on our side"


def invalid_requests(emu: DiscordEmulator) -> int:
    return sum(1 for r in emu.requests if r.status in INVALID)


async def subscribed(
    bot: RlsBot, emu: DiscordEmulator, count: int, *, dm_channels_known: bool = True
) -> list[EmuUser]:
    """`count` users with a stretch reminder due at DUE; by default their DM channels are already
    known (one request per reminder), as on any day after the first."""
    # The background sender is stopped: each test drains by hand, so retries are deterministic.
    await bot.engine.stop_sender()
    users = [emu.add_user(f"user{n}") for n in range(count)]
    for user in users:
        await bot.engine.subscribe(
            ScheduleSpec(user.id, "stretch", time(17, 30), 127, "Europe/Berlin")
        )
        if dm_channels_known:
            await bot.repos.reminders.save_dm_channel(user.id, emu.world.dm_channel(user).id)
    return users


async def deliver(bot: RlsBot, clock: FakeClock, users: list[EmuUser], rounds: int = 8) -> int:
    """Claim at the due time, then drain; a delivery that failed for now is retried after its
    backoff (the fake clock jumps there). Returns how many drain passes it took."""
    clock.set(DUE)
    await bot.engine.tick()
    for passes in range(1, rounds + 1):
        await bot.engine.drain()
        if await bot.repos.reminders.pending_count(clock.now() + timedelta(days=1)) == 0:
            return passes
        clock.advance(timedelta(minutes=1))
    raise AssertionError("reminders still pending after every retry")


def assert_exactly_once(emu: DiscordEmulator, users: list[EmuUser]) -> None:
    assert [len(emu.dms_to(u)) for u in users] == [1] * len(users)


async def assert_all_sent(bot: RlsBot, users: list[EmuUser]) -> None:
    for user in users:
        schedule = await bot.repos.reminders.get_schedule(user.id, "stretch")
        assert schedule is not None
        (delivery,) = await bot.repos.reminders.recent_deliveries(schedule.id, 5)
        assert delivery.status == "sent"


async def still_answers(emu: DiscordEmulator) -> None:
    reply = await (await emu.slash(emu.add_user("checker"), "help")).response(timeout=10)
    assert reply.ephemeral and reply.embeds


async def test_per_route_429_storm(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> None:
    users = await subscribed(bot, emu, 20, dm_channels_known=False)
    emu.fail_next("POST", MESSAGES, status=429, retry_after=0.01, times=60)
    await deliver(bot, clock, users)
    assert_exactly_once(emu, users)
    await assert_all_sent(bot, users)
    # Each 429 was waited out and retried; the bot caused none beyond the 60 injected.
    assert invalid_requests(emu) == 60
    await still_answers(emu)


async def test_global_429_storm(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> None:
    users = await subscribed(bot, emu, 20)
    emu.fail_next("POST", MESSAGES, status=429, retry_after=0.05, global_=True, times=10)
    await deliver(bot, clock, users)
    assert_exactly_once(emu, users)
    assert invalid_requests(emu) == 10
    await still_answers(emu)


async def test_a_global_limit_below_our_pace(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    # E.g. a REST proxy or another process using the same token: 10/s while we pace at 45/s.
    users = await subscribed(bot, emu, 20)
    emu.global_rate_limit = 10
    await deliver(bot, clock, users)
    emu.global_rate_limit = None
    assert_exactly_once(emu, users)
    # Each request that meets the limit is held and retried by discord.py, so all arrive; but
    # our pace does not slow down, so 429s keep coming while the burst lasts (about one to four
    # per message here; bench/fault_storms.py measures the rate per 10 minutes).
    assert 0 < emu.global_limit_hits == invalid_requests(emu) <= 5 * len(users)


async def test_5xx_bursts(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> None:
    users = await subscribed(bot, emu, 10)
    # 503s fail fast and are retried by the engine after a backoff (5 s, 10 s, ...);
    # one 500 is retried by discord.py itself after a second.
    emu.fail_next("POST", MESSAGES, status=503, times=15)
    emu.fail_next("POST", MESSAGES, status=500, times=1)
    passes = await deliver(bot, clock, users)
    assert passes > 1
    assert_exactly_once(emu, users)
    await assert_all_sent(bot, users)
    assert invalid_requests(emu) == 0
    # A 502 on an interaction callback: discord.py's webhook adapter retries it.
    emu.fail_next("POST", CALLBACK, status=502, times=1)
    await still_answers(emu)


async def test_gateway_drops_and_resumes(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    users = await subscribed(bot, emu, 5)
    for drops in range(1, 4):
        await emu.drop_gateway(4000)
        await emu.wait_for_resume(count=drops)
        await still_answers(emu)
    # Resumed every time, never a new session; REST (reminders) works while the gateway is down.
    assert len(emu.identify_payloads) == 1
    await emu.drop_gateway(1006)
    await deliver(bot, clock, users)
    assert_exactly_once(emu, users)
    await emu.wait_for_resume(count=4)
    await still_answers(emu)


async def test_a_slow_api(emu: DiscordEmulator, bot: RlsBot, clock: FakeClock) -> None:
    users = await subscribed(bot, emu, 3)
    emu.set_latency(2.0)
    try:
        interaction = await emu.slash(users[0], "stretch status")
        await deliver(bot, clock, users)  # each request takes 2 s; they overlap
        reply = await interaction.response(timeout=10)
    finally:
        emu.set_latency(0)
    assert reply.ephemeral
    assert_exactly_once(emu, users)
    await assert_all_sent(bot, users)


def fail_once(
    target: Any, name: str, monkeypatch: pytest.MonkeyPatch, message: str
) -> Callable[[], int]:
    """Make `target.name` raise OperationalError(message) on its first call only."""
    original: Callable[..., Awaitable[Any]] = getattr(target, name)
    calls = 0

    async def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError(message)
        return await original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    return lambda: calls


DISK_FULL = "database or disk is full"


async def test_disk_full_during_a_diary_save(
    emu: DiscordEmulator, bot: RlsBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = emu.add_user("alice")
    await bot.repos.users.set_timezone(alice.id, "Europe/Berlin", bot.clock.now())
    fail_once(bot.repos.diary, "save", monkeypatch, DISK_FULL)
    options = {"bed": "23:00", "wake": "7:00", "severity": 4}
    first = await (await emu.slash(alice, "sleep log", options)).response()
    # An unexpected failure: an apology with an error id, and nothing saved.
    assert first.ephemeral and APOLOGY in first.content and "error id" in first.content
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []
    again = await (await emu.slash(alice, "sleep log", options)).response()
    assert again.ephemeral and again.content.startswith("Saved.")


async def test_disk_full_after_discord_accepted_a_reminder(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = await subscribed(bot, emu, 3)
    calls = fail_once(bot.repos.reminders, "mark_sent", monkeypatch, DISK_FULL)
    passes = await deliver(bot, clock, users)
    # The message went out but could not be recorded: it was resent with the same nonce,
    # which Discord answers with the message it already has.
    assert passes == 2 and calls() == 4
    assert_exactly_once(emu, users)
    assert sum(1 for r in emu.requests_to("POST", MESSAGES) if r.deduplicated) == 1
    await assert_all_sent(bot, users)


async def test_a_full_disk_during_a_claim_rolls_back(
    emu: DiscordEmulator, bot: RlsBot, clock: FakeClock
) -> None:
    users = await subscribed(bot, emu, 100)
    # A real SQLITE_FULL: no free pages left (VACUUM) and the file may not grow by one page.
    async with bot.db.connection() as conn:
        await conn.execute("VACUUM")
        async with conn.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        pages = row[0]
        await conn.execute(f"PRAGMA max_page_count = {pages}")
    clock.set(DUE)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        await bot.engine.tick()
    await bot._tick()  # the scheduled job logs the failure and carries on
    await still_answers(emu)
    # Nothing was half-claimed: no deliveries, every schedule still due.
    assert await bot.repos.reminders.pending_count(DUE) == 0
    schedule = await bot.repos.reminders.get_schedule(users[0].id, "stretch")
    assert schedule is not None and schedule.next_due == DUE
    async with bot.db.connection() as conn:
        await conn.execute("PRAGMA max_page_count = 1073741823")
    await deliver(bot, clock, users)
    assert_exactly_once(emu, users)


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, 50035), (404, 10008), (403, 40002)],  # invalid form body, unknown message, unverified
)
async def test_permanent_http_errors_fail_at_once_with_their_code(
    emu: DiscordEmulator,
    bot: RlsBot,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: int,
) -> None:
    users = await subscribed(bot, emu, 2)
    emu.fail_next("POST", MESSAGES, status=status, code=code, times=1)
    clock.set(DUE)
    await bot.engine.tick()
    report = await bot.engine.drain()
    assert (report.sent, report.failed, report.rejected, report.retried) == (1, 1, 1, 0)
    # Nothing is left to retry: the refused one was asked once, the other sent once.
    clock.advance(timedelta(hours=1))
    await bot.engine.tick()
    assert (await bot.engine.drain()).sent == 0
    posts = [r for r in emu.requests if r.method == "POST" and r.route_template == MESSAGES]
    assert len(posts) == 2
    errors = []
    for user in users:
        schedule = await bot.repos.reminders.get_schedule(user.id, "stretch")
        assert schedule is not None and schedule.next_due is not None  # tomorrow as usual
        (delivery,) = await bot.repos.reminders.recent_deliveries(schedule.id, 5)
        errors.append((delivery.status, delivery.error))
    [(_, error)] = [e for e in errors if e[0] == "failed"]
    assert f"HTTP {status} (code {code})" in (error or "")
    assert len([r for r in caplog.records if "not retried" in r.getMessage()]) == 1
