"""/sleep end to end through the emulator: logging, re-logging, bad input, stats, history,
and privacy between two users."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.client import RlsBot
from bot.clinical.labs import LabResult
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator, EmuUser
from bot.sleep.form import NightForm, build_entry
from tests.e2e.test_labs import with_zone

EPHEMERAL = 64
TODAY = date(2026, 3, 2)  # the clock fixture: Monday 13:00 in Berlin


async def seed(bot: RlsBot, user: EmuUser, nights: int = 4) -> None:
    for back in range(nights):
        form = NightForm(
            into_bed="23:00",
            final_wake="7:00",
            sleep_latency_min=10 * back,
            awake_min=20,
            severity=2 + back,
            quality=3,
            tags={"stretched"} if back % 2 == 0 else set(),
        )
        await save_form(bot, user, back, form)


async def save_form(bot: RlsBot, user: EmuUser, back: int, form: NightForm) -> None:
    """The night ending `back` days before TODAY, as the form gives it, in Berlin."""
    entry = build_entry(
        form,
        user_id=user.id,
        night=TODAY - timedelta(days=back),
        zone_name="Europe/Berlin",
        now=bot.clock.now(),
    )
    await bot.repos.diary.save(entry, bot.clock.now())


async def test_logging_needs_a_timezone_first(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    assert reply.ephemeral
    # Fix it asks for her city, holding what she typed (tests/e2e/test_sleep_log_fix_it.py).
    assert reply.content.startswith("I need your timezone first") and "Fix it" in reply.content
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []


async def test_fast_path_log_saves_the_night(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    options = {
        "bed": "23:15",
        "wake": "7am",
        "severity": 6,
        "quality": 2,
        "asleep_after": 30,
        "awake_minutes": 45,
        "tags": "stretched, late meal, magnesium",
        "note": "legs after 2am",
    }
    reply = await (await emu.slash(alice, "sleep log", options)).response()
    assert reply.ephemeral
    assert reply.content.startswith("Saved.")
    assert "RLS 6/10" in reply.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    # 23:15 -> 07:00 = 465 min; TST = 465 - 30 - 45 = 390 = 6h 30m
    assert "slept 6h 30m" in reply.content
    assert entry.tags == {"stretched", "late_meal", "magnesium"}
    assert entry.note == "legs after 2am"


async def test_the_saved_line_says_when_symptoms_started_as_read(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # "9pm" read as 21:00 is what an onset-timed stretch reminder follows: the reply shows it.
    alice = await with_zone(bot, emu.add_user("alice"))
    base = {"bed": "23:15", "wake": "7am", "rls_start": "9pm"}
    rated = await (await emu.slash(alice, "sleep log", base | {"severity": 6})).response()
    assert "RLS 6/10 from 21:00" in rated.content, rated.content
    unrated = await (await emu.slash(alice, "sleep log", base | {"night": "yesterday"})).response()
    assert "RLS from 21:00" in unrated.content, unrated.content


async def test_bad_input_is_refused_and_nothing_stored(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"bed": "23:00", "wake": "7:00", "severity": 11}, "0 to 10; 11 is off the scale"),
        ({"bed": "half past ten", "wake": "7:00"}, "Into bed: I couldn't read"),
        ({"bed": "23:00", "wake": "7:00", "up": "6:00"}, "before your final wake"),
        ({"bed": "23:00", "wake": "7:00", "tags": "caffiene"}, "did you mean Caffeine?"),
        ({"bed": "23:00", "wake": "7:00", "awake_minutes": 600}, "longer than the night"),
        ({"bed": "23:00", "wake": "7:00", "night": "2026-03-03"}, "hasn't happened yet"),
        ({"bed": "23:00", "wake": "7:00", "note": "x" * 501}, "keep it to 500"),
    ]
    for options, message in cases:
        reply = await (await emu.slash(alice, "sleep log", options)).response()
        assert reply.ephemeral, options
        assert message in reply.content, (options, reply.content)
    assert await bot.repos.diary.recent_nights(alice.id, 5) == []


async def test_relogging_asks_first_and_only_the_owner_can_answer(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    ask = await (
        await emu.slash(alice, "sleep log", {"bed": "22:00", "wake": "6:00", "severity": 3})
    ).response()
    assert "Replace it with this?" in ask.content and ask.ephemeral
    replace_id = f"rls:sleep:replace:{alice.id}:20260302"
    # Bob forges a press on Alice's button: refused, nothing changes.
    forged = await (await emu.click(bob, ask, replace_id)).response()
    assert "someone else" in forged.content and forged.ephemeral
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.severity is None
    done = await (await emu.click(alice, ask, replace_id)).response()
    assert done.type == 7 and done.content.startswith("Updated.")
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.severity == 3


async def test_relogging_names_the_answers_a_replace_would_delete(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # Neither summary line shows a note, the symptoms' start or awakenings: a tired person
    # pressing Replace to fix a time deleted them unseen.
    alice = await with_zone(bot, emu.add_user("alice"))
    first = {
        "bed": "23:00",
        "wake": "7:00",
        "note": "legs jumpy at 3am, took a walk",
        "rls_start": "21:30",
        "awakenings": 2,
        "rls_got_up": 1,
        "asleep_after": 15,
    }
    await (await emu.slash(alice, "sleep log", first)).response()
    ask = await (
        await emu.slash(alice, "sleep log", {"bed": "23:30", "wake": "7:00", "awakenings": 2})
    ).response()
    assert "Replace it with this?" in ask.content
    assert (
        "Replacing deletes what only the old one has: the note “legs jumpy at 3am, took a walk”, "
        "symptoms from 21:30, RLS got you up 1 time, 15 min to fall asleep."
    ) in ask.content
    # Nothing is lost when the new one repeats every answer.
    again = {**first, "bed": "23:15"}
    ask = await (await emu.slash(alice, "sleep log", again)).response()
    assert "Replace it with this?" in ask.content and "Replacing deletes" not in ask.content


async def test_a_stale_question_never_overwrites_a_newer_save(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    # Asked "Replace?", the person fixed the night another way, then tapped the old Replace:
    # it wrote the version from before the fix over it, unseen.
    alice = await with_zone(bot, emu.add_user("alice"))
    await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    stale = await (await emu.slash(alice, "sleep log", {"bed": "23:30", "wake": "7:00"})).response()
    newer = await (
        await emu.slash(alice, "sleep log", {"bed": "23:15", "wake": "7:00", "severity": 4})
    ).response()
    replace_id = f"rls:sleep:replace:{alice.id}:20260302"
    done = await (await emu.click(alice, newer, replace_id)).response()
    assert done.content.startswith("Updated.")
    refused = await (await emu.click(alice, stale, replace_id)).response()
    assert refused.type == 7 and refused.content.startswith(
        "Not saved: this night changed since I asked"
    )
    assert "bed 23:15" in refused.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.severity == 4
    assert entry.into_bed == datetime(2026, 3, 1, 22, 15, tzinfo=UTC)

    # An unusual night asked about, then logged normally: "Yes, save it" replaces nothing.
    bob = await with_zone(bot, emu.add_user("bob"))
    unusual = await (
        await emu.slash(bob, "sleep log", {"bed": "12:00", "wake": "12:00"})
    ).response()
    await (await emu.slash(bob, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    yes = await (await emu.click(bob, unusual, f"rls:sleep:unusual:{bob.id}:20260302")).response()
    assert yes.content.startswith("Not saved: this night changed since I asked")
    kept = await bot.repos.diary.get(bob.id, TODAY)
    assert kept is not None and kept.into_bed == datetime(2026, 3, 1, 22, 0, tzinfo=UTC)

    # Deleted in between (/sleep delete, /mydata delete): nothing comes back.
    await (await emu.slash(alice, "sleep log", {"bed": "22:00", "wake": "6:00"})).response()
    ask = await (await emu.slash(alice, "sleep log", {"bed": "22:30", "wake": "6:00"})).response()
    await bot.repos.diary.delete(alice.id, TODAY)
    gone = await (await emu.click(alice, ask, replace_id)).response()
    assert gone.content.startswith("Not saved: this night was deleted since I asked")
    assert await bot.repos.diary.get(alice.id, TODAY) is None


async def test_stats_averages_and_comparisons(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice, nights=6)
    reply = await (await emu.slash(alice, "sleep stats", {"days": 7})).response()
    assert reply.ephemeral
    [embed] = reply.embeds
    text = embed["description"]
    assert "Nights logged: **6** of the last 7 days" in text
    # severities 2..7 -> 4.5; latency 0,10,..,50 -> 25 min; each over n = 6 nights
    assert "**RLS severity:** 4.5/10 (n = 6" in text
    assert "**Time to fall asleep:** 25 min (n = 6" in text
    # Nobody said when they got up: efficiency is unknown, not 100 %.
    assert (
        "Not answered on any of these nights: sleep efficiency, awakenings, naps the day before."
        in text
    )
    assert "**Sleep efficiency:**" not in text
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "**Stretched** (3 vs 3 nights)" in fields["Tagged vs untagged nights"]
    assert "not proof" in fields["Please note"]


async def test_stats_for_one_day_and_too_few_nights_to_compare(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice, nights=2)  # one night tagged, one not
    [embed] = (await (await emu.slash(alice, "sleep stats", {"days": 1})).response()).embeds
    assert "Nights logged: **1** of the last 1 day " in embed["description"]
    # Not compared yet, and the reply says why (before, the comparisons were left out unsaid).
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Tagged vs untagged nights"] == (
        "A comparison needs 3 nights with a tag and 3 without. So far: Stretched: 1 with, "
        "0 without."
    )
    assert "Please note" not in fields


async def test_stats_counts_done_stretch_reminders_as_stretched(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice, nights=2)  # night TODAY tagged, TODAY-1 not
    schedule = await bot.repos.reminders.save_schedule(
        ScheduleSpec(alice.id, "stretch", time(17), 127, "Europe/Berlin"), None, bot.clock.now()
    )
    # A reminder due on the evening of 28 Feb, marked Done: the night ending 1 Mar counts.
    due = bot.clock.now() - timedelta(days=2, hours=-4)
    delivery = await bot.repos.reminders.add_delivery(schedule, due, "now", bot.clock.now())
    assert delivery is not None
    await bot.repos.reminders.mark_done(delivery.id, alice.id, bot.clock.now())
    reply = await (await emu.slash(alice, "sleep stats", {"days": 2})).response()
    fields = {f["name"]: f["value"] for f in reply.embeds[0].get("fields", [])}
    # Both nights count as stretched now.
    assert "So far: Stretched: 2 with, 0 without." in fields["Tagged vs untagged nights"]


async def test_history_is_a_deferred_png(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice)
    ix = await emu.slash(alice, "sleep history")
    deferred = await ix.response()
    assert deferred.type == 5 and deferred.ephemeral
    followup = await ix.followup()
    assert followup.ephemeral
    png = followup.file("sleep-history.png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) < 100_000
    [request] = emu.requests_to("POST", "/webhooks/{webhook_id}/{webhook_token}")
    assert request.json["attachments"][0]["filename"] == "sleep-history.png"
    assert request.files[0].field_name == "files[0]" and request.files[0].data == png


async def test_each_user_sees_only_their_own_nights(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    await seed(bot, alice)
    stats = await (await emu.slash(bob, "sleep stats")).response()
    assert "No nights logged" in stats.content and stats.ephemeral
    ix = await emu.slash(bob, "sleep history")
    assert "No nights logged" in (await ix.followup()).content


async def test_days_out_of_range(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await (await emu.slash(alice, "sleep stats", {"days": 0})).response()
    assert "between 1 and 365" in reply.content


async def test_report_has_png_pdf_and_csv(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice)
    await bot.repos.labs.save(alice.id, LabResult(date(2026, 2, 20), 45.0, 18.0), bot.clock.now())
    ix = await emu.slash(alice, "sleep report")
    assert (await ix.response()).type == 5
    followup = await ix.followup(timeout=15)
    assert followup.ephemeral
    stem = "sleep-report-2026-03-02"
    assert followup.file(f"{stem}.png").startswith(b"\x89PNG")
    assert followup.file(f"{stem}.pdf").startswith(b"%PDF")
    rows = followup.file(f"{stem}.csv").decode().splitlines()
    assert rows[0].startswith("night,timezone,csd1_into_bed,csd2_tried_to_sleep") and len(rows) == 5
    assert "2026-03-01T23:00:00+01:00" in rows[-1]  # local time with its offset
    assert followup.file(f"{stem}-labs.csv").decode().splitlines() == [
        "taken_on,ferritin_ng_ml,transferrin_saturation_pct,fasting,note",
        "2026-02-20,45,18,,",
    ]
    assert followup.file(f"{stem}-doses.csv").decode().splitlines() == [
        "medicine,taken_at_local,timezone"
    ]
    [request] = emu.requests_to("POST", "/webhooks/{webhook_id}/{webhook_token}")
    assert [a["filename"] for a in request.json["attachments"]] == [
        f"{stem}.png",
        f"{stem}.pdf",
        f"{stem}.csv",
        f"{stem}-labs.csv",
        f"{stem}-doses.csv",
    ]
    assert request.json["allowed_mentions"]["parse"] == []


async def test_report_carries_the_doses_logged_with_meds(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    await seed(bot, alice)
    reply = await (
        await emu.slash(alice, "meds add", {"name": "Ropinirole", "times": "20:00"})
    ).response()
    assert reply.ephemeral
    [medicine] = await bot.repos.meds.medicines(alice.id)
    taken = datetime(2026, 3, 1, 19, 5, tzinfo=UTC)  # 20:05 in Berlin, the evening before today
    await bot.repos.meds.record_dose(
        alice.id, medicine.id, "typed", taken, "Europe/Berlin", bot.clock.now()
    )
    followup = await (await emu.slash(alice, "sleep report")).followup(timeout=15)
    assert followup.ephemeral
    doses = followup.file("sleep-report-2026-03-02-doses.csv").decode().splitlines()
    assert doses[1:] == ["Ropinirole,2026-03-01T20:05:00+01:00,Europe/Berlin"]


async def test_report_covers_up_to_a_year(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await (await emu.slash(alice, "sleep report", {"days": 400})).response()
    assert "1 to 365 nights" in reply.content
    await seed(bot, alice, nights=3)
    await bot.repos.diary.save(
        build_entry(
            NightForm(into_bed="23:00", final_wake="7:00"),
            user_id=alice.id,
            night=TODAY - timedelta(days=300),
            zone_name="Europe/Berlin",
            now=bot.clock.now(),
        ),
        bot.clock.now(),
    )
    ix = await emu.slash(alice, "sleep report", {"days": 365})
    followup = await ix.followup(timeout=30)
    assert followup.ephemeral
    rows = followup.file("sleep-report-2026-03-02.csv").decode().splitlines()
    assert len(rows) == 5 and rows[1].startswith((TODAY - timedelta(days=300)).isoformat())


async def test_report_with_labs_but_no_nights(emu: DiscordEmulator, bot: RlsBot) -> None:
    bob = await with_zone(bot, emu.add_user("bob"))
    ix = await emu.slash(bob, "sleep report")
    followup = await ix.followup(timeout=15)
    assert followup.ephemeral and "so no report" in followup.content
    alice = await with_zone(bot, emu.add_user("alice"))
    await bot.repos.labs.save(alice.id, LabResult(date(2026, 2, 20), 45.0), bot.clock.now())
    followup = await (await emu.slash(alice, "sleep report")).followup(timeout=15)
    assert followup.ephemeral
    labs = followup.file("sleep-report-2026-03-02-labs.csv").decode().splitlines()
    assert labs[1:] == ["2026-02-20,45,,,"]


async def test_bed_and_wake_alone_save_unknowns_not_zeros(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    reply = await (await emu.slash(alice, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    assert reply.content.startswith("Saved.")
    # Before: "slept 8h 00m · in bed 8h 00m · efficiency 100%".
    assert "slept – · in bed – · efficiency –" in reply.content
    assert "Add minutes to fall asleep" in reply.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None
    assert (entry.sleep_latency_min, entry.awake_min, entry.awakenings) == (None, None, None)
    assert entry.out_of_bed is None and entry.severity is None


async def test_an_unusual_night_is_asked_about_before_saving(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    bob = await with_zone(bot, emu.add_user("bob"))
    # The clock reads Mon 13:00: 12:00 -> 12:00 is no time in bed (before: 24h and 100 %).
    ask = await (await emu.slash(alice, "sleep log", {"bed": "12:00", "wake": "12:00"})).response()
    assert ask.ephemeral and "no time in bed at all" in ask.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None
    no = await (await emu.click(alice, ask, f"rls:sleep:notsaved:{alice.id}:20260302")).response()
    assert no.type == 7 and no.content.startswith("Not saved")
    assert await bot.repos.diary.get(alice.id, TODAY) is None

    # 18 hours in bed (ill in bed all day, say): asked, and saved when confirmed by its owner.
    ask = await (
        await emu.slash(alice, "sleep log", {"bed": "19:00", "wake": "12:30", "up": "13:00"})
    ).response()
    assert "18h 00m in bed, from Sun 19:00 to Mon 13:00. Is that right?" in ask.content
    yes_id = f"rls:sleep:unusual:{alice.id}:20260302"
    forged = await (await emu.click(bob, ask, yes_id)).response()
    assert "someone else" in forged.content
    assert await bot.repos.diary.get(alice.id, TODAY) is None
    yes = await (await emu.click(alice, ask, yes_id)).response()
    assert yes.type == 7 and yes.content.startswith("Saved.")
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.out_of_bed is not None


async def test_naps_and_an_afternoon_main_sleep_by_log(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    options = {
        "night": "yesterday",
        "bed": "14:00",
        "wake": "21:30",
        "up": "21:45",
        "asleep_after": 15,
        "awakenings": 1,
        "awake_minutes": 20,
        "naps": 1,
        "nap_minutes": 30,
    }
    reply = await (await emu.slash(alice, "sleep log", options)).response()
    # 14:00 -> 21:45 = 7h 45m in bed; (14:00 -> 21:30 = 450) - 15 - 20 = 415 = 6h 55m
    assert reply.content.startswith("Saved."), reply.content
    assert "slept 6h 55m · in bed 7h 45m · efficiency 89%" in reply.content
    assert "1 nap, 30 min" in reply.content


async def test_own_tags_with_umlauts_are_saved_and_exported(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = await with_zone(bot, emu.add_user("alice"))
    options = {"bed": "23:15", "wake": "7am", "tags": "Müde, wärmflasche, müde"}
    reply = await (await emu.slash(alice, "sleep log", options)).response()
    assert reply.ephemeral and reply.content.startswith("Saved."), reply.content
    entry = await bot.repos.diary.get(alice.id, TODAY)
    assert entry is not None and entry.tags == {"müde", "wärmflasche"}
    ix = await emu.slash(alice, "sleep report")
    await ix.response()
    followup = await ix.followup(timeout=15)
    csv_text = followup.file("sleep-report-2026-03-02.csv").decode("utf-8")
    assert "müde" in csv_text and "wärmflasche" in csv_text
