"""Stretch reminders end to end: the real bot, the emulator, a fake clock, a real SQLite file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.routines import day_number, load_routines, routine_for
from tests.e2e.conftest import bot_process, bot_settings
from tests.e2e.stretch_steps import DUE, buttons, deliver_due, subscribe

EPHEMERAL = 64
MESSAGES = "/channels/{channel_id}/messages"


async def test_subscribe_confirms_the_next_three_reminders(emu, bot) -> None:
    alice = emu.add_user("alice")
    reply = await subscribe(emu, alice)
    assert reply.ephemeral
    stamps = [int(s) for s in re.findall(r"<t:(\d+):F>", reply.content)]
    assert stamps == [int((DUE + timedelta(days=d)).timestamp()) for d in range(3)]


async def test_reminder_dm_arrives_with_working_buttons(emu, bot, clock) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    await subscribe(emu, alice)
    await deliver_due(bot, clock, DUE + timedelta(seconds=10))
    dm = await emu.wait_for_dm(alice)
    assert dm.embeds[0]["title"].startswith("Time to stretch")
    assert dm.pinged_user_ids == [] and not dm.pings_everyone
    ids = buttons(dm)
    assert set(ids) == {"Done", "Snooze 15 min", "Stop reminders"}

    refused = await (await emu.click(bob, dm, ids["Done"])).response()
    assert refused.ephemeral and "belongs to someone else" in refused.content

    snoozed = await (await emu.click(alice, dm, ids["Snooze 15 min"])).response()
    assert snoozed.ephemeral and "Snoozed" in snoozed.content
    again = await (await emu.click(alice, dm, ids["Snooze 15 min"])).response()
    assert "already snoozed" in again.content

    done = await (await emu.click(alice, dm, ids["Done"])).response()
    assert done.type == 7  # the reminder message itself is updated
    assert done.components == [] and "Done" in done.embeds[0]["footer"]["text"]

    # Done cancels the snooze still queued: no second "time to stretch" after stretching.
    await deliver_due(bot, clock, DUE + timedelta(minutes=15, seconds=10))
    report = await bot.engine.drain()
    assert report.sent == 0
    assert len(emu.dms_to(alice)) == 1
    status = await (await emu.slash(alice, "stretch status")).response()
    assert "Done streak:** 1 day" in status.content
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.next_due == DUE + timedelta(days=1)


async def test_stop_button_asks_first(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    await deliver_due(bot, clock, DUE)
    dm = await emu.wait_for_dm(alice)
    ask = await (await emu.click(alice, dm, buttons(dm)["Stop reminders"])).response()
    assert ask.ephemeral
    confirm = ask.message
    stopped = await (await emu.click(alice, confirm, buttons(ask)["Yes, stop"])).response()
    assert "Stopped" in stopped.content
    # Kept without a due time, so that starting again knows what was sent today.
    stopped_schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert stopped_schedule.next_due is None and stopped_schedule.pause_reason == "stopped"
    gone = await (await emu.click(alice, dm, buttons(dm)["Snooze 15 min"])).response()
    assert gone.ephemeral and "was stopped" in gone.content


async def test_buttons_still_work_after_a_restart(emu, tmp_path: Path, clock) -> None:
    alice = emu.add_user("alice")
    settings = bot_settings(emu, tmp_path)
    async with bot_process(emu, settings, clock) as first:
        await subscribe(emu, alice)
        await deliver_due(first, clock, DUE)
        dm = await emu.wait_for_dm(alice)
    async with bot_process(emu, settings, clock):
        done = await (await emu.click(alice, dm, buttons(dm)["Done"])).response()
        assert done.type == 7


async def test_a_429_is_retried_and_the_reminder_arrives_once(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    emu.fail_next("POST", MESSAGES, status=429, retry_after=0.05)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_dm(alice)
    posts = emu.requests_to("POST", MESSAGES)
    assert [r.status for r in posts] == [429, 200]
    assert len(emu.dms_to(alice)) == 1


async def test_closed_dms_pause_the_schedule_and_status_explains(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    emu.close_dms(alice)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_request("POST", MESSAGES)
    await bot.engine.drain()  # the background sender may still be recording the failure
    status = await (await emu.slash(alice, "stretch status")).response()
    assert "Privacy Settings" in status.content
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [403]
    # Never retried: later ticks send nothing more.
    await deliver_due(bot, clock, DUE + timedelta(days=2))
    await bot.engine.drain()
    assert len(emu.requests_to("POST", MESSAGES)) == 1


async def test_channel_reminder_pings_only_its_owner(emu, bot, clock) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general", "reminders"])
    reminders = guild.channels[1]
    await bot.repos.guild_settings.set_reminder_channel(guild.id, reminders.id, clock.now())
    alice = emu.add_user("alice")
    reply = await subscribe(emu, alice, guild=guild, where="channel")
    assert f"<#{reminders.id}>" in reply.content
    await deliver_due(bot, clock, DUE)
    post = await emu.wait_for_message(channel_id=reminders.id)
    assert post.pinged_user_ids == [alice.id]
    assert not post.pings_everyone and post.pinged_role_ids == []


async def test_a_channel_refusing_as_if_dms_were_closed_does_not_pause_as_closed_dms(
    emu, bot, clock
) -> None:
    """The closed-DM pause belongs to DM targets: a 403 50007 on a channel post is an odd refusal
    of that one message, not a member whose DMs are closed (which would stop every reminder)."""
    guild = emu.add_guild("RLS Friends", channels=["general", "reminders"])
    reminders = guild.channels[1]
    await bot.repos.guild_settings.set_reminder_channel(guild.id, reminders.id, clock.now())
    alice = emu.add_user("alice")
    await subscribe(emu, alice, guild=guild, where="channel")
    emu.fail_next("POST", f"/channels/{reminders.id}/messages", status=403, code=50007)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_request("POST", MESSAGES)
    await bot.engine.drain()
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [403]
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.pause_reason is None
    assert schedule.next_due is not None and schedule.channel_id == reminders.id
    # The next day's reminder is posted in the channel as usual.
    await deliver_due(bot, clock, DUE + timedelta(days=1))
    post = await emu.wait_for_message(channel_id=reminders.id)
    assert post.pinged_user_ids == [alice.id]


async def test_channel_reminder_without_a_configured_channel_is_refused(emu, bot) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general"])
    alice = emu.add_user("alice")
    reply = await (
        await emu.slash(
            alice, "stretch remind", {"timezone": "Europe/Berlin", "where": "channel"}, guild=guild
        )
    ).response()
    assert reply.ephemeral and "no reminder channel" in reply.content
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"time": "25:99", "timezone": "Europe/Berlin"}, "25:99"),
        ({"time": "abc", "timezone": "Europe/Berlin"}, "abc"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"timezone": "EST"}, "America/New_York"),
        ({"timezone": "Europe/Berlin", "days": "funday"}, "funday"),
        ({"time": "17:00"}, "timezone"),
    ],
)
async def test_bad_input_is_explained_and_changes_nothing(emu, bot, options, expected) -> None:
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "stretch remind", options)).response()
    assert reply.ephemeral and expected in reply.content
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") is None


@pytest.mark.parametrize("days", [0, 999])
async def test_pause_out_of_range_is_refused(emu, bot, days) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    before = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    reply = await (await emu.slash(alice, "stretch pause", {"days": days})).response()
    assert reply.ephemeral and "30" in reply.content
    assert await bot.repos.reminders.get_schedule(alice.id, "stretch") == before


async def test_pause_resume_and_now(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    paused = await (await emu.slash(alice, "stretch pause", {"days": 3})).response()
    assert "Paused until" in paused.content
    status = await (await emu.slash(alice, "stretch status")).response()
    assert "Paused" in status.content
    resumed = await (await emu.slash(alice, "stretch resume")).response()
    assert "Resumed" in resumed.content
    now = await (await emu.slash(alice, "stretch now")).response()
    assert now.ephemeral
    dm = await emu.wait_for_dm(alice)
    assert dm.embeds[0]["title"].startswith("Time to stretch")


async def test_commands_without_a_schedule_say_so(emu, bot) -> None:
    alice = emu.add_user("alice")
    for command in ("stretch status", "stretch resume", "stretch stop"):
        reply = await (await emu.slash(alice, command)).response()
        assert reply.ephemeral and "don't have stretch reminders" in reply.content


async def test_now_without_reminders_shows_todays_routine_right_there(emu, bot, clock) -> None:
    # "Send me today's stretch routine right now": with no reminders to send it by, the routine
    # comes in the reply, only for the person; nothing is queued, no DM.
    alice = emu.add_user("alice")
    reply = await (await emu.slash(alice, "stretch now")).response()
    assert reply.ephemeral
    assert reply.content.startswith("Today's routine. `/stretch remind` sends one every day")
    [embed] = reply.embeds
    routine = routine_for(day_number(clock.now().date()), load_routines())
    assert embed["title"] == routine.title
    assert embed["fields"][0]["name"] == "Steps" and "blood clot" in embed["footer"]["text"]
    assert emu.dms_to(alice) == []
    # After stopping reminders: the routine, and how to start them again.
    await subscribe(emu, alice)
    ask = await (await emu.slash(alice, "stretch stop")).response()
    await (await emu.click(alice, ask, buttons(ask)["Yes, stop"])).response()
    clock.advance(timedelta(minutes=2))  # /stretch now's cooldown
    again = await (await emu.slash(alice, "stretch now")).response()
    assert again.content.startswith("You stopped your stretch reminders")
    assert again.embeds[0]["title"] == routine.title
    assert emu.dms_to(alice) == []


async def test_forged_and_stale_custom_ids_are_refused_politely(emu, bot, clock) -> None:
    alice, mallory = emu.add_user("alice"), emu.add_user("mallory")
    await subscribe(emu, alice)
    await deliver_due(bot, clock, DUE)
    dm = await emu.wait_for_dm(alice)
    real = buttons(dm)["Done"]
    delivery_id = int(real.split(":")[3])
    # Mallory forges a button naming herself as owner on Alice's delivery.
    forged = f"rls:stretch:done:{delivery_id}:{mallory.id}"
    dm.components[0]["components"][0]["custom_id"] = forged
    reply = await (await emu.click(mallory, dm, forged)).response()
    assert reply.ephemeral and "no longer exists" in reply.content
    delivery = await bot.repos.reminders.get_delivery(delivery_id)
    assert delivery is not None and delivery.done_at is None
    # A stale id (huge, or long gone) is answered, not crashed on.
    stale = f"rls:stretch:snooze:{10**19 + 7}:{alice.id}"
    dm.components[0]["components"][1]["custom_id"] = stale
    reply = await (await emu.click(alice, dm, stale)).response()
    assert reply.ephemeral and "no longer exists" in reply.content


async def test_timezone_autocomplete_shows_local_time_and_set_moves_schedules(emu, bot) -> None:
    alice = emu.add_user("alice")
    choices = await emu.autocomplete(alice, "timezone set", {"zone": "berl"}, focused="zone")
    assert choices[0] == {"name": "Europe/Berlin — 13:00 now", "value": "Europe/Berlin"}
    await subscribe(emu, alice)
    reply = await (await emu.slash(alice, "timezone set", {"zone": "America/New_York"})).response()
    assert reply.ephemeral and "America/New_York" in reply.content
    assert "I moved 1 reminder schedule to the new zone." in reply.content  # not "schedule(s)"
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule is not None and schedule.timezone == "America/New_York"
    assert schedule.next_due == datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    shown = await (await emu.slash(alice, "timezone show")).response()
    assert "America/New_York" in shown.content
    refused = await (await emu.slash(alice, "timezone set", {"zone": "EST"})).response()
    assert refused.ephemeral and "America/New_York" in refused.content


async def test_a_429_from_discord_slows_the_sender_down(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    emu.fail_next("POST", MESSAGES, status=429, retry_after=0.05, global_=True)
    await deliver_due(bot, clock, DUE)
    await emu.wait_for_dm(alice)
    assert bot.pacer.rate < bot.pacer.configured_rate  # halved, recovering over a minute


async def test_an_expired_confirm_button_gets_a_friendly_answer(emu, tmp_path: Path, clock) -> None:
    alice = emu.add_user("alice")
    settings = bot_settings(emu, tmp_path)
    async with bot_process(emu, settings, clock):
        await subscribe(emu, alice)
        ask = await (await emu.slash(alice, "stretch stop")).response()
    # The confirm view lived in the previous process only.
    async with bot_process(emu, settings, clock) as second:
        reply = await (await emu.click(alice, ask, buttons(ask)["Yes, stop"])).response()
        assert reply.ephemeral and "expired" in reply.content
        assert await second.repos.reminders.get_schedule(alice.id, "stretch") is not None
        # A live button is not answered twice.
        again = await (await emu.slash(alice, "stretch stop")).response()
        stopped = await (await emu.click(alice, again, buttons(again)["Yes, stop"])).response()
        assert "Stopped" in stopped.content


async def test_changing_one_option_keeps_the_others(emu, bot) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice, time="18:15")
    reply = await (await emu.slash(alice, "stretch remind", {"days": "weekends"})).response()
    assert reply.ephemeral
    assert "changed: days weekends (was every day)" in reply.content
    assert "Unchanged: 18:15, Europe/Berlin, by DM" in reply.content
    schedule = await bot.repos.reminders.get_schedule(alice.id, "stretch")
    assert schedule.local_time.strftime("%H:%M") == "18:15" and schedule.days_mask == 0b1100000
    again = await (await emu.slash(alice, "stretch remind", {})).response()
    assert "Nothing to change" in again.content and "18:15, weekends" in again.content


async def test_a_new_timezone_is_named_as_changed_with_the_one_it_replaced(emu, bot) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    reply = await (
        await emu.slash(alice, "stretch remind", {"time": "18:00", "timezone": "New York"})
    ).response()
    assert "timezone America/New_York (was Europe/Berlin)" in reply.content
    assert "Unchanged: every day, by DM" in reply.content


async def test_a_later_time_after_todays_reminder_waits_for_tomorrow(emu, bot, clock) -> None:
    alice = emu.add_user("alice")
    await subscribe(emu, alice)
    await deliver_due(bot, clock, DUE + timedelta(seconds=5))
    await bot.engine.drain()
    await emu.wait_for_dm(alice)
    clock.set(DUE + timedelta(minutes=5))  # 17:35 in Berlin, today's 17:30 already sent
    reply = await (await emu.slash(alice, "stretch remind", {"time": "18:00"})).response()
    first = int(re.findall(r"<t:(\d+):F>", reply.content)[0])
    assert first == int(datetime(2026, 3, 3, 17, 0, tzinfo=UTC).timestamp())  # tomorrow 18:00
    clock.set(datetime(2026, 3, 2, 17, 0, 5, tzinfo=UTC))
    assert await bot.engine.tick() == 0


async def test_a_busy_reminder_channel_does_not_slow_dms_to_others(emu, bot, clock) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general", "reminders"])
    reminders = guild.channels[1]
    await bot.repos.guild_settings.set_reminder_channel(guild.id, reminders.id, clock.now())
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    options = {"time": "17:30", "timezone": "Europe/Berlin", "where": "channel"}
    await (await emu.slash(alice, "stretch remind", options, guild=guild)).response()
    await subscribe(emu, bob)
    await bot.engine.stop_sender()  # drained by hand below
    # The channel is busy with other bots' posts: a shared-resource 429 for that channel only.
    emu.fail_next(
        "POST", f"/channels/{reminders.id}/messages", status=429, retry_after=0.3, scope="shared"
    )
    await deliver_due(bot, clock, DUE)
    report = await bot.engine.drain()
    assert report.sent == 2
    assert len(emu.dms_to(bob)) == 1
    assert len(emu.requests_to("POST", MESSAGES)) == 3  # the 429, its retry, bob's DM
    # The pace of every other send is untouched: no global pause, no halved rate.
    assert bot.pacer.rate == bot.pacer.configured_rate
    assert bot.pacer.wait_time() < 1 / bot.pacer.configured_rate
    assert bot.pacer.route_wait_time(f"channel:{emu.world.dm_channel(bob).id}") == 0
