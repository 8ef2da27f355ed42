"""/config's actions and the server clean-ups on both backends: each commits whole or not at all
(a failure injected at its last step leaves everything as it was)."""

from __future__ import annotations

from datetime import time

import pytest

from bot import usecases
from bot.db import Repositories
from bot.db.guild_settings import BOT_ITSELF, TIP_KIND, GuildSettings
from bot.routines import STRETCH_KIND
from bot.usecases import REMINDER_CHANNEL_MOVED_NOTICE, REMINDER_CHANNEL_OFF_NOTICE
from tests.failing import Broken
from tests.usecases.test_actions import GUILD, MOD, USER, context, remind

TIPS, REMINDERS, ELSEWHERE = 600, 500, 501
BERLIN = "Europe/Berlin"


async def configured(repos: Repositories) -> GuildSettings:
    """A server with a reminder channel a member uses and a daily tip at 09:00 Berlin time."""
    ctx = context(repos)
    await usecases.set_reminder_channel(ctx, GUILD, MOD, REMINDERS)
    await remind(ctx, zone="UTC", where="channel", guild_id=GUILD)
    await usecases.configure_daily_tip(ctx, GUILD, MOD, TIPS, time(9), BERLIN)
    return await repos.guild_settings.get(GUILD)


async def unchanged(repos: Repositories, before: GuildSettings, audit: int) -> None:
    assert await repos.guild_settings.get(GUILD) == before
    assert len(await repos.guild_settings.recent_changes(GUILD, 50)) == audit
    tip = await repos.reminders.get_server_schedule(GUILD, TIP_KIND)
    assert tip is not None and (tip.channel_id, tip.local_time) == (TIPS, time(9))
    member = await repos.reminders.get_schedule(USER, STRETCH_KIND)
    assert member is not None and member.channel_id == REMINDERS and member.notice is None


async def test_moving_or_turning_off_the_reminder_channel_takes_its_members_along_at_once(
    repos: Repositories,
) -> None:
    before = await configured(repos)
    for step, channel in (("move_channel_targets", ELSEWHERE), ("clear_guild_targets", None)):
        with pytest.raises(Broken):
            await usecases.set_reminder_channel(context(repos, step), GUILD, MOD, channel)
        await unchanged(repos, before, audit=4)

    change = await usecases.set_reminder_channel(context(repos), GUILD, MOD, ELSEWHERE)
    assert change.update.changed and change.moved == 1
    member = await repos.reminders.get_schedule(USER, STRETCH_KIND)
    assert member is not None and member.channel_id == ELSEWHERE
    assert member.notice == REMINDER_CHANNEL_MOVED_NOTICE

    change = await usecases.set_reminder_channel(context(repos), GUILD, MOD, None)
    assert change.update.changed and change.moved == 1
    member = await repos.reminders.get_schedule(USER, STRETCH_KIND)
    assert member is not None and (member.guild_id, member.channel_id) == (None, None)
    assert member.notice == REMINDER_CHANNEL_OFF_NOTICE
    again = await usecases.set_reminder_channel(context(repos), GUILD, MOD, None)
    assert not again.update.changed and again.moved == 0


async def test_tips_off_removes_the_tips_schedule_with_the_setting(repos: Repositories) -> None:
    before = await configured(repos)
    with pytest.raises(Broken):
        await usecases.turn_off_daily_tip(context(repos, "delete_server_schedules"), GUILD, MOD)
    await unchanged(repos, before, audit=4)
    assert await usecases.turn_off_daily_tip(context(repos), GUILD, MOD)
    assert await repos.reminders.get_server_schedule(GUILD, TIP_KIND) is None
    assert (await repos.guild_settings.get(GUILD)).tips_channel_id is None
    assert not await usecases.turn_off_daily_tip(context(repos), GUILD, MOD)


async def test_the_server_timezone_moves_the_tip_keeping_its_local_time(
    repos: Repositories,
) -> None:
    before = await configured(repos)
    with pytest.raises(Broken):
        await usecases.set_server_timezone(
            context(repos, "save_server_schedule"), GUILD, MOD, "Asia/Tokyo"
        )
    await unchanged(repos, before, audit=4)
    update, tip = await usecases.set_server_timezone(context(repos), GUILD, MOD, "Asia/Tokyo")
    assert update.changed and [e.setting for e in update.changes] == ["timezone"]
    assert tip is not None and (tip.timezone, tip.local_time) == ("Asia/Tokyo", time(9))


async def test_reset_is_one_transaction(repos: Repositories) -> None:
    before = await configured(repos)
    with pytest.raises(Broken):
        await usecases.reset_server_settings(context(repos, "clear_guild_targets"), GUILD, MOD)
    await unchanged(repos, before, audit=4)
    assert await usecases.reset_server_settings(context(repos), GUILD, MOD) == 1
    settings = await repos.guild_settings.get(GUILD)
    assert (settings.reminder_channel_id, settings.tips_channel_id, settings.timezone) == (
        None,
        None,
        None,
    )
    assert await repos.reminders.get_server_schedule(GUILD, TIP_KIND) is None
    member = await repos.reminders.get_schedule(USER, STRETCH_KIND)
    assert member is not None and member.channel_id is None


async def test_a_deleted_tips_channel_stops_the_tip_in_one_transaction(
    repos: Repositories,
) -> None:
    before = await configured(repos)
    assert await usecases.forget_deleted_channel(context(repos), GUILD, 999) is None
    with pytest.raises(Broken):
        await usecases.forget_deleted_channel(
            context(repos, "delete_server_schedules"), GUILD, TIPS
        )
    await unchanged(repos, before, audit=4)
    update = await usecases.forget_deleted_channel(context(repos), GUILD, TIPS)
    assert update is not None
    assert {(e.setting, e.moderator_id) for e in update.changes} == {
        ("tips_channel", BOT_ITSELF),
        ("tips_time", BOT_ITSELF),
    }
    assert await repos.reminders.get_server_schedule(GUILD, TIP_KIND) is None


async def test_leaving_a_server_forgets_its_settings_and_schedules_together(
    repos: Repositories,
) -> None:
    before = await configured(repos)
    with pytest.raises(Broken):
        await usecases.leave_server(context(repos, "delete_server_schedules"), GUILD)
    await unchanged(repos, before, audit=4)
    forgotten = await usecases.leave_server(context(repos), GUILD)
    assert forgotten.had_settings and forgotten.server_schedules == 1
    assert await repos.guild_settings.get(GUILD) == GuildSettings(GUILD)
    assert await repos.guild_settings.recent_changes(GUILD, 50) == []
    assert await repos.reminders.get_server_schedule(GUILD, TIP_KIND) is None
    again = await usecases.leave_server(context(repos), GUILD)
    assert not again.had_settings and again.server_schedules == 0
