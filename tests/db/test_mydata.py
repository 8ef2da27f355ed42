"""/mydata's repository on both backends: a moderator's audit rows are theirs to export, and
deleting their data keeps the server's record of each change but not who made it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.db import Repositories
from bot.db.guild_settings import FORMER_MEMBER
from bot.db.mydata import anonymised_key, is_id, is_instant, json_ready
from tests.conftest import drop_postgres_schema, open_postgres_schema

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
GUILD = 555
ALICE, BOB = 101, 202


async def test_audit_rows_are_exported_to_their_moderator_and_anonymised_on_delete(
    repos: Repositories,
) -> None:
    settings = repos.guild_settings
    await settings.update(GUILD, lambda s: replace(s, timezone="Europe/Berlin"), ALICE, NOW)
    await settings.update(GUILD, lambda s: replace(s, timezone="UTC"), BOB, NOW)

    exported = await repos.user_data.export(ALICE)
    assert [(r["moderator_id"], r["new_value"]) for r in exported["guild_config_audit"]] == [
        (ALICE, "Europe/Berlin")
    ]

    deleted = await repos.user_data.delete_all(ALICE)
    assert deleted[anonymised_key("guild_config_audit")] == 1  # kept, without her id
    changes = await settings.recent_changes(GUILD, 10)
    assert sorted((c.moderator_id, c.new_value) for c in changes) == [
        (FORMER_MEMBER, "Europe/Berlin"),
        (BOB, "UTC"),
    ]
    assert (await repos.user_data.export(ALICE))["guild_config_audit"] == []
    assert len((await repos.user_data.export(BOB))["guild_config_audit"]) == 1


async def test_the_export_is_shaped_the_same_on_both_backends(repos: Repositories) -> None:
    await repos.users.set_timezone(ALICE, "Europe/Berlin", NOW)
    await repos.guild_settings.update(
        GUILD, lambda s: replace(s, timezone="Europe/Berlin"), ALICE, NOW
    )
    shaped = json_ready(await repos.user_data.export(ALICE))
    epoch = int(NOW.timestamp())
    assert shaped["users"] == [
        {
            "id": str(ALICE),
            "timezone": "Europe/Berlin",
            "created_at": epoch,
            "created_at_iso": NOW.astimezone(UTC).isoformat(),
            "locale": None,  # the language of her latest command; none sent here
        }
    ]
    [audit] = shaped["guild_config_audit"]
    assert audit["guild_id"] == str(GUILD) and audit["moderator_id"] == str(ALICE)
    assert (audit["changed_at"], audit["changed_at_iso"]) == (epoch, "2026-03-03T09:00:00+00:00")


async def test_the_export_recognises_every_postgres_id_and_instant_column() -> None:
    """The export tells ids and instants by their names; PostgreSQL's column types say what
    they really are. A new column whose name breaks the pattern fails here."""
    db, schema = await open_postgres_schema()
    try:
        await db.migrate()
        async with db.connection() as conn:
            columns = await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name <> 'schema_version'"
            )
    finally:
        await db.close()
        await drop_postgres_schema(schema)
    for column in columns:
        name, kind = column["column_name"], column["data_type"]
        assert is_instant(name) == (kind == "timestamp with time zone"), (name, kind)
        # A text id (a tip's slug) is a string anyway; every number that is an id is caught.
        assert is_id(name) == (kind == "bigint") or (is_id(name) and kind == "text"), (name, kind)
