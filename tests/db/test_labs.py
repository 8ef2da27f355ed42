"""The labs repository contract, and the user-data export/delete it takes part in, run on SQLite
and PostgreSQL (the `repos` fixture is parametrised over both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.clinical.labs import LabResult
from bot.db import Repositories
from bot.db.mydata import json_ready

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ALICE, BOB = 101, 202
DAY = date(2026, 2, 10)


def lab(day: date = DAY, **changes: object) -> LabResult:
    values: dict[str, object] = {
        "taken_on": day,
        "ferritin": 45.5,
        "tsat": 18.2,
        "fasting": True,
        "note": "morning draw",
    }
    values.update(changes)
    return LabResult(**values)  # type: ignore[arg-type]


async def test_round_trip_keeps_every_field(repos: Repositories) -> None:
    assert await repos.labs.save(ALICE, lab(), NOW) is None  # replaced nothing
    assert await repos.labs.get(ALICE, DAY) == lab()


async def test_optional_fields_round_trip_as_none(repos: Repositories) -> None:
    await repos.labs.save(ALICE, lab(tsat=None, fasting=None, note=None), NOW)
    assert await repos.labs.get(ALICE, DAY) == lab(tsat=None, fasting=None, note=None)
    await repos.labs.save(ALICE, lab(date(2026, 2, 11), fasting=False), NOW)
    got = await repos.labs.get(ALICE, date(2026, 2, 11))
    assert got is not None and got.fasting is False


async def test_the_same_day_replaces_the_value(repos: Repositories) -> None:
    await repos.labs.save(ALICE, lab(), NOW)
    replaced = await repos.labs.save(ALICE, lab(ferritin=80.0, note=None), NOW + timedelta(1))
    assert replaced == lab()  # the value it replaced
    assert await repos.labs.all(ALICE) == [lab(ferritin=80.0, note=None)]


async def test_all_is_newest_first(repos: Repositories) -> None:
    for day in (5, 1, 20, 3):
        await repos.labs.save(ALICE, lab(date(2025, 6, day)), NOW)
    assert [v.taken_on.day for v in await repos.labs.all(ALICE)] == [20, 5, 3, 1]


async def test_users_never_see_or_delete_each_others_values(repos: Repositories) -> None:
    await repos.labs.save(ALICE, lab(), NOW)
    await repos.labs.save(BOB, lab(ferritin=120.0), NOW)
    assert await repos.labs.delete(BOB, date(2020, 1, 1)) is False
    assert await repos.labs.delete(BOB, DAY) is True
    assert await repos.labs.all(BOB) == []
    assert await repos.labs.all(ALICE) == [lab()]
    assert await repos.labs.delete(BOB, DAY) is False


async def test_mydata_export_and_delete_cover_lab_results(repos: Repositories) -> None:
    for user in (ALICE, BOB):
        await repos.users.set_timezone(user, "Europe/Berlin", NOW)
        await repos.labs.save(user, lab(), NOW)
        await repos.labs.save(user, lab(date(2026, 1, 5), tsat=None), NOW)
    rows = json_ready(await repos.user_data.export(ALICE))
    assert sorted(r["taken_on"] for r in rows["lab_results"]) == ["2026-01-05", "2026-02-10"]
    assert {r["user_id"] for r in rows["lab_results"]} == {str(ALICE)}
    assert {r["ferritin"] for r in rows["lab_results"]} == {45.5}
    deleted = await repos.user_data.delete_all(ALICE)
    assert deleted["lab_results"] == 2
    assert await repos.labs.all(ALICE) == []
    assert len(await repos.labs.all(BOB)) == 2
