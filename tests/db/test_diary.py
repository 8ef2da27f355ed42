"""The diary repository contract (and the user-data export/delete it takes part in), run on
SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.clinical.meds import DoseEvent, MedicineSpec
from bot.clinical.nights import REGIONS
from bot.db import Database, Repositories, build_repositories
from bot.db.migrations import Backend
from bot.db.reminders import ScheduleSpec
from bot.db.sqlite import SqliteDatabase
from bot.scheduling.recurrence import Weekdays
from bot.sleep.entry import SleepEntry
from tests.conftest import drop_postgres_schema, open_postgres_schema

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ALICE, BOB = 101, 202


def entry(user_id: int = ALICE, night: date = date(2026, 3, 3), **changes: object) -> SleepEntry:
    base = SleepEntry(
        user_id=user_id,
        night=night,
        timezone="Europe/Berlin",
        into_bed=datetime.combine(night - timedelta(days=1), time(22, 15), tzinfo=UTC),
        tried_sleep=datetime.combine(night - timedelta(days=1), time(22, 30), tzinfo=UTC),
        sleep_latency_min=20,
        awakenings=2,
        awake_min=35,
        final_wake=datetime.combine(night, time(6, 0), tzinfo=UTC),
        out_of_bed=datetime.combine(night, time(6, 20), tzinfo=UTC),
        quality=3,
        severity=6,
        rls_onset=datetime.combine(night - timedelta(days=1), time(19, 0), tzinfo=UTC),
        rls_out_of_bed=1,
        tags=frozenset({"stretched", "magnesium"}),
        note="legs, then fine",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_round_trip_keeps_every_field(repos: Repositories) -> None:
    saved = await repos.diary.save(entry(), NOW)
    assert replace(saved, updated_at=None) == entry()
    assert saved.updated_at == NOW
    got = await repos.diary.get(ALICE, date(2026, 3, 3))
    assert got == saved
    assert got is not None and got.into_bed.tzinfo is not None


async def test_optional_fields_round_trip_as_none(repos: Repositories) -> None:
    bare = entry(quality=None, severity=None, rls_onset=None, note=None, tags=frozenset())
    saved = await repos.diary.save(bare, NOW)
    assert replace(saved, updated_at=None) == bare


@pytest.mark.parametrize(
    ("regions", "rest"),
    [(None, None), (frozenset(), 0), (frozenset({"legs"}), 15), (frozenset(REGIONS), 1440)],
    ids=["unknown", "none-and-zero", "legs", "everywhere"],
)
async def test_body_regions_and_rest_minutes_round_trip(
    repos: Repositories, regions: frozenset[str] | None, rest: int | None
) -> None:
    # Unknown (None) and "no region" (empty) stay apart, as do an unanswered rest and 0 minutes.
    saved = await repos.diary.save(entry(body_regions=regions, rest_min=rest), NOW)
    assert (saved.body_regions, saved.rest_min) == (regions, rest)
    got = await repos.diary.get(ALICE, date(2026, 3, 3))
    assert got is not None and (got.body_regions, got.rest_min) == (regions, rest)
    read = await repos.diary.nights_with_done(
        ALICE, date(2026, 3, 1), date(2026, 3, 4), "stretch", NOW
    )
    assert read is not None
    [(_, row)] = read.nights
    assert (read.entry(row).body_regions, read.entry(row).rest_min) == (regions, rest)


async def test_rest_minutes_out_of_range_are_refused_by_the_database(
    repos: Repositories,
) -> None:
    # Each backend raises its own error type for a broken CHECK.
    with pytest.raises((sqlite3.IntegrityError, asyncpg.CheckViolationError)):
        await repos.diary.save(entry(rest_min=1441), NOW)
    assert await repos.diary.get(ALICE, date(2026, 3, 3)) is None


async def test_auto_times_are_per_user_and_kind(repos: Repositories) -> None:
    assert await repos.auto_times.get(ALICE, "stretch") is None
    await repos.auto_times.set(ALICE, "stretch", 60, NOW)
    await repos.auto_times.set(ALICE, "stretch", 90, NOW)
    assert await repos.auto_times.get(ALICE, "stretch") == 90
    assert await repos.auto_times.get(BOB, "stretch") is None
    assert await repos.auto_times.get(ALICE, "sleep") is None
    assert not await repos.auto_times.clear(BOB, "stretch")
    assert await repos.auto_times.clear(ALICE, "stretch")
    assert await repos.auto_times.get(ALICE, "stretch") is None


async def test_saving_the_same_night_replaces_it(repos: Repositories) -> None:
    await repos.diary.save(entry(), NOW)
    later = NOW + timedelta(hours=1)
    await repos.diary.save(entry(severity=2, note=None), later)
    [only] = await repos.diary.between(ALICE, date(2026, 1, 1), date(2026, 12, 31))
    assert only.severity == 2 and only.note is None and only.updated_at == later


async def test_between_is_inclusive_and_ordered(repos: Repositories) -> None:
    for day in (5, 1, 3, 2):
        await repos.diary.save(entry(night=date(2026, 3, day)), NOW)
    found = await repos.diary.between(ALICE, date(2026, 3, 2), date(2026, 3, 3))
    assert [e.night.day for e in found] == [2, 3]
    assert await repos.diary.recent_nights(ALICE, 2) == [date(2026, 3, 5), date(2026, 3, 3)]


async def test_users_never_see_or_delete_each_others_nights(repos: Repositories) -> None:
    await repos.diary.save(entry(ALICE), NOW)
    await repos.diary.save(entry(BOB, severity=1), NOW)
    night = date(2026, 3, 3)
    assert (await repos.diary.get(BOB, night)).severity == 1  # type: ignore[union-attr]
    assert not await repos.diary.delete(BOB, date(2026, 3, 4))
    assert await repos.diary.delete(BOB, night)
    assert await repos.diary.get(BOB, night) is None
    assert (await repos.diary.get(ALICE, night)) is not None
    assert await repos.diary.between(BOB, night, night) == []


async def _fill(repos: Repositories, user_id: int) -> None:
    await repos.users.set_timezone(user_id, "Europe/Berlin", NOW)
    schedule = await repos.reminders.save_schedule(
        ScheduleSpec(user_id, "stretch", time(17), 127, "Europe/Berlin"), NOW, NOW
    )
    await repos.reminders.add_delivery(schedule, NOW, "now", NOW)
    await repos.reminders.save_dm_channel(user_id, 9000 + user_id)
    await repos.diary.save(entry(user_id), NOW)
    await repos.diary.save(entry(user_id, night=date(2026, 3, 2)), NOW)
    await repos.auto_times.set(user_id, "stretch", 45, NOW)


async def test_export_has_every_row_of_the_user_and_no_one_elses(repos: Repositories) -> None:
    await _fill(repos, ALICE)
    await _fill(repos, BOB)
    rows = await repos.user_data.export(ALICE)
    assert next(iter(rows)) == "users"
    assert [r["id"] for r in rows["users"]] == [ALICE]
    assert len(rows["schedules"]) == 1
    assert len(rows["deliveries"]) == 1
    assert rows["dm_channels"] == [{"user_id": ALICE, "channel_id": 9000 + ALICE}]
    assert sorted(r["night"] for r in rows["sleep_entries"]) == ["2026-03-02", "2026-03-03"]
    assert [r["before_min"] for r in rows["auto_times"]] == [45]
    for table in rows.values():
        for row in table:
            assert row.get("user_id", row.get("id")) == ALICE


async def test_delete_all_removes_everything_of_the_user_only(repos: Repositories) -> None:
    await _fill(repos, ALICE)
    await _fill(repos, BOB)
    deleted = await repos.user_data.delete_all(ALICE)
    assert deleted["users"] == 1 and deleted["sleep_entries"] == 2 and deleted["dm_channels"] == 1
    assert deleted["auto_times"] == 1
    after = await repos.user_data.export(ALICE)
    assert all(rows == [] for rows in after.values())
    bob = await repos.user_data.export(BOB)
    assert len(bob["sleep_entries"]) == 2 and len(bob["users"]) == 1


async def test_delete_all_leaves_no_row_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "delete.sqlite3"
    db = await SqliteDatabase.open(path)
    await db.migrate()
    repos = build_repositories(db)
    await _fill(repos, ALICE)
    await _fill(repos, BOB)
    await repos.user_data.delete_all(ALICE)
    await db.close()
    raw = sqlite3.connect(path)
    try:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        leftover = {}
        for table in tables:
            columns = {c[1] for c in raw.execute(f'PRAGMA table_info("{table}")')}
            column = "id" if table == "users" else "user_id"
            if column in columns:
                count = raw.execute(
                    f'SELECT count(*) FROM "{table}" WHERE {column} = ?', (ALICE,)
                ).fetchone()[0]
                if count:
                    leftover[table] = count
        assert leftover == {}
        assert raw.execute("SELECT count(*) FROM sleep_entries").fetchone()[0] == 2  # Bob's
    finally:
        raw.close()


async def test_unanswered_questions_round_trip_as_unknown(repos: Repositories) -> None:
    # Before migration 0008 these columns were NOT NULL, and the form stored 0 for "not given".
    bare = entry(
        sleep_latency_min=None,
        awakenings=None,
        awake_min=None,
        out_of_bed=None,
        severity=None,
        rls_out_of_bed=None,
    )
    saved = await repos.diary.save(bare, NOW)
    assert replace(saved, updated_at=None) == bare
    got = await repos.diary.get(ALICE, date(2026, 3, 3))
    assert got is not None
    assert (got.sleep_latency_min, got.awakenings, got.awake_min) == (None, None, None)
    assert (got.out_of_bed, got.severity, got.rls_out_of_bed) == (None, None, None)


async def test_zeros_and_naps_round_trip(repos: Repositories) -> None:
    zeros = entry(sleep_latency_min=0, awakenings=0, awake_min=0, severity=0, rls_out_of_bed=0)
    napped = replace(zeros, naps=2, nap_min=45)
    saved = await repos.diary.save(napped, NOW)
    assert replace(saved, updated_at=None) == napped
    [got] = await repos.diary.between(ALICE, date(2026, 3, 1), date(2026, 3, 31))
    assert (got.naps, got.nap_min, got.severity, got.awakenings) == (2, 45, 0, 0)


async def _schema_before_8(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Database, str | None]:
    """A database of `backend` migrated to version 7, the one before the diary's NULLs."""
    from bot.db import migrations as migrations_module
    from bot.db import postgres as postgres_module
    from bot.db import sqlite as sqlite_module

    module = sqlite_module if backend == "sqlite" else postgres_module
    up_to_7 = migrations_module.load_migrations(backend)[:7]
    monkeypatch.setattr(module, "load_migrations", lambda b: up_to_7)
    schema = None
    db: Database
    if backend == "sqlite":
        db = await SqliteDatabase.open(tmp_path / "v6.sqlite3")
    else:
        db, schema = await open_postgres_schema()
    await db.migrate()
    monkeypatch.undo()
    return db, schema


