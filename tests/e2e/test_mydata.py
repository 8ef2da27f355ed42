"""/mydata end to end: the export holds every row, delete asks first and leaves nothing."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime, time

from bot.client import RlsBot
from bot.db.guild_settings import FORMER_MEMBER
from bot.db.reminders import ScheduleSpec
from bot.emulator import DiscordEmulator, EmuUser
from bot.emulator.permissions import Permissions
from cogs.mydata import CSV_ZIP, export_files


async def fill(bot: RlsBot, emu: DiscordEmulator, user: EmuUser) -> None:
    await bot.repos.users.set_timezone(user.id, "Europe/Berlin", bot.clock.now())
    schedule = await bot.repos.reminders.save_schedule(
        ScheduleSpec(user.id, "stretch", time(17), 127, "Europe/Berlin"), None, bot.clock.now()
    )
    await bot.repos.reminders.add_delivery(schedule, bot.clock.now(), "now", bot.clock.now())
    await (await emu.slash(user, "sleep log", {"bed": "23:00", "wake": "7:00"})).response()
    await (
        await emu.slash(user, "sleep log", {"bed": "22:30", "wake": "6:00", "night": "yesterday"})
    ).response()


async def test_export_has_json_and_csv_of_every_row(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    await fill(bot, emu, alice)
    await fill(bot, emu, bob)
    ix = await emu.slash(alice, "mydata export")
    assert (await ix.response()).type == 5
    followup = await ix.followup()
    assert followup.ephemeral
    document = json.loads(followup.file("my-data.json"))
    tables = document["tables"]
    assert [row["id"] for row in tables["users"]] == [str(alice.id)]
    assert len(tables["schedules"]) == 1 and len(tables["deliveries"]) == 1
    assert sorted(row["night"] for row in tables["sleep_entries"]) == ["2026-03-01", "2026-03-02"]
    for rows in tables.values():
        assert all(row.get("user_id", row.get("id")) == str(alice.id) for row in rows)
    diary_csv = list(
        csv.DictReader(io.StringIO(followup.file("my-data-sleep_entries.csv").decode()))
    )
    assert len(diary_csv) == 2 and diary_csv[0]["user_id"] == str(alice.id)


async def test_delete_asks_then_removes_everything(
    emu: DiscordEmulator, bot: RlsBot, tmp_path
) -> None:
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    await fill(bot, emu, alice)
    await fill(bot, emu, bob)
    ask = await (await emu.slash(alice, "mydata delete")).response()
    assert ask.ephemeral
    confirm = f"rls:mydata:delete:{alice.id}"
    forged = await (await emu.click(bob, ask, confirm)).response()
    assert "someone else" in forged.content
    assert await bot.repos.users.get(alice.id) is not None
    done = await (await emu.click(alice, ask, confirm)).response()
    assert done.type == 7 and "Nothing of yours is left" in done.content
    # The file itself: no row mentions Alice any more, Bob's are intact.
    raw = sqlite3.connect(tmp_path / "bot.sqlite3")
    try:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = {c[1] for c in raw.execute(f'PRAGMA table_info("{table}")')}
            column = "id" if table == "users" else "user_id"
            if column in columns:
                left = raw.execute(
                    f'SELECT count(*) FROM "{table}" WHERE {column} = ?', (alice.id,)
                )
                assert left.fetchone()[0] == 0, table
        bobs = raw.execute("SELECT count(*) FROM sleep_entries WHERE user_id = ?", (bob.id,))
        assert bobs.fetchone()[0] == 2
    finally:
        raw.close()


async def test_a_double_click_deletes_once_and_says_so(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    await fill(bot, emu, alice)
    ask = await (await emu.slash(alice, "mydata delete")).response()
    confirm = f"rls:mydata:delete:{alice.id}"
    # Both presses reach the bot before the first is answered.
    first, second = await emu.click(alice, ask, confirm), await emu.click(alice, ask, confirm)
    done, again = await first.response(), await second.response()
    assert done.type == 7 and "Nothing of yours is left" in done.content
    assert "deleted 0 records" not in done.content
    assert again.ephemeral and again.content == "That question is already being answered."
    assert await bot.repos.users.get(alice.id) is None


async def test_delete_can_be_cancelled(emu: DiscordEmulator, bot: RlsBot) -> None:
    alice = emu.add_user("alice")
    await fill(bot, emu, alice)
    ask = await (await emu.slash(alice, "mydata delete")).response()
    kept = await (await emu.click(alice, ask, f"rls:mydata:keep:{alice.id}")).response()
    assert kept.content == "Kept: nothing was deleted."
    assert await bot.repos.diary.recent_nights(alice.id, 5) != []


async def test_a_moderators_changes_are_exported_and_anonymised_on_delete(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    guild = emu.add_guild("RLS Friends", channels=["general"])
    alice, bob = emu.add_user("alice"), emu.add_user("bob")
    for moderator, zone in ((alice, "Europe/Berlin"), (bob, "UTC"), (alice, "Europe/Paris")):
        reply = await (
            await emu.slash(
                moderator,
                "config timezone",
                {"timezone": zone},
                guild=guild,
                permissions=Permissions.manager,
            )
        ).response()
        assert "now " + zone in reply.content

    ix = await emu.slash(alice, "mydata export")
    audit = json.loads((await ix.followup()).file("my-data.json"))["tables"]["guild_config_audit"]
    assert [(row["moderator_id"], row["new_value"]) for row in audit] == [
        (str(alice.id), "Europe/Berlin"),
        (str(alice.id), "Europe/Paris"),
    ]

    ask = await (await emu.slash(alice, "mydata delete")).response()
    done = await (await emu.click(alice, ask, f"rls:mydata:delete:{alice.id}")).response()
    # Deleted: her profile (it holds the language of her latest command). Her two audit entries
    # are kept without her id, and said so: counting them as deleted said "3 records".
    assert "deleted 1 record about you" in done.content
    assert (
        "2 changes in servers' settings logs now say they were made by a member who has since "
        "deleted their data." in done.content
    )
    # The server keeps its record of each change; only who made alice's is gone.
    changes = await bot.repos.guild_settings.recent_changes(guild.id, 10)
    assert [(c.moderator_id, c.new_value) for c in changes] == [
        (FORMER_MEMBER, "Europe/Paris"),
        (bob.id, "UTC"),
        (FORMER_MEMBER, "Europe/Berlin"),
    ]
    shown = await (
        await emu.slash(bob, "config show", guild=guild, permissions=Permissions.manager)
    ).response()
    assert f"<@{alice.id}>" not in shown.content
    assert "by a member who has since deleted their data" in shown.content
    assert f"by <@{bob.id}>" in shown.content


async def test_export_ids_are_strings_and_instants_iso_beside_epoch(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    await fill(bot, emu, alice)
    ix = await emu.slash(alice, "mydata export")
    document = json.loads((await ix.followup()).file("my-data.json"))
    assert document["user_id"] == str(alice.id)
    [schedule] = document["tables"]["schedules"]
    assert schedule["user_id"] == str(alice.id) and isinstance(schedule["id"], str)
    assert isinstance(schedule["created_at"], int)
    assert (
        schedule["created_at_iso"]
        == datetime.fromtimestamp(schedule["created_at"], UTC).isoformat()
    )
    assert schedule["created_at_iso"].endswith("+00:00")
    # Every id is a string and every instant has its ISO twin, in every table.
    for rows in document["tables"].values():
        for row in rows:
            for column, value in row.items():
                if column == "id" or column.endswith("_id"):
                    assert value is None or isinstance(value, str), (column, value)
                if column.endswith("_at"):
                    assert f"{column}_iso" in row


async def test_export_covers_medicines_doses_and_the_retest_reminder(
    emu: DiscordEmulator, bot: RlsBot
) -> None:
    alice = emu.add_user("alice")
    await bot.repos.users.set_timezone(alice.id, "Europe/Berlin", bot.clock.now())
    await (await emu.slash(alice, "meds add", {"name": "Iron", "times": "08:00"})).response()
    await (await emu.slash(alice, "meds taken", {"name": "iron", "time": "09:30"})).response()
    await (await emu.slash(alice, "labs add", {"ferritin": 40, "retest_in": 8})).response()
    ix = await emu.slash(alice, "mydata export")
    await ix.response()
    followup = await ix.followup()
    tables = json.loads(followup.file("my-data.json"))["tables"]
    assert [m["name"] for m in tables["medicines"]] == ["Iron"]
    [dose] = tables["doses"]
    assert dose["source"] == "typed" and dose["taken_at_iso"] == "2026-03-02T08:30:00+00:00"
    assert {s["kind"] for s in tables["schedules"]} >= {"labs:retest"}
    doses_csv = list(csv.DictReader(io.StringIO(followup.file("my-data-doses.csv").decode())))
    assert doses_csv[0]["timezone"] == "Europe/Berlin"
    delete = await (await emu.slash(alice, "mydata delete")).response()
    # The question names them: it listed only timezone, reminders and diary, as if they stayed.
    assert (
        "your medicines and their doses, your iron lab values and your whole sleep diary?"
    ) in delete.content
    await (await emu.click(alice, delete, f"rls:mydata:delete:{alice.id}")).response()
    assert await bot.repos.meds.medicines(alice.id, include_stopped=True) == []
    assert await bot.repos.meds.answers(alice.id, datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_more_tables_than_attachments_go_out_as_one_zip_of_csvs() -> None:
    rows = {f"table_{n:02d}": [{"user_id": 7, "n": n}] for n in range(12)}
    files = export_files(7, rows, "2026-03-02T12:00:00+00:00")
    assert [name for name, _ in files] == ["my-data.json", CSV_ZIP]
    with zipfile.ZipFile(io.BytesIO(files[1][1])) as zipped:
        names = zipped.namelist()
        assert names == [f"my-data-table_{n:02d}.csv" for n in range(12)]
        assert zipped.read("my-data-table_11.csv").decode().splitlines() == ["user_id,n", "7,11"]
    assert len(json.loads(files[0][1])["tables"]) == 12
    # Up to nine tables stay plain CSV files beside the JSON.
    few = export_files(7, dict(list(rows.items())[:9]), "2026-03-02T12:00:00+00:00")
    assert len(few) == 10 and all(name.endswith((".json", ".csv")) for name, _ in few)
