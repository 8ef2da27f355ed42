"""The medicines repository contract, and the user-data export/delete it takes part in, run on
SQLite and PostgreSQL (the `repos` fixture is parametrised over both)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.clinical.meds import DoseEvent, MedicineSpec
from bot.db import Repositories
from bot.db.meds import medicine_kind, medicine_of_kind
from bot.db.mydata import json_ready
from bot.scheduling.recurrence import Weekdays

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ALICE, BOB = 101, 202
BERLIN = "Europe/Berlin"


def spec(name: str = "Iron tablet", *times: time) -> MedicineSpec:
    return MedicineSpec(name, times or (time(8, 0), time(20, 0)), Weekdays.of(0, 2, 4))


async def test_a_medicine_round_trips_as_typed(repos: Repositories) -> None:
    added = await repos.meds.add(ALICE, spec(), NOW)
    assert (added.name, added.times, added.days) == (
        "Iron tablet",
        (time(8, 0), time(20, 0)),
        Weekdays.of(0, 2, 4),
    )
    assert added.created_at == NOW and added.stopped_at is None
    assert await repos.meds.medicines(ALICE) == [added]
    assert await repos.meds.get(ALICE, added.id) == added
    assert await repos.meds.get(BOB, added.id) is None
    assert added.kinds() == [f"med:{added.id}:0", f"med:{added.id}:1"]


def test_kinds_name_their_medicine() -> None:
    assert medicine_of_kind(medicine_kind(42, 3)) == 42
    assert medicine_of_kind("stretch") is None
    assert medicine_of_kind("med:x:1") is None


async def test_stop_keeps_the_medicine_and_frees_its_name(repos: Repositories) -> None:
    first = await repos.meds.add(ALICE, spec(), NOW)
    await repos.meds.record_dose(ALICE, first.id, "typed", NOW, BERLIN, NOW)
    assert await repos.meds.stop(ALICE, first.id, NOW + timedelta(1)) is True
    assert await repos.meds.stop(ALICE, first.id, NOW + timedelta(2)) is False
    assert await repos.meds.stop(BOB, first.id, NOW) is False
    assert await repos.meds.medicines(ALICE) == []
    stopped = await repos.meds.medicines(ALICE, include_stopped=True)
    assert [m.stopped_at for m in stopped] == [NOW + timedelta(1)]
    again = await repos.meds.add(ALICE, spec("iron  TABLET"), NOW + timedelta(3))
    assert again.id != first.id
    # The history stays with the first one.
    doses = await repos.meds.doses_between(ALICE, NOW - timedelta(1), NOW + timedelta(1))
    assert doses == [DoseEvent("Iron tablet", NOW, BERLIN)]


async def test_one_answer_per_reminder_whatever_the_taps(repos: Repositories) -> None:
    med = await repos.meds.add(ALICE, spec(), NOW)
    first, made = await repos.meds.record_dose(
        ALICE, med.id, "reminder", NOW, BERLIN, NOW, delivery_id=77
    )
    assert made and first.source == "reminder" and first.taken_at == NOW
    again, made_again = await repos.meds.record_dose(
        ALICE, med.id, "skipped", None, BERLIN, NOW + timedelta(minutes=1), delivery_id=77
    )
    assert not made_again and again == first
    assert len(await repos.meds.answers(ALICE, NOW - timedelta(1))) == 1


async def test_skips_are_answers_but_not_doses(repos: Repositories) -> None:
    med = await repos.meds.add(ALICE, spec(), NOW)
    skipped, _ = await repos.meds.record_dose(
        ALICE, med.id, "skipped", None, BERLIN, NOW, delivery_id=5
    )
    assert skipped.skipped and skipped.taken_at is None
    assert await repos.meds.doses_between(ALICE, NOW - timedelta(1), NOW + timedelta(1)) == []
    assert [a.source for a in await repos.meds.answers(ALICE, NOW - timedelta(1))] == ["skipped"]


async def test_doses_between_is_half_open_oldest_first_and_per_user(repos: Repositories) -> None:
    mine = await repos.meds.add(ALICE, spec(), NOW)
    theirs = await repos.meds.add(BOB, spec("Other"), NOW)
    for hours in (5, 0, 2):
        await repos.meds.record_dose(
            ALICE, mine.id, "typed", NOW + timedelta(hours=hours), "America/New_York", NOW
        )
    await repos.meds.record_dose(BOB, theirs.id, "typed", NOW, BERLIN, NOW)
    got = await repos.meds.doses_between(ALICE, NOW, NOW + timedelta(hours=5))
    assert [d.taken_at for d in got] == [NOW, NOW + timedelta(hours=2)]
    assert {d.timezone for d in got} == {"America/New_York"}


async def test_a_dose_of_someone_elses_medicine_is_refused(repos: Repositories) -> None:
    theirs = await repos.meds.add(BOB, spec(), NOW)
    try:
        await repos.meds.record_dose(ALICE, theirs.id, "typed", NOW, BERLIN, NOW)
    except LookupError:
        pass
    else:  # pragma: no cover
        raise AssertionError("recorded a dose of another user's medicine")
    assert await repos.meds.answers(BOB, NOW - timedelta(1)) == []


async def test_mydata_export_and_delete_cover_medicines_and_doses(repos: Repositories) -> None:
    for user in (ALICE, BOB):
        med = await repos.meds.add(user, spec(), NOW)
        await repos.meds.record_dose(user, med.id, "reminder", NOW, BERLIN, NOW, delivery_id=user)
    rows = json_ready(await repos.user_data.export(ALICE))
    assert [r["name"] for r in rows["medicines"]] == ["Iron tablet"]
    [dose] = rows["doses"]
    assert dose["taken_at_iso"] == NOW.isoformat() and dose["timezone"] == BERLIN
    assert dose["delivery_id"] == str(ALICE)
    deleted = await repos.user_data.delete_all(ALICE)
    assert deleted["medicines"] + deleted["doses"] >= 2
    assert await repos.meds.medicines(ALICE, include_stopped=True) == []
    assert await repos.meds.answers(ALICE, NOW - timedelta(1)) == []
    assert len(await repos.meds.answers(BOB, NOW - timedelta(1))) == 1