OLD_NIGHT = (
    "INSERT INTO sleep_entries (user_id, night, timezone, into_bed, tried_sleep, "
    "sleep_latency_min, awakenings, awake_min, final_wake, out_of_bed, quality, severity, "
    "rls_onset, rls_out_of_bed, tags, note, created_at, updated_at) VALUES "
    "(1, '2026-03-03', 'Europe/Berlin', {bed}, {bed}, 0, 0, 0, {wake}, {wake}, NULL, 3, NULL, "
    "0, 'caffeine', 'old note', {bed}, {bed})"
)
OLD_USER = "INSERT INTO users (id, timezone, created_at) VALUES (1, 'Europe/Berlin', {bed})"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_migration_8_keeps_existing_nights_as_they_were(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, schema = await _schema_before_8(backend, tmp_path, monkeypatch)
    try:
        if isinstance(db, SqliteDatabase):
            # 2026-03-02 22:00 and 2026-03-03 06:00 UTC as epoch seconds
            times = {"bed": "1772488800", "wake": "1772517600"}
            async with db.transaction() as sqlite_conn:
                await sqlite_conn.execute(OLD_USER.format(**times))
                await sqlite_conn.execute(OLD_NIGHT.format(**times))
        else:
            times = {"bed": "'2026-03-02 22:00Z'", "wake": "'2026-03-03 06:00Z'"}
            async with db.connection() as pg_conn:
                await pg_conn.execute(OLD_USER.format(**times))
                await pg_conn.execute(OLD_NIGHT.format(**times))
        assert (await db.migrate())[0] >= 8  # 8 and any later migration
        repos = build_repositories(db)
        old = await repos.diary.get(1, date(2026, 3, 3))
        assert old is not None
        # A migration cannot tell a typed 0 from the old default: old rows keep their zeros.
        assert (old.sleep_latency_min, old.awakenings, old.awake_min) == (0, 0, 0)
        assert old.out_of_bed == old.final_wake == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
        assert (old.severity, old.rls_out_of_bed, old.naps, old.nap_min) == (3, 0, None, None)
        assert old.tags == {"caffeine"} and old.note == "old note"
        # And the migrated table takes unknowns.
        await repos.diary.save(entry(1, sleep_latency_min=None, out_of_bed=None, naps=1), NOW)
        new = await repos.diary.get(1, date(2026, 3, 3))
        assert new is not None and new.sleep_latency_min is None and new.naps == 1
    finally:
        await db.close()
        if schema is not None:
            await drop_postgres_schema(schema)


async def test_nights_with_done_is_the_three_reads_of_sleep_stats_in_one(
    repos: Repositories,
) -> None:
    assert (
        await repos.diary.nights_with_done(ALICE, date(2026, 3, 1), NOW.date(), "stretch", NOW)
        is None
    )
    await _fill(repos, ALICE)
    await _fill(repos, BOB)
    await repos.diary.save(
        entry(ALICE, night=date(2026, 2, 20), tags=frozenset(), out_of_bed=None), NOW
    )
    schedule = await repos.reminders.get_schedule(ALICE, "stretch")
    assert schedule is not None
    for days in (1, 2, 9):
        due = NOW - timedelta(days=days)
        delivery = await repos.reminders.add_delivery(schedule, due, "now", due)
        assert delivery is not None
        await repos.reminders.mark_done(delivery.id, ALICE, due + timedelta(minutes=5))
    first, last, since = date(2026, 2, 20), date(2026, 3, 2), NOW - timedelta(days=5)
    read = await repos.diary.nights_with_done(ALICE, first, last, "stretch", since)
    assert read is not None and read.timezone == "Europe/Berlin"
    assert [read.entry(row) for _, row in read.nights] == await repos.diary.between(
        ALICE, first, last
    )
    assert [night for night, _ in read.nights] == [date(2026, 2, 20), date(2026, 3, 2)]
    assert read.done == await repos.reminders.done_due_times(ALICE, "stretch", since)
    assert len(read.done) == 2
    empty = await repos.diary.nights_with_done(
        ALICE, date(2025, 1, 1), date(2025, 1, 2), "sleep", since
    )
    assert empty is not None and empty.nights == [] and empty.done == []


async def test_nights_with_done_brings_the_doses_of_a_window_as_doses_between_lists_them(
    repos: Repositories,
) -> None:
    await _fill(repos, ALICE)
    await _fill(repos, BOB)
    iron = await repos.meds.add(
        ALICE, MedicineSpec("Iron tablet", (time(8),), Weekdays.of(0, 2, 4)), NOW
    )
    other = await repos.meds.add(BOB, MedicineSpec("Iron", (time(8),), Weekdays.of(1)), NOW)
    for hours in (1, 30, 30, 80, 200):
        await repos.meds.record_dose(
            ALICE, iron.id, "typed", NOW - timedelta(hours=hours), "Europe/Berlin", NOW
        )
    await repos.meds.record_dose(ALICE, iron.id, "skipped", None, "Europe/Berlin", NOW)
    await repos.meds.record_dose(BOB, other.id, "typed", NOW, "Europe/Berlin", NOW)
    since = NOW - timedelta(days=5)
    start, end = NOW - timedelta(hours=100), NOW - timedelta(minutes=30)
    read = await repos.diary.nights_with_done(
        ALICE, date(2026, 3, 1), NOW.date(), "stretch", since, doses=(start, end)
    )
    assert read is not None
    assert read.doses == await repos.meds.doses_between(ALICE, start, end)
    assert [d.taken_at for d in read.doses] == [NOW - timedelta(hours=h) for h in (80, 30, 30, 1)]
    assert all(isinstance(d, DoseEvent) and d.medicine == "Iron tablet" for d in read.doses)
    without = await repos.diary.nights_with_done(
        ALICE, date(2026, 3, 1), NOW.date(), "stretch", since
    )
    assert without is not None and without.doses == []
