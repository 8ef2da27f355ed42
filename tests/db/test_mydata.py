"""/mydata's repository on both backends: a moderator's audit rows are theirs to export, and
deleting their data keeps the server's record of each change but not who made it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.db import Repositories
from bot.db.guild_settings import FORMER_MEMBER

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
    assert deleted["guild_config_audit"] == 1
    changes = await settings.recent_changes(GUILD, 10)
    assert sorted((c.moderator_id, c.new_value) for c in changes) == [
        (FORMER_MEMBER, "Europe/Berlin"),
        (BOB, "UTC"),
    ]
    assert (await repos.user_data.export(ALICE))["guild_config_audit"] == []
    assert len((await repos.user_data.export(BOB))["guild_config_audit"]) == 1
