from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reminders.pacing import TokenBucket
from bot.reminders.streaks import done_streak
from bot.scheduling.recurrence import Weekdays


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_bucket_spaces_acquisitions_at_the_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualTime()
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:  # time moves only when the bucket waits
        slept.append(delay)
        clock.now += delay

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    bucket = TokenBucket(45, monotonic=clock)
    for _ in range(91):
        await bucket.acquire()
    # Two tokens at the start, then one every 1/45 s: 91 requests take 89/45 seconds.
    assert clock.now == pytest.approx(89 / 45)
    assert all(delay == pytest.approx(1 / 45) for delay in slept)


def test_bucket_never_exceeds_rate_plus_capacity_in_any_second() -> None:
    clock = ManualTime()
    bucket = TokenBucket(45, monotonic=clock)
    granted: list[float] = []
    while clock.now < 3:
        if bucket.wait_time() == 0:
            bucket._tokens -= 1
            granted.append(clock.now)
        clock.now += 0.001
    for start in granted:
        assert sum(1 for t in granted if start <= t < start + 1) <= 47


def test_bucket_rejects_a_zero_rate() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)


MONDAY = date(2026, 3, 2)


def test_streak_skips_unscheduled_days_and_an_unfinished_today() -> None:
    done = {MONDAY + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7)}  # Mon-Fri, next Mon
    assert done_streak(done, Weekdays.WEEKDAYS, MONDAY + timedelta(days=8)) == 6
    assert done_streak(done, Weekdays.EVERY_DAY, MONDAY + timedelta(days=8)) == 1
    assert done_streak(set(), Weekdays.EVERY_DAY, MONDAY) == 0


def test_a_missed_scheduled_day_breaks_the_streak() -> None:
    done = {MONDAY, MONDAY + timedelta(days=2)}
    assert done_streak(done, Weekdays.EVERY_DAY, MONDAY + timedelta(days=2)) == 1


@given(st.sets(st.integers(0, 60)), st.integers(1, 127))
def test_streak_is_bounded_by_done_days(offsets: set[int], mask: int) -> None:
    done = {MONDAY + timedelta(days=o) for o in offsets}
    streak = done_streak(done, Weekdays.from_mask(mask), MONDAY + timedelta(days=60))
    assert 0 <= streak <= len(done)


def test_a_429_pauses_halves_the_pace_and_it_recovers() -> None:
    clock = ManualTime()
    bucket = TokenBucket(40, monotonic=clock)
    bucket.penalise(2.0)
    assert bucket.wait_time() == pytest.approx(2.0)
    assert bucket.rate == 20
    clock.now += 2.0
    assert bucket.wait_time() == 0  # the pause is over
    bucket._tokens = 0.0
    assert bucket.wait_time() == pytest.approx(1 / bucket.rate)
    assert bucket.rate < 22  # still about half the configured 40 per second
    clock.now += 60
    bucket.wait_time()
    assert bucket.rate == 40  # back to the configured pace within a minute
    for _ in range(10):
        bucket.penalise(0)
    assert bucket.rate == bucket.min_rate == 2.5


async def test_a_route_429_holds_that_route_only(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ManualTime()
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        clock.now += delay

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    bucket = TokenBucket(45, monotonic=clock)
    bucket.penalise(5.0, route="channel:1")
    assert bucket.rate == 45 and bucket.wait_time() == 0
    await bucket.acquire("channel:2")  # another channel (or a DM): no wait at all
    assert slept == []
    await bucket.acquire("channel:1")  # the busy channel waits out its retry_after
    assert slept == [pytest.approx(5.0)]
    bucket.penalise(1.0)  # a global 429 still holds and slows everything
    assert bucket.rate == 22.5 and bucket.wait_time() == pytest.approx(1.0)


def test_a_429_names_the_route_it_limits() -> None:
    from bot.client import limited_route

    channel = "/api/v10/channels/42/messages"
    assert limited_route(channel, {"X-RateLimit-Scope": "global"}) is None
    assert limited_route(channel, {"X-RateLimit-Global": "true"}) is None
    assert limited_route(channel, {"X-RateLimit-Scope": "shared"}) == "channel:42"
    assert limited_route(channel, {"X-RateLimit-Scope": "user"}) == "channel:42"
    assert limited_route("/api/v10/users/@me/channels", {}) == "dm-open"
