"""Contract tests for server settings, their audit, the server's tip history and the schedules a
server owns: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.db import Database, Repositories, build_repositories
from bot.db import postgres as postgres_module
from bot.db import sqlite as sqlite_module
from bot.db.guild_settings import (
    BOT_ITSELF,
    DEFAULT_TIP_TIME,
    KEEP_TIPS,
    REMINDER_CHANNEL,
    TIMEZONE,
    TIP_KIND,
    TIPS_CHANNEL,
    TIPS_TIME,
    GuildSettings,
    PickTip,
)
from bot.db.migrations import load_migrations
from bot.db.reminders import (
    ScheduleSpec,
    ServerOwnedError,
    ServerScheduleSpec,
)
from bot.db.sqlite import SqliteDatabase
from tests.conftest import drop_postgres_schema, open_postgres_schema
from tests.db.test_reminders import pending

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MOD = 4242
TIP_SPEC = ServerScheduleSpec(
    guild_id=7, channel_id=700, kind="server_tip", local_time=time(17, 0), days_mask=0b1111111,
    timezone="Europe/Berlin",
)  # fmt: skip


async def test_unconfigured_server_gets_defaults(repos: Repositories) -> None:
    assert await repos.guild_settings.get(7) == GuildSettings(7)
    assert await repos.guild_settings.recent_changes(7, 5) == []


async def test_reminder_channel_set_and_cleared(repos: Repositories) -> None:
    saved = await repos.guild_settings.set_reminder_channel(7, 700, NOW)
    assert saved.reminder_channel_id == 700
    assert saved.updated_at == NOW
    cleared = await repos.guild_settings.set_reminder_channel(7, None, NOW)
    assert cleared.reminder_channel_id is None
    assert (await repos.guild_settings.get(8)).reminder_channel_id is None


async def test_update_saves_and_records_each_changed_setting(repos: Repositories) -> None:
    async def save_tip_schedule(after: GuildSettings) -> None:
        # What bot/guild_config.change_settings does in the same transaction.
        assert after.tips_channel_id is not None and after.timezone is not None
        await repos.reminders.save_server_schedule(
            ServerScheduleSpec(
                7,
                after.tips_channel_id,
                TIP_KIND,
                after.tips_time or DEFAULT_TIP_TIME,
                127,
                after.timezone,
            ),
            NOW + timedelta(hours=6),
            NOW,
        )

    async with repos.reminders.atomic():
        update = await repos.guild_settings.update(
            7,
            lambda s: replace(
                s, tips_channel_id=701, tips_time=time(18, 30), timezone="Europe/Berlin"
            ),
            MOD,
            NOW,
        )
        await save_tip_schedule(update.after)
    assert update.changed and update.before.tips_channel_id is None
    assert update.after == GuildSettings(
        7, None, "Europe/Berlin", NOW, tips_channel_id=701, tips_time=time(18, 30)
    )
    assert await repos.guild_settings.get(7) == update.after
    assert [(c.setting, c.old_value, c.new_value) for c in update.changes] == [
        (TIPS_CHANNEL, None, "701"),
        (TIPS_TIME, None, "18:30"),
        (TIMEZONE, None, "Europe/Berlin"),
    ]
    assert {(c.guild_id, c.moderator_id, c.changed_at) for c in update.changes} == {(7, MOD, NOW)}
    # Newest first; the limit counts entries.
    later = NOW + timedelta(minutes=5)
    await repos.guild_settings.update(7, lambda s: replace(s, reminder_channel_id=9), 1, later)
    recent = await repos.guild_settings.recent_changes(7, 2)
    assert [(c.setting, c.moderator_id, c.changed_at) for c in recent] == [
        (REMINDER_CHANNEL, 1, later),
        (TIMEZONE, MOD, NOW),
    ]
    assert await repos.guild_settings.recent_changes(8, 5) == []


async def test_the_daily_tip_is_read_from_its_schedule_row(repos: Repositories) -> None:
    """One source of truth: the tip's channel and time are the schedule's; 17:00 is the default."""
    await repos.guild_settings.update(7, lambda s: replace(s, timezone="UTC"), MOD, NOW)
    assert (await repos.guild_settings.get(7)).tips_channel_id is None
    spec = ServerScheduleSpec(7, 70, TIP_KIND, time(9, 15), 127, "UTC")
    await repos.reminders.save_server_schedule(spec, NOW + timedelta(hours=1), NOW)
    settings = await repos.guild_settings.get(7)
    assert (settings.tips_channel_id, settings.tips_time) == (70, time(9, 15))
    await repos.reminders.save_server_schedule(
        replace(spec, channel_id=71, local_time=DEFAULT_TIP_TIME), NOW + timedelta(hours=1), NOW
    )
    settings = await repos.guild_settings.get(7)
    assert (settings.tips_channel_id, settings.tips_time) == (71, None)
    # An edit to 17:00 is the default: nothing to audit.
    same = await repos.guild_settings.update(
        7, lambda s: replace(s, tips_time=DEFAULT_TIP_TIME), MOD, NOW
    )
    assert not same.changed
    await repos.reminders.delete_server_schedules(7, TIP_KIND)
    assert (await repos.guild_settings.get(7)).tips_channel_id is None


async def test_an_update_that_changes_nothing_writes_nothing(repos: Repositories) -> None:
    unchanged = await repos.guild_settings.update(7, lambda s: s, MOD, NOW)
    assert not unchanged.changed and unchanged.after == GuildSettings(7)
    await repos.guild_settings.update(7, lambda s: replace(s, timezone="UTC"), MOD, NOW)
    again = await repos.guild_settings.update(
        7, lambda s: replace(s, timezone="UTC"), MOD, NOW + timedelta(hours=1)
    )
    assert not again.changed
    assert (await repos.guild_settings.get(7)).updated_at == NOW
    assert len(await repos.guild_settings.recent_changes(7, 10)) == 1


async def test_concurrent_updates_of_different_settings_both_stick(repos: Repositories) -> None:
    # On PostgreSQL these run on two pooled connections at once, for a server with no row yet.
    await asyncio.gather(
        repos.guild_settings.update(7, lambda s: replace(s, reminder_channel_id=1), 1, NOW),
        repos.guild_settings.update(7, lambda s: replace(s, tips_channel_id=2), 2, NOW),
        repos.guild_settings.update(7, lambda s: replace(s, timezone="UTC"), 3, NOW),
    )
    saved = await repos.guild_settings.get(7)
    # The tip's channel lives in its schedule row, which only change_settings writes.
    assert (saved.reminder_channel_id, saved.timezone) == (1, "UTC")
    assert sorted(c.moderator_id for c in await repos.guild_settings.recent_changes(7, 10)) == [
        1,
        2,
        3,
    ]


async def test_an_edit_cannot_move_settings_to_another_server(repos: Repositories) -> None:
    with pytest.raises(ValueError, match="another server"):
        await repos.guild_settings.update(7, lambda s: GuildSettings(8, 1), MOD, NOW)
    assert await repos.guild_settings.get(8) == GuildSettings(8)


async def test_the_bot_itself_is_recorded_as_moderator_zero(repos: Repositories) -> None:
    await repos.guild_settings.update(7, lambda s: replace(s, reminder_channel_id=9), MOD, NOW)
    await repos.guild_settings.update(
        7, lambda s: replace(s, reminder_channel_id=None), BOT_ITSELF, NOW
    )
    [latest, _] = await repos.guild_settings.recent_changes(7, 2)
    assert (latest.moderator_id, latest.old_value, latest.new_value) == (0, "9", None)


async def test_a_delivery_keeps_its_tip_and_recent_tips_are_avoided(repos: Repositories) -> None:
    seen: list[list[str]] = []

    def pick_next(recent: list[str]) -> str:
        seen.append(list(recent))
        return f"tip-{len(recent)}"

    assert await repos.guild_settings.choose_tip(7, 100, pick_next, NOW) == "tip-0"
    assert await repos.guild_settings.choose_tip(7, 101, pick_next, NOW) == "tip-1"
    # A resend of delivery 100 posts the same tip, without picking again.
    assert await repos.guild_settings.choose_tip(7, 100, pick_next, NOW) == "tip-0"
    assert seen == [[], ["tip-0"]]
    assert await repos.guild_settings.recent_tips(7) == ["tip-1", "tip-0"]
    assert await repos.guild_settings.recent_tips(8) == []


async def test_tip_history_keeps_only_the_newest(repos: Repositories) -> None:
    def named_after(delivery: int) -> PickTip:
        return lambda _recent: f"t{delivery}"

    for delivery in range(KEEP_TIPS + 5):
        await repos.guild_settings.choose_tip(7, delivery, named_after(delivery), NOW)
    recent = await repos.guild_settings.recent_tips(7, KEEP_TIPS + 10)
    assert recent == [f"t{d}" for d in range(KEEP_TIPS + 4, 4, -1)]


async def test_delete_forgets_the_server(repos: Repositories) -> None:
    await repos.guild_settings.update(7, lambda s: replace(s, reminder_channel_id=700), MOD, NOW)
    await repos.guild_settings.update(8, lambda s: replace(s, reminder_channel_id=800), MOD, NOW)
    await repos.guild_settings.choose_tip(7, 1, lambda _r: "a", NOW)
    assert await repos.guild_settings.delete(7) is True
    assert await repos.guild_settings.get(7) == GuildSettings(7)
    assert await repos.guild_settings.recent_changes(7, 5) == []
    assert await repos.guild_settings.recent_tips(7) == []
    assert await repos.guild_settings.delete(7) is False
    assert (await repos.guild_settings.get(8)).reminder_channel_id == 800
    assert len(await repos.guild_settings.recent_changes(8, 5)) == 1


# -- schedules a server owns -----------------------------------------------------------------------


async def test_server_schedule_is_saved_once_per_server_and_kind(repos: Repositories) -> None:
    saved = await repos.reminders.save_server_schedule(TIP_SPEC, NOW, NOW)
    assert saved.member_id is None and saved.member_id is None
    assert (saved.guild_id, saved.channel_id, saved.kind) == (7, 700, "server_tip")
    await repos.reminders.set_next_due(saved.id, None, NOW, pause_reason="channel_unavailable")
    moved = await repos.reminders.save_server_schedule(
        replace(TIP_SPEC, channel_id=701, local_time=time(9, 0)), NOW + timedelta(hours=1), NOW
    )
    assert moved.id == saved.id and moved.channel_id == 701 and moved.local_time == time(9, 0)
    assert moved.pause_reason is None and moved.next_due == NOW + timedelta(hours=1)
    other = await repos.reminders.save_server_schedule(replace(TIP_SPEC, guild_id=8), NOW, NOW)
    assert other.id != saved.id
    assert await repos.reminders.get_server_schedule(7, "server_tip") == moved
    assert await repos.reminders.get_server_schedule(7, "stretch") is None
    # No user appears for it anywhere: no profile, nothing in a member's schedules.
    assert await repos.users.get(0) is None
    with pytest.raises(ServerOwnedError):
        _ = moved.user_id


async def test_server_schedule_is_claimed_and_leased_without_a_member(repos: Repositories) -> None:
    schedule = await repos.reminders.save_server_schedule(TIP_SPEC, NOW, NOW)
    assert await repos.reminders.claim_due(NOW, 10, pending(NOW + timedelta(days=1))) == 1
    [(delivery, leased)] = await repos.reminders.lease_pending(NOW, NOW + timedelta(minutes=2), 10)
    assert delivery.schedule_id == schedule.id and delivery.member_id is None
    assert leased.member_id is None and leased.channel_id == 700
    with pytest.raises(ServerOwnedError):
        _ = delivery.user_id
    # Nobody can mark a server's post done.
    assert await repos.reminders.mark_done(delivery.id, 0, NOW) is None


async def test_members_targets_move_but_the_servers_schedule_stays(repos: Repositories) -> None:
    server = await repos.reminders.save_server_schedule(TIP_SPEC, NOW, NOW)
    member = await repos.reminders.save_schedule(
        ScheduleSpec(11, "stretch", time(17, 0), 0b1111111, "UTC", guild_id=7, channel_id=700),
        NOW,
        NOW,
    )
    assert await repos.reminders.move_channel_targets(700, 702, "moved", NOW) == 1
    assert (await repos.reminders.get_schedule_by_id(member.id)).channel_id == 702  # type: ignore[union-attr]
    assert (await repos.reminders.get_server_schedule(7, "server_tip")) == server
    assert await repos.reminders.clear_channel_targets(700, "gone", NOW) == 0
    assert await repos.reminders.clear_guild_targets(7, "left", NOW) == 1
    dm = await repos.reminders.get_schedule(11, "stretch")
    assert dm is not None and dm.channel_id is None and dm.notice == "left"
    assert (await repos.reminders.get_server_schedule(7, "server_tip")) == server


async def test_deleting_server_schedules_leaves_members_alone(repos: Repositories) -> None:
    await repos.reminders.save_server_schedule(TIP_SPEC, NOW, NOW)
    await repos.reminders.save_server_schedule(replace(TIP_SPEC, kind="other"), NOW, NOW)
    await repos.reminders.save_server_schedule(replace(TIP_SPEC, guild_id=8), NOW, NOW)
    await repos.reminders.save_schedule(
        ScheduleSpec(11, "stretch", time(17, 0), 0b1111111, "UTC", guild_id=7, channel_id=700),
        NOW,
        NOW,
    )
    await repos.reminders.claim_due(NOW, 10, pending(None))
    assert await repos.reminders.delete_server_schedules(7, "server_tip") == 1
    assert await repos.reminders.get_server_schedule(7, "other") is not None
    assert await repos.reminders.delete_server_schedules(7) == 1
    assert await repos.reminders.delete_server_schedules(7) == 0
    assert await repos.reminders.get_server_schedule(8, "server_tip") is not None
    assert await repos.reminders.get_schedule(11, "stretch") is not None


# -- upgrading an existing database to 0005 --------------------------------------------------------

BEFORE_0005 = 4


async def _fill_version_4(db: Database) -> None:
    """Rows as the code before 0005 wrote them: a member, a schedule, a delivery and its snooze."""
    repos = build_repositories(db)
    spec = ScheduleSpec(11, "stretch", time(17, 0), 0b1111111, "UTC", guild_id=5, channel_id=6)
    schedule = await repos.reminders.save_schedule(spec, NOW, NOW)
    await repos.reminders.claim_due(NOW, 10, pending(NOW + timedelta(days=1)))
    [first] = await repos.reminders.recent_deliveries(schedule.id, 1)
    await repos.reminders.add_delivery(
        schedule, NOW + timedelta(minutes=15), "snooze", NOW, snoozed_from=first.id
    )


async def _check_upgraded(db: Database) -> None:
    repos = build_repositories(db)
    schedule = await repos.reminders.get_schedule(11, "stretch")
    assert schedule is not None and schedule.member_id == 11 and schedule.channel_id == 6
    deliveries = await repos.reminders.recent_deliveries(schedule.id, 10)
    assert [d.reason for d in deliveries] == ["snooze", "scheduled"]
    assert deliveries[0].snoozed_from == deliveries[1].id
    # Old rows and the new kind of row live side by side, and cascades still work.
    await repos.reminders.save_server_schedule(TIP_SPEC, NOW, NOW)
    assert await repos.reminders.delete_schedule(11, "stretch")
    assert await repos.reminders.get_delivery(deliveries[0].id) is None
    assert await repos.reminders.get_server_schedule(7, "server_tip") is not None


async def test_sqlite_upgrade_keeps_rows_ids_indexes_and_foreign_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    everything = load_migrations("sqlite")
    monkeypatch.setattr(sqlite_module, "load_migrations", lambda _b: everything[:BEFORE_0005])
    db = await SqliteDatabase.open(path)
    await db.migrate()
    await _fill_version_4(db)
    raw = sqlite3.connect(path)
    old_indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    raw.close()
    monkeypatch.setattr(sqlite_module, "load_migrations", lambda _b: everything)
    assert await db.migrate() == [m.version for m in everything[BEFORE_0005:]]
    async with db.connection() as conn:
        async with conn.execute("PRAGMA foreign_key_check") as cursor:
            assert await cursor.fetchall() == []
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'") as cursor:
            indexes = {row[0] async for row in cursor}
        async with conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE '%\\_new' ESCAPE '\\'"
        ) as cursor:
            assert await cursor.fetchone() == (0,)
    # 0014 drops deliveries_schedule on purpose (the unique index covers it); nothing else goes.
    assert old_indexes - {"deliveries_schedule"} <= indexes and "schedules_server_kind" in indexes
    assert "deliveries_schedule" not in indexes
    await _check_upgraded(db)
    await db.close()


async def test_postgres_upgrade_keeps_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    db, schema = await open_postgres_schema()
    try:
        everything = load_migrations("postgres")
        monkeypatch.setattr(postgres_module, "load_migrations", lambda _b: everything[:BEFORE_0005])
        await db.migrate()
        await _fill_version_4(db)
        monkeypatch.setattr(postgres_module, "load_migrations", lambda _b: everything)
        assert await db.migrate() == [m.version for m in everything[BEFORE_0005:]]
        await _check_upgraded(db)
    finally:
        await db.close()
        await drop_postgres_schema(schema)


async def test_the_server_locale_is_remembered_without_touching_the_settings(
    repos: Repositories,
) -> None:
    assert await repos.guild_settings.locale(7) is None
    await repos.guild_settings.remember_locale(7, "de", NOW)
    await repos.guild_settings.remember_locale(7, "de", NOW)
    assert await repos.guild_settings.locale(7) == "de"
    assert await repos.guild_settings.get(7) == GuildSettings(7, updated_at=NOW)
    await repos.guild_settings.remember_locale(7, "fr", NOW)
    assert await repos.guild_settings.locale(7) == "fr"
