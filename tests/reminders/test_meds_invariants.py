"""Medicine reminders keep the engine's promise whatever the person does: each time of each
medicine reminds at most once per local date, across /meds add, stop and add again, zone changes
and the clock crossing DST dates; answering a reminder any number of times records one answer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database, Repositories, build_repositories
from bot.errors import UserError
from bot.reminders.engine import EngineConfig
from bot.reminders.transport import Outgoing, SentMessage
from bot.usecases import (
    Context,
    add_medicine,
    answer_medicine_reminder,
    change_zone,
    stop_medicine,
)
from tests.reminders.test_invariants import (
    STARTS,
    ZONES,
    Recorder,
    RecordingEngine,
    one_per_local_date,
)

NAMES = ["Iron", "Gabapentin 300", "Pramipexol"]
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30]))
actions = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(NAMES),
        st.lists(clock_times, min_size=1, max_size=4, unique=True),
        st.sampled_from([None, "weekdays", "mon,thu,sat"]),
    ),
    st.tuples(st.just("stop"), st.sampled_from(NAMES)),
    st.tuples(st.just("timezone"), st.sampled_from(ZONES)),
    st.tuples(st.just("answer"), st.sampled_from(["taken", "skipped"])),
    st.tuples(st.just("wait"), st.one_of(st.integers(1, 6 * 60), st.integers(1, 48 * 60))),
)


class MedRecorder(Recorder):
    """Also notes who got which delivery, so a step can answer the latest one."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered: list[tuple[int, int]] = []  # (user id, delivery id)

    def forget(self) -> None:
        super().forget()
        self.delivered.clear()

    async def send(self, outgoing: Outgoing) -> SentMessage:
        sent = await super().send(outgoing)
        self.delivered.append((outgoing.schedule.user_id, outgoing.delivery.id))
        return sent


@dataclass
class World:
    ctx: Context
    clock: FakeClock
    repos: Repositories
    recorder: MedRecorder


@pytest.fixture
async def world(database: Database) -> World:
    repos = build_repositories(database)
    clock = FakeClock(STARTS[0])
    recorder = MedRecorder()
    engine = RecordingEngine(
        repos.reminders, repos.users, clock, recorder, EngineConfig(skip_after=timedelta(days=30))
    )
    return World(Context(repos, engine), clock, repos, recorder)


_users = itertools.count(1)


async def play(world: World, start: datetime, steps: list[tuple[Any, ...]]) -> None:
    ctx, clock = world.ctx, world.clock
    user = next(_users)
    clock.set(start)
    await world.repos.users.set_timezone(user, "Europe/Berlin", clock.now())
    for step in steps:
        try:
            if step[0] == "add":
                _, name, at, days = step
                await add_medicine(ctx, user, name, ", ".join(f"{t:%H:%M}" for t in at), days)
            elif step[0] == "stop":
                await stop_medicine(ctx, user, step[1])
            elif step[0] == "timezone":
                await change_zone(ctx, user, step[1])
            elif step[0] == "answer" and world.recorder.delivered:
                owner, delivery_id = world.recorder.delivered[-1]
                for _ in range(2):  # a double tap
                    await answer_medicine_reminder(ctx, owner, delivery_id, step[1])
            elif step[0] == "wait":
                remaining = timedelta(minutes=step[1])
                while remaining > timedelta(0):
                    move = min(remaining, timedelta(hours=8))
                    clock.advance(move)
                    remaining -= move
                    await ctx.engine.tick()
                    await ctx.engine.drain()
        except UserError:
            pass  # a name not in the list, a full list…: refused, nothing changed
    clock.advance(timedelta(days=3))
    await ctx.engine.tick()
    await ctx.engine.drain()
    one_per_local_date(world.recorder)
    answers = await world.repos.meds.answers(user, start - timedelta(days=1))
    chains = [a.delivery_id for a in answers if a.delivery_id is not None]
    assert len(chains) == len(set(chains))
    for medicine in await world.repos.meds.medicines(user):
        await stop_medicine(ctx, user, medicine.name)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.sampled_from(STARTS), steps=st.lists(actions, min_size=1, max_size=10))
async def test_medicine_reminders_come_at_most_once_per_local_date(
    world: World, start: datetime, steps: list[tuple[Any, ...]]
) -> None:
    world.recorder.forget()
    await play(world, start, [("add", "Iron", [time(8, 0), time(20, 0)], None), *steps])
